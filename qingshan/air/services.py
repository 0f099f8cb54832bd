"""Air quality services used by pages, the dashboard, reports and the portal.

All rules come from :mod:`qingshan.standards` (HJ 633 AQI, HJ 663 / GB 3095
validity and statistics, composite index, warning levels); this module only
moves data between the database and those functions.

Public functions (documented in docs/air-app.md):

* :func:`compute_daily` — daily values and AQI for stations, counties and the city;
* :func:`daily_bulletin` — the daily bulletin for one date;
* :func:`county_ranking` — monthly (or any period) ranking of counties by composite index and by change;
* :func:`latest_city_aqi` — the most recent city daily AQI;
* :func:`evaluate_alerts` — heavy-pollution alert levels from the daily AQI series.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from qingshan.registry.models import Region
from qingshan.standards import air_alerts, hj633, hj663

from .models import POLLUTANTS, DailyAQI, HeavyPollutionAlert, HourlyValue, Station

FIELDS = list(POLLUTANTS)


def _local_date(dt):
    return timezone.localtime(dt).date()


def _hour_index(dt) -> int:
    """1..24 for the hour ending at dt (24 = midnight of the next day)."""
    local = timezone.localtime(dt)
    return local.hour or 24


def _hourly_by_station_day(start: datetime.date, end: datetime.date, station_ids=None):
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time(1)).replace(tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(0)).replace(tzinfo=tz)
    qs = HourlyValue.objects.filter(time__gte=lo, time__lte=hi)
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    data: dict[tuple[int, datetime.date], dict[str, list]] = defaultdict(lambda: {f: [None] * 24 for f in FIELDS})
    for row in qs.values_list("station_id", "time", "invalid", *FIELDS).iterator(chunk_size=20000):
        station_id, t, invalid = row[0], row[1], row[2]
        local = timezone.localtime(t)
        day = local.date() if local.hour else local.date() - datetime.timedelta(days=1)
        idx = (local.hour or 24) - 1
        slot = data[(station_id, day)]
        for f, v in zip(FIELDS, row[3:]):
            slot[f][idx] = None if (v is None or f in (invalid or ())) else v
    return data


#: model field -> HJ 663 pollutant name
STD_NAMES = {"so2": "SO2", "no2": "NO2", "pm10": "PM10", "co": "CO", "o3": "O3", "pm25": "PM2.5"}
#: HJ 663 daily statistic key -> DailyAQI field
DAILY_FIELDS = {"SO2_24h": "so2", "NO2_24h": "no2", "PM10_24h": "pm10", "CO_24h": "co",
                "O3_8h": "o3_8h", "O3_1h": "o3_1h", "PM2.5_24h": "pm25"}
#: DailyAQI field -> HJ 663 pollutant of its period statistic (CO daily means, O3 daily max 8-h)
PERIOD_FIELDS = {"so2": "SO2", "no2": "NO2", "pm10": "PM10", "co": "CO", "o3_8h": "O3", "pm25": "PM2.5"}


def _daily_values(hours: dict[str, list]) -> dict:
    """Daily statistics of one station-day from its 24 hourly values (HJ 663 / GB 3095 Table 4).

    Returns DailyAQI field -> exact value (None when the day is not valid for that pollutant).
    """
    stats = hj663.daily_values({STD_NAMES[f]: hours[f] for f in FIELDS})
    return {DAILY_FIELDS[k]: st.usable for k, st in stats.items()}


def _aqi(day: datetime.date, values: dict):
    """The HJ 633 daily AQI of one area-day (rule set by date: 2012 before 2026-03-01, then 2026)."""
    conc = {k: values.get(f) for k, f in DAILY_FIELDS.items()}
    rules = hj633.rules_for(day)
    if "O3_1h" not in rules.indicators(hj633.DAILY):
        conc.pop("O3_1h")
    return hj633.daily_aqi(conc, rules)


def _f(v):
    return None if v is None else round(float(v), 4)


def _row(kind, day, region, station, values, result):
    return DailyAQI(
        kind=kind, station=station, region=region, date=day,
        so2=_f(values.get("so2")), no2=_f(values.get("no2")), pm10=_f(values.get("pm10")), co=_f(values.get("co")),
        o3_8h=_f(values.get("o3_8h")), o3_1h=_f(values.get("o3_1h")), pm25=_f(values.get("pm25")),
        aqi=result.aqi, level=result.level, category=result.category or "",
        primary_pollutants=list(result.primary_pollutants), iaqi=dict(result.iaqi),
        standard=result.standard,
        missing=[k for k in ("so2", "no2", "pm10", "co", "o3_8h", "pm25") if values.get(k) is None],
    )


@transaction.atomic
def compute_daily(start: datetime.date, end: datetime.date) -> int:
    """(Re)compute daily values for every station, county and the city between two dates."""
    stations = {s.pk: s for s in Station.objects.select_related("region", "region__parent")}
    hourly = _hourly_by_station_day(start, end, list(stations))
    DailyAQI.objects.filter(date__gte=start, date__lte=end).delete()
    rows = []
    per_region: dict[tuple[int, datetime.date], list[dict]] = defaultdict(list)
    city = Region.objects.filter(level=Region.Level.CITY).first()
    day = start
    while day <= end:
        for sid, station in stations.items():
            hours = hourly.get((sid, day))
            if hours is None:
                continue
            values = _daily_values(hours)
            rows.append(_row("station", day, station.region, station, values, _aqi(day, values)))
            county = station.region.county
            if county is not None:
                per_region[(county.pk, day)].append(values)
            if city is not None:
                per_region[(city.pk, day)].append(values)
        day += datetime.timedelta(days=1)
    regions = {r.pk: r for r in Region.objects.filter(pk__in={k[0] for k in per_region})}
    for (region_id, day), station_values in per_region.items():
        values = hj663.spatial_mean(station_values)
        region = regions[region_id]
        kind = "city" if region.level == Region.Level.CITY else "county"
        rows.append(_row(kind, day, region, None, values, _aqi(day, values)))
    DailyAQI.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def latest_city_aqi():
    """The newest city daily AQI row (or None)."""
    return DailyAQI.objects.filter(kind="city").order_by("-date").first()


def daily_bulletin(day: datetime.date, user=None) -> dict:
    """The daily bulletin: city and county AQI, category, primary pollutants, PM2.5 year on year."""
    qs = DailyAQI.objects.filter(date=day, kind__in=["county", "city"]).select_related("region")
    if user is not None:
        qs = qs.for_user(user) if not getattr(user, "is_superuser", False) else qs
    last_year = _same_day_last_year(day)
    previous = {r.region_id: r.pm25 for r in DailyAQI.objects.filter(date=last_year, kind__in=["county", "city"])}
    rows = []
    for r in sorted(qs, key=lambda r: (r.kind != "city", r.region.code)):
        before = previous.get(r.region_id)
        change = None if (before in (None, 0) or r.pm25 is None) else round((r.pm25 - before) / before * 100, 1)
        rows.append({"region": r.region, "kind": r.kind, "aqi": r.aqi, "level": r.level, "category": r.category,
                     "primary_pollutants": r.primary_pollutants, "pm25": r.pm25, "pm25_last_year": before,
                     "pm25_change_pct": change, "missing": r.missing})
    rules = hj633.rules_for(day)
    return {"date": day, "rows": rows, "standard": rules.code, "standard_title": rules.title}


def _same_day_last_year(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period_statistics(region_ids, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Period statistics per region from its daily values (HJ 663).

    Returns region id -> {"stats": {pollutant: Statistic}, "so2" … "pm25": reported value or None,
    "good_days", "valid_days", "good_ratio" (%), "composite_index" (published, 2 decimals, or None when a
    pollutant lacks valid days), "composite": the CompositeIndex, "invalid_reason"}.
    """
    series: dict[int, dict[str, dict]] = defaultdict(lambda: {p: {} for p in PERIOD_FIELDS.values()})
    aqis: dict[int, list] = defaultdict(list)
    rows = DailyAQI.objects.filter(region_id__in=region_ids, kind__in=["county", "city"], date__gte=start, date__lte=end)
    for r in rows.values_list("region_id", "date", "aqi", *PERIOD_FIELDS):
        rid, day, aqi = r[0], r[1], r[2]
        aqis[rid].append(aqi)
        for (field, pol), v in zip(PERIOD_FIELDS.items(), r[3:]):
            if v is not None:
                series[rid][pol][day] = v
    out = {}
    for rid in aqis:
        days = hj663.days_summary(aqis[rid])
        try:
            stats = hj663.period_statistics(series[rid], start, end)
            reason = ""
        except hj663.EvaluationError as exc:  # e.g. not whole calendar months
            stats, reason = {}, str(exc)
        entry = {"stats": stats, "good_days": days.good_days, "valid_days": days.valid_days,
                 "good_ratio": None if days.good_percent is None else float(days.good_percent),
                 "composite": None, "composite_index": None, "invalid_reason": reason}
        for field, pol in PERIOD_FIELDS.items():
            st = stats.get(pol)
            entry[field] = None if st is None or st.reported is None else float(st.reported)
        try:
            if reason:
                raise hj663.EvaluationError(reason)
            ci = hj663.composite_index(stats, basis=start)
            entry["composite"] = ci
            entry["composite_index"] = float(ci.reported)
        except hj663.EvaluationError as exc:
            entry["invalid_reason"] = str(exc)
        out[rid] = entry
    return out


def county_ranking(start: datetime.date, end: datetime.date) -> list[dict]:
    """Counties ranked by composite index (1 = cleanest; ties share a rank) with the change vs last year.

    Each entry: region, rank (None = unranked, see reason), tied, composite_index, pm25, good_ratio,
    change_pct (composite index change vs the same period last year, %), change_rank (1 = most improved),
    primary (pollutants with the largest single index), stats.
    """
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    ids = [c.pk for c in counties]
    now = period_statistics(ids, start, end)
    before = period_statistics(ids, _same_day_last_year(start), _same_day_last_year(end))
    indices = {c.pk: (now.get(c.pk) or {}).get("composite") for c in counties}
    ranking = air_alerts.rank_by_composite_index(indices)
    changes = {}
    for c in counties:
        cur, prev = indices[c.pk], (before.get(c.pk) or {}).get("composite")
        if cur is not None and prev is not None:
            try:
                prev = hj663.composite_index(before[c.pk]["stats"], basis=cur.basis)
                changes[c.pk] = hj663.change_rate(cur, prev)
            except hj663.EvaluationError:
                changes[c.pk] = None
        else:
            changes[c.pk] = None
    change_ranking = air_alerts.rank_by_change_rate(changes).improved
    by_key = {r.key: r for r in ranking.ranked}
    unranked = dict(ranking.unranked)
    entries = []
    for c in counties:
        s = now.get(c.pk) or {}
        r = by_key.get(c.pk)
        ch = changes.get(c.pk)
        ci = s.get("composite")
        entries.append({
            "region": c, "region_id": c.pk, "rank": r.rank if r else None, "tied": bool(r and r.tied),
            "composite_index": s.get("composite_index"), "pm25": s.get("pm25"), "good_ratio": s.get("good_ratio"),
            "change_pct": None if ch is None or ch.percent is None else float(ch.percent),
            "change_rank": change_ranking.rank_of(c.pk),
            "primary": list(ci.primary) if ci else [],
            "reason": unranked.get(c.pk, "") if r is None else "",
            "stats": s,
        })
    entries.sort(key=lambda e: (e["rank"] is None, e["rank"] or 0, e["region"].code))
    return entries


def month_bounds(year: int, month: int):
    start = datetime.date(year, month, 1)
    end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


@transaction.atomic
def evaluate_alerts(start: datetime.date, end: datetime.date, rule_set: str | None = None) -> list[HeavyPollutionAlert]:
    """Open (or extend) heavy-pollution alerts from the observed daily AQI of the city and each county."""
    created = []
    regions = Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.COUNTY])
    for region in regions:
        series = list(DailyAQI.objects.filter(region=region, kind__in=["city", "county"], date__gte=start, date__lte=end)
                      .order_by("date").values_list("date", "aqi"))
        rules = rule_set or _rule_set_of(region)
        for episode in air_alerts.episodes(series, rules):
            alert, new = HeavyPollutionAlert.objects.get_or_create(
                region=region, start=episode.start, basis=HeavyPollutionAlert.Basis.OBSERVED,
                defaults={"level": episode.level, "end": episode.end, "rule_set": episode.rule_set, "reason": episode.reason},
            )
            if new:
                created.append(alert)
    return created


def _rule_set_of(region) -> str:
    """The alert rule set configured for the region (or its nearest ancestor), else the default."""
    from .models import AlertRule

    node = region
    while node is not None:
        rule = AlertRule.objects.filter(region=node).first()
        if rule is not None:
            return rule.rule_set
        node = node.parent
    return air_alerts.DEFAULT_RULE_SET


def hourly_aqi(station, day: datetime.date) -> list[dict]:
    """Hourly (real-time) AQI of a station for the 24 hours ending 01:00 … 24:00 of a day (HJ 633 hourly report).

    Each entry: time (hour ending), the 1-h concentrations, aqi (None = NA), level, category,
    primary pollutants, rule set. Invalid-flagged values count as missing.
    """
    hours = _hourly_by_station_day(day, day, [station.pk]).get((station.pk, day))
    out = []
    tz = timezone.get_current_timezone()
    keys = {"so2": "SO2_1h", "no2": "NO2_1h", "pm10": "PM10_1h", "co": "CO_1h", "o3": "O3_1h", "pm25": "PM2.5_1h"}
    for i in range(24):
        end = datetime.datetime.combine(day, datetime.time()).replace(tzinfo=tz) + datetime.timedelta(hours=i + 1)
        values = {f: (hours[f][i] if hours else None) for f in FIELDS}
        if all(v is None for v in values.values()):
            out.append({"time": end, **values, "aqi": None, "level": None, "category": "", "primary_pollutants": [], "standard": ""})
            continue
        result = hj633.hourly_aqi({keys[f]: v for f, v in values.items()}, hj633.rules_for_hour_ending(end))
        out.append({"time": end, **values, "aqi": result.aqi, "level": result.level, "category": result.category or "",
                    "primary_pollutants": list(result.primary_pollutants), "standard": result.standard})
    return out


def forecast_alert(region, forecast: list[int | None], start: datetime.date):
    """The alert level a daily AQI forecast calls for under the region's rule set (air_alerts.evaluate_alert)."""
    return air_alerts.evaluate_alert(forecast, _rule_set_of(region), basis="forecast", start=start)


@transaction.atomic
def issue_forecast_alert(region, decision, user=None) -> HeavyPollutionAlert:
    """Record the alert of a forecast decision (change-logged as the acting user)."""
    return HeavyPollutionAlert.objects.create(
        region=region, level=decision.level, basis=HeavyPollutionAlert.Basis.FORECAST,
        start=decision.start_date, rule_set=decision.rule_set, reason=decision.reason_zh,
    )
