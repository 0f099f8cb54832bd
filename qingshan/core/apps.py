from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qingshan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit  # noqa: F401  (connects the change-log signal handlers)
