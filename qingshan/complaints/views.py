from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qingshan.core.actor import acting_as
from qingshan.core.entity import EntityViewSet

from . import forms as f
from . import services
from .models import Channel, Complaint


class ComplaintViews(EntityViewSet):
    model = Complaint
    list_columns = ["ticket", "channel", "topic", "received_on", "region", "enterprise", "status", "accept_due", "handle_due"]
    filters = ["region", "channel", "topic", "status"]
    search = ["ticket", "description", "address", "enterprise__name", "complainant_name"]
    form_class = f.StaffComplaintForm
    detail_fields = ["ticket", "channel", "topic", "received_on", "description", "address", "lon", "lat", "region",
                     "enterprise_name", "enterprise", "anonymous", "complainant_name", "complainant_phone", "status",
                     "accept_due", "accepted_on", "handle_due", "extended_days", "extension_reason", "replied_on", "reply",
                     "closed_on", "satisfaction", "review_requested_on", "review_due", "duplicate_of", "duplicate_score",
                     "visitors", "reward_paid", "transferred"]
    detail_extra_template = "complaints/complaint_extra.html"
    related = [("duplicates", gettext_lazy("Duplicates"))]
    select_related = ["region", "enterprise"]


VIEWSETS = [ComplaintViews]


@login_required
@permission_required("complaints.change_complaint", raise_exception=True)
@require_POST
def complaint_action(request, pk):
    c = get_object_or_404(Complaint.objects.for_user(request.user), pk=pk)
    form = f.ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Invalid action: %(errors)s") % {"errors": "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items())})
        return redirect(c.get_absolute_url())
    d = form.cleaned_data
    try:
        with transaction.atomic():
            {
                "accept": lambda: services.accept(c),
                "reject": lambda: services.reject(c, d["text"] or ""),
                "extend": lambda: services.extend(c, d["days"] or 0, d["text"] or ""),
                "reply": lambda: services.reply(c, d["text"] or ""),
                "close": lambda: services.close(c, d["satisfaction"] or ""),
            }[d["action"]]()
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(c.get_absolute_url())


# -- public pages (no login) -----------------------------------------------------------

RATE_LIMIT = 10  # submissions per address per hour


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _report_context(form) -> dict:
    """The form and the map to pick the place on: the counties' boundaries (public information) and the
    extent of the registered enterprises when no boundary is recorded."""
    from qingshan.core.geo import bounds, feature_collection
    from qingshan.registry.models import Enterprise, Region

    counties = list(Region.objects.filter(level=Region.Level.COUNTY).only("name", "code", "boundary").order_by("code"))
    geo = feature_collection(counties)
    box = bounds(pt for feature in geo["features"] for pt in feature["geometry"]["coordinates"][0])
    if box is None:
        box = bounds(Enterprise.objects.exclude(lon=None).exclude(lat=None).values_list("lon", "lat")[:5000])
    return {"form": form, "title": _("Report an environmental problem"),
            "pick_map": {"geo": geo, "bounds": box or (73.5, 18.0, 135.1, 53.6)}}


def report(request):
    """The public complaint form (portal): location on a map or typed, photos, optional anonymity."""
    if request.method == "POST":
        form = f.PublicComplaintForm(request.POST, request.FILES)
        key = f"complaints:rate:{_client_ip(request)}"
        if cache.get(key, 0) >= RATE_LIMIT:
            form.is_valid()
            form.add_error(None, _("Too many reports from your address in the last hour; please try again later or call 12369."))
            return render(request, "complaints/report.html", _report_context(form), status=429)
        if form.is_valid():
            d = form.cleaned_data
            c = Complaint(channel=Channel.WEB, topic=d["topic"], received_on=timezone.localdate(), description=d["description"],
                          address=d["address"], lon=d["lon"], lat=d["lat"], region=d["region"],
                          enterprise_name=d["enterprise_name"], anonymous=d["anonymous"],
                          complainant_name=d["complainant_name"], complainant_phone=d["complainant_phone"])
            try:
                with acting_as(name="portal", remote_addr=_client_ip(request)):
                    services.submit(c, d["photos"])
            except ValidationError as exc:
                for field, errs in exc.message_dict.items() if hasattr(exc, "message_dict") else [(None, exc.messages)]:
                    form.add_error(field if field in form.fields else None, errs)
            else:
                cache.set(key, cache.get(key, 0) + 1, 3600)
                return redirect(reverse("complaints:submitted", args=[c.ticket]))
        if request.FILES:
            messages.warning(request, _("Please choose your photos again; nothing else was lost."))
        return render(request, "complaints/report.html", _report_context(form), status=400)
    return render(request, "complaints/report.html", _report_context(f.PublicComplaintForm()))


def submitted(request, ticket):
    c = get_object_or_404(Complaint, ticket=ticket)
    return render(request, "complaints/submitted.html", {"c": c, "title": _("Report received")})


def status(request):
    """Public status lookup by ticket number: no personal data shown."""
    form = f.StatusLookupForm(request.GET or None)
    c = None
    not_found = False
    if request.GET and form.is_valid():
        c = Complaint.objects.select_related("region").filter(ticket=form.cleaned_data["ticket"].strip().upper()).first()
        not_found = c is None
    county = c.region.county if c is not None and c.region.level >= 3 else None
    return render(request, "complaints/status.html", {"form": form, "c": c, "county": county, "not_found": not_found,
                                                      "title": _("Complaint status")}, status=404 if not_found else 200)
