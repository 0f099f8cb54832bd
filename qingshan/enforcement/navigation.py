from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Enforcement"),
    [
        MenuItem(_("My work queue"), "enforcement:queue", "enforcement.view_case"),
        MenuItem(_("Random inspection draws"), "enforcement:inspectiondraw_list", "enforcement.view_inspectiondraw"),
        MenuItem(_("Inspections"), "enforcement:inspection_list", "enforcement.view_inspection"),
        MenuItem(_("Cases"), "enforcement:case_list", "enforcement.view_case"),
        MenuItem(_("Penalties and measures"), "enforcement:measure_list", "enforcement.view_measure"),
        MenuItem(_("Rectification orders"), "enforcement:rectification_list", "enforcement.view_rectification"),
        MenuItem(_("Statistics"), "enforcement:statistics", "enforcement.view_case"),
    ],
)
