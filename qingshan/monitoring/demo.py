"""Demo data of the monitoring app: hourly and daily values of every demo
logger, written into the measurement store, and what follows from them.

Deterministic from ``ctx.rng("monitoring")`` and ``ctx.today``: the history
covers the year (full demo) or the 30 days (small demo) before ``ctx.today``
(local midnight). Scenarios:

* a few exceedances (hourly for flue gas, daily for waste water) that open
  alarms through :func:`alarms.check`, left in every workflow state (open,
  acknowledged, explained, closed, escalated to an enforcement case);
* one logger that stopped sending 30 hours ago (offline alarm) and one whose
  SO2/COD is a flat line for the last 8 hours (flat-line alarm), from
  :func:`alarms.sweep`;
* transmission gaps and invalid flags giving effective rates around and below
  the 75 % target for some loggers;
* an inlet logger before the desulfurization/denitrification facility of one
  (small) or three (full) flue-gas outlets, for the facility efficiency table;
* shutdown declarations (停产/停运申报): an approved ten-day production stop of
  one healthy logger, which sent nothing then (without the declaration its
  month would be below the 75 % target; with it, it is not), a pending one for
  the offline logger (its offline alarm stays until staff approve) and a
  rejected one for a logger whose data show it was discharging.
"""

from __future__ import annotations

import datetime
import math

from django.contrib.auth import get_user_model
from django.utils import timezone

from qingshan.core.actor import acting_as
from qingshan.core.demo import DemoContext

from . import alarms
from .models import Alarm, AlarmRule, IngestEvent, IngestRejection, LoggerRole, LoggerStatus, ShutdownDeclaration
from .rollups import aggregate, logger_medium, rules
from .simulator import demo_services  # noqa: F401  (run by ``qingshan demo`` beside the web server)
from .store import Measurement, get_store

#: days of history of the small demo; the full demo has a year (``SIZES[...]["monitoring_days"]``)
DAYS = 30
#: typical level of each factor: (fraction of the limit or absolute value, relative noise)
LEVELS = {
    "a21026": (0.45, 0.18), "a21002": (0.55, 0.15), "a34013": (0.40, 0.20),
    "w01018": (0.45, 0.15), "w21003": (0.35, 0.25), "w21011": (0.40, 0.20),
}
PARAMS = {
    "a01012": (118.0, 0.05), "a01013": (-0.25, 0.10), "a01014": (8.5, 0.08), "a19001": (9.5, 0.06),
    "a00000": (55.0, 0.10), "w01001": (7.3, 0.03), "w00000": (18.0, 0.15),
}
DEFAULT_LIMIT = {"a21026": 100.0, "a21002": 150.0, "a34013": 20.0, "w01018": 60.0, "w21003": 8.0, "w21011": 1.0}
RANGES = {  # instrument ranges (AlarmRule), typical CEMS/water analyser spans
    "a21026": (-5.0, 2000.0), "a21002": (-5.0, 2000.0), "a34013": (-1.0, 200.0),
    "w01018": (0.0, 1000.0), "w21003": (0.0, 100.0), "w21011": (0.0, 20.0), "w01001": (0.0, 14.0),
}


def seed(ctx: DemoContext):
    from qingshan.registry.models import DataLogger, PermitLimit

    rng = ctx.rng("monitoring")
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(ctx.today, datetime.time(), tzinfo=tz)
    days = ctx.dims.get("monitoring_days", DAYS)
    start = end - datetime.timedelta(days=days)
    hours = [start + datetime.timedelta(hours=h) for h in range(days * 24)]
    store = get_store()
    with acting_as(name="demo"):
        AlarmRule.objects.bulk_create(
            [AlarmRule(factor_code="", offline_minutes=120, flat_line_hours=6, zero_hours=6, note="默认规则")]
            + [AlarmRule(factor_code=code, range_min=lo, range_max=hi, note="仪器量程")
               for code, (lo, hi) in RANGES.items()])
        loggers = list(DataLogger.objects.filter(kind="outlet").select_related("outlet", "enterprise").order_by("mn"))
        inlets = _inlet_loggers(ctx, loggers)
        loggers_all = loggers + [i for i, _o in inlets]
        limits = {}
        for lim in PermitLimit.objects.filter(outlet__isnull=False, concentration_limit__isnull=False):
            limits[(lim.outlet_id, lim.factor_code)] = float(lim.concentration_limit)
        n = len(loggers)
        air = [lg for lg in loggers if logger_medium(lg) == "air"]
        water = [lg for lg in loggers if logger_medium(lg) == "water"]
        offline = loggers[-1] if n else None
        poor = set(lg.pk for lg in loggers[1: 1 + max(2, n // 5)])  # below the 75 % target
        flat = next((lg for lg in water + air if lg.pk not in poor and lg != offline), None)
        flat_since = end - datetime.timedelta(hours=8)
        inlet_of = {i.pk: o for i, o in inlets}
        exceed_plan = _exceedance_plan(rng, air, water, hours)
        stopped, stop_window = _stop_plan(loggers, end, poor, {offline, flat}, {o.pk for _i, o in inlets}, exceed_plan)
        written = 0
        alarms.invalidate_cache()
        for lg in loggers_all:
            medium = logger_medium(lg)
            outlet_logger = inlet_of.get(lg.pk)
            missing = rng.uniform(0.25, 0.35) if lg.pk in poor else rng.uniform(0.0, 0.04)
            invalid = rng.uniform(0.05, 0.12) if lg.pk in poor else rng.uniform(0.0, 0.03)
            stop = end - datetime.timedelta(hours=30) if lg == offline else end
            plan = exceed_plan.get(lg.pk, {})
            phase = rng.uniform(0, 2 * math.pi)
            level = {}
            for f in lg.factors or []:
                base, noise = LEVELS.get(f) or PARAMS.get(f) or (1.0, 0.1)
                if f in LEVELS:
                    lim = limits.get(((outlet_logger or lg).outlet_id, f)) or DEFAULT_LIMIT.get(f, 100.0)
                    base = lim * base * (rng.uniform(6, 12) if outlet_logger is not None and f in ("a21026", "a21002") else 1)
                level[f] = (base * rng.uniform(0.85, 1.15), noise)
            planned = set().union(*plan.values()) if plan else set()
            hourly = []
            gap_until = None
            for t in hours:
                if t >= stop:
                    break
                if t not in planned and not (lg == flat and t >= flat_since - datetime.timedelta(hours=2)):
                    if gap_until and t < gap_until:
                        continue
                    if rng.random() < missing / 6:  # gaps come in runs of a few hours
                        gap_until = t + datetime.timedelta(hours=rng.randint(3, 9))
                        continue
                bad = rng.random() < invalid and t not in planned and not (lg == flat and t >= flat_since)
                o2 = level.get("a19001", (9.5, 0))[0] * (1 + rng.gauss(0, 0.03))
                for f, (base, noise) in level.items():
                    diurnal = 1 + (0.12 if f in LEVELS else 0.02) * math.sin(2 * math.pi * (t.hour / 24) + phase)
                    value = max(0.0, base * diurnal * (1 + rng.gauss(0, noise))) if base > 0 else base * (1 + rng.gauss(0, noise))
                    if f in plan and t in plan[f]:
                        value = plan[f][t]
                    if lg == flat and f in ("a21026", "w01018") and t >= flat_since:
                        value = round(base, 2)
                    flag = rng.choice(["D", "M", "C"]) if bad and f in LEVELS else "N"
                    cou = None
                    if f == "a00000":
                        cou = value * 3600.0
                    elif f == "w00000":
                        cou = value * 3.6
                    zs = None
                    if medium == "air" and f in LEVELS:
                        zs = round(value, 3)
                        value = value * (21 - o2) / 15.0  # measured (wet, actual O2) vs converted to 6 % O2
                    hourly.append(Measurement(logger_id=lg.pk, factor=f, kind="hour", time=t, value=round(value, 3),
                                              min=round(value * 0.9, 3), max=round(value * 1.1, 3), cou=cou, flag=flag,
                                              zs=zs, source="hj212"))
            if stopped is not None and lg.pk == stopped.pk:  # production stopped: the logger sent nothing
                hourly = [m for m in hourly if not stop_window[0] <= m.time < stop_window[1]]
            daily = _daily(lg, hourly, tz)
            last = [m for m in hourly if m.time == hourly[-1].time] if hourly else []
            rtd = [Measurement(logger_id=m.logger_id, factor=m.factor, kind="rtd", time=m.time + datetime.timedelta(minutes=59),
                               value=m.value, flag=m.flag, zs=m.zs) for m in last]
            store.write(hourly + daily + rtd)
            values = [m for m in hourly + daily if m.factor in LEVELS]
            written += len(values)
            with _frozen_now(end):  # checked logger by logger: a year of values need not stay in memory
                alarms.check(values)
        _declarations(loggers, end, stopped, stop_window, offline, poor)
        with _frozen_now(end):
            alarms.sweep(end, loggers=loggers_all, rollup=False)
        _statuses(ctx, rng, loggers_all, end, offline)
        _workflow(ctx, rng, end)
        _settle_notifications(end)
    ctx.log(f"    monitoring: {len(loggers_all)} loggers, {days} days, {written} pollutant values, "
            f"{Alarm.objects.count()} alarms")


def _stop_plan(loggers, end, poor, special, paired, exceed_plan):
    """A healthy logger and a ten-day window of the last month without its planned exceedances.

    Deterministic without the random generator (so every other demo value stays the same).
    """
    planned = {lg_id: set().union(*plan.values()) for lg_id, plan in exceed_plan.items()}
    for lg in loggers:
        if lg.pk in poor or lg in special or lg.pk in paired or not lg.enterprise_id:
            continue
        for days_back in range(24, 11, -1):
            start = end - datetime.timedelta(days=days_back) + datetime.timedelta(hours=8)
            stop = start + datetime.timedelta(days=10, hours=10)
            if stop <= end and not any(start <= t < stop for t in planned.get(lg.pk, ())):
                return lg, (start, stop)
    return None, None


def _declarations(loggers, end, stopped, stop_window, offline, poor):
    """An approved production stop, a pending open-ended repair declaration, a rejected one (see the module doc)."""
    User = get_user_model()
    staff = User.objects.filter(username="monitoring").first()

    def enterprise_user(lg):
        return User.objects.filter(profile__enterprise_id=lg.enterprise_id).order_by("username").first() or staff

    def declare(lg, kind, start, until, reason, filed):
        with _frozen_now(filed), acting_as(enterprise_user(lg)):
            d = ShutdownDeclaration(logger=lg, kind=kind, start=start, end=until, reason=reason,
                                    declared_by=enterprise_user(lg))
            d.full_clean(exclude=["region"])  # clean() derives the region from the logger
            d.save()
        return d

    if stopped is not None:
        start, stop = stop_window
        d = declare(stopped, ShutdownDeclaration.Kind.PRODUCTION_STOPPED, start, stop,
                    "受订单影响全厂停产检修，停产期间生产线及废气/废水处理设施同步停运，附停产通知及用电记录。",
                    start - datetime.timedelta(days=1))
        with _frozen_now(start - datetime.timedelta(hours=18)), acting_as(staff):
            d.approve(staff, "停产通知与用电记录相符，予以认可。")
    if offline is not None and offline.pk not in poor:
        declare(offline, ShutdownDeclaration.Kind.LOGGER_REPAIR, end - datetime.timedelta(hours=30), None,
                "数采仪通讯模块故障，已联系运维单位上门维修，恢复后补传数据。", end - datetime.timedelta(hours=6))
    rejected = next((lg for lg in loggers if lg.pk in poor and lg != stopped and lg != offline), None)
    if rejected is not None:
        start = end - datetime.timedelta(days=12)
        d = declare(rejected, ShutdownDeclaration.Kind.OUTLET_STOPPED, start, start + datetime.timedelta(days=2),
                    "污水处理站检修，排放口停运两天。", start + datetime.timedelta(days=3))
        with _frozen_now(start + datetime.timedelta(days=4)), acting_as(staff):
            d.reject(staff, "核查期间该排放口在线数据显示仍在排放，停运证据不足，不予认可。")


def _exceedance_plan(rng, air, water, hours):
    """{logger_id: {factor: {time: value}}}: a few exceedance episodes spread over the month."""
    plan = {}
    episodes = []
    for i, lg in enumerate(air[: max(3, len(air) // 3)]):
        episodes.append((lg, "a21026" if i % 2 == 0 else "a21002", "hour"))
    for lg in water[: max(2, len(water) // 3)]:
        episodes.append((lg, "w01018", "day"))
    from qingshan.registry.models import PermitLimit

    n_days = len(hours) // 24
    window = min(n_days, 30)
    # one round of episodes per 30 days, the most recent window first (a year: about twelve rounds)
    for w in range(max(1, n_days // 30)):
        offset = n_days - window * (w + 1)
        for k, (lg, factor, kind) in enumerate(episodes):
            day = offset + 3 + (k * 5 + rng.randint(0, 3)) % (window - 6)
            lim = PermitLimit.objects.filter(outlet_id=lg.outlet_id, factor_code=factor, concentration_limit__isnull=False).first()
            limit = float(lim.concentration_limit) if lim else DEFAULT_LIMIT[factor]
            times = {}
            if kind == "hour":
                first = day * 24 + rng.randint(6, 16)
                for h in range(rng.randint(2, 5)):
                    times[hours[first + h]] = round(limit * rng.uniform(1.15, 2.4), 2)
            else:
                for h in range(24):
                    times[hours[day * 24 + h]] = round(limit * rng.uniform(1.2, 1.8), 2)
            plan.setdefault(lg.pk, {}).setdefault(factor, {}).update(times)
    return plan


def _daily(lg, hourly, tz):
    rule = rules()[logger_medium(lg)]["day"]
    from qingshan.monitoring.rollups import valid_flags

    flags = valid_flags()
    groups = {}
    for m in hourly:
        day = m.time.astimezone(tz).replace(hour=0, minute=0, second=0)
        groups.setdefault((m.factor, day), []).append(m)
    out = []
    for (factor, day), values in groups.items():
        value, extra = aggregate(values, rule, flags)
        out.append(Measurement(logger_id=lg.pk, factor=factor, kind="day", time=day,
                               value=None if value is None else round(value, 3), source="hj212",
                               **{**extra, "zs": None if extra["zs"] is None else round(extra["zs"], 3)}))
    return out


def _inlet_loggers(ctx, loggers):
    """Inlet loggers before the treatment facility of some flue-gas outlets (registry rows + LoggerRole)."""
    from qingshan.registry.models import DataLogger

    air = [lg for lg in loggers if logger_medium(lg) == "air"]
    chosen = air[: (1 if ctx.size == "small" else 3)]
    out = []
    for lg in chosen:
        inlet = DataLogger.objects.create(
            mn=f"{lg.mn}I1"[:24], password=lg.password, kind=lg.kind, system_code=lg.system_code,
            protocol=lg.protocol, region_id=lg.region_id, enterprise_id=lg.enterprise_id, outlet_id=lg.outlet_id,
            factors=["a21026", "a21002", "a19001", "a00000"], manufacturer=lg.manufacturer, installed_on=lg.installed_on)
        LoggerRole.objects.create(logger=lg, position=LoggerRole.Position.OUTLET, facility="脱硫脱硝设施")
        LoggerRole.objects.create(logger=inlet, position=LoggerRole.Position.INLET, paired_with=lg, facility="脱硫脱硝设施")
        inlet.outlet = lg.outlet
        out.append((inlet, lg))
    return out


class _frozen_now:
    """Make alarm timestamps (closed_at on auto-close) follow the demo clock."""

    def __init__(self, now):
        self.now = now

    def __enter__(self):
        self._orig = timezone.now
        timezone.now = lambda: self.now
        return self

    def __exit__(self, *exc):
        timezone.now = self._orig


def _statuses(ctx, rng, loggers, end, offline):
    store = get_store()
    latest = {}
    for (logger_id, _f), m in store.latest([lg.pk for lg in loggers], "hour").items():
        latest[logger_id] = max(latest.get(logger_id, m.time), m.time)
    LoggerStatus.objects.bulk_create([
        LoggerStatus(logger=lg, last_seen=latest[lg.pk] + datetime.timedelta(minutes=rng.randint(1, 5)),
                     last_peer=f"10.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(2, 250)}:{rng.randint(20000, 60000)}",
                     last_data_time=latest[lg.pk], connected=lg != offline)
        for lg in loggers if lg.pk in latest
    ])
    events = []
    for lg in loggers:
        for d in range(7):
            day = ctx.today - datetime.timedelta(days=d + 1)
            events.append(IngestEvent(day=day, mn=lg.mn, logger=lg, packets_ok=rng.randint(1300, 1500),
                                      measurements=rng.randint(9000, 12000), duplicates=rng.randint(0, 20),
                                      bad_crc=rng.choice([0, 0, 0, 1, 3]), malformed=rng.choice([0, 0, 1]),
                                      acks_sent=rng.randint(1300, 1500)))
    day = ctx.today - datetime.timedelta(days=1)
    events.append(IngestEvent(day=day, mn="QS000000UNKNOWN1", packets_ok=0, auth_failed=rng.randint(20, 60),
                              last_peer="172.16.8.23:41022", last_error="unknown MN"))
    IngestEvent.objects.bulk_create(events)
    if loggers:
        lg = loggers[0]
        IngestRejection.objects.bulk_create([
            IngestRejection(time=end - datetime.timedelta(hours=5), peer="10.20.30.40:51234", mn=lg.mn, logger=lg,
                            reason="crc_mismatch", detail="CRC expected 4A1B, received 4A1C",
                            raw=f"##0101QN=...;MN={lg.mn};..&&4A1C"),
            IngestRejection(time=end - datetime.timedelta(hours=3), peer="172.16.8.23:41022", mn="QS000000UNKNOWN1",
                            reason="unknown_mn", detail="no registered logger with this MN"),
            IngestRejection(time=end - datetime.timedelta(hours=2), peer="10.20.30.41:40001", mn=lg.mn, logger=lg,
                            reason="auth_failed", detail="wrong access password"),
        ])


def _settle_notifications(end):
    """Alarm notifications dated when their alarm started; read once handled or older than 30 days
    (a year of history must not greet the demo users with hundreds of unread messages)."""
    from qingshan.core.models import Notification

    recent = end - datetime.timedelta(days=30)
    handled = {Alarm.Status.CLOSED, Alarm.Status.ESCALATED}
    for alarm in Alarm.objects.only("pk", "started_at", "status"):
        Notification.objects.filter(url=alarm.get_absolute_url()).update(
            time=alarm.started_at, read=alarm.status in handled or alarm.started_at < recent)


def _workflow(ctx, rng, end):
    """Leave the demo's exceedance alarms in every workflow state."""
    User = get_user_model()
    monitoring = User.objects.filter(username="monitoring").first()
    alarms_ = list(Alarm.objects.filter(kind=Alarm.Kind.EXCEEDANCE).select_related("enterprise").order_by("started_at", "pk"))
    recent = end - datetime.timedelta(days=30)
    for i, alarm in enumerate(alarms_):
        step = i % 5
        if alarm.started_at < recent:  # older history: handled long ago (closed), one in five escalated
            step = 3 if i % 5 == 3 else 0
        stamp = min(alarm.last_seen_at + datetime.timedelta(hours=rng.randint(2, 20)), end)
        if step == 0 and i + 1 < len(alarms_):  # the oldest ones: handled and closed
            alarm.status = Alarm.Status.CLOSED
            alarm.acknowledged_at, alarm.acknowledged_by = stamp, monitoring
            alarm.explanation = "脱硫系统浆液循环泵故障，已于当日抢修恢复，附维修记录。"
            alarm.explained_at = stamp + datetime.timedelta(hours=3)
            alarm.closed_at = stamp + datetime.timedelta(days=1)
            alarm.close_note = "经核实为设备故障导致的短时超标，已责令整改并复查合格。"
            alarm.handled_by = monitoring
            alarm.save()
        elif step == 1:
            alarm.status = Alarm.Status.ACKNOWLEDGED
            alarm.acknowledged_at, alarm.acknowledged_by, alarm.handled_by = stamp, monitoring, monitoring
            alarm.save()
        elif step == 2:
            enterprise_user = User.objects.filter(profile__enterprise_id=alarm.enterprise_id).first()
            alarm.status = Alarm.Status.EXPLAINED
            alarm.acknowledged_at, alarm.acknowledged_by = stamp, monitoring
            alarm.explanation = "启炉阶段燃烧工况不稳定导致短时超标，现已恢复正常。"
            alarm.explained_at, alarm.explained_by = stamp + datetime.timedelta(hours=5), enterprise_user
            alarm.save()
        elif step == 3:
            try:
                from qingshan.enforcement.services import open_case

                open_case(alarm, monitoring, day=min(timezone.localtime(stamp).date(), ctx.today))
                alarm.refresh_from_db()
            except Exception:  # enforcement not installed or refused: record the escalation only
                pass
            if alarm.status != Alarm.Status.ESCALATED:
                alarm.mark_escalated(user=monitoring)
        # step 4: left open
