"""Routing by location, enterprise identification, duplicate detection and workflow steps."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingshan.core.geo import locate
from qingshan.registry.models import Enterprise, Region

from .models import Complaint


def route(lon: float, lat: float) -> Region | None:
    """The deepest region (grid, else town, else county) containing the point; None outside every county."""
    regions = Region.objects.filter(level__gte=Region.Level.COUNTY, boundary__isnull=False).only(
        "pk", "level", "boundary", "path", "name", "code")
    return locate(lon, lat, regions)


def identify_enterprise(name: str, region: Region | None) -> Enterprise | None:
    """The enterprise the complainant named, if it can be identified unambiguously."""
    name = (name or "").strip()
    if len(name) < 2:
        return None
    qs = Enterprise.objects.all()
    exact = qs.filter(name=name)
    if exact.count() == 1:
        return exact.first()
    if region is not None:
        county = region.path.split("/")[:4]
        qs = qs.filter(region__path__startswith="/".join(county) + "/")
    near = qs.filter(name__icontains=name)[:2]
    return near[0] if len(near) == 1 else None


def _point(c: Complaint) -> dict:
    return {"id": str(c.pk or 0), "received_at": c.received_on, "lat": c.lat, "lon": c.lon,
            "text": c.description, "category": c.topic, "address": c.address}


def find_duplicate(c: Complaint, window_days: int = 30):
    """The best earlier complaint about the same place and topic (standards.petitions scoring), or None."""
    from qingshan.enforcement import rules

    since = c.received_on - datetime.timedelta(days=window_days)
    candidates = Complaint.objects.filter(received_on__range=(since, c.received_on), topic=c.topic,
                                          duplicate_of__isnull=True).exclude(pk=c.pk)
    if c.region_id:
        county = c.region.path.split("/")[:4]
        candidates = candidates.filter(region__path__startswith="/".join(county) + "/")
    by_id = {str(o.pk): o for o in candidates[:500]}
    if not by_id:
        return None, None
    matches = rules.duplicate_matches(_point(c), [_point(o) for o in by_id.values()])
    if not matches:
        return None, None
    best = matches[0]
    return by_id[best.b], best


@transaction.atomic
def submit(complaint: Complaint, photos=()) -> Complaint:
    """Save a new complaint with its photos, marking a likely duplicate."""
    if complaint.lon is not None and complaint.region_id is None:
        complaint.region = route(complaint.lon, complaint.lat)
        if complaint.region is None:
            raise ValidationError({"lon": _("The location is outside the area of this bureau.")})
    if complaint.enterprise_id is None and complaint.enterprise_name:
        complaint.enterprise = identify_enterprise(complaint.enterprise_name, complaint.region)
    complaint.save()
    dup, match = find_duplicate(complaint)
    if dup is not None:
        complaint.duplicate_of = dup
        complaint.duplicate_score = match.score
        complaint.save()
    for f in photos:
        complaint.photos.create(image=f)
    notify_routed(complaint)
    return complaint


def notify_routed(complaint: Complaint):
    """Tell the grid officer(s) of the complaint's grid and the county staff that it was routed to them."""
    from django.contrib.auth import get_user_model

    from qingshan.core.models import Notification

    path = complaint.region.path
    county_path = "/".join(path.split("/")[:4]) + "/"
    users = get_user_model().objects.filter(
        is_active=True, profile__role__in=["grid_officer", "county_staff"],
        profile__region__path__in=[path, county_path])
    title = _("New complaint %(ticket)s: %(topic)s") % {"ticket": complaint.ticket, "topic": complaint.get_topic_display()}
    body = _("Accept or route by %(due)s.") % {"due": complaint.accept_due}
    Notification.objects.bulk_create([Notification(recipient=u, title=title[:200], body=body, level="warning",
                                                   url=complaint.get_absolute_url()) for u in users])


def accept(c: Complaint, day=None):
    if c.status != Complaint.Status.RECEIVED:
        raise ValidationError(_("Only a newly received complaint can be accepted."))
    c.accepted_on = day or timezone.localdate()
    c.status = Complaint.Status.ACCEPTED
    c.full_clean()
    c.save()


def reject(c: Complaint, reason: str, day=None):
    if c.status != Complaint.Status.RECEIVED:
        raise ValidationError(_("Only a newly received complaint can be refused."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for not accepting."))
    c.status = Complaint.Status.REJECTED
    c.closed_on = day or timezone.localdate()
    c.reply = reason
    c.save()


def extend(c: Complaint, days: int, reason: str):
    if not c.accepted_on or not c.is_open:
        raise ValidationError(_("Only an accepted, open complaint can be extended."))
    if c.extended_days:
        raise ValidationError(_("The handling period was already extended."))
    if not 1 <= days <= 30:
        raise ValidationError(_("The handling period may be extended by at most 30 days."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension."))
    c.extended_days, c.extension_reason = days, reason
    c.save()


def reply(c: Complaint, text: str, day=None):
    if not c.accepted_on or not c.is_open:
        raise ValidationError(_("Only an accepted, open complaint can be replied to."))
    if not text.strip():
        raise ValidationError(_("The reply is empty."))
    c.reply, c.replied_on, c.status = text, day or timezone.localdate(), Complaint.Status.REPLIED
    c.full_clean()
    c.save()


def close(c: Complaint, satisfaction: str = "", day=None):
    if c.status != Complaint.Status.REPLIED:
        raise ValidationError(_("Reply to the complainant before closing."))
    if satisfaction and satisfaction not in Complaint.Satisfaction.values:
        raise ValidationError(_("Unknown satisfaction value."))
    c.satisfaction, c.closed_on, c.status = satisfaction, day or timezone.localdate(), Complaint.Status.CLOSED
    c.save()
