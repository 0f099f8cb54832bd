from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaterConfig(AppConfig):
    name = "qingshan.water"
    label = "water"
    verbose_name = _("Water")

    def ready(self):
        from . import signals  # noqa: F401
