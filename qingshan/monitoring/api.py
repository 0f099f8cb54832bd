"""Open API of online monitoring, mounted at ``/api/monitoring/`` (docs/api.md).

Staff data: every endpoint needs a bearer token (``qingshan.core.models.ApiToken``) whose user
may view online monitoring (``monitoring.view_alarm``), and reads through ``for_user``, so a
token sees what its user sees on the pages: county staff their county, enterprise users their own
loggers. A logger outside the token user's reach is "not found" (404). Bad parameters give 400
with the reason in ``detail``; measurement ranges are bounded per request (:data:`MAX_SPAN`).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django.db.models import Count
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from qingshan.registry.models import DataLogger, Region

from . import declarations, rates
from .models import Alarm, LoggerStatus
from .rollups import valid_flags
from .services import factor_name
from .store import KINDS, get_store

VIEW_PERM = "monitoring.view_alarm"
#: the longest period of values one request may ask for, per kind
MAX_SPAN = {"rtd": datetime.timedelta(days=2), "min": datetime.timedelta(days=2),
            "hour": datetime.timedelta(days=31), "day": datetime.timedelta(days=366)}
#: the period returned when neither start nor end is given (ending now)
DEFAULT_SPAN = {"rtd": datetime.timedelta(hours=1), "min": datetime.timedelta(days=1),
                "hour": datetime.timedelta(days=1), "day": datetime.timedelta(days=31)}
FACTOR_CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")


class TokenAuth(HttpBearer):
    """The open API's bearer tokens (``qingshan.api.api.TokenAuth``), looked up when first used.

    Importing ``qingshan.api.api`` here at module level would be circular: it mounts this router.
    The class name is the same, so the OpenAPI schema has one security scheme.
    """

    def authenticate(self, request, token):
        from qingshan.api.api import TokenAuth as ApiTokenAuth

        return ApiTokenAuth().authenticate(request, token)


router = Router(tags=["monitoring"], auth=TokenAuth())


# -- schemas ---------------------------------------------------------------------------

class FactorOut(Schema):
    code: str
    name: str


class DeclaredStopOut(Schema):
    id: int
    kind: str
    start: datetime.datetime
    end: datetime.datetime | None


class LoggerOut(Schema):
    mn: str
    kind: str
    enterprise_id: int | None
    enterprise: str | None
    outlet: str | None
    outlet_name: str | None
    medium: str | None
    region: str
    county: str | None
    factors: list[FactorOut]
    installed_on: datetime.date | None
    status: str
    last_seen: datetime.datetime | None
    connected: bool
    active_alarms: int
    declared_stop: DeclaredStopOut | None


class ValueOut(Schema):
    time: datetime.datetime
    factor: str
    value: float | None
    zs: float | None
    min: float | None
    max: float | None
    cou: float | None
    flag: str
    valid: bool
    source: str


class ValuesOut(Schema):
    mn: str
    kind: str
    start: datetime.datetime
    end: datetime.datetime
    factors: list[str]
    count: int
    values: list[ValueOut]


class MonitoringAlarmOut(Schema):
    id: int
    kind: str
    status: str
    enterprise_id: int | None
    enterprise: str | None
    mn: str
    outlet: str | None
    region: str
    county: str | None
    factor: str
    factor_name: str
    averaging: str
    started_at: datetime.datetime
    last_seen_at: datetime.datetime
    ended_at: datetime.datetime | None
    periods: int
    peak_value: float | None
    limit_value: float | None
    unit: str
    exceedance_multiple: float | None
    detail: str
    case_number: str


class RateOut(Schema):
    loggers: int
    declared_hours: float
    expected: int
    received: int
    valid: int
    transmission_rate: float | None
    validity_rate: float | None
    effective_rate: float | None
    below_target: bool


class LoggerRateOut(RateOut):
    mn: str
    enterprise_id: int | None
    enterprise: str | None
    outlet: str | None
    county: str | None


class CountyRateOut(RateOut):
    county_code: str | None
    county: str | None


class TransmissionOut(Schema):
    month: str
    start: datetime.datetime
    end: datetime.datetime
    target: float
    total: RateOut
    counties: list[CountyRateOut]
    loggers: list[LoggerRateOut]


# -- helpers ---------------------------------------------------------------------------------

def filter_alarms(qs, status: str = "active", kind: str = ""):
    """Alarms by workflow status (``active``: open, acknowledged or explained; ``all``; or one status) and kind;
    400 for an unknown value. Shared by ``/api/monitoring/alarms`` and ``/api/staff/alarms``."""
    if status == "active":
        qs = qs.filter(status__in=Alarm.ACTIVE_STATUSES)
    elif status != "all":
        if status not in Alarm.Status.values:
            raise HttpError(400, f"status: active, all or one of {', '.join(Alarm.Status.values)}")
        qs = qs.filter(status=status)
    if kind:
        if kind not in Alarm.Kind.values:
            raise HttpError(400, f"kind: one of {', '.join(Alarm.Kind.values)}")
        qs = qs.filter(kind=kind)
    return qs


def _begin(request):
    """Rate limit (per token) and the permission every endpoint needs."""
    from qingshan.api.api import _limit

    _limit(request)
    if not request.user.has_perm(VIEW_PERM):
        raise HttpError(403, "The token's user may not view online monitoring data")


def _page(limit: int, offset: int, most: int) -> slice:
    if limit < 1 or limit > most:
        raise HttpError(400, f"limit: 1–{most}")
    if offset < 0:
        raise HttpError(400, "offset: 0 or more")
    return slice(offset, offset + limit)


def parse_time(value: str | None, name: str, *, end: bool = False) -> datetime.datetime | None:
    """An ISO 8601 date or datetime from a query string (naive: local time of the deployment).

    A date is a whole local day: as a start its midnight, as an ``end`` the next midnight
    (dates are inclusive days, datetimes a half-open range, as everywhere in Qingshan).
    """
    value = (value or "").strip()
    if not value:
        return None
    tz = timezone.get_current_timezone()
    # "+08:00" arrives as " 08:00" when the client did not encode the plus sign
    value = re.sub(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$", r"\1+\2", value)
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            if end:
                day += datetime.timedelta(days=1)
            return datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
        t = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise HttpError(400, f"{name}: not an ISO 8601 date or date and time "
                             f"(e.g. 2026-06-01 or 2026-06-01T08:00+08:00): {value!r}") from None
    if t.year < 1970 or t.year > 2200:
        raise HttpError(400, f"{name}: year out of range: {value!r}")
    return t if timezone.is_aware(t) else timezone.make_aware(t, tz)


def _local(t):
    """Times are answered in the deployment's time zone (with their offset)."""
    return timezone.localtime(t) if t is not None else None


def _county(code: str):
    code = (code or "").strip()
    if not code:
        return None
    county = Region.objects.filter(level=Region.Level.COUNTY, code=code).first()
    if county is None:
        raise HttpError(400, f"county: no county with the code {code!r}")
    return county


class _Counties:
    """County of a region by path (one query)."""

    def __init__(self):
        self.by_path = {c.path: c for c in Region.objects.filter(level=Region.Level.COUNTY)}

    def of(self, region):
        return rates.county_of(region, self.by_path) if region is not None else None


def _loggers(request, county=None, enterprise: int | None = None):
    qs = DataLogger.objects.for_user(request.user).select_related("enterprise", "outlet", "region")
    if county is not None:
        qs = qs.filter(region__path__startswith=county.path)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    return qs.order_by("mn")


def _logger(request, mn: str) -> DataLogger:
    lg = _loggers(request).filter(mn=mn.strip()).first()
    if lg is None:
        raise HttpError(404, f"No data logger {mn!r} in your area")
    return lg


def _logger_rows(request, loggers: list) -> list[dict]:
    from .alarms import _cache

    user = request.user
    statuses = {s.logger_id: s for s in LoggerStatus.objects.for_user(user).filter(logger__in=loggers)}
    running = dict(Alarm.objects.for_user(user).filter(logger__in=loggers, status__in=Alarm.ACTIVE_STATUSES)
                   .values_list("logger_id").annotate(n=Count("pk")))
    now = timezone.now()
    offline_after = datetime.timedelta(minutes=_cache.fresh().rule("")["offline_minutes"])
    stopped = declarations.current(loggers, now)
    counties = _Counties()
    out = []
    for lg in loggers:
        st = statuses.get(lg.pk)
        seen = st.last_seen if st else None
        status = "never_seen" if seen is None else ("online" if now - seen < offline_after else "offline")
        d = stopped.get(lg.pk)
        county = counties.of(lg.region)
        out.append({
            "mn": lg.mn, "kind": lg.kind, "enterprise_id": lg.enterprise_id,
            "enterprise": lg.enterprise.name if lg.enterprise_id else None,
            "outlet": lg.outlet.code if lg.outlet_id else None, "outlet_name": lg.outlet.name if lg.outlet_id else None,
            "medium": lg.outlet.medium if lg.outlet_id else None, "region": lg.region.name,
            "county": county.name if county else None,
            "factors": [{"code": f, "name": factor_name(f)} for f in lg.factors or []],
            "installed_on": lg.installed_on, "status": status, "last_seen": _local(seen),
            "connected": bool(st and st.connected), "active_alarms": running.get(lg.pk, 0),
            "declared_stop": {"id": d.pk, "kind": d.kind, "start": _local(d.start), "end": _local(d.end)} if d else None,
        })
    return out


def _rate(r) -> dict:
    def pct(x):
        return None if x is None else round(x, 2)

    return {"loggers": r.loggers, "declared_hours": round(r.declared_hours, 2), "expected": r.expected,
            "received": r.received, "valid": r.valid, "transmission_rate": pct(r.transmission),
            "validity_rate": pct(r.validity), "effective_rate": pct(r.effective), "below_target": r.below_target}


# -- endpoints ----------------------------------------------------------------------------------

@router.get("/loggers", response=list[LoggerOut])
def loggers(request, county: str = "", enterprise: int | None = None, include_inactive: bool = False,
            limit: int = 100, offset: int = 0):
    """Data loggers in reach: MN, enterprise, outlet, factors, status (online / offline / never_seen), last seen,
    running alarms and the approved shutdown declaration running now. ``county``: county code."""
    _begin(request)
    qs = _loggers(request, _county(county), enterprise)
    if not include_inactive:
        qs = qs.filter(active=True)
    return _logger_rows(request, list(qs[_page(limit, offset, 1000)]))


@router.get("/loggers/{mn}", response=LoggerOut)
def logger_detail(request, mn: str):
    """One data logger (404 outside the token user's reach)."""
    _begin(request)
    return _logger_rows(request, [_logger(request, mn)])[0]


@router.get("/loggers/{mn}/values", response=ValuesOut)
def logger_values(request, mn: str, kind: str = "hour", factor: str = "", start: str = "", end: str = ""):
    """Measurements of one logger, ordered by factor and time, over ``start`` ≤ time < ``end``.

    ``kind``: ``rtd`` (real-time), ``min``, ``hour`` (default) or ``day``. ``factor``: one code or several
    separated by commas (default: every factor of the logger). ``start``/``end``: ISO 8601 dates (whole
    local days, ``end`` inclusive) or date-times (naive ones are local time). At most 2 days of real-time or
    minute values, 31 days of hourly and 366 days of daily values per request; without ``start`` and ``end``
    the last hour (rtd), day (min, hour) or 31 days (day) up to now.
    """
    _begin(request)
    lg = _logger(request, mn)
    if kind not in KINDS:
        raise HttpError(400, f"kind: one of {', '.join(KINDS)}")
    codes = [c.strip() for c in factor.split(",") if c.strip()] if factor else list(lg.factors or [])
    known = set(lg.factors or [])
    for code in codes:
        if not FACTOR_CODE.match(code):
            raise HttpError(400, f"factor: not a factor code: {code!r}")
        if known and code not in known:
            raise HttpError(400, f"factor: {lg.mn} does not report {code}; it reports {', '.join(lg.factors)}")
    t0, t1 = parse_time(start, "start"), parse_time(end, "end", end=True)
    span, most = DEFAULT_SPAN[kind], MAX_SPAN[kind]
    if t0 is None and t1 is None:
        t1 = timezone.now().replace(microsecond=0)
    if t0 is None:
        t0 = t1 - span
    if t1 is None:
        t1 = t0 + span
    if t1 <= t0:
        raise HttpError(400, "start must be before end")
    if t1 - t0 > most:
        raise HttpError(400, f"at most {most.days} days of {kind} values per request; ask for a shorter period")
    values = get_store().read([lg.pk], factor=codes, kind=kind, start=t0, end=t1) if codes else []
    values.sort(key=lambda v: (v.factor, v.time))
    flags = valid_flags()
    return {"mn": lg.mn, "kind": kind, "start": _local(t0), "end": _local(t1), "factors": codes,
            "count": len(values),
            "values": [{"time": _local(v.time), "factor": v.factor, "value": v.value, "zs": v.zs, "min": v.min,
                        "max": v.max, "cou": v.cou, "flag": v.flag, "valid": v.flag in flags and v.value is not None,
                        "source": v.source} for v in values]}


@router.get("/alarms", response=list[MonitoringAlarmOut])
def alarms(request, status: str = "active", kind: str = "", since: str = "", until: str = "", county: str = "",
           enterprise: int | None = None, mn: str = "", limit: int = 100, offset: int = 0):
    """Alarms in reach, newest first. ``status``: ``active`` (default: open, acknowledged, explained), ``all``
    or one status; ``kind``: one alarm kind; ``since``/``until``: started at or after / before (ISO 8601 date
    or date-time; an ``until`` date is inclusive); ``county``: county code; ``mn``: one logger."""
    _begin(request)
    qs = filter_alarms(Alarm.objects.for_user(request.user).select_related("enterprise", "logger", "outlet", "region")
                       .order_by("-started_at", "-pk"), status, kind)
    t0, t1 = parse_time(since, "since"), parse_time(until, "until", end=True)
    if t0 is not None:
        qs = qs.filter(started_at__gte=t0)
    if t1 is not None:
        qs = qs.filter(started_at__lt=t1)
    c = _county(county)
    if c is not None:
        qs = qs.filter(region__path__startswith=c.path)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if mn.strip():
        qs = qs.filter(logger__mn=mn.strip())
    counties = _Counties()
    out = []
    for a in qs[_page(limit, offset, 500)]:
        cty = counties.of(a.region)
        out.append({
            "id": a.pk, "kind": a.kind, "status": a.status, "enterprise_id": a.enterprise_id,
            "enterprise": a.enterprise.name if a.enterprise_id else None, "mn": a.logger.mn,
            "outlet": a.outlet.code if a.outlet_id else None, "region": a.region.name,
            "county": cty.name if cty else None, "factor": a.factor, "factor_name": a.factor_name,
            "averaging": a.averaging, "started_at": _local(a.started_at), "last_seen_at": _local(a.last_seen_at),
            "ended_at": _local(a.ended_at),
            "periods": a.periods, "peak_value": a.peak_value, "limit_value": a.limit_value, "unit": a.unit,
            "exceedance_multiple": a.exceedance_multiple, "detail": a.detail, "case_number": a.case_number,
        })
    return out


@router.get("/transmission", response=TransmissionOut)
def transmission(request, month: str = "", county: str = "", enterprise: int | None = None):
    """Effective transmission rate of a month (``YYYY-MM``, default the current one) per logger and county,
    and the total, for the outlet loggers in reach. Percentages; ``declared_hours`` are the hours of approved
    shutdown declarations taken out of ``expected``."""
    _begin(request)
    if month:
        try:
            first = datetime.datetime.strptime(month.strip(), "%Y-%m").date()
        except ValueError:
            raise HttpError(400, f"month: YYYY-MM, e.g. 2026-06: {month!r}") from None
        if not 2000 <= first.year <= 2100:
            raise HttpError(400, "month: year 2000–2100")
    else:
        first = timezone.localdate().replace(day=1)
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    loggers_ = rates.loggers_for(request.user, county=_county(county))
    if enterprise is not None:
        loggers_ = [lg for lg in loggers_ if lg.enterprise_id == enterprise]
    per = rates.logger_rates(loggers_, first, after)
    counties = _Counties()
    by_county = defaultdict(list)
    rows = []
    for lg in loggers_:
        cty = counties.of(lg.region)
        by_county[cty].append(per[lg.pk])
        rows.append({**_rate(per[lg.pk]), "mn": lg.mn, "enterprise_id": lg.enterprise_id,
                     "enterprise": lg.enterprise.name if lg.enterprise_id else None,
                     "outlet": lg.outlet.code if lg.outlet_id else None, "county": cty.name if cty else None})
    tz = timezone.get_current_timezone()
    return {
        "month": f"{first:%Y-%m}", "target": rates.target(),
        "start": datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
        "end": datetime.datetime.combine(after, datetime.time(), tzinfo=tz),
        "total": _rate(rates.pooled(per.values())),
        "counties": [{**_rate(rates.pooled(rs)), "county_code": c.code if c else None, "county": c.name if c else None}
                     for c, rs in sorted(by_county.items(), key=lambda x: x[0].code if x[0] else "")],
        "loggers": rows,
    }
