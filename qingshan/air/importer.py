"""Import hourly station data from CSV or Excel.

Columns (header row, any order): ``station`` (station code), ``time``
(``YYYY-MM-DD HH:MM``, end of the hour, local time), and any of ``SO2``,
``NO2``, ``PM10``, ``CO`` (mg/m³), ``O3``, ``PM2.5`` (µg/m³). Each bad row is
reported with its row number and reason; good rows are stored (an existing
station-hour is overwritten) and the daily values of the affected days are
recomputed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from qingshan.core.importexport import ImportFileError, read_rows

from .models import HourlyValue, Station

HEADERS = {"station": "station", "time": "time", "so2": "so2", "no2": "no2", "pm10": "pm10", "co": "co",
           "o3": "o3", "pm2.5": "pm25", "pm25": "pm25", "站点": "station", "时间": "time"}
#: plausible instrument ranges; values outside are rejected, not stored
RANGES = {"so2": (0, 5000), "no2": (0, 5000), "pm10": (0, 5000), "co": (0, 200), "o3": (0, 2000), "pm25": (0, 3000)}




@dataclass
class Result:
    stored: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dates: set = field(default_factory=set)



def import_hourly(name: str, content: bytes, user) -> Result:
    rows = read_rows(name, content)
    if not rows:
        raise ImportFileError("the file is empty")
    header = [HEADERS.get(str(h or "").strip().lower()) for h in rows[0]]
    if "station" not in header or "time" not in header:
        raise ImportFileError("the header row needs the columns 'station' and 'time'")
    stations = {s.code: s for s in Station.objects.for_user(user)}
    tz = timezone.get_current_timezone()
    result = Result()
    objs = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(v in (None, "") for v in row):
            continue
        rec = {key: row[i] if i < len(row) else None for i, key in enumerate(header) if key}
        code = str(rec.get("station") or "").strip()
        station = stations.get(code)
        if station is None:
            result.errors.append((number, f"station {code!r} not found in your region"))
            continue
        t = rec.get("time")
        try:
            if not isinstance(t, datetime.datetime):
                t = datetime.datetime.fromisoformat(str(t).strip())
        except ValueError:
            result.errors.append((number, f"time {t!r} is not YYYY-MM-DD HH:MM"))
            continue
        t = t.replace(minute=0, second=0, microsecond=0, tzinfo=tz)
        values, bad = {}, None
        for key in RANGES:
            raw = rec.get(key)
            if raw in (None, ""):
                continue
            try:
                v = float(raw)
            except (TypeError, ValueError):
                bad = f"{key.upper()} {raw!r} is not a number"
                break
            lo, hi = RANGES[key]
            if not lo <= v <= hi:
                bad = f"{key.upper()} {v} is outside the plausible range {lo}–{hi}"
                break
            values[key] = v
        if bad:
            result.errors.append((number, bad))
            continue
        if not values:
            result.errors.append((number, "no pollutant values"))
            continue
        objs[(station.pk, t)] = HourlyValue(station=station, time=t, source="import", **values)
        local = timezone.localtime(t)
        result.dates.add(local.date() if local.hour else local.date() - datetime.timedelta(days=1))
    if objs:
        HourlyValue.objects.bulk_create(
            list(objs.values()), update_conflicts=True, unique_fields=["station", "time"],
            update_fields=["so2", "no2", "pm10", "co", "o3", "pm25", "source"], batch_size=2000,
        )
        result.stored = len(objs)
        from .services import compute_daily

        compute_daily(min(result.dates), max(result.dates))
    return result
