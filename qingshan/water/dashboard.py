from django.urls import reverse
from django.utils.translation import gettext as _

from . import services
from .views import _user_county


def widgets(request):
    """Share of sections I–III this year (to date) against the target, and the 劣V count."""
    user = request.user
    if not user.has_perm("water.view_section"):
        return []
    latest = services.latest_month(user)
    if latest is None:
        return []
    year, month = latest
    county = _user_county(user)
    result = services.share_good("year", year, 0, user=user, region=county)
    shares = result["shares"]
    if not shares.total:
        return []
    target = result["target"]
    check = result["check"]
    data = {
        "good_percent": result["good_percent"], "v_plus": shares.v_plus, "total": shares.total,
        "target": target.good_min if target is not None else None,
        "met": check.good_met if check is not None else None,
        "label": _("%(year)s, January to %(month)s") % {"year": year, "month": month},
    }
    return [{"order": 20, "title": _("Water sections in classes I–III"), "url": reverse("water:overview") + "?period=year",
             "template": "water/_widget.html", "data": data}]
