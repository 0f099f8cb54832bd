from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qingshan.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from django.db.models.signals import post_migrate

        from qingshan.core.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self)
