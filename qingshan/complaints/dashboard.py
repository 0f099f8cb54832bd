from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Complaint


def widgets(request):
    user = request.user
    if not user.has_perm("complaints.view_complaint"):
        return []
    open_qs = Complaint.objects.for_user(user).filter(status__in=["received", "accepted", "handling"])
    overdue = sum(1 for c in open_qs.only("pk", "status", "channel", "received_on", "accepted_on", "extended_days",
                                          "replied_on", "closed_on", "review_requested_on")[:1000] if c.is_overdue())
    return [{"order": 21, "title": _("Complaints open"), "value": open_qs.count(), "url": reverse("complaints:complaint_list"),
             "note": _("%(n)s overdue") % {"n": overdue}}]
