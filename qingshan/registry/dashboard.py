from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Enterprise, KeyLevel


def widgets(request):
    if not request.user.has_perm("registry.view_enterprise"):
        return []
    qs = Enterprise.objects.for_user(request.user)
    return [
        {"order": 90, "title": _("Enterprises"), "value": qs.count(), "url": reverse("registry:enterprise_list"),
         "note": _("%(n)s key-monitored") % {"n": qs.exclude(key_level=KeyLevel.NONE).count()}},
    ]
