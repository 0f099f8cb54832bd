from django.urls import reverse
from django.utils.translation import gettext as _

from .models import DailyAQI, HeavyPollutionAlert


def widgets(request):
    if not request.user.has_perm("air.view_dailyaqi"):
        return []
    latest = DailyAQI.objects.for_user(request.user).filter(kind__in=["city", "county"]).order_by("-date", "kind").first()
    out = []
    if latest is not None:
        out.append({"order": 10, "title": _("AQI %(region)s %(date)s") % {"region": latest.region, "date": latest.date},
                    "value": latest.aqi, "note": latest.category, "url": reverse("air:overview")})
    active = HeavyPollutionAlert.objects.for_user(request.user).filter(end__isnull=True).count()
    out.append({"order": 11, "title": _("Active heavy pollution alerts"), "value": active,
                "url": reverse("air:heavypollutionalert_list")})
    return out
