from django.core.management.base import BaseCommand

from qingshan.portal.notify import notify_subscribers


class Command(BaseCommand):
    help = "Write outbox messages for subscribers about newly published violations."

    def handle(self, *args, **options):
        n = notify_subscribers()
        self.stdout.write(f"{n} message(s) written to the outbox")
