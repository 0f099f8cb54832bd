import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import models as m


def widgets(request):
    user = request.user
    out = []
    if user.has_perm("enforcement.view_case") or user.has_perm("complaints.view_complaint"):
        from .views import queue_items

        items = queue_items(user, limit=100)
        overdue = sum(1 for i in items if i["overdue"])
        out.append({"order": 20, "title": _("My overdue items"), "value": overdue, "url": reverse("enforcement:queue"),
                    "note": _("%(n)s open items in my queue") % {"n": len(items)}})
    if user.has_perm("enforcement.view_rectification"):
        today = timezone.localdate()
        week_end = today + datetime.timedelta(days=7)
        qs = m.Rectification.objects.for_user(user).exclude(status=m.Rectification.Status.CLOSED_OUT)
        due = qs.filter(due_on__range=(today, week_end)).count()
        out.append({"order": 22, "title": _("Rectifications due this week"), "value": due,
                    "url": reverse("enforcement:rectification_list"),
                    "note": _("%(n)s under listed supervision") % {"n": qs.exclude(listed_supervision="").count()}})
    return out
