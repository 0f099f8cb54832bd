from django.urls import reverse
from django.utils.translation import gettext as _


def widgets(request):
    if not request.user.has_perm("reports.view_report"):
        return []
    return [{"order": 5, "title": _("Leader dashboard"), "value": "一张图", "url": reverse("reports:dashboard"),
             "note": _("Map, alarms, complaints and rankings")}]
