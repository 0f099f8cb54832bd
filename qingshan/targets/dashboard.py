from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qingshan.core.scope import reach_of

from . import services


def widgets(request):
    user = request.user
    out = []
    today = timezone.localdate()
    if user.has_perm("targets.view_reductiontarget"):
        entries = [e for e in services.target_outlooks(today.year, user=user, today=today) if e["outlook"]]
        if entries:
            risky = [e for e in entries if e["outlook"].risk in ("high", "critical")]
            worst = min(entries, key=lambda e: e["outlook"].expected.rate)
            out.append({
                "order": 40, "title": _("Reduction progress %(year)s") % {"year": today.year},
                "value": _("%(n)s at risk") % {"n": len(risky)}, "url": reverse("targets:reduction"),
                "note": _("%(n)s target(s); lowest expected completion: %(t)s %(r)s %%") % {
                    "n": len(entries), "t": f"{worst['target'].region} {worst['target'].pollutant}",
                    "r": round(float(worst["outlook"].expected.rate) * 100, 1)},
            })
    if user.has_perm("targets.view_campaignitem") and reach_of(user).enterprise_id is None:
        overdue = services.overdue_items(user, today).count()
        out.append({"order": 41, "title": _("Campaign items overdue"), "value": overdue,
                    "url": reverse("targets:campaign_current"), "note": _("items past their deadline in running campaigns")})
    return out
