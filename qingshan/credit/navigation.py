from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Credit and tax"),
    [
        MenuItem(_("Credit ratings overview"), "credit:overview", "credit.view_creditrating"),
        MenuItem(_("Credit ratings"), "credit:creditrating_list", "credit.view_creditrating"),
        MenuItem(_("Replies and repair requests"), "credit:ratingrequest_list", "credit.view_ratingrequest"),
        MenuItem(_("Credit record facts"), "credit:creditfact_list", "credit.view_creditfact"),
        MenuItem(_("Emission reports"), "credit:emissionreport_list", "credit.view_emissionreport"),
        MenuItem(_("Tax sheets"), "credit:taxsheet_list", "credit.view_taxsheet"),
        MenuItem(_("Compute a tax sheet"), "credit:taxsheet_compute", "credit.add_taxsheet"),
    ],
)
