"""``qingshan setup_roles``: (re)create one group per role from qingshan.core.roles."""

from django.core.management.base import BaseCommand

from qingshan.core.roles import ROLE_ACCESS, sync_role_groups


class Command(BaseCommand):
    help = "Synchronise the role groups and their permissions (also done after every migrate)."

    def handle(self, *args, **opts):
        sync_role_groups()
        for role, access in ROLE_ACCESS.items():
            self.stdout.write(f"{role}: {access}")
