"""Rollups: hourly values from minute data and daily values from hourly data.

Only where the logger did not send the coarser value itself (a value the
logger sent, ``source="hj212"``, is never overwritten by a rollup).

The validity rules are data (``ROLLUP_RULES``, overridable with the setting
``QINGSHAN_ROLLUP_RULES``), from HJ 212-2017 Appendix D and the notes under
C.16–C.18 (see ``shared/reference/hj212.md`` §3.3, §5):

* flue gas (air): an hourly mean needs ≥ 45 valid minute means, a daily mean
  ≥ 20 valid hourly means; the coarser flag is normal when ≥ 75 % of the finer
  values are normal, otherwise ``D`` (fault);
* waste water: an hourly mean needs ≥ 1 valid (10-)minute value, a daily mean
  ≥ 1 valid hourly value; one abnormal finer value makes the coarser flag
  abnormal (the abnormal flag itself is kept).

A rollup with fewer valid values than the minimum is still stored (so the hour
counts as *received*) but flagged invalid (``D`` by default), and its mean is
taken over the valid values only (``None`` if there are none).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from statistics import fmean

from django.conf import settings
from django.utils import timezone

from .store import Measurement, get_store

ROLLUP_RULES = {
    "air": {
        "hour": {"from": "min", "min_count": 45, "flag_rule": "share_normal", "normal_share": 0.75},
        "day": {"from": "hour", "min_count": 20, "flag_rule": "share_normal", "normal_share": 0.75},
    },
    "water": {
        "hour": {"from": "min", "min_count": 1, "flag_rule": "any_abnormal"},
        "day": {"from": "hour", "min_count": 1, "flag_rule": "any_abnormal"},
    },
}
#: flag given to a rolled-up value with too few valid values
INSUFFICIENT_FLAG = "D"
DEFAULT_VALID_FLAGS = frozenset({"N"})


def valid_flags() -> frozenset[str]:
    """Flags whose values count as valid data (setting ``QINGSHAN_VALID_FLAGS``, else the codec's table)."""
    configured = getattr(settings, "QINGSHAN_VALID_FLAGS", None)
    if configured:
        return frozenset(configured)
    try:
        from qingshan.standards.hj212 import tables

        return frozenset(tables.VALID_FLAGS)
    except Exception:  # codec tables not available
        return DEFAULT_VALID_FLAGS


def rules() -> dict:
    custom = getattr(settings, "QINGSHAN_ROLLUP_RULES", None) or {}
    merged = {medium: {k: dict(v) for k, v in kinds.items()} for medium, kinds in ROLLUP_RULES.items()}
    for medium, kinds in custom.items():
        for kind, rule in kinds.items():
            merged.setdefault(medium, {}).setdefault(kind, {}).update(rule)
    return merged


def logger_medium(logger) -> str:
    """``air`` or ``water`` for a registry DataLogger (outlet medium, else its system code)."""
    outlet = getattr(logger, "outlet", None)
    if outlet is not None and outlet.medium:
        return outlet.medium
    return "air" if str(logger.system_code) in ("22", "31", "34", "35") else "water"


def aggregate(values: list[Measurement], rule: dict, flags: frozenset[str]) -> tuple[float | None, dict]:
    """Mean and flag of a group of finer values under ``rule``; returns (value, extra fields)."""
    valid = [m for m in values if m.flag in flags and m.value is not None]
    value = fmean(m.value for m in valid) if valid else None
    abnormal = [m.flag for m in values if m.flag not in flags]
    if len(valid) < rule.get("min_count", 1):
        flag = abnormal[0] if (abnormal and rule.get("flag_rule") == "any_abnormal") else INSUFFICIENT_FLAG
    elif rule.get("flag_rule") == "any_abnormal":
        flag = abnormal[0] if abnormal else "N"
    else:
        share = (len(values) - len(abnormal)) / len(values)
        flag = "N" if share >= rule.get("normal_share", 0.75) else INSUFFICIENT_FLAG
    mins = [m.min if m.min is not None else m.value for m in valid]
    maxs = [m.max if m.max is not None else m.value for m in valid]
    cous = [m.cou for m in values if m.cou is not None]
    zss = [m.zs for m in valid if m.zs is not None]
    extra = {
        "min": min((x for x in mins if x is not None), default=None),
        "max": max((x for x in maxs if x is not None), default=None),
        "cou": sum(cous) if cous else None,
        "zs": fmean(zss) if zss else None,
        "flag": flag,
    }
    return value, extra


def _bucket(t: datetime.datetime, kind: str, tz) -> datetime.datetime:
    local = t.astimezone(tz)
    if kind == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def rollup(loggers, kind: str, start: datetime.datetime, end: datetime.datetime, *, now=None, store=None) -> list[Measurement]:
    """Compute and store ``kind`` ("hour" or "day") values of ``loggers`` for complete periods in [start, end).

    Periods for which the logger sent its own value are skipped. Returns the
    measurements written (the caller may pass them to :func:`alarms.check`).
    """
    store = store or get_store()
    tz = timezone.get_current_timezone()
    now = now or timezone.now()
    all_rules = rules()
    flags = valid_flags()
    by_id = {lg.pk: lg for lg in loggers}
    if not by_id:
        return []
    source_kind = "min" if kind == "hour" else "hour"
    step = datetime.timedelta(hours=1) if kind == "hour" else datetime.timedelta(days=1)
    start = _bucket(start, kind, tz)
    finer = store.read(list(by_id), kind=source_kind, start=start, end=end)
    own = {(m.logger_id, m.factor, _bucket(m.time, kind, tz))
           for m in store.read(list(by_id), kind=kind, start=start, end=end) if m.source != "rollup"}
    groups: dict[tuple, list[Measurement]] = defaultdict(list)
    for m in finer:
        groups[(m.logger_id, m.factor, _bucket(m.time, kind, tz))].append(m)
    out = []
    for (logger_id, factor, bucket), values in groups.items():
        if bucket + step > now or (logger_id, factor, bucket) in own:
            continue
        rule = all_rules.get(logger_medium(by_id[logger_id]), all_rules["water"])[kind]
        value, extra = aggregate(values, rule, flags)
        out.append(Measurement(logger_id=logger_id, factor=factor, kind=kind, time=bucket, value=value,
                               source="rollup", **extra))
    if out:
        store.write(out)
    return out


def rollup_recent(now=None, loggers=None) -> list[Measurement]:
    """Hourly values of the last 3 hours and daily values of the last 2 days (run by the sweep)."""
    from qingshan.registry.models import DataLogger

    now = now or timezone.now()
    if loggers is None:
        loggers = list(DataLogger.objects.filter(active=True).select_related("outlet"))
    hours = rollup(loggers, "hour", now - datetime.timedelta(hours=3), now, now=now)
    days = rollup(loggers, "day", now - datetime.timedelta(days=2), now, now=now)
    return hours + days
