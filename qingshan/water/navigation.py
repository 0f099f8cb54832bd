from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Water"),
    [
        MenuItem(_("Surface water overview"), "water:overview", "water.view_section"),
        MenuItem(_("CWQI county ranking"), "water:ranking", "water.view_section"),
        MenuItem(_("Rivers and lakes"), "water:rivers", "water.view_section"),
        MenuItem(_("Drinking-water sources"), "water:drinking", "water.view_section"),
        MenuItem(_("Compensation ledger"), "water:compensation", "water.view_compensationentry"),
        MenuItem(_("Sections"), "water:section_list", "water.view_section"),
        MenuItem(_("Water bodies"), "water:waterbody_list", "water.view_waterbody"),
        MenuItem(_("Samples"), "water:sample_list", "water.view_sample"),
        MenuItem(_("Import samples"), "water:import", "water.add_sample"),
        MenuItem(_("Compensation schemes"), "water:compensationscheme_list", "water.view_compensationscheme"),
        MenuItem(_("Compensation assignments"), "water:compensationassignment_list", "water.view_compensationassignment"),
        MenuItem(_("Water quality targets"), "water:sharetarget_list", "water.view_sharetarget"),
    ],
)
