from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Registry"),
    [
        MenuItem(_("Enterprises"), "registry:enterprise_list", "registry.view_enterprise"),
        MenuItem(_("Outlets"), "registry:outlet_list", "registry.view_outlet"),
        MenuItem(_("Permits"), "registry:permit_list", "registry.view_permit"),
        MenuItem(_("Permit limits"), "registry:permitlimit_list", "registry.view_permitlimit"),
        MenuItem(_("Data loggers"), "registry:datalogger_list", "registry.view_datalogger"),
        MenuItem(_("EIA approvals"), "registry:eiaapproval_list", "registry.view_eiaapproval"),
        MenuItem(_("Completion acceptances"), "registry:completionacceptance_list", "registry.view_completionacceptance"),
        MenuItem(_("Regions and grids"), "registry:region_list", "registry.view_region"),
        MenuItem(_("Users"), "registry:userprofile_list", "registry.change_userprofile"),
        MenuItem(_("Change log"), "core:changelog", None),
    ],
)
