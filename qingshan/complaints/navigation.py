from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Complaints"),
    [
        MenuItem(_("Complaints and petitions"), "complaints:complaint_list", "complaints.view_complaint"),
        MenuItem(_("Record a complaint"), "complaints:complaint_add", "complaints.add_complaint"),
        MenuItem(_("My work queue"), "enforcement:queue", "complaints.view_complaint"),
        MenuItem(_("Statistics"), "enforcement:statistics", "complaints.view_complaint"),
        MenuItem(_("Public complaint form"), "complaints:report", None),
    ],
)
