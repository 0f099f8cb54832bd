"""Targets services: emission totals, target completion and year-end outlook
(via :mod:`qingshan.standards.reduction`), campaign progress, county
assessment and ranking. Pages, dashboards, reports and the demo call these.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from qingshan.registry.models import Region
from qingshan.standards import reduction

from .models import (
    CampaignItem, CountyAssessment, EmissionTotal, ProgressReport, ReductionProject, ReductionTarget, ScoreSheet,
)
from .providers import PROVIDERS, Value

#: emission report pollutant names (credit.EmissionReport, any spelling used there) → target pollutant
REPORT_POLLUTANTS = {
    "so2": "SO2", "二氧化硫": "SO2", "a21026": "SO2",
    "nox": "NOx", "氮氧化物": "NOx", "a21002": "NOx",
    "cod": "COD", "化学需氧量": "COD", "w01018": "COD",
    "nh3-n": "NH3-N", "氨氮": "NH3-N", "w21003": "NH3-N",
    "vocs": "VOCs", "挥发性有机物": "VOCs", "a24088": "VOCs",
}


class TargetsError(ValueError):
    """A request the user must correct (message for the user)."""


# --------------------------------------------------------------------------- emission totals


def monthly_series(region: Region, year: int, pollutant: str) -> list[Decimal | None]:
    """12 monthly totals (t) of ``region`` (its own rows, else the sum of its child counties), None = no data."""
    rows = EmissionTotal.objects.filter(region=region, year=year, pollutant=pollutant)
    if not rows.exists():
        rows = EmissionTotal.objects.filter(region__parent=region, year=year, pollutant=pollutant)
    sums = {m: t for m, t in rows.values("month").annotate(t=Sum("total_t")).values_list("month", "t")}
    return [sums.get(m) for m in range(1, 13)]


def refresh_totals_from_reports(year: int, month: int) -> int:
    """Aggregate credit emission reports (kg) of a month into county totals (t), source "reported".

    Totals from monitoring or statistics are never overwritten. Returns the number of rows written.
    """
    try:
        from qingshan.credit.models import EmissionReport
    except ImportError:  # the credit app is not installed
        return 0
    day = datetime.date(year, month, 1)
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    counties = {}
    for r in EmissionReport.objects.filter(month=day).select_related("enterprise__region"):
        target = REPORT_POLLUTANTS.get(r.pollutant.strip().lower())
        county = r.enterprise.region.county
        if target is None or county is None:
            continue
        counties[county.pk] = county
        sums[(county.pk, target)] += r.emission_kg / 1000
    written = 0
    for (county_id, pollutant), tonnes in sums.items():
        row = EmissionTotal.objects.filter(region_id=county_id, year=year, month=month, pollutant=pollutant).first()
        if row is not None and row.source != EmissionTotal.Source.REPORTED:
            continue
        row = row or EmissionTotal(region_id=county_id, year=year, month=month, pollutant=pollutant)
        row.total_t = tonnes.quantize(Decimal("0.001"))
        row.source = EmissionTotal.Source.REPORTED
        row.save()
        written += 1
    return written


# --------------------------------------------------------------------------- targets


def outlook_for(target: ReductionTarget, today: datetime.date) -> dict:
    """Completion so far and the year-end outlook of one target.

    Months counted: January up to the last month before ``today`` (for a past
    year: all twelve) with data, contiguous from January.
    """
    series = monthly_series(target.region, target.year, target.pollutant)
    last_month = 12 if today.year > target.year else (today.month - 1 if today.year == target.year else 0)
    observed = []
    for value in series[:last_month]:
        if value is None:
            break
        observed.append(value)
    last = monthly_series(target.region, target.year - 1, target.pollutant)
    last_year = last if all(v is not None for v in last) else None
    projects = ReductionProject.objects.filter(
        enterprise__region__path__startswith=target.region.path, year=target.year, pollutant=target.pollutant
    )
    ledger = {
        "count": projects.count(),
        "expected_t": (projects.aggregate(s=Sum("expected_reduction_t"))["s"] or Decimal(0)).quantize(Decimal("0.1")),
        "accepted": projects.filter(status=ReductionProject.Status.ACCEPTED).count(),
        "overdue": projects.exclude(status__in=[ReductionProject.Status.ACCEPTED, ReductionProject.Status.COMPLETED]).filter(deadline__lt=today).count(),
    }
    entry = {"target": target, "months": len(observed), "observed_t": sum(observed, Decimal(0)).quantize(Decimal("0.001")), "outlook": None,
             "error": "", "ledger": ledger, "monthly": [None if v is None else float(v) for v in series]}
    if not observed:
        entry["error"] = _("no monthly totals yet")
        return entry
    try:
        entry["outlook"] = reduction.assess_target(
            target.baseline_t, observed, target_reduction=target.target_reduction_t, target_rate=target.target_rate,
            last_year=last_year,
        )
    except reduction.ReductionError as exc:
        entry["error"] = str(exc)
    return entry


def target_outlooks(year: int, *, region: Region | None = None, user=None, today: datetime.date | None = None,
                    pollutant: str | None = None) -> list[dict]:
    """Outlooks of the targets of ``year`` (inside ``region``, visible to ``user``)."""
    today = today or datetime.date.today()
    qs = ReductionTarget.objects.filter(year=year).select_related("region")
    if user is not None:
        qs = qs.for_user(user)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if pollutant:
        qs = qs.filter(pollutant=pollutant)
    return [outlook_for(t, today) for t in qs.order_by("region__path", "pollutant")]


RISK_ORDER = {"low": 0, "medium": 1, "high": 2, "critical": 3}


# --------------------------------------------------------------------------- campaigns


def overdue_items(user, today: datetime.date):
    return (CampaignItem.objects.for_user(user).exclude(status=CampaignItem.Status.DONE)
            .filter(deadline__lt=today, task__campaign__status="running"))


def report_progress(item: CampaignItem, user, *, date: datetime.date, progress: int, text: str, evidence=None) -> ProgressReport:
    """Record a progress report; the item's progress and status follow it (100 % = done on that date)."""
    if not text.strip():
        raise TargetsError(_("Please describe the progress."))
    if not 0 <= progress <= 100:
        raise TargetsError(_("Progress must be between 0 and 100."))
    with transaction.atomic():
        report = ProgressReport(item=item, date=date, progress=progress, text=text.strip(), reported_by=user.get_username())
        if evidence is not None:
            report.evidence = evidence
        report.save()
        item.progress = progress
        if progress >= 100:
            item.status = CampaignItem.Status.DONE
            item.completed_on = date
        else:
            item.status = CampaignItem.Status.IN_PROGRESS if progress > 0 else CampaignItem.Status.OPEN
            item.completed_on = None
        item.save()
    return report


def campaign_summary(campaign, user, today: datetime.date) -> dict:
    items = list(CampaignItem.objects.for_user(user).filter(task__campaign=campaign)
                 .select_related("task", "assignee_region", "assignee_user").order_by("task__number", "number", "assignee_region__path"))
    by_task = defaultdict(list)
    for it in items:
        by_task[it.task].append(it)
    by_region = defaultdict(lambda: {"total": 0, "done": 0, "overdue": 0})
    for it in items:
        r = by_region[it.assignee_region]
        r["total"] += 1
        r["done"] += it.status == CampaignItem.Status.DONE
        r["overdue"] += it.is_overdue(today)
    return {
        "tasks": sorted(by_task.items(), key=lambda kv: kv[0].number),
        "regions": sorted(by_region.items(), key=lambda kv: kv[0].path),
        "total": len(items),
        "done": sum(1 for it in items if it.status == CampaignItem.Status.DONE),
        "overdue": sum(1 for it in items if it.is_overdue(today)),
    }


# --------------------------------------------------------------------------- assessment


def indicator_score(indicator: dict, value: float | None) -> dict:
    """Points of one indicator as configured in the score sheet.

    ``weight`` points in full when the value reaches ``target`` (or is at most
    ``target`` with ``lower_is_better``), proportionally less otherwise
    (``value / target``, or ``target / value`` when lower is better). Without a
    ``target`` the value is a 0–100 score scaled to the weight. ``None`` (no
    data) gives no points and is reported as such.
    """
    weight = float(indicator["weight"])
    if value is None:
        return {"score": None, "weighted": None, "note": _("no data")}
    target = indicator.get("target")
    if target in (None, ""):
        fraction = max(0.0, min(1.0, value / 100))
    else:
        target = float(target)
        if indicator.get("lower_is_better"):
            fraction = 1.0 if value <= target else (target / value if value > 0 else 0.0)
        else:
            fraction = 1.0 if value >= target else (max(value, 0.0) / target if target > 0 else 0.0)
    return {"score": round(fraction * 100, 1), "weighted": round(fraction * weight, 2), "note": ""}


def assess(sheet: ScoreSheet, period: str, start: datetime.date, end: datetime.date, counties=None, *,
           manual: dict | None = None, commit: bool = True) -> list[CountyAssessment]:
    """Compute the assessment of every county for ``sheet`` and ``period`` and rank them.

    Automatic indicators are re-read from the providers; manual values are kept
    from ``manual_values`` (``manual`` = {county pk: {key: value}} sets them).
    Total = sum of weighted points of the indicators with data; ties share a
    rank. ``commit=False`` returns unsaved rows (bulk inserts of the demo).
    """
    if counties is None:
        counties = Region.objects.filter(level=Region.Level.COUNTY)
        if sheet.region_id:
            counties = counties.filter(path__startswith=sheet.region.path)
        counties = list(counties.order_by("code"))
    results = []
    with transaction.atomic():
        for county in counties:
            a = CountyAssessment.objects.filter(sheet=sheet, county=county, period=period).first() or CountyAssessment(
                sheet=sheet, county=county, period=period)
            if manual and county.pk in manual:
                a.manual_values = {**(a.manual_values or {}), **manual[county.pk]}
            values, scores = {}, {}
            for ind in sheet.indicators:
                key, source = ind["key"], ind.get("source", "manual")
                note = ""
                if source == "manual":
                    raw = (a.manual_values or {}).get(key)
                    value = None if raw in (None, "") else float(raw)
                else:
                    got: Value | None = PROVIDERS[source](county, start, end)
                    value, note = (None, "") if got is None else (got.value, got.note)
                values[key] = value
                s = indicator_score(ind, value)
                s["source"] = source
                s["note"] = s["note"] or note
                scores[key] = s
            a.values = values
            a.scores = scores
            a.total = Decimal(str(round(sum(s["weighted"] or 0 for s in scores.values()), 2)))
            results.append(a)
        ordered = sorted(results, key=lambda x: -x.total)
        rank = 0
        previous = None
        for i, a in enumerate(ordered, 1):
            if a.total != previous:
                rank = i
                previous = a.total
            a.rank = rank
            if commit:
                a.save()
    return ordered


def set_manual_value(assessment: CountyAssessment, key: str, raw: str) -> None:
    keys = {i["key"] for i in assessment.sheet.indicators if i.get("source", "manual") == "manual"}
    if key not in keys:
        raise TargetsError(_("%(k)s is not a manual indicator of this score sheet.") % {"k": key})
    raw = (raw or "").strip()
    if raw:
        try:
            float(raw)
        except ValueError:
            raise TargetsError(_("%(k)s: %(v)s is not a number.") % {"k": key, "v": raw}) from None
    values = dict(assessment.manual_values or {})
    values[key] = raw or None
    assessment.manual_values = values
    assessment.save()
