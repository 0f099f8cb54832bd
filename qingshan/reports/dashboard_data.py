"""Figures of the leader dashboard, each from one provider that degrades to None (no data)."""

from __future__ import annotations

import logging

from django.utils import timezone

from qingshan.registry.models import Enterprise, Region

log = logging.getLogger(__name__)


def _safe(fn):
    from django.db import transaction

    try:
        with transaction.atomic():
            return fn()
    except Exception:  # noqa: BLE001 - a missing app or table shows "no data"
        log.exception("dashboard provider failed")
        return None


def overview(user, region_code=None) -> dict:
    today = timezone.localdate()
    regions = Region.objects.for_user(user)
    current = regions.filter(code=region_code).first() if region_code else None
    if current is None:
        current = regions.order_by("level", "code").first()
    children = list(regions.filter(parent=current).order_by("code")) if current else []
    ents = Enterprise.objects.for_user(user)
    if current:
        ents = ents.filter(region__path__startswith=current.path)

    def overdue_complaints():
        from qingshan.complaints.models import Complaint

        qs = Complaint.objects.for_user(user).filter(handle_due__lt=today).exclude(status__in=("replied", "closed", "rejected"))
        return qs.filter(region__path__startswith=current.path).count() if current else qs.count()

    def overdue_rectifications():
        from qingshan.enforcement.models import Rectification

        qs = Rectification.objects.for_user(user).filter(rectified_on__isnull=True)
        due = [f.name for f in Rectification._meta.fields if f.name in ("due_on", "deadline", "due")]
        if due:
            qs = qs.filter(**{f"{due[0]}__lt": today})
        return qs.count()

    def aqi():
        from qingshan.air.services import latest_city_aqi

        return latest_city_aqi()

    def open_alarms():
        from qingshan.monitoring.models import Alarm  # noqa: F401 - when the monitoring app provides alarms

        return Alarm.objects.for_user(user).exclude(status="closed").count()

    def county_indicators():
        """Per county in reach: reduction progress, transmission rate, air composite index (targets providers)."""
        import datetime

        from qingshan.targets.providers import provide

        counties = list(regions.filter(level=Region.Level.COUNTY).order_by("code"))
        start = datetime.date(today.year, 1, 1)
        rows = []
        for county in counties:
            row = [county]
            for name in ("reduction_completion", "effective_transmission_rate", "air_composite_index"):
                got = _safe(lambda: provide(name, county, start, today))
                row.append(None if got is None else round(float(got.value), 2))
            rows.append(row)
        return rows

    counts = {c.pk: 0 for c in children}
    child_paths = [(c.pk, c.path) for c in children]
    for (path,) in ents.values_list("region__path"):
        for pk, p in child_paths:
            if path.startswith(p):
                counts[pk] += 1
    points = [{"name": e.name, "value": [e.lon, e.lat], "key": e.key_level}
              for e in ents.exclude(lon=None).only("name", "lon", "lat", "key_level")[:2000]] \
        if hasattr(Enterprise, "lon") else []
    return {
        "current": current, "children": [(c, counts[c.pk]) for c in children],
        "breadcrumb": list(regions.filter(code__in=current.path.strip("/").split("/")).order_by("level")) if current else [],
        "enterprises": ents.count(),
        "enterprise_list": list(ents.select_related("region").order_by("name")[:50]) if current and current.level >= 5 else [],
        "aqi": _safe(aqi), "open_alarms": _safe(open_alarms), "overdue_complaints": _safe(overdue_complaints),
        "overdue_rectifications": _safe(overdue_rectifications), "points": points,
        "county_rows": _safe(county_indicators) or [],
    }
