from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "qingshan.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_save

        if apps.is_installed("qingshan.enforcement"):
            from . import notify

            post_save.connect(notify.on_case_saved, sender="enforcement.Case", dispatch_uid="portal-notify-case")
