from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Targets and assessment"),
    [
        MenuItem(_("Emission reduction"), "targets:reduction", "targets.view_reductiontarget"),
        MenuItem(_("Reduction targets"), "targets:reductiontarget_list", "targets.view_reductiontarget"),
        MenuItem(_("Monthly emission totals"), "targets:emissiontotal_list", "targets.view_emissiontotal"),
        MenuItem(_("Reduction projects"), "targets:reductionproject_list", "targets.view_reductionproject"),
        MenuItem(_("Running campaign"), "targets:campaign_current", "targets.view_campaign"),
        MenuItem(_("Campaigns"), "targets:campaign_list", "targets.view_campaign"),
        MenuItem(_("Campaign items"), "targets:campaignitem_list", "targets.view_campaignitem"),
        MenuItem(_("County ranking"), "targets:ranking_current", "targets.view_scoresheet"),
        MenuItem(_("Score sheets"), "targets:scoresheet_list", "targets.view_scoresheet"),
        MenuItem(_("Accountability records"), "targets:accountabilityrecord_list", "targets.view_accountabilityrecord"),
    ],
)
