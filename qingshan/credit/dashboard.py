from django.urls import reverse
from django.utils.translation import gettext as _

from .models import CreditRating, RatingRequest


def widgets(request):
    user = request.user
    if not user.has_perm("credit.change_creditrating"):
        return []  # the card is for the reviewing staff
    ratings = CreditRating.objects.for_user(user)
    drafts = ratings.filter(status=CreditRating.Status.DRAFT).count()
    requests = RatingRequest.objects.for_user(user).filter(status=RatingRequest.Status.PENDING).count()
    return [
        {"order": 60, "title": _("Ratings pending review"), "value": drafts, "url": reverse("credit:overview"),
         "note": _("%(n)s reply/repair request(s) pending") % {"n": requests}},
    ]
