"""Figures and map layers of the leader dashboard (一张图).

Every figure comes from one provider that reads through ``for_user`` and runs inside ``_safe()``:
a missing app, table or failure degrades to ``None`` ("暂无数据") instead of breaking the page.
Heavy providers (transmission laggards, reduction outlooks, county indicators) are cached for a
few minutes per user reach, so the page stays fast with a year of data.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count

from qingshan.core.geo import feature_collection
from qingshan.core.scope import reach_of
from qingshan.registry.models import Enterprise, Region

log = logging.getLogger(__name__)

#: indicators the county/town polygons can be coloured by
INDICATORS = ("enterprises", "alarms", "complaints", "aqi", "transmission")
KEY_COLOURS = {"national": "#d9534f", "provincial": "#f0ad4e", "municipal": "#5bc0de", "none": "#5cb85c"}
AQI_COLOURS = {1: "#00e400", 2: "#ffff00", 3: "#ff7e00", 4: "#ff0000", 5: "#99004c", 6: "#7e0023"}
WATER_COLOURS = {1: "#3399ff", 2: "#3399ff", 3: "#00cc66", 4: "#ffcc00", 5: "#ff9900", 6: "#ff0000"}
CACHE_SECONDS = 300


def _safe(fn, default=None):
    from django.db import transaction

    try:
        with transaction.atomic():
            return fn()
    except Exception:  # noqa: BLE001 - a missing app or table shows "no data"
        log.warning("dashboard provider %s failed", getattr(fn, "__name__", fn), exc_info=True)
        return default


def _cached(user, name, fn, *parts):
    """Cache one heavy provider per user reach (not per user: county staff share the figures)."""
    reach = reach_of(user)
    who = "all" if reach.everything else f"e{reach.enterprise_id}" if reach.enterprise_id else ",".join(sorted(reach.paths))
    key = "dash:" + hashlib.sha1("|".join([name, who, *map(str, parts)]).encode()).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    value = _safe(fn)
    cache.set(key, (value,), CACHE_SECONDS)
    return value


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def county_table(user, day: datetime.date) -> list:
    """The county table (loaded after the page by htmx: the slowest part of the dashboard)."""
    regions = Region.objects.for_user(user)
    return _cached(user, "county_rows", lambda: _county_rows(regions, day), day.isoformat()) or []


def overview(user, region_code=None, indicator="enterprises", day: datetime.date | None = None,
             with_counties: bool = True) -> dict:
    from django.utils import timezone

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    day = day or timezone.localdate()
    indicator = indicator if indicator in INDICATORS else "enterprises"
    regions = Region.objects.for_user(user)
    current = regions.filter(code=region_code).first() if region_code else None
    if current is None:
        current = regions.order_by("level", "code").first()
        # start where the map says something: skip single-child levels (province → city)
        while current is not None and current.level < Region.Level.COUNTY:
            only = list(regions.filter(parent=current)[:2])
            if len(only) != 1:
                break
            current = only[0]
    if current is None:
        return {"current": None, "day": day, "indicator": indicator, "indicators": _indicator_choices(),
                "children": [], "breadcrumb": [], "enterprises": 0, "cards": {}, "map": {}, "county_rows": []}
    children = list(regions.filter(parent=current).order_by("code"))
    ents = Enterprise.objects.for_user(user).filter(region__path__startswith=current.path)

    # ---------------------------------------------------------------- cards
    def aqi():
        from qingshan.air.models import DailyAQI

        qs = DailyAQI.objects.for_user(user).filter(date__lte=day)
        county = current if current.level == Region.Level.COUNTY else None
        if current.level <= Region.Level.CITY:
            qs = qs.filter(kind="city")
        elif county is not None:
            qs = qs.filter(kind="county", region=county)
        else:  # town or grid: the county it lies in
            qs = qs.filter(kind="county", region__path__in=_ancestor_paths(current))
        row = qs.order_by("-date").first()
        return None if row is None else {"aqi": row.aqi, "level": row.level, "category": row.category, "date": row.date,
                                         "region": row.region.name, "colour": AQI_COLOURS.get(row.level)}

    def open_alarms():
        from qingshan.monitoring.models import Alarm

        return (Alarm.objects.for_user(user).filter(status__in=Alarm.ACTIVE_STATUSES, region__path__startswith=current.path)
                .count())

    def overdue_complaints():
        from qingshan.complaints.models import Complaint

        return (Complaint.objects.for_user(user).filter(handle_due__lt=day, region__path__startswith=current.path)
                .exclude(status__in=("replied", "closed", "rejected")).count())

    def overdue_rectifications():
        from qingshan.enforcement.models import Rectification

        return (Rectification.objects.for_user(user).filter(status="open", due_on__lt=day,
                                                            enterprise__region__path__startswith=current.path).count())

    def laggards():
        """Loggers below the effective-transmission target this month (monitoring.rates)."""
        from qingshan.monitoring import rates

        table = rates.month_table(user, month_start(day))
        rows = [r for r in table["loggers"] if r["rate"].below_target
                and r["logger"].region.path.startswith(current.path)]
        rows.sort(key=lambda r: r["rate"].effective if r["rate"].effective is not None else -1)
        return {"target": table["target"], "count": len(rows),
                "loggers": sum(1 for r in table["loggers"] if r["logger"].region.path.startswith(current.path)),
                "enterprises": len({r["enterprise"].pk for r in rows if r["enterprise"] is not None}),
                "rows": [{"enterprise": getattr(r["enterprise"], "name", ""), "enterprise_id": getattr(r["enterprise"], "pk", None),
                          "logger": r["logger"].mn, "rate": None if r["rate"].effective is None else round(r["rate"].effective, 1)}
                         for r in rows[:8]]}

    def reduction():
        from qingshan.targets.services import target_outlooks

        outlooks = target_outlooks(day.year, user=user, region=current, today=day)
        judged = [o for o in outlooks if o["outlook"] is not None]
        if not outlooks:
            return None
        rates = [float(o["outlook"].expected.rate) * 100 for o in judged]
        return {"targets": len(outlooks), "judged": len(judged),
                "met": sum(1 for o in judged if o["outlook"].expected.met),
                "at_risk": sum(1 for o in judged if str(o["outlook"].risk) in ("high", "critical")),
                "rate": round(sum(rates) / len(rates), 1) if rates else None}

    def water():
        from qingshan.water import services

        latest = services.latest_month(user)
        if latest is None:
            return None
        year, month = latest
        res = services.share_good("month", year, month, user=user,
                                  region=current if current.level > Region.Level.CITY else None)
        if not res["shares"].total:
            return None
        return {"label": res["label"], "good": float(res["good_percent"]), "sections": res["shares"].total,
                "v_plus": float(res["v_plus_percent"]) if res["v_plus_percent"] is not None else None}

    cards = {}
    for name, fn in (("aqi", aqi), ("open_alarms", open_alarms), ("overdue_complaints", overdue_complaints),
                     ("overdue_rectifications", overdue_rectifications)):
        t = time.perf_counter()
        cards[name] = _safe(fn)
        timings[name] = time.perf_counter() - t
    for name, fn in (("laggards", laggards), ("reduction", reduction), ("water", water)):
        t = time.perf_counter()
        cards[name] = _cached(user, name, fn, current.path, day.isoformat())
        timings[name] = time.perf_counter() - t

    # ---------------------------------------------------------------- map
    t = time.perf_counter()
    map_data = _map(user, current, children, ents, indicator, day)
    timings["map"] = time.perf_counter() - t

    counts = _count_by_child(children, ents.values_list("region__path", flat=True))
    county_rows = []
    if with_counties:
        t = time.perf_counter()
        county_rows = county_table(user, day)
        timings["county_rows"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return {
        "current": current, "day": day, "indicator": indicator, "indicators": _indicator_choices(),
        "children": [(c, counts[c.pk]) for c in children],
        "breadcrumb": list(regions.filter(path__in=_ancestor_paths(current)).order_by("level")),
        "enterprises": ents.count(),
        "enterprise_list": (list(ents.select_related("region").order_by("name")[:100])
                            if current.level >= Region.Level.GRID or not children else []),
        "cards": cards, "map": map_data, "county_rows": county_rows, "timings": timings,
        # kept for callers of the first version
        "aqi": cards["aqi"], "open_alarms": cards["open_alarms"], "overdue_complaints": cards["overdue_complaints"],
        "overdue_rectifications": cards["overdue_rectifications"],
    }


def _indicator_choices():
    from django.utils.translation import gettext_lazy as _

    return [("enterprises", _("Enterprises")), ("alarms", _("Open alarms")), ("complaints", _("Overdue complaints")),
            ("aqi", _("Latest AQI")), ("transmission", _("Transmission rate %"))]


def _ancestor_paths(region) -> list[str]:
    parts = region.path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _count_by_child(children, paths) -> dict:
    counts = {c.pk: 0 for c in children}
    ordered = [(c.pk, c.path) for c in children]
    for path in paths:
        for pk, p in ordered:
            if path and path.startswith(p):
                counts[pk] += 1
                break
    return counts


def _map(user, current, children, ents, indicator, day) -> dict:
    """GeoJSON of the areas below ``current`` coloured by ``indicator``, and the point layers."""
    areas = [c for c in children if c.boundary] or ([current] if current.boundary else [])
    values = _safe(lambda: _area_values(user, areas, ents, indicator, day), {}) or {}
    geo = feature_collection(areas)
    areas_out = [{"name": a.name, "code": a.code, "value": values.get(a.pk)} for a in areas]

    alarm_ents = _safe(lambda: _alarm_enterprises(user, current), {}) or {}
    points = []
    for pk, name, lon, lat, key in (ents.exclude(lon=None).exclude(lat=None)
                                    .values_list("pk", "name", "lon", "lat", "key_level")[:3000]):
        n = alarm_ents.get(pk, 0)
        points.append({"id": pk, "name": name, "value": [lon, lat], "key": key, "alarms": n,
                       "colour": "#c9302c" if n else KEY_COLOURS.get(key, "#5cb85c")})

    def stations():
        from qingshan.air.models import DailyAQI, Station

        sts = list(Station.objects.for_user(user).filter(active=True, region__path__startswith=current.path)
                   .exclude(lon=None).values_list("pk", "name", "lon", "lat"))
        latest = (DailyAQI.objects.filter(kind="station", station__in=[s[0] for s in sts], date__lte=day)
                  .order_by("-date").values_list("date", flat=True).first())
        by_station = {}
        if latest:
            by_station = {sid: (aqi, level) for sid, aqi, level in DailyAQI.objects.filter(
                kind="station", date=latest, station__in=[s[0] for s in sts]).values_list("station_id", "aqi", "level")}
        return [{"name": n, "value": [lon, lat], "aqi": by_station.get(pk, (None, None))[0],
                 "colour": AQI_COLOURS.get(by_station.get(pk, (None, None))[1], "#999999")} for pk, n, lon, lat in sts]

    def sections():
        from qingshan.water.models import Section, SectionAssessment

        secs = list(Section.objects.for_user(user).filter(active=True, region__path__startswith=current.path)
                    .exclude(lon=None).values_list("pk", "name", "lon", "lat", "target_class"))
        classes = {}
        for sid, wc in (SectionAssessment.objects.filter(period="month", section__in=[s[0] for s in secs])
                        .order_by("section_id", "year", "number").values_list("section_id", "water_class")):
            classes[sid] = wc  # the last (newest) month wins
        roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
        return [{"name": n, "value": [lon, lat], "class": roman.get(classes.get(pk), ""),
                 "meets": classes.get(pk) is not None and classes[pk] <= (tc or 3),
                 "colour": WATER_COLOURS.get(classes.get(pk), "#999999")} for pk, n, lon, lat, tc in secs]

    return {"geo": geo, "areas": areas_out, "points": points,
            "stations": _safe(stations, []) or [], "sections": _safe(sections, []) or [],
            "alarms": [p for p in points if p["alarms"]]}


def _alarm_enterprises(user, current) -> dict:
    from qingshan.monitoring.models import Alarm

    return dict(Alarm.objects.for_user(user).filter(status__in=Alarm.ACTIVE_STATUSES, region__path__startswith=current.path)
                .exclude(enterprise=None).values_list("enterprise_id").annotate(n=Count("pk")))


def _area_values(user, areas, ents, indicator, day) -> dict:
    if not areas:
        return {}
    if indicator == "enterprises":
        return _count_by_child(areas, ents.values_list("region__path", flat=True))
    if indicator == "alarms":
        from qingshan.monitoring.models import Alarm

        qs = Alarm.objects.for_user(user).filter(status__in=Alarm.ACTIVE_STATUSES)
        return _count_by_child(areas, qs.values_list("region__path", flat=True))
    if indicator == "complaints":
        from qingshan.complaints.models import Complaint

        qs = (Complaint.objects.for_user(user).filter(handle_due__lt=day)
              .exclude(status__in=("replied", "closed", "rejected")).exclude(region=None))
        return _count_by_child(areas, qs.values_list("region__path", flat=True))
    if indicator == "aqi":
        from qingshan.air.models import DailyAQI

        out = {}
        for a in areas:
            row = (DailyAQI.objects.filter(kind__in=("county", "city"), region=a, date__lte=day)
                   .order_by("-date").values_list("aqi", flat=True).first())
            out[a.pk] = row
        return out
    if indicator == "transmission":
        from qingshan.monitoring import rates

        table = rates.month_table(user, month_start(day))
        by_area = defaultdict(list)
        for r in table["loggers"]:
            for a in areas:
                if r["logger"].region.path.startswith(a.path):
                    by_area[a.pk].append(r["rate"])
                    break
        out = {}
        for pk, rs in by_area.items():
            eff = rates.pooled(rs).effective
            out[pk] = None if eff is None else round(eff, 1)
        return out
    return {}


def _county_rows(regions, day) -> list:
    """Per county in reach: reduction progress, transmission rate, air composite index (targets providers)."""
    from qingshan.targets.providers import provide

    counties = list(regions.filter(level=Region.Level.COUNTY).order_by("code"))
    start = datetime.date(day.year, 1, 1)
    # HJ 663 statistics (the composite index) are over whole calendar months: up to the last complete one
    from qingshan.standards.hj663 import last_whole_month_end

    air_end = last_whole_month_end(day)

    def air():
        from qingshan.air.services import county_ranking

        if air_end < start:  # January: no complete month yet this year
            return {}
        return {r["region_id"]: r.get("composite_index") for r in county_ranking(start, air_end)}

    air_index = _safe(air, {}) or {}
    rows = []
    for county in counties:
        row = [county]
        for name in ("reduction_completion", "effective_transmission_rate", "air_composite_index", "good_water_sections"):
            if name == "air_composite_index":
                value = air_index.get(county.pk)
                row.append(None if value is None else round(float(value), 2))
                continue
            got = _safe(lambda: provide(name, county, start, day))
            row.append(None if got is None or got.value is None else round(float(got.value), 2))
        rows.append(row)
    return rows
