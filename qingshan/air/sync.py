"""Hourly station data from the HJ 212 measurement store into the air app.

Air quality stations report over HJ 212 (ST=22) like any data logger; the
ingest server stores their hourly values (CN 2061) in the monitoring
measurement store. :func:`sync_from_store` copies them into
:class:`~qingshan.air.models.HourlyValue` (values whose data flag is not a
valid flag are kept but listed in ``invalid``, so they never enter an AQI)
and recomputes the daily values of the days touched. Run it periodically
(``qingshan air_sync``, e.g. every 10 minutes from cron or a systemd timer).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import HourlyValue, Station

#: HJ 212-2017 factor code -> HourlyValue field (HJ 212-2017 Appendix B, air quality)
FACTOR_FIELDS = {"a21026": "so2", "a21004": "no2", "a34002": "pm10", "a21005": "co", "a05024": "o3", "a34004": "pm25"}


def sync_from_store(start: datetime.datetime, end: datetime.datetime) -> dict:
    """Copy hourly values of station loggers between two aware datetimes; returns counts."""
    from qingshan.monitoring.store import get_store
    from qingshan.standards.hj212 import tables

    stations = {s.logger_id: s for s in Station.objects.filter(logger__isnull=False, active=True)}
    if not stations:
        return {"stations": 0, "hours": 0, "days": 0}
    rows: dict[tuple[int, datetime.datetime], HourlyValue] = {}
    for m in get_store().read(list(stations), kind="hour", start=start, end=end):
        field = FACTOR_FIELDS.get(m.factor)
        if field is None:
            continue
        station = stations[m.logger_id]
        row = rows.get((station.pk, m.time))
        if row is None:
            row = rows[(station.pk, m.time)] = HourlyValue(station=station, time=m.time, source="ingest", invalid=[])
        setattr(row, field, m.value)
        if m.flag not in tables.VALID_FLAGS or m.value is None:
            row.invalid.append(field)
    if rows:
        HourlyValue.objects.bulk_create(
            list(rows.values()), update_conflicts=True, unique_fields=["station", "time"],
            update_fields=[*FACTOR_FIELDS.values(), "invalid", "source"], batch_size=2000)
    days = set()
    for _pk, t in rows:
        local = timezone.localtime(t)
        days.add(local.date() if local.hour else local.date() - datetime.timedelta(days=1))
    if days:
        from .services import compute_daily

        compute_daily(min(days), max(days))
    return {"stations": len({pk for pk, _t in rows}), "hours": len(rows), "days": len(days)}
