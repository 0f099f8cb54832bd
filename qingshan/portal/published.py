"""Published (public) querysets: the only data the portal and the public API show."""

from __future__ import annotations


def enterprises():
    from qingshan.registry.models import Enterprise

    return Enterprise.objects.select_related("region", "industry").order_by("name")


def cases():
    from qingshan.enforcement.models import Case

    return Case.objects.published().select_related("enterprise", "region").order_by("-published_on", "number")


def ratings(year=None):
    try:
        from qingshan.credit.services import published_ratings
    except ImportError:
        return []
    return published_ratings(year)


KEY_LEVELS = ("national", "provincial", "municipal")


def water_latest_month():
    """(year, month) of the newest monthly section assessment, or None."""
    from qingshan.water.services import latest_month

    return latest_month()


def water_classes(year: int, month: int):
    """Monthly classes of all active sections (section classes are public data)."""
    from qingshan.water.services import section_classes

    return section_classes("month", year, month, published_only=True)


def air_latest():
    """Latest daily AQI of the city and the counties (public)."""
    from qingshan.air.models import DailyAQI

    day = DailyAQI.objects.filter(kind="city").order_by("-date").values_list("date", flat=True).first()
    if day is None:
        return None, []
    rows = list(DailyAQI.objects.filter(date=day, kind__in=("city", "county")).select_related("region")
                .order_by("kind", "region__code"))
    rows.sort(key=lambda r: (r.kind != "city", r.region.code))
    return day, rows


def monitoring_summary(enterprise) -> dict | None:
    """Latest hourly values vs permit limits of a key polluter's outlet loggers (mandatory public disclosure).

    ``None`` for enterprises that are not key-monitored (national, provincial or municipal).
    """
    if enterprise.key_level not in KEY_LEVELS:
        return None
    from qingshan.monitoring.alarms import compared_value
    from qingshan.monitoring.models import LoggerRole
    from qingshan.monitoring.rollups import valid_flags
    from qingshan.monitoring.services import factor_name
    from qingshan.monitoring.store import get_store
    from qingshan.registry.models import DataLogger, PermitLimit

    inlets = LoggerRole.objects.filter(position="inlet").values("logger_id")
    loggers = list(DataLogger.objects.filter(enterprise=enterprise, active=True).exclude(pk__in=inlets)
                   .select_related("outlet").order_by("mn"))
    if not loggers:
        return {"loggers": 0, "rows": [], "newest": None}
    limits = {}
    for lim in PermitLimit.objects.filter(outlet_id__in={lg.outlet_id for lg in loggers if lg.outlet_id},
                                          concentration_limit__isnull=False, permit__status="valid") \
            .order_by("-concentration_limit"):
        limits[(lim.outlet_id, lim.factor_code)] = lim
    latest = get_store().latest([lg.pk for lg in loggers], "hour")
    flags = valid_flags()
    rows = []
    for lg in loggers:
        for f in lg.factors or []:
            lim = limits.get((lg.outlet_id, f))
            m = latest.get((lg.pk, f))
            if lim is None:  # only pollutants with a permit limit are disclosed (not flow, temperature …)
                continue
            value = compared_value(m) if m is not None else None
            valid = m is not None and m.flag in flags and value is not None
            limit = float(lim.concentration_limit)
            rows.append({"outlet": f"{lg.outlet.code} {lg.outlet.name}" if lg.outlet_id else lg.mn, "factor": factor_name(f),
                         "time": m.time if m is not None else None, "value": value if valid else None,
                         "limit": limit, "unit": lim.unit,
                         "status": "none" if m is None else "invalid" if not valid else
                         "over" if value > limit else "ok"})
    newest = max((r["time"] for r in rows if r["time"] is not None), default=None)
    return {"loggers": len(loggers), "rows": rows, "newest": newest,
            "over": sum(1 for r in rows if r["status"] == "over")}


def colour_label(code: str) -> str:
    """Chinese/English label of a credit colour code (green … black)."""
    try:
        from qingshan.credit.models import Colour
    except ImportError:
        return code
    return str(dict(Colour.choices).get(code, code))
