from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Reports"),
    [
        MenuItem(_("Leader dashboard"), "reports:dashboard", "reports.view_report"),
        MenuItem(_("Generated reports"), "reports:list", "reports.view_report"),
    ],
)
