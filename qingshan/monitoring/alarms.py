"""Alarms: exceedance and out-of-range after each write, offline / flat line / zero in the sweep.

:func:`check` runs after every write batch (the ingest server calls it from its
writer thread) and must be cheap for compliant data: permit limits and the set
of running alarms are cached per process (refreshed every ``CACHE_SECONDS``),
so a batch of compliant values costs no query at all.

Rules (docs/monitoring.md):

* **exceedance** — an hourly (``averaging="hourly"``) or daily (``"daily"``)
  value over the outlet's permit concentration limit (strictly greater; the
  converted 折算 value is compared when the logger sends one) opens an alarm
  with the exceedance multiple ``(peak − limit) / limit``. Values whose flag
  is not valid (``rollups.valid_flags()``) or missing never raise one. Further
  exceeding periods extend the running alarm (``periods``, ``peak``); a
  compliant valid value ends the condition (``ended_at``) — the alarm stays in
  the workflow until staff close it or escalate it to a case;
* **out of range** — a value outside the instrument range of an
  :class:`~qingshan.monitoring.models.AlarmRule`, or flagged ``T`` (over the
  measuring upper limit);
* **offline** — no data for ``offline_minutes``; **flat line** — the same
  valid hourly value ``flat_line_hours`` hours in a row; **zero** — zero for
  ``zero_hours`` hours in a row. These three close themselves (status
  ``closed``, by the system) when the condition is over and nobody has taken
  the alarm in hand yet. While an approved shutdown declaration (停产/停运申报)
  covers a logger, none of the three is raised for it (a running one ends);
  afterwards "offline" counts from the end of the declared period, and hourly
  values of declared hours never make a flat line or zeros
  (:mod:`qingshan.monitoring.declarations`).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time as _time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .rollups import valid_flags
from .store import Measurement, get_store

log = logging.getLogger("qingshan.monitoring.alarms")
CACHE_SECONDS = 60
#: an exceedance more than this after the previous one ended starts a new alarm
REOPEN_GAP = {"hour": datetime.timedelta(hours=1), "day": datetime.timedelta(days=1)}
AVERAGING_KIND = {"hourly": "hour", "daily": "day"}
DEFAULT_RULE = {"offline_minutes": 120, "flat_line_hours": 6, "zero_hours": 6, "range_min": None, "range_max": None}
#: factors that are process parameters, not concentrations (no flat-line / zero alarms)
PARAMETERS = {"a01011", "a01012", "a01013", "a01014", "a01017", "a19001", "a00000", "w00000", "w01001", "w01010"}


class _Cache:
    def __init__(self):
        self.lock = threading.RLock()
        self.loaded = 0.0
        self.limits: dict[int, dict[str, tuple[float, str, str]]] = {}
        self.loggers: dict[int, tuple] = {}
        self.active: dict[tuple[int, str, str], int] = {}
        self.rules: dict[str, dict] = {}

    def fresh(self):
        with self.lock:
            if _time.monotonic() - self.loaded > CACHE_SECONDS:
                self.reload()
            return self

    def reload(self):
        from qingshan.registry.models import DataLogger, PermitLimit

        from .models import Alarm, AlarmRule, LoggerRole

        today = timezone.localdate()
        inlets = set(LoggerRole.objects.filter(position=LoggerRole.Position.INLET).values_list("logger_id", flat=True))
        limits: dict[int, dict] = defaultdict(dict)
        outlet_loggers = defaultdict(list)
        loggers = {}
        for lg in DataLogger.objects.values("pk", "outlet_id", "enterprise_id", "region_id"):
            loggers[lg["pk"]] = (lg["outlet_id"], lg["enterprise_id"], lg["region_id"])
            if lg["outlet_id"] and lg["pk"] not in inlets:  # inlet values are before treatment: no limit
                outlet_loggers[lg["outlet_id"]].append(lg["pk"])
        qs = (PermitLimit.objects.filter(outlet__isnull=False, concentration_limit__isnull=False,
                                         permit__status="valid", permit__valid_from__lte=today, permit__valid_to__gte=today)
              .values_list("outlet_id", "factor_code", "concentration_limit", "averaging", "unit"))
        for outlet_id, factor, limit, averaging, unit in qs:
            for logger_id in outlet_loggers.get(outlet_id, ()):
                old = limits[logger_id].get(factor)
                if old is None or float(limit) < old[0]:  # the strictest valid limit applies
                    limits[logger_id][factor] = (float(limit), AVERAGING_KIND.get(averaging, "hour"), unit)
        active = {}
        for pk, logger_id, kind, factor in (Alarm.objects.filter(status__in=Alarm.ACTIVE_STATUSES, ended_at__isnull=True)
                                            .values_list("pk", "logger_id", "kind", "factor")):
            active[(logger_id, kind, factor)] = pk
        rule_rows = {r.factor_code: r for r in AlarmRule.objects.filter(active=True)}
        default = dict(DEFAULT_RULE)
        if "" in rule_rows:
            default.update(_rule_dict(rule_rows.pop("")))
        rules = {"": default}
        for code, r in rule_rows.items():
            rules[code] = {**default, **_rule_dict(r)}
        self.limits, self.loggers, self.active, self.rules = dict(limits), loggers, active, rules
        self.loaded = _time.monotonic()

    def rule(self, factor: str) -> dict:
        return self.rules.get(factor) or self.rules[""]


def _rule_dict(r) -> dict:
    return {"offline_minutes": r.offline_minutes, "flat_line_hours": r.flat_line_hours, "zero_hours": r.zero_hours,
            "range_min": r.range_min, "range_max": r.range_max}


_cache = _Cache()


def invalidate_cache():
    """Forget cached limits, rules and running alarms (after editing permits or rules; tests)."""
    with _cache.lock:
        _cache.loaded = 0.0


def limit_for(logger_id: int, factor: str):
    """``(limit, "hour"|"day", unit)`` of a logger's outlet and factor, or ``None``."""
    return _cache.fresh().limits.get(logger_id, {}).get(factor)


def compared_value(m: Measurement) -> float | None:
    """The value compared with the limit: the converted (折算) value when sent, else the measured one."""
    return m.zs if m.zs is not None else m.value


def check(measurements: list[Measurement]) -> list:
    """Evaluate exceedance and instrument range for freshly written measurements.

    Returns the alarms opened or updated. Safe to call from a worker thread.
    """
    if not measurements:
        return []
    cache = _cache.fresh()
    flags = valid_flags()
    touched = {}
    events: dict[tuple, list] = defaultdict(list)  # (logger, kind, factor) -> [(m, over?, limit, unit, detail)]
    for m in measurements:
        limits = cache.limits.get(m.logger_id)
        if limits and m.kind in ("hour", "day"):
            lim = limits.get(m.factor)
            if lim is not None and lim[1] == m.kind:
                value = compared_value(m)
                if m.flag in flags and value is not None:
                    events[(m.logger_id, "exceedance", m.factor)].append((m, value > lim[0], lim[0], lim[2], value))
        if m.kind != "day" and m.logger_id in cache.loggers:
            rule = cache.rule(m.factor)
            lo, hi = rule["range_min"], rule["range_max"]
            if m.value is not None and ((lo is not None and m.value < lo) or (hi is not None and m.value > hi)):
                events[(m.logger_id, "out_of_range", m.factor)].append((m, True, hi, "", m.value))
            elif m.flag == "T":
                events[(m.logger_id, "out_of_range", m.factor)].append((m, True, hi, "", m.value))
            elif (m.logger_id, "out_of_range", m.factor) in cache.active and m.value is not None and m.flag in flags:
                events[(m.logger_id, "out_of_range", m.factor)].append((m, False, hi, "", m.value))
    if not events:
        return []
    for key, items in events.items():
        items.sort(key=lambda x: x[0].time)
        if not any(over for _m, over, *_ in items) and key not in cache.active:
            continue  # compliant, nothing running: no query
        for alarm in _apply(cache, key, items):
            touched[alarm.pk] = alarm
    return list(touched.values())


def _apply(cache, key, items):
    from .models import Alarm

    logger_id, kind, factor = key
    outlet_id, enterprise_id, region_id = cache.loggers.get(logger_id, (None, None, None))
    if region_id is None:
        return []
    out = []
    with transaction.atomic():
        alarm = None
        pk = cache.active.get(key)
        if pk is not None:
            alarm = Alarm.objects.select_for_update().filter(pk=pk).first()
            if alarm is None or not alarm.is_active or alarm.ended_at is not None:
                alarm = None
                cache.active.pop(key, None)
        changed = False
        for m, over, limit, unit, value in items:
            averaging = m.kind
            gap = REOPEN_GAP.get(m.kind, datetime.timedelta(hours=1))
            if over and alarm is not None and m.time < alarm.started_at - gap:
                # backfilled history from before the running alarm: its own (past) episode
                out.append(_historical(key, m, value, limit, unit, outlet_id, enterprise_id, region_id))
                continue
            if over:
                if alarm is None:
                    alarm = _recent_alarm(logger_id, kind, factor, m)
                if alarm is None:
                    alarm = Alarm(kind=kind, logger_id=logger_id, outlet_id=outlet_id, enterprise_id=enterprise_id,
                                  region_id=region_id, factor=factor, averaging=averaging, started_at=m.time,
                                  last_seen_at=m.time, peak_value=value, limit_value=limit, unit=unit or "",
                                  periods=0)
                if m.time > alarm.last_seen_at or alarm.periods == 0:
                    alarm.periods += 1
                alarm.started_at = min(alarm.started_at, m.time)
                alarm.last_seen_at = max(alarm.last_seen_at, m.time)
                alarm.ended_at = None
                if alarm.peak_value is None or (value is not None and value > alarm.peak_value):
                    alarm.peak_value = value
                if limit is not None:
                    alarm.limit_value = limit
                if limit and kind == "exceedance" and alarm.peak_value is not None:
                    alarm.exceedance_multiple = round((alarm.peak_value - limit) / limit, 3)
                if kind == "out_of_range":
                    alarm.detail = gettext("flag %(flag)s, value %(value)s") % {"flag": m.flag, "value": m.value}
                new = alarm.pk is None
                alarm.save()
                changed = True
                cache.active[key] = alarm.pk
                if new:
                    notify(alarm)
            elif alarm is not None and m.time > alarm.last_seen_at:
                alarm.ended_at = m.time
                if kind != "exceedance" and alarm.status == Alarm.Status.OPEN:
                    alarm.status = Alarm.Status.CLOSED
                    alarm.closed_at = timezone.now()
                    alarm.close_note = gettext("Recovered automatically.")
                alarm.save()
                cache.active.pop(key, None)
                out.append(alarm)
                alarm, changed = None, False
        if alarm is not None and changed:
            out.append(alarm)
    return out


def _historical(key, m, value, limit, unit, outlet_id, enterprise_id, region_id):
    """An exceedance in backfilled data older than the running alarm: extend the past alarm it touches, or open one."""
    from .models import Alarm

    logger_id, kind, factor = key
    gap = REOPEN_GAP.get(m.kind, datetime.timedelta(hours=1))
    alarm = (Alarm.objects.filter(logger_id=logger_id, kind=kind, factor=factor, started_at__lte=m.time + gap,
                                  ended_at__gte=m.time - gap).order_by("-started_at").first())
    if alarm is None:
        alarm = Alarm(kind=kind, logger_id=logger_id, outlet_id=outlet_id, enterprise_id=enterprise_id,
                      region_id=region_id, factor=factor, averaging=m.kind, started_at=m.time, last_seen_at=m.time,
                      ended_at=m.time + gap, peak_value=value, limit_value=limit, unit=unit or "", periods=0)
    alarm.periods += 1
    alarm.started_at = min(alarm.started_at, m.time)
    alarm.last_seen_at = max(alarm.last_seen_at, m.time)
    alarm.ended_at = max(alarm.ended_at, m.time + gap)
    if alarm.peak_value is None or value > alarm.peak_value:
        alarm.peak_value = value
    if limit:
        alarm.limit_value = limit
        alarm.exceedance_multiple = round((alarm.peak_value - limit) / limit, 3)
    new = alarm.pk is None
    alarm.save()
    if new:
        notify(alarm)
    return alarm


def _recent_alarm(logger_id, kind, factor, m):
    """A still-active alarm whose condition ended just before ``m`` (continue it instead of opening another)."""
    from .models import Alarm

    gap = REOPEN_GAP.get(m.kind, datetime.timedelta(hours=1))
    return (Alarm.objects.filter(logger_id=logger_id, kind=kind, factor=factor, status__in=Alarm.ACTIVE_STATUSES,
                                 ended_at__gte=m.time - gap, started_at__lte=m.time)
            .order_by("-started_at").first())


# -- notifications ---------------------------------------------------------

def recipients(alarm):
    """Monitoring department staff and county staff whose region covers the alarm, and the enterprise's users."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from qingshan.registry.models import UserProfile

    path = alarm.region.path
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    staff = Q(profile__role__in=["monitoring_staff", "county_staff"]) | Q(profile__department=UserProfile.Department.MONITORING)
    reach = Q(profile__all_regions=True) | Q(profile__region__path__in=prefixes)
    q = (staff & reach & Q(profile__enterprise__isnull=True))
    if alarm.enterprise_id:
        q |= Q(profile__enterprise_id=alarm.enterprise_id)
    return list(get_user_model().objects.filter(q, is_active=True).distinct())


def notify(alarm, users=None):
    from qingshan.core.models import Notification

    users = recipients(alarm) if users is None else users
    title = gettext("Alarm: %(kind)s %(factor)s at %(where)s") % {
        "kind": alarm.get_kind_display(), "factor": alarm.factor_name or "",
        "where": alarm.enterprise.name if alarm.enterprise_id else alarm.logger.mn}
    body = alarm_summary(alarm)
    Notification.objects.bulk_create([
        Notification(recipient=u, level="danger" if alarm.kind == "exceedance" else "warning", title=title[:200],
                     body=body, url=alarm.get_absolute_url(), time=timezone.now())
        for u in users
    ])


def alarm_summary(alarm) -> str:
    local = timezone.localtime(alarm.started_at)
    if alarm.kind == "exceedance":
        return gettext("%(time)s %(factor)s %(value).3g %(unit)s over the limit %(limit).3g (exceedance multiple %(mult).2f)") % {
            "time": f"{local:%Y-%m-%d %H:%M}", "factor": alarm.factor_name, "value": alarm.peak_value or 0,
            "unit": alarm.unit, "limit": alarm.limit_value or 0, "mult": alarm.exceedance_multiple or 0}
    return f"{local:%Y-%m-%d %H:%M} {alarm.get_kind_display()} {alarm.factor_name} {alarm.detail}".strip()


# -- periodic checks -------------------------------------------------------

def sweep(now=None, *, loggers=None, rollup=True) -> dict:
    """Offline, flat-line and zero checks (and recent rollups); run every minute.

    Returns counts ``{"rolled_up": n, "offline": n, "flat_line": n, "zero": n, "closed": n}``.
    """
    from qingshan.registry.models import DataLogger

    from . import declarations
    from .models import IngestRejection, LoggerStatus

    now = now or timezone.now()
    cache = _cache.fresh()
    if loggers is None:
        loggers = list(DataLogger.objects.filter(active=True).select_related("outlet"))
    result = {"rolled_up": 0, "offline": 0, "flat_line": 0, "zero": 0, "closed": 0}
    if rollup:
        from .rollups import rollup_recent

        rolled = rollup_recent(now, loggers)
        result["rolled_up"] = len(rolled)
        check(rolled)
    ids = [lg.pk for lg in loggers]
    store = get_store()
    # last heard: the ingest server's status, else the newest stored value
    last = {pk: seen for pk, seen in LoggerStatus.objects.filter(logger_id__in=ids).values_list("logger_id", "last_seen") if seen}
    for kind in ("rtd", "min", "hour"):
        for (logger_id, _f), m in store.latest(ids, kind).items():
            if m.source != "rollup" and (logger_id not in last or m.time > last[logger_id]):
                last[logger_id] = m.time
    default = cache.rule("")
    limit = datetime.timedelta(minutes=default["offline_minutes"])
    horizon = max(max(r["flat_line_hours"], r["zero_hours"]) for r in cache.rules.values())
    start = now - datetime.timedelta(hours=horizon + 1)
    # approved shutdown declarations running now or over recently enough to matter
    declared = declarations.approved_periods(loggers, min(start, now - limit), now + datetime.timedelta(seconds=1))
    suppressed = {pk for pk, periods in declared.items() if declarations.covers(periods, now)}
    covered_note = gettext("Covered by an approved shutdown declaration.")
    for lg in loggers:
        seen = last.get(lg.pk)
        if seen is None:
            continue  # never connected: nothing to compare with (registry shows it)
        key = (lg.pk, "offline", "")
        if lg.pk in suppressed:
            result["closed"] += _set_condition(cache, lg, key, False, start=seen, now=now, close_note=covered_note)
            continue
        # after a declared stop the logger has the usual grace period from the end of the stop
        since = max(seen, declarations.last_end_before(declared.get(lg.pk, ()), now) or seen)
        offline = now - since > limit
        changed = _set_condition(cache, lg, key, offline, start=since, now=now,
                                 detail=gettext("no data since %(time)s") % {"time": f"{timezone.localtime(seen):%Y-%m-%d %H:%M}"})
        result["offline" if offline else "closed"] += changed
    # flat line and zero: hourly values of the last N hours (declared hours left out)
    series: dict[tuple, list[Measurement]] = defaultdict(list)
    for m in store.read(ids, kind="hour", start=start, end=now):
        if m.factor not in PARAMETERS and not declarations.covers(declared.get(m.logger_id, ()), m.time):
            series[(m.logger_id, m.factor)].append(m)
    by_id = {lg.pk: lg for lg in loggers}
    flags = valid_flags()
    for (logger_id, factor), values in series.items():
        rule = cache.rule(factor)
        for kind, hours, test in (("flat_line", rule["flat_line_hours"], _is_flat), ("zero", rule["zero_hours"], _is_zero)):
            if not hours:
                continue
            tail = [m for m in values if m.time >= now - datetime.timedelta(hours=hours + 1)][-hours:]
            hit = (logger_id not in suppressed and len(tail) >= hours
                   and all(m.flag in flags and m.value is not None for m in tail) and test(tail))
            changed = _set_condition(cache, by_id[logger_id], (logger_id, kind, factor), hit,
                                     start=tail[0].time if tail else now, now=now, value=tail[-1].value if tail else None,
                                     detail=gettext("%(n)s hours at %(value)s") % {"n": hours, "value": tail[-1].value if tail else ""},
                                     close_note=covered_note if logger_id in suppressed else None)
            result[kind if hit else "closed"] += changed
    # running flat-line / zero alarms of declared loggers without values in the window: end them too
    for key in [k for k in cache.active if k[0] in suppressed and k[1] in ("flat_line", "zero")]:
        if (key[0], key[2]) not in series:
            result["closed"] += _set_condition(cache, by_id[key[0]], key, False, start=now, now=now,
                                               close_note=covered_note)
    # keep the rejected-packet log bounded
    cutoff = now - datetime.timedelta(days=30)
    IngestRejection.objects.filter(time__lt=cutoff).delete()
    return result


def _is_flat(tail):
    return len({m.value for m in tail}) == 1 and tail[0].value != 0


def _is_zero(tail):
    return all(m.value == 0 for m in tail)


def _set_condition(cache, logger, key, on: bool, *, start, now, detail="", value=None, close_note=None) -> int:
    """Open (or keep) the alarm of ``key`` when ``on``; end and auto-close it when not. Returns 1 on a change."""
    from .models import Alarm

    running = cache.active.get(key)
    if on and running is None:
        alarm = Alarm.objects.filter(logger_id=logger.pk, kind=key[1], factor=key[2], status__in=Alarm.ACTIVE_STATUSES,
                                     ended_at__isnull=True).first()
        if alarm is None:
            alarm = Alarm.objects.create(kind=key[1], logger=logger, outlet_id=logger.outlet_id,
                                         enterprise_id=logger.enterprise_id, region_id=logger.region_id, factor=key[2],
                                         averaging="hour" if key[1] != "offline" else "", started_at=start,
                                         last_seen_at=now, peak_value=value, detail=detail[:300])
            notify(alarm)
        cache.active[key] = alarm.pk
        return 1
    if on:
        if Alarm.objects.filter(pk=running, ended_at__isnull=True).update(last_seen_at=now, detail=detail[:300]):
            return 0
        cache.active.pop(key, None)  # deleted or ended elsewhere: open a new one
        return _set_condition(cache, logger, key, on, start=start, now=now, detail=detail, value=value)
    if running is not None:
        alarm = Alarm.objects.filter(pk=running).first()
        cache.active.pop(key, None)
        if alarm is not None and alarm.ended_at is None:
            alarm.ended_at = now
            if alarm.status == Alarm.Status.OPEN:
                alarm.status = Alarm.Status.CLOSED
                alarm.closed_at = now
                alarm.close_note = close_note or gettext("Recovered automatically.")
            alarm.save()
            return 1
    return 0
