"""Effective transmission rate (数据传输有效率) and treatment-facility efficiency.

Effective transmission rate = transmission rate × validity rate, where (per
logger, over the assessed factors and the period; docs/monitoring.md):

* transmission rate = hourly records received ÷ hourly records expected;
* validity rate = valid hourly records ÷ hourly records received (a record is
  valid when its flag is in the valid flags and it has a value).

Records are counted per factor and hour ("factor-hours"); the assessed factors
of a logger are the pollutants with a concentration limit on its outlet (else
every factor it reports, minus process parameters). Expected records start at
the logger's installation date and stop at ``now``. Hours declared stopped by an
approved shutdown declaration (停产/停运申报, :mod:`.declarations`) are not
expected, and records sent during them are not counted either: the declared
period is out of the assessment. An enterprise, county or
city pools the factor-hours of its loggers (the rate of the sum, not the mean
of rates). Configuration: the setting ``QINGSHAN_TRANSMISSION_RATE`` (keys of
``DEFAULTS``); the target is 75 %.

Facility efficiency (去除效率) = (inlet − outlet) ÷ inlet over the hours where
both the inlet logger and its paired outlet logger have a valid hourly value:
desulfurization (SO2, a21026) ≥ 95 %, denitrification (NOx, a21002) ≥ 70 %.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import declarations
from .alarms import PARAMETERS
from .rollups import valid_flags
from .store import get_store

DEFAULTS = {
    "kind": "hour",  # the records counted
    "records_per_day": 24,  # expected records per factor and day
    "target": 75.0,  # percent
    "valid_flags": None,  # None: rollups.valid_flags()
}
FACILITY_TARGETS = {
    "a21026": (_("desulfurization"), 95.0),
    "a21002": (_("denitrification"), 70.0),
}


def config() -> dict:
    return {**DEFAULTS, **(getattr(settings, "QINGSHAN_TRANSMISSION_RATE", None) or {})}


def target() -> float:
    return float(config()["target"])


@dataclass
class Rate:
    expected: int = 0
    received: int = 0
    valid: int = 0
    loggers: int = 0
    #: hours (of the logger, not factor-hours) taken out of "expected" by approved shutdown declarations
    declared_hours: float = 0.0
    extra: dict = field(default_factory=dict)

    def add(self, other: "Rate"):
        self.expected += other.expected
        self.declared_hours += other.declared_hours
        self.received += min(other.received, other.expected) if other.expected else other.received
        self.valid += min(other.valid, other.expected) if other.expected else other.valid
        self.loggers += other.loggers
        return self

    @property
    def transmission(self) -> float | None:
        return None if not self.expected else min(100.0, 100.0 * self.received / self.expected)

    @property
    def validity(self) -> float | None:
        return None if not self.received else 100.0 * self.valid / self.received

    @property
    def effective(self) -> float | None:
        if not self.expected:
            return None
        return self.transmission * (self.validity or 0.0) / 100.0

    @property
    def below_target(self) -> bool:
        return self.effective is not None and self.effective < target()


def _aware(d, tz) -> datetime.datetime:
    if isinstance(d, datetime.datetime):
        return d if timezone.is_aware(d) else timezone.make_aware(d, tz)
    return datetime.datetime.combine(d, datetime.time(), tzinfo=tz)


def assessed_factors(loggers) -> dict[int, list[str]]:
    """Per logger: the factors whose records count (pollutants with an outlet limit, else the reported ones)."""
    from qingshan.registry.models import PermitLimit

    outlet_ids = {lg.outlet_id for lg in loggers if lg.outlet_id}
    limited = defaultdict(set)
    for outlet_id, code in (PermitLimit.objects.filter(outlet_id__in=outlet_ids, concentration_limit__isnull=False)
                            .values_list("outlet_id", "factor_code")):
        limited[outlet_id].add(code)
    out = {}
    for lg in loggers:
        reported = [f for f in (lg.factors or []) if f not in PARAMETERS]
        codes = sorted(limited.get(lg.outlet_id, set()) & set(lg.factors or [])) if lg.outlet_id else []
        out[lg.pk] = codes or sorted(limited.get(lg.outlet_id, set())) or reported
    return out


def logger_rates(loggers, start, end, *, now=None) -> dict[int, Rate]:
    """:class:`Rate` per logger for [start, end) (dates or datetimes; dates are local midnights).

    Approved shutdown declarations are taken out: their hours from the expected records
    (``Rate.declared_hours``) and the records sent during them from the received and valid ones.
    """
    loggers = list(loggers)
    if not loggers:
        return {}
    cfg = config()
    tz = timezone.get_current_timezone()
    start, end = _aware(start, tz), _aware(end, tz)
    now = now or timezone.now()
    end_eff = min(end, now)
    flags = tuple(cfg["valid_flags"] or valid_flags())
    factors = assessed_factors(loggers)
    all_factors = sorted({f for fs in factors.values() for f in fs})
    counts = get_store().counts([lg.pk for lg in loggers], cfg["kind"], start, end_eff, factors=all_factors,
                                valid_flags=flags) if all_factors else {}
    per_hour = cfg["records_per_day"] / 24.0
    begins = {lg.pk: max(start, _aware(lg.installed_on, tz)) if lg.installed_on else start for lg in loggers}
    declared = {}
    if end_eff > start:
        for pk, periods in declarations.approved_periods(loggers, start, end_eff).items():
            periods = declarations.clip(periods, begins[pk], end_eff)
            if periods:
                declared[pk] = periods
    excluded = _declared_counts(declared, factors, cfg["kind"], flags)
    out = {}
    for lg in loggers:
        begin = begins[lg.pk]
        hours = max(0.0, (end_eff - begin).total_seconds() / 3600.0)
        declared_hours = min(hours, declarations.total_hours(declared.get(lg.pk, ())))
        fs = factors.get(lg.pk, [])
        r = Rate(expected=int(round((hours - declared_hours) * per_hour)) * len(fs), loggers=1,
                 declared_hours=declared_hours)
        for f in fs:
            got, ok = counts.get((lg.pk, f), (0, 0))
            not_got, not_ok = excluded.get((lg.pk, f), (0, 0))
            r.received += max(0, got - not_got)
            r.valid += max(0, ok - not_ok)
        r.received = min(r.received, r.expected) if r.expected else r.received
        r.valid = min(r.valid, r.received)
        out[lg.pk] = r
    return out


def _declared_counts(declared: dict[int, list], factors: dict[int, list[str]], kind, flags) -> dict:
    """Records received and valid during the declared periods, ``{(logger, factor): (received, valid)}``.

    One store query per distinct period (the loggers of an outlet-wide declaration share it).
    """
    by_period: dict[tuple, list[int]] = defaultdict(list)
    for pk, periods in declared.items():
        if factors.get(pk):
            for period in periods:
                by_period[period].append(pk)
    out: dict[tuple, tuple[int, int]] = {}
    store = get_store()
    for (s, e), ids in by_period.items():
        fs = sorted({f for pk in ids for f in factors[pk]})
        for key, (got, ok) in store.counts(ids, kind, s, e, factors=fs, valid_flags=flags).items():
            prev = out.get(key, (0, 0))
            out[key] = (prev[0] + got, prev[1] + ok)
    return out


def pooled(rates) -> Rate:
    total = Rate()
    for r in rates:
        total.add(r)
    return total


def loggers_for(user=None, *, county=None, enterprise=None):
    from qingshan.registry.models import DataLogger

    qs = DataLogger.objects.filter(active=True, kind=DataLogger.Kind.OUTLET).select_related("outlet", "enterprise", "region")
    if user is not None:
        qs = qs.for_user(user)
    if county is not None:
        qs = qs.filter(region__path__startswith=county.path)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return list(qs.order_by("mn"))


def county_of(region, counties_by_path):
    for path, county in counties_by_path.items():
        if region.path.startswith(path):
            return county
    return None


def month_table(user, month: datetime.date, *, now=None) -> dict:
    """The month's rates per county, enterprise and logger within ``user``'s reach."""
    from qingshan.registry.models import Region

    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    loggers = loggers_for(user)
    rates = logger_rates(loggers, start, end, now=now)
    counties = {c.path: c for c in Region.objects.filter(level=Region.Level.COUNTY)}
    by_county: dict = defaultdict(list)
    by_ent: dict = defaultdict(list)
    logger_rows = []
    for lg in loggers:
        county = county_of(lg.region, counties)
        r = rates[lg.pk]
        by_county[county].append(r)
        by_ent[(county, lg.enterprise)].append(r)
        logger_rows.append({"logger": lg, "county": county, "enterprise": lg.enterprise, "rate": r})
    county_rows = sorted(({"county": c, "rate": pooled(rs), "below": sum(1 for x in rs if x.below_target)}
                          for c, rs in by_county.items()), key=lambda x: x["county"].code if x["county"] else "")
    ent_rows = sorted(({"county": c, "enterprise": e, "rate": pooled(rs)} for (c, e), rs in by_ent.items()),
                      key=lambda x: (x["rate"].effective if x["rate"].effective is not None else 999))
    return {"start": start, "end": end, "target": target(), "counties": county_rows, "enterprises": ent_rows,
            "loggers": logger_rows, "total": pooled(rates.values())}


def facility_efficiency(user, start, end) -> list[dict]:
    """Rows for each inlet/outlet logger pair within ``user``'s reach and each facility factor."""
    from .models import LoggerRole

    tz = timezone.get_current_timezone()
    start, end = _aware(start, tz), _aware(end, tz)
    roles = list(LoggerRole.objects.for_user(user).filter(position=LoggerRole.Position.INLET, paired_with__isnull=False)
                 .select_related("logger__enterprise", "paired_with__outlet"))
    if not roles:
        return []
    flags = valid_flags()
    ids = {r.logger_id for r in roles} | {r.paired_with_id for r in roles}
    data = defaultdict(dict)
    for m in get_store().read(sorted(ids), factor=list(FACILITY_TARGETS), kind="hour", start=start, end=end):
        v = m.zs if m.zs is not None else m.value
        if m.flag in flags and v is not None:
            data[(m.logger_id, m.factor)][m.time] = v
    rows = []
    for role in roles:
        for factor, (label, goal) in FACILITY_TARGETS.items():
            inlet, outlet = data.get((role.logger_id, factor), {}), data.get((role.paired_with_id, factor), {})
            hours = sorted(set(inlet) & set(outlet))
            if not hours:
                continue
            cin = sum(inlet[h] for h in hours) / len(hours)
            cout = sum(outlet[h] for h in hours) / len(hours)
            eff = None if cin <= 0 else 100.0 * (cin - cout) / cin
            rows.append({"role": role, "enterprise": role.logger.enterprise, "factor": factor, "label": label,
                         "target": goal, "hours": len(hours), "inlet": cin, "outlet": cout, "efficiency": eff,
                         "below": eff is not None and eff < goal})
    return rows
