"""Water assessment services: the plain functions other apps read (docs/water-app.md).

Every rule is applied by :mod:`qingshan.standards` (gb3838, water_assessment,
cwqi, eco_compensation); this module only gathers samples, calls the rules and
stores the results in :class:`~qingshan.water.models.SectionAssessment` and
:class:`~qingshan.water.models.CompensationEntry`.

Periods are ``(period, year, number)``: ``("month", 2026, 6)``, ``("quarter", 2026, 2)``
or ``("year", 2026, 0)``. The year assessment is January to date (累计) while the
year is running.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Q

from qingshan.standards import cwqi as cwqi_rule
from qingshan.standards import eco_compensation, gb3838, water_assessment
from qingshan.standards.gb3838 import WaterQualityError

from .models import (
    CompensationAssignment,
    CompensationEntry,
    Sample,
    Section,
    SectionAssessment,
    ShareTarget,
    WaterBody,
)

MONTH, QUARTER, YEAR = "month", "quarter", "year"


# --------------------------------------------------------------------------- periods


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_bounds(period: str, year: int, number: int = 0) -> tuple[datetime.date, datetime.date]:
    """First and last day of a month, quarter or year."""
    if period == MONTH:
        return month_bounds(year, number)
    if period == QUARTER:
        if not 1 <= number <= 4:
            raise ValueError(f"quarter must be 1..4, got {number}")
        return datetime.date(year, 3 * number - 2, 1), month_bounds(year, 3 * number)[1]
    if period == YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    raise ValueError(f"period must be month, quarter or year, got {period!r}")


def period_of_month(period: str, year: int, month: int) -> tuple[str, int, int]:
    """The (period, year, number) containing a month."""
    if period == MONTH:
        return MONTH, year, month
    if period == QUARTER:
        return QUARTER, year, (month - 1) // 3 + 1
    return YEAR, year, 0


def previous_period(period: str, year: int, number: int) -> tuple[str, int, int]:
    if period == MONTH:
        return (MONTH, year - 1, 12) if number == 1 else (MONTH, year, number - 1)
    if period == QUARTER:
        return (QUARTER, year - 1, 4) if number == 1 else (QUARTER, year, number - 1)
    return YEAR, year - 1, 0


def period_label(period: str, year: int, number: int = 0) -> str:
    if period == MONTH:
        return f"{year}-{number:02d}"
    if period == QUARTER:
        return f"{year}Q{number}"
    return str(year)


# --------------------------------------------------------------------------- samples → period values


def _parsed_values(values: dict) -> dict:
    """Sample values as the rules read them; unreadable entries are dropped (validated on input)."""
    out = {}
    for k, v in values.items():
        if k not in gb3838.TABLE1 and k not in gb3838.TABLE2:
            continue
        try:
            parsed = water_assessment.parse_measurement(v, k)
        except WaterQualityError:
            continue
        if parsed is not None:
            out[k] = parsed
    return out


def _text(d: Decimal) -> str:
    q = d.quantize(Decimal("0.000001")) if abs(d) < 10**9 else d
    return format(q.normalize(), "f")


def _samples_by_section(sections, start: datetime.date, end: datetime.date) -> dict[int, list[Sample]]:
    by_section: dict[int, list[Sample]] = defaultdict(list)
    wanted = {s.pk: set(s.sample_sources()) for s in sections}
    qs = Sample.objects.filter(section_id__in=list(wanted), date__gte=start, date__lte=end).only(
        "section_id", "date", "source", "condition", "values"
    )
    for s in qs.order_by("date"):
        if s.source in wanted[s.section_id]:
            by_section[s.section_id].append(s)
    return by_section


def assess_samples(section: Section, samples: list[Sample], period: str | None = None) -> dict:
    """Class, period values, CWQI and drinking-water compliance of one section from its samples.

    Returns the fields of a :class:`SectionAssessment` (without keys). Dry or frozen
    samples do not count; a period with only dry/frozen samples is reported with that
    condition and no class (left out of the shares).
    """
    normal = [s for s in samples if s.condition == Sample.Condition.NORMAL and s.values]
    if not normal:
        cond = samples[-1].condition if samples else "none"
        return {"water_class": None, "condition": cond, "meets_target": None, "samples": 0}
    wb = section.gb3838_kind
    try:
        pv = water_assessment.aggregate([_parsed_values(s.values) for s in normal], period=period)
        t1 = {k: v for k, v in pv.values.items() if k in gb3838.TABLE1}
        result = gb3838.classify(t1, wb)
    except WaterQualityError as exc:
        return {"water_class": None, "condition": "error", "meets_target": None, "samples": len(normal),
                "insufficient": [str(exc)[:200]]}
    wc = result.water_class
    out = {
        "water_class": int(wc),
        "condition": "normal",
        "meets_target": int(wc) <= section.target_class,
        "values": {k: _text(v) for k, v in pv.values.items()},
        "item_classes": {k: (c.label if c else None) for k, c in result.item_classes().items()},
        "main_pollutants": [m.label for m in result.main_pollutants],
        "samples": len(normal),
        "insufficient": list(pv.insufficient),
        "cwqi": None,
        "drinking_compliant": None,
        "drinking_exceedances": [],
    }
    try:
        out["cwqi"] = float(cwqi_rule.section_index(t1, wb).total)
    except WaterQualityError:
        pass
    if section.is_drinking_source:
        dw_values = {k: v for k, v in pv.values.items() if k in gb3838.TABLE1 or k in gb3838.TABLE2}
        try:
            dw = water_assessment.assess_drinking_water_source(dw_values, wb)
            out["drinking_compliant"] = dw.compliant
            out["drinking_exceedances"] = [
                {"item": c.item, "name": c.name, "value": _text(c.value), "limit": _text(c.limit) if c.limit is not None else None,
                 "multiple": _text(c.exceedance_multiple) if c.exceedance_multiple is not None else None}
                for c in dw.exceedances
            ]
        except WaterQualityError:
            pass
    return out


# --------------------------------------------------------------------------- cached assessments

_deferred: contextvars.ContextVar[set | None] = contextvars.ContextVar("water_deferred", default=None)


@contextlib.contextmanager
def deferred_assessment():
    """Collect sample changes and reassess each (section, year) once at the end (imports, syncs)."""
    pending: set = set()
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)
    by_year: dict[int, set[int]] = defaultdict(set)
    for section_id, year, month in pending:
        by_year[year].add(section_id)
    for year, ids in sorted(by_year.items()):
        assess_sections(Section.objects.filter(pk__in=ids), year)
    months = {(y, m) for _s, y, m in pending}
    ids = {s for s, _y, _m in pending}
    for y, m in sorted(months):
        compute_compensation(y, m, assignments=CompensationAssignment.objects.filter(Q(section_id__in=ids) | Q(inflow_section_id__in=ids)))


def sample_changed(section_id: int, day: datetime.date):
    """Called when a sample is saved or deleted: reassess now, or later inside :func:`deferred_assessment`."""
    pending = _deferred.get()
    if pending is not None:
        pending.add((section_id, day.year, day.month))
        return
    assess_sections(Section.objects.filter(pk=section_id), day.year)
    compute_compensation(day.year, day.month, assignments=CompensationAssignment.objects.filter(
        Q(section_id=section_id) | Q(inflow_section_id=section_id)))
    if day.month % 3 != 0:  # quarterly schemes are booked in the quarter's last month
        q_end = 3 * ((day.month - 1) // 3 + 1)
        compute_compensation(day.year, q_end, assignments=CompensationAssignment.objects.filter(
            Q(section_id=section_id) | Q(inflow_section_id=section_id)))


def assess_sections(sections=None, year: int | None = None, *, through: datetime.date | None = None) -> int:
    """Recompute the month, quarter and year assessments of ``sections`` (default: all) for ``year``.

    Only periods with samples get a row. The year row covers January to the last month
    with samples. Returns the number of rows written.
    """
    if year is None:
        year = (through or datetime.date.today()).year
    sections = list((Section.objects.all() if sections is None else sections).select_related("water_body"))
    if not sections:
        return 0
    start, end = period_bounds(YEAR, year)
    if through is not None:
        end = min(end, through)
    by_section = _samples_by_section(sections, start, end)
    rows = []
    for section in sections:
        samples = by_section.get(section.pk, [])
        if not samples:
            continue
        by_month: dict[int, list] = defaultdict(list)
        for s in samples:
            by_month[s.date.month].append(s)
        last_month = max(by_month)
        for m, group in by_month.items():
            rows.append(SectionAssessment(section=section, period=MONTH, year=year, number=m, through_month=m,
                                          **assess_samples(section, group, MONTH)))
        for q in range(1, 5):
            group = [s for m in range(3 * q - 2, 3 * q + 1) for s in by_month.get(m, [])]
            if group:
                through_m = max(m for m in range(3 * q - 2, 3 * q + 1) if m in by_month)
                rows.append(SectionAssessment(section=section, period=QUARTER, year=year, number=q, through_month=through_m,
                                              **assess_samples(section, group, QUARTER)))
        rows.append(SectionAssessment(section=section, period=YEAR, year=year, number=0, through_month=last_month,
                                      **assess_samples(section, samples, YEAR)))
    with transaction.atomic():
        SectionAssessment.objects.filter(section__in=sections, year=year).delete()
        SectionAssessment.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def assess_all(start: datetime.date, end: datetime.date) -> int:
    """Recompute every section for every year from ``start`` to ``end``."""
    return sum(assess_sections(None, y, through=end) for y in range(start.year, end.year + 1))


def section_classes(period: str, year: int, number: int = 0, *, user=None, region=None, published_only=False):
    """The assessments of one period (one row per section that has data), with their sections.

    ``user`` restricts to the user's region (``for_user``); ``region`` to a subtree.
    Section classes are public data: the portal may call this without a user.
    """
    qs = SectionAssessment.objects.filter(period=period, year=year, number=number, section__active=True)
    if user is not None:
        qs = qs.for_user(user)
    if region is not None:
        qs = qs.filter(section__region__path__startswith=region.path)
    return list(qs.select_related("section", "section__water_body", "section__region").order_by("section__code"))


def latest_month(user=None) -> tuple[int, int] | None:
    """(year, month) of the latest month with an assessment."""
    qs = SectionAssessment.objects.filter(period=MONTH)
    if user is not None:
        qs = qs.for_user(user)
    row = qs.order_by("-year", "-number").values_list("year", "number").first()
    return tuple(row) if row else None


# --------------------------------------------------------------------------- shares and targets


def target_for(year: int, region=None) -> ShareTarget | None:
    """The share target of a region (default: the city) for a year; falls back to the nearest earlier year."""
    qs = ShareTarget.objects.filter(year__lte=year).order_by("-year")
    if region is not None:
        qs = qs.filter(region=region)
    else:
        qs = qs.filter(region__level=2)
    return qs.first()


def share_good(period: str, year: int, number: int = 0, *, region=None, user=None, levels=None) -> dict:
    """Share of sections in classes I–III and in 劣V for a period, against the targets.

    Returns ``shares`` (:class:`~qingshan.standards.water_assessment.ClassShares`),
    ``good_percent`` / ``v_plus_percent`` (1 decimal, half-even), ``target``
    (:class:`ShareTarget` or None) and ``check`` (:class:`~qingshan.standards.water_assessment.TargetCheck`
    or None). ``levels`` limits to assessment levels (e.g. ``["national", "provincial"]``).
    """
    rows = section_classes(period, year, number, user=user, region=region)
    if levels:
        rows = [r for r in rows if r.section.level in levels]
    classes = [r.water_class if r.water_class is not None else None for r in rows if r.condition != "error"]
    shares = water_assessment.class_shares(classes)
    target = target_for(year, region if region is not None and region.level > 2 else None)
    check = None
    if target is not None and shares.total and (target.good_min is not None or target.v_plus_max is not None):
        check = water_assessment.check_targets(shares, good_min=target.good_min, v_plus_max=target.v_plus_max)
    return {
        "period": period, "year": year, "number": number, "label": period_label(period, year, number),
        "shares": shares, "rows": rows,
        "good_percent": shares.good_percent() if shares.total else None,
        "v_plus_percent": shares.v_plus_percent() if shares.total else None,
        "target": target, "check": check,
    }


def good_sections_share(county, start: datetime.date, end: datetime.date) -> float | None:
    """% of the county's sections in classes I–III over ``start``..``end`` (targets-app indicator).

    The period values are averaged over the whole range, then classed. ``None`` when
    the county has no section with samples in the range.
    """
    sections = list(Section.objects.filter(region__path__startswith=county.path, active=True).select_related("water_body"))
    by_section = _samples_by_section(sections, start, end)
    classes = []
    for s in sections:
        if s.pk not in by_section:
            continue
        res = assess_samples(s, by_section[s.pk], None)
        if res["condition"] == "error":
            continue
        classes.append(res["water_class"])
    shares = water_assessment.class_shares(classes)
    if not shares.total:
        return None
    return float(shares.good_percent())


def class_trend(year: int, *, user=None, region=None, through_month: int = 12) -> list[dict]:
    """Per month of ``year``: counts by class, I–III and 劣V percentages (for the charts)."""
    qs = SectionAssessment.objects.filter(period=MONTH, year=year, number__lte=through_month, section__active=True)
    if user is not None:
        qs = qs.for_user(user)
    if region is not None:
        qs = qs.filter(section__region__path__startswith=region.path)
    by_month: dict[int, list] = defaultdict(list)
    for number, wc, cond in qs.values_list("number", "water_class", "condition"):
        if cond != "error":
            by_month[number].append(wc)
    out = []
    for m in sorted(by_month):
        sh = water_assessment.class_shares(by_month[m])
        out.append({"month": m, "counts": {int(k): v for k, v in sh.counts.items()}, "total": sh.total,
                    "good_percent": float(sh.good_percent()) if sh.total else None,
                    "v_plus_percent": float(sh.v_plus_percent()) if sh.total else None})
    return out


def share_change(period: str, year: int, number: int = 0, *, user=None, region=None) -> dict | None:
    """Change of the class shares against the same period of the previous year (办法 §三)."""
    now = share_good(period, year, number, user=user, region=region)["shares"]
    before = share_good(period, year - 1, number, user=user, region=region)["shares"]
    if not now.total or not before.total:
        return None
    ch = water_assessment.compare_shares(before, now)
    return {"before": before, "after": now, "delta_good": float(ch.points(ch.delta_good)),
            "delta_v_plus": float(ch.points(ch.delta_v_plus)), "change": ch.change}


# --------------------------------------------------------------------------- rivers, drinking water, CWQI


def river_status(period: str, year: int, number: int = 0, *, user=None) -> list[dict]:
    """Qualitative status of each river / lake over a period (办法 §二(二)), from its sections' period values."""
    rows = section_classes(period, year, number, user=user)
    by_body: dict[int, list] = defaultdict(list)
    for r in rows:
        by_body[r.section.water_body_id].append(r)
    bodies = {b.pk: b for b in WaterBody.objects.filter(pk__in=list(by_body))}
    out = []
    for body_id, group in by_body.items():
        body = bodies[body_id]
        sections = {}
        for r in group:
            if r.condition in ("dry", "frozen"):
                sections[r.section.name] = None
            elif r.values:
                sections[r.section.name] = {k: v for k, v in r.values.items() if k in gb3838.TABLE1}
        if not any(v is not None for v in sections.values()):
            continue
        try:
            ra = water_assessment.assess_river(sections, body.gb3838_kind)
        except WaterQualityError as exc:
            out.append({"water_body": body, "error": str(exc), "sections": group})
            continue
        mains = []
        for p in ra.main_pollutants:
            if isinstance(p, water_assessment.RiverPollutant):
                mains.append(f"{p.name}({p.rate_percent()}%)")
            else:
                mains.append(p.label)
        out.append({
            "water_body": body, "method": ra.method, "status": ra.status, "status_label": ra.status.label,
            "water_class": ra.water_class, "shares": ra.shares, "main_pollutants": mains, "sections": group,
        })
    out.sort(key=lambda d: d["water_body"].code)
    return out


def drinking_water(period: str, year: int, number: int = 0, *, user=None, region=None) -> dict:
    """Drinking-water source compliance (水源达标率, and 水量达标率 when every source has a volume)."""
    rows = [r for r in section_classes(period, year, number, user=user, region=region)
            if r.section.is_drinking_source and r.drinking_compliant is not None]
    if not rows:
        return {"rows": [], "rate": None, "source_rate": None, "volume_rate": None}
    months = 1 if period == MONTH else 3 if period == QUARTER else max(1, rows[0].through_month)
    entries = [(r.drinking_compliant, (r.section.supply_volume * months) if r.section.supply_volume is not None else None) for r in rows]
    rate = water_assessment.drinking_water_compliance(entries)
    return {"rows": rows, "rate": rate, "source_rate": rate.source_rate(), "volume_rate": rate.volume_rate()}


def county_cwqi(period: str, year: int, number: int = 0, *, counties=None) -> dict:
    """CWQI of each county (city index formula over its river sections and lake points)."""
    from qingshan.registry.models import Region

    if counties is None:
        counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    rows = section_classes(period, year, number)
    by_county: dict[int, dict[str, list]] = defaultdict(lambda: {"river": [], "lake": []})
    for r in rows:
        if r.cwqi is None:
            continue
        by_county[r.section.region_id]["river" if r.section.gb3838_kind == gb3838.RIVER else "lake"].append(Decimal(repr(r.cwqi)))
    out = {}
    for c in counties:
        d = by_county.get(c.pk)
        if not d or not (d["river"] or d["lake"]):
            continue
        out[c] = cwqi_rule.city_index(d["river"], d["lake"])
    return out


def county_cwqi_ranking(year: int, month: int, *, period: str = MONTH, user=None) -> list[dict]:
    """Counties ranked by CWQI (ascending, rank 1 cleanest) for a month (or ``period="year"``: January
    to ``month``), with the change against the same period of the previous year and its rank.

    Rankings compare all counties of the city, whoever asks; ``user`` only marks which
    rows are in the user's region (``mine``).
    """
    from qingshan.core.scope import reach_of

    number = month if period == MONTH else 0
    now = county_cwqi(period, year, number)
    base = county_cwqi(period, year - 1, number)
    if period == YEAR:
        # compare like with like: January to the same month last year
        base = _county_cwqi_through(year - 1, month)
    by_name = {c.name: c for c in now}
    ranked = cwqi_rule.rank({c.name: idx.city for c, idx in now.items()}, decimals=4)
    common = {c.name: idx for c, idx in now.items() if c in base}
    change_ranks = {}
    if common:
        base_by_name = {c.name: idx for c, idx in base.items() if c.name in common}
        change_ranks = {r.name: r for r in cwqi_rule.rank_change(common, base_by_name)}
    reach = reach_of(user) if user is not None else None
    out = []
    for r in ranked:
        county = by_name[r.name]
        idx = now[county]
        ch = change_ranks.get(r.name)
        out.append({
            "county": county, "cwqi": r.value, "rank": r.rank, "river": idx.river, "lake": idx.lake,
            "sections": idx.river_count + idx.lake_count,
            "base": base[county].city if county in base else None,
            "change": ch.value if ch else None, "change_rank": ch.rank if ch else None,
            "mine": reach is None or reach.covers_path(county.path),
        })
    return out


def _county_cwqi_through(year: int, month: int) -> dict:
    """County CWQI from January to ``month`` of ``year`` (computed from samples, not cached)."""
    from qingshan.registry.models import Region

    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    sections = list(Section.objects.filter(active=True).select_related("water_body"))
    start, end = datetime.date(year, 1, 1), month_bounds(year, month)[1]
    by_section = _samples_by_section(sections, start, end)
    acc: dict[int, dict[str, list]] = defaultdict(lambda: {"river": [], "lake": []})
    for s in sections:
        if s.pk not in by_section:
            continue
        res = assess_samples(s, by_section[s.pk], None)
        if res.get("cwqi") is not None:
            acc[s.region_id]["river" if s.gb3838_kind == gb3838.RIVER else "lake"].append(Decimal(repr(res["cwqi"])))
    return {c: cwqi_rule.city_index(acc[c.pk]["river"], acc[c.pk]["lake"]) for c in counties
            if c.pk in acc and (acc[c.pk]["river"] or acc[c.pk]["lake"])}


# --------------------------------------------------------------------------- compensation


def _jsonable(value):
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    return value


def _factor_values(samples: list[Sample], items) -> dict[str, list[Decimal]]:
    out: dict[str, list[Decimal]] = {}
    for s in samples:
        if s.condition != Sample.Condition.NORMAL:
            continue
        parsed = _parsed_values(s.values)
        for k in items:
            v = parsed.get(k)
            if v is None:
                continue
            if isinstance(v, water_assessment.BelowDetection):
                v = v.detection_limit * water_assessment.ND_FACTOR
            out.setdefault(k, []).append(v)
    return out


def _scheme_period(scheme_period: str, year: int, month: int) -> tuple[str, int, int] | None:
    """The period booked in ``month`` for a scheme's period, or None if nothing is due that month."""
    if scheme_period in ("month", "week"):
        return MONTH, year, month
    if scheme_period == "quarter":
        return (QUARTER, year, month // 3) if month % 3 == 0 else None
    if scheme_period == "year":
        return (YEAR, year, 0) if month == 12 else None
    return None


def compute_compensation(year: int, month: int, *, assignments=None) -> list[CompensationEntry]:
    """Compute (or recompute) the ledger entries booked in ``year``-``month``.

    Monthly schemes book every month; quarterly schemes (e.g. Heze) book the quarter in
    its last month with the quarterly means; yearly schemes in December. An assignment
    with no data in the period gets an entry of 0 marked incomplete with the reason, so
    the ledger shows the gap. Outside the scheme's or the assignment's validity nothing
    is booked.
    """
    qs = CompensationAssignment.objects.all() if assignments is None else assignments
    qs = qs.select_related("section", "section__water_body", "scheme", "county", "inflow_section", "inflow_section__water_body")
    written = []
    schemes: dict[int, eco_compensation.Scheme | Exception] = {}
    for a in qs:
        if a.scheme_id not in schemes:
            try:
                schemes[a.scheme_id] = a.scheme.scheme()
            except Exception as exc:  # a malformed scheme must not stop the other counties
                schemes[a.scheme_id] = exc
        scheme = schemes[a.scheme_id]
        if isinstance(scheme, Exception):
            continue
        due = _scheme_period(scheme.period, year, month)
        if due is None:
            continue
        period, py, pn = due
        start, end = period_bounds(period, py, pn)
        if a.start > end or (a.end and a.end < start):
            continue
        if (scheme.valid_from and end < scheme.valid_from) or (scheme.valid_to and end > scheme.valid_to):
            CompensationEntry.objects.filter(assignment=a, period_start=start).delete()
            continue
        entry = _compensation_entry(a, scheme, period, py, pn, start, end, year, month)
        written.append(entry)
    return written


def _compensation_entry(a, scheme, period, py, pn, start, end, year, month) -> CompensationEntry:
    items = [f.item for f in scheme.factors]
    sections = [a.section] + ([a.inflow_section] if a.inflow_section_id else [])
    by_section = _samples_by_section(sections, start, end)
    measured = _factor_values(by_section.get(a.section_id, []), items)
    defaults = {"county": a.county, "section": a.section, "scheme_code": a.scheme.code, "period": period,
                "period_end": end, "year": year, "month": month, "unit": scheme.unit}
    if not measured:
        defaults.update(amount=Decimal(0), complete=False, breakdown={}, error="no samples in the period")
        entry, _ = CompensationEntry.objects.update_or_create(assignment=a, period_start=start, defaults=defaults)
        return entry
    inflow = {}
    if a.inflow_section_id:
        for k, vs in _factor_values(by_section.get(a.inflow_section_id, []), items).items():
            inflow[k] = sum(vs, Decimal(0)) / len(vs)
    months = 1 if period == MONTH else 3 if period == QUARTER else 12
    flow = a.monthly_flow_m3 * months if a.monthly_flow_m3 is not None else None
    this = SectionAssessment.objects.filter(section=a.section, period=period, year=py, number=pn).first()
    pp = previous_period(period, py, pn)
    prev = SectionAssessment.objects.filter(section=a.section, period=pp[0], year=pp[1], number=pp[2]).first()
    previous = {}
    if prev is not None and prev.water_class is not None:
        previous = {"met": bool(prev.meets_target), "class": gb3838.WaterClass(prev.water_class)}
    try:
        res = eco_compensation.compensation(
            scheme, {k: measured.get(k) for k in items if measured.get(k)},
            target_class=a.section.target, inflow=inflow or None, flow_m3=flow, waterbody=a.section.gb3838_kind,
            shares={k: a.share for k in items} if a.share != 1 else None, previous=previous or None,
            current_class=this.wclass if this is not None and this.water_class is not None else None,
            section=a.section.code, county=a.county.code,
        )
    except WaterQualityError as exc:
        defaults.update(amount=Decimal(0), complete=False, breakdown={}, error=str(exc)[:300])
    else:
        defaults.update(amount=res.total, complete=res.complete, breakdown=_jsonable(res.as_dict()), error="")
    entry, _ = CompensationEntry.objects.update_or_create(assignment=a, period_start=start, defaults=defaults)
    return entry


def compensation_ledger(year: int, month: int, *, user=None) -> dict:
    """The ledger booked in a month: entries and the total per county (+ reward, − deduction)."""
    qs = CompensationEntry.objects.filter(year=year, month=month)
    if user is not None:
        qs = qs.for_user(user)
    entries = list(qs.select_related("county", "section", "assignment", "assignment__scheme").order_by("county__code", "section__code"))
    totals: dict = {}
    for e in entries:
        t = totals.setdefault(e.county, {"county": e.county, "total": Decimal(0), "deductions": Decimal(0),
                                         "rewards": Decimal(0), "entries": 0, "incomplete": 0})
        t["total"] += e.amount
        t["deductions"] += min(e.amount, Decimal(0))
        t["rewards"] += max(e.amount, Decimal(0))
        t["entries"] += 1
        t["incomplete"] += 0 if e.complete and not e.error else 1
    return {"year": year, "month": month, "entries": entries, "totals": sorted(totals.values(), key=lambda t: t["county"].code),
            "total": sum((e.amount for e in entries), Decimal(0))}


def compensation_year(year: int, *, user=None, through_month: int = 12) -> list[dict]:
    """Per county and month of a year: the ledger totals (for the chart)."""
    qs = CompensationEntry.objects.filter(year=year, month__lte=through_month)
    if user is not None:
        qs = qs.for_user(user)
    out: dict = {}
    for county_id, name, m, amount in qs.values_list("county_id", "county__name", "month", "amount"):
        d = out.setdefault(county_id, {"county": name, "months": [0.0] * 12, "total": Decimal(0)})
        d["months"][m - 1] += float(amount)
        d["total"] += amount
    return sorted(out.values(), key=lambda d: d["county"])


def section_chart(section) -> dict:
    """Monthly class and main item values of one section (for its detail page)."""
    rows = list(section.assessments.filter(period="month").order_by("year", "number"))
    keys = ["DO", "CODMn", "NH3-N", "TP"]
    return {
        "months": [f"{r.year}-{r.number:02d}" for r in rows],
        "classes": [r.water_class for r in rows],
        "colours": [r.colour for r in rows],
        "target": section.target_class,
        "items": {k: [float(r.values[k]) if r.values.get(k) not in (None, "") else None for r in rows] for k in keys},
        "limits": {k: float(gb3838.limit(k, section.target_class if section.target_class < 6 else 5, section.gb3838_kind)) for k in keys},
    }


def percent_text(value) -> str:
    return "" if value is None else f"{value}%"


def fraction_percent(f: Fraction) -> float:
    return float(f * 100)


# --------------------------------------------------------------------------- automatic stations


def factor_items() -> dict[str, str]:
    """HJ 212-2017 factor code → GB 3838 item key (Tables 1 and 2)."""
    out = {}
    for table in (gb3838.TABLE1, gb3838.TABLE2):
        for key, it in table.items():
            if it.hj212:
                out[it.hj212] = key
    return out


def sync_automatic(start: datetime.date, end: datetime.date, *, sections=None) -> dict:
    """Copy daily values of automatic water stations (loggers linked to sections, ST=21) from the
    measurement store into samples (source ``automatic``), one per section and day.

    Values flagged other than ``N`` (normal) are left out; an existing automatic sample of the
    day is replaced (backfilled data is accepted). Sections assessed from automatic data are
    reassessed. Returns counts.
    """
    from django.utils import timezone

    from qingshan.monitoring.store import get_store

    qs = (Section.objects.all() if sections is None else sections).filter(logger__isnull=False).select_related("logger")
    by_logger = {s.logger_id: s for s in qs}
    if not by_logger:
        return {"sections": 0, "created": 0, "updated": 0, "skipped": 0}
    tz = timezone.get_current_timezone()
    t0 = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
    t1 = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    codes = factor_items()
    days: dict[tuple[int, datetime.date], dict] = defaultdict(dict)
    skipped = 0
    for m in get_store().read(list(by_logger), kind="day", start=t0, end=t1):
        key = codes.get(m.factor)
        if key is None:
            continue
        if m.value is None or (m.flag or "N") != "N":
            skipped += 1
            continue
        day = timezone.localtime(m.time, tz).date()
        days[(by_logger[m.logger_id].pk, day)][key] = round(float(m.value), gb3838.EVALUATION_DECIMALS.get(key, 3) + 1)
    existing = {(s.section_id, s.date): s for s in Sample.objects.filter(
        section_id__in=[s.pk for s in by_logger.values()], source=Sample.Source.AUTOMATIC, date__gte=start, date__lte=end)}
    new, changed = [], []
    for (section_id, day), values in days.items():
        old = existing.get((section_id, day))
        if old is None:
            new.append(Sample(section_id=section_id, date=day, source=Sample.Source.AUTOMATIC, values=values))
        elif old.values != values:
            old.values = values
            changed.append(old)
    with transaction.atomic():
        Sample.objects.bulk_create(new, batch_size=500)
        Sample.objects.bulk_update(changed, ["values"], batch_size=500)
    touched = {sid for sid, _d in days}
    reassess = Section.objects.filter(pk__in=touched).exclude(assessment_basis=Section.Basis.MANUAL)
    for year in range(start.year, end.year + 1):
        assess_sections(reassess, year)
    return {"sections": len(touched), "created": len(new), "updated": len(changed), "skipped": skipped}


def region_status(period: str, year: int, number: int = 0, *, user=None, region=None) -> dict | None:
    """Status of all sections of a region taken together (办法 §二(二), as for a basin):
    qualitative level and main pollutants by the share of sections worse than class III."""
    rows = section_classes(period, year, number, user=user, region=region)
    sections = {}
    for r in rows:
        if r.condition in ("dry", "frozen"):
            sections[r.section.code] = None
        elif r.values and r.section.gb3838_kind == gb3838.RIVER:
            sections[r.section.code] = {k: v for k, v in r.values.items() if k in gb3838.TABLE1}
    if not any(v is not None for v in sections.values()):
        return None
    try:
        ra = water_assessment.assess_river(sections, gb3838.RIVER)
    except WaterQualityError:
        return None
    names = []
    for p in ra.main_pollutants:
        names.append(p.name)
    return {"status": ra.status, "status_label": ra.status.label, "method": ra.method, "main_pollutants": names}


def summary_text(period: str, year: int, number: int = 0, *, user=None, region=None) -> str:
    """One paragraph as the bureau writes it in monthly reports, e.g. "2026-06: of 25 sections,
    11 (44.0 %) were in classes I–III and 2 (8.0 %) worse than V; …" (translated)."""
    from django.utils.translation import gettext as _

    res = share_good(period, year, number, user=user, region=region)
    sh = res["shares"]
    if not sh.total:
        return ""
    parts = [_("%(period)s: of %(n)s sections assessed, %(good)s (%(gp)s%%) were in classes I–III and "
               "%(bad)s (%(bp)s%%) worse than class V") % {
        "period": res["label"], "n": sh.total, "good": sh.good, "gp": res["good_percent"], "bad": sh.v_plus,
        "bp": res["v_plus_percent"]}]
    if sh.excluded:
        parts.append(_("%(n)s sections were dry or frozen") % {"n": sh.excluded})
    if res["check"] is not None:
        if res["check"].good_met is False:
            parts.append(_("the I–III share is below the target of %(t)s%% (%(k)s more sections needed)") % {
                "t": res["target"].good_min, "k": res["check"].good_shortfall})
        elif res["check"].good_met:
            parts.append(_("the I–III share meets the target of %(t)s%%") % {"t": res["target"].good_min})
        if res["check"].v_plus_met is False:
            parts.append(_("the share worse than V exceeds the target of %(t)s%%") % {"t": res["target"].v_plus_max})
    status = region_status(period, year, number, user=user, region=region)
    if status is not None:
        text = _("overall water quality: %(status)s") % {"status": status["status_label"]}
        if status["main_pollutants"]:
            text += _("; main pollutants: %(items)s") % {"items": "、".join(status["main_pollutants"])}
        parts.append(text)
    change = share_change(period, year, number, user=user, region=region)
    if change is not None:
        parts.append(_("compared with the same period last year: %(change)s") % {"change": change["change"].label})
    return _("; ").join(parts) + _(".")
