from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Alarm, ShutdownDeclaration


def widgets(request):
    user = request.user
    if not user.has_perm("monitoring.view_alarm"):
        return []
    active = Alarm.objects.for_user(user).filter(status__in=Alarm.ACTIVE_STATUSES)
    by_kind = dict(active.values_list("kind").annotate(n=Count("pk")))
    exceed = by_kind.get(Alarm.Kind.EXCEEDANCE, 0)
    offline = by_kind.get(Alarm.Kind.OFFLINE, 0)
    out = [{
        "order": 20, "title": _("Monitoring alarms"), "value": sum(by_kind.values()),
        "url": reverse("monitoring:alarm_list") + "?status=open",
        "note": _("%(e)s exceedance, %(o)s offline") % {"e": exceed, "o": offline},
    }]
    from .declarations import can_review

    if can_review(user):
        pending = ShutdownDeclaration.objects.for_user(user).filter(status=ShutdownDeclaration.Status.PENDING).count()
        if pending:
            out.append({"order": 21, "title": _("Shutdown declarations to review"), "value": pending,
                        "url": reverse("monitoring:shutdowndeclaration_list") + "?status=pending",
                        "note": _("approved ones leave the expected hours of the transmission rate")})
    return out
