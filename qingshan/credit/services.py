"""Credit services: rate enterprises, the review / publication / repair
workflow, monthly tax sheets, and the read functions other apps use
(:func:`published_ratings` for the portal, :func:`ratings_by_colour` for reports).

Every rule comes from :mod:`qingshan.standards`; nothing here decides a score
or a tax amount.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from qingshan.core.navigation import app_modules
from qingshan.standards import credit_rating, envtax

from .models import CreditRating, EmissionReport, RatingRequest, TaxSheet
from .record import collect_record, year_bounds


class WorkflowError(ValueError):
    """A workflow step that is not allowed in the current state (message for the user)."""


def default_ruleset() -> str:
    return getattr(settings, "QINGSHAN_CREDIT_RULESET", "national_2013")


# --------------------------------------------------------------------------- rating


def rate_enterprise(enterprise, year: int, ruleset: str | None = None, *, as_of: datetime.date | None = None,
                    commit: bool = True) -> CreditRating:
    """Compute (or recompute) the rating of one enterprise and year; published ratings are not touched.
    ``commit=False`` returns the unsaved row (bulk inserts of the demo)."""
    ruleset = ruleset or default_ruleset()
    rs = credit_rating.load_ruleset(ruleset)
    start, end = year_bounds(year)
    record, sources = collect_record(enterprise, start, end, as_of=as_of)
    result = credit_rating.evaluate(rs, record)
    explanation = result.as_dict()
    explanation["sources"] = sources
    explanation["ruleset_title"] = rs.title
    existing = CreditRating.objects.filter(enterprise=enterprise, year=year, ruleset=rs.id).first()
    if existing is not None and existing.status == CreditRating.Status.PUBLISHED:
        raise WorkflowError(_("The %(year)s rating of %(ent)s is published and cannot be recomputed.") % {"year": year, "ent": enterprise})
    rating = existing or CreditRating(enterprise=enterprise, year=year, ruleset=rs.id)
    rating.colour = result.colour
    rating.level_name = result.level_name
    rating.score = result.score.quantize(Decimal("0.01"))
    rating.vetoed = result.vetoed
    rating.explanation = explanation
    rating.record = record
    rating.status = CreditRating.Status.DRAFT
    rating.reviewed_by = ""
    if commit:
        rating.save()
    return rating


def rate_all(enterprises, year: int, ruleset: str | None = None) -> dict:
    """Rate many enterprises; returns counts (computed, skipped published)."""
    done = skipped = 0
    for ent in enterprises:
        try:
            with transaction.atomic():
                rate_enterprise(ent, year, ruleset)
            done += 1
        except WorkflowError:
            skipped += 1
    return {"computed": done, "skipped": skipped}


def mark_reviewed(rating: CreditRating, user) -> CreditRating:
    if rating.status != CreditRating.Status.DRAFT:
        raise WorkflowError(_("Only a draft rating can be marked reviewed."))
    rating.status = CreditRating.Status.REVIEWED
    rating.reviewed_by = user.get_username()
    rating.save()
    return rating


def publish(rating: CreditRating, on: datetime.date) -> CreditRating:
    if rating.status != CreditRating.Status.REVIEWED:
        raise WorkflowError(_("Only a reviewed rating can be published."))
    rating.status = CreditRating.Status.PUBLISHED
    rating.published_on = on
    rating.save()
    return rating


def check_repair(rating: CreditRating, applied_on: datetime.date) -> dict:
    """Repair eligibility (standards.credit_rating.repair_eligibility) with the record up to ``applied_on``."""
    if rating.published_on is None:
        raise WorkflowError(_("Only a published rating can be repaired."))
    if applied_on < rating.published_on:
        raise WorkflowError(_("The application date is before the publication."))
    start, _end = year_bounds(rating.year)
    record, _sources = collect_record(rating.enterprise, start, applied_on, as_of=applied_on)
    result = credit_rating.evaluate(rating.ruleset, rating.record)
    decision = credit_rating.repair_eligibility(
        rating.ruleset, result, record, published_on=rating.published_on, applied_on=applied_on
    )
    return decision.as_dict()


def file_request(rating: CreditRating, user, *, kind: str, text: str, rectification: str = "", evidence=None,
                 on: datetime.date) -> RatingRequest:
    """An enterprise user files a reply or a repair request for its own published rating."""
    if rating.status != CreditRating.Status.PUBLISHED:
        raise WorkflowError(_("You can reply to a rating only after it is published."))
    if not text.strip():
        raise WorkflowError(_("Please write a statement."))
    if rating.requests.filter(kind=kind, status=RatingRequest.Status.PENDING).exists():
        raise WorkflowError(_("A request of this kind is already pending review."))
    request = RatingRequest(
        rating=rating, enterprise=rating.enterprise, kind=kind, text=text.strip(), rectification=rectification.strip(),
        filed_on=on, filed_by=user.get_username(),
    )
    if evidence is not None:
        request.evidence = evidence
    if kind == RatingRequest.Kind.REPAIR:
        request.eligibility = check_repair(rating, on)
    request.full_clean()
    request.save()
    return request


def review_request(request: RatingRequest, user, *, accept: bool, note: str, on: datetime.date) -> RatingRequest:
    """Staff decide a reply or repair request. An accepted repair sets the rating's repaired colour
    to the level the rule set allows (re-checked on the review date)."""
    if request.status != RatingRequest.Status.PENDING:
        raise WorkflowError(_("This request has already been decided."))
    if not note.strip():
        raise WorkflowError(_("Please give the reason of the decision."))
    with transaction.atomic():
        if accept and request.kind == RatingRequest.Kind.REPAIR:
            decision = check_repair(request.rating, request.filed_on)
            request.eligibility = decision
            if not decision["eligible"]:
                raise WorkflowError(_("The rule set does not allow this repair: %(checks)s") % {
                    "checks": "; ".join(f"{c['name']}: {c['detail']}" for c in decision["checks"] if not c["ok"])})
            rating = request.rating
            rating.repaired_colour = decision["new_level"]
            rating.save()
        request.status = RatingRequest.Status.ACCEPTED if accept else RatingRequest.Status.REJECTED
        request.reviewer = user.get_username()
        request.review_note = note.strip()
        request.reviewed_on = on
        request.save()
    return request


# --------------------------------------------------------------------------- read API for other apps


def published_ratings(year: int | None = None):
    """Published ratings (for the public portal): a queryset of CreditRating, newest year first.

    Public data by design (annual publication), hence not restricted by ``for_user``.
    Use ``rating.current_colour`` (the colour after an accepted repair).
    """
    qs = CreditRating.objects.filter(status=CreditRating.Status.PUBLISHED).select_related("enterprise", "enterprise__region")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "enterprise__name")


def ratings_by_colour(year: int, region=None, *, user=None, published_only: bool = False) -> dict[str, int]:
    """Counts of ratings per current colour for ``year`` (optionally inside ``region``'s subtree,
    restricted to ``user``'s reach when given)."""
    qs = CreditRating.objects.filter(year=year)
    if user is not None:
        qs = qs.for_user(user)
    if region is not None:
        qs = qs.filter(enterprise__region__path__startswith=region.path)
    if published_only:
        qs = qs.filter(status=CreditRating.Status.PUBLISHED)
    counts = Counter()
    for colour, repaired in qs.values_list("colour", "repaired_colour"):
        counts[repaired or colour] += 1
    return dict(counts)


# --------------------------------------------------------------------------- tax


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _rate_kwargs(on: datetime.date) -> dict:
    rates = getattr(settings, "QINGSHAN_ENVTAX_RATES", None)
    if rates:
        return {"rates": rates}
    return {"province": getattr(settings, "QINGSHAN_ENVTAX_PROVINCE", "山东"), "on": on}


def tax_inputs(enterprise, month: datetime.date) -> tuple[list[dict], list[str]]:
    """Outlet months for standards.envtax: from the monitoring store where an app provides
    ``credit_facts.tax_outlet_months(enterprise, month)``, else from emission reports."""
    month = month_start(month)
    outlets: list[dict] = []
    sources: list[str] = []
    covered: set[str] = set()
    for label, module in app_modules("credit_facts"):
        func = getattr(module, "tax_outlet_months", None)
        if not callable(func):
            continue
        got = list(func(enterprise, month) or [])
        for o in got:
            outlets.append(dict(o))
            covered.add(str(o.get("outlet")))
        if got:
            sources.append(_("%(app)s: %(n)s outlet(s) from the measurement store") % {"app": label, "n": len(got)})
    reported: dict[tuple[str, str], dict] = {}
    n_rows = 0
    for r in EmissionReport.objects.filter(enterprise=enterprise, month=month).select_related("outlet").order_by("outlet__code", "pollutant"):
        if r.outlet.code in covered:
            continue
        n_rows += 1
        key = (r.outlet.code, r.outlet.medium)
        entry = reported.setdefault(key, {"outlet": r.outlet.code, "medium": r.outlet.medium, "pollutants": {}})
        p = {"emission_kg": r.emission_kg}
        if r.mean_concentration is not None:
            p["concentration"] = r.mean_concentration
        if r.max_concentration is not None:
            p["max_concentration"] = r.max_concentration
        if r.standard is not None:
            p["standard"] = r.standard
        entry["pollutants"][r.pollutant] = p
    outlets.extend(reported.values())
    if n_rows:
        sources.append(_("emission reports: %(n)s row(s), %(o)s outlet(s)") % {"n": n_rows, "o": len(reported)})
    return outlets, sources


def compute_tax_sheet(enterprise, month: datetime.date, user=None, *, commit: bool = True) -> TaxSheet:
    """Compute and store the monthly tax sheet. Raises envtax.EnvTaxError / WorkflowError with the reason."""
    month = month_start(month)
    outlets, sources = tax_inputs(enterprise, month)
    if not outlets:
        raise WorkflowError(_("No emission data for %(ent)s in %(month)s: no monitoring data and no emission report.")
                            % {"ent": enterprise, "month": month.strftime("%Y-%m")})
    sheet = envtax.monthly_tax_sheet(
        outlets, period=month.strftime("%Y-%m"), taxpayer=enterprise.uscc, **_rate_kwargs(month_end(month))
    )
    data = sheet.as_dict()
    obj = TaxSheet.objects.filter(enterprise=enterprise, month=month).first() or TaxSheet(enterprise=enterprise, month=month)
    obj.items = data
    obj.total = sheet.tax
    obj.air_tax = sheet.totals.get(envtax.AIR, Decimal(0))
    obj.water_tax = sheet.totals.get(envtax.WATER, Decimal(0))
    obj.source_summary = "; ".join(sources)[:300]
    obj.computed_by = user.get_username() if user is not None else "system"
    if commit:
        obj.save()
    return obj
