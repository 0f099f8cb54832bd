"""Demo data of the credit app (runs after monitoring … targets, so it sees their demo data).

* credit record facts (incidents, permit violations, rectifications, green add-on
  items, credit commitments) for about a fifth of the enterprises, both counties;
* ratings for the last full year for every operating enterprise under the
  default rule set, computed by standards.credit_rating; about half published
  on 15 April, the rest reviewed or draft;
* a reply and a credit repair request (one accepted) from enterprise users;
* emission reports for last month for the key enterprises' outlets, and
  tax sheets for a few key enterprises in each county (standards.envtax), for
  last month (small demo) or every month of the year so far (full demo).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from qingshan.registry.models import Enterprise, KeyLevel, Medium, Outlet

from . import services
from .models import CreditFact, CreditRating, EmissionReport, RatingRequest, TaxSheet

AIR_ITEMS = [("SO2", 35, 50, 600), ("NOx", 80, 100, 1500), ("烟尘", 8, 10, 120)]
WATER_ITEMS = [("COD", 40, 50, 900), ("氨氮", 3, 5, 60)]


def seed(ctx):
    rng = ctx.rng("credit")
    year = ctx.today.year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    published_on = datetime.date(ctx.today.year, 4, 15)
    if published_on > ctx.today:
        published_on = ctx.today - datetime.timedelta(days=1)
    ents = list(Enterprise.objects.exclude(status=Enterprise.Status.CLOSED).select_related("region").order_by("pk"))
    if not ents:
        return

    # ---- record facts entered by staff (historical cases before the platform, incidents, permit
    #      violations, rectifications, green add-on items) — both counties
    facts = []

    def event(ent, event_type, **attrs):
        day = start + datetime.timedelta(days=rng.randrange(365))
        facts.append(CreditFact(enterprise=ent, kind="event", date=day, event_type=event_type, attributes=attrs, note="演示数据"))

    for i, ent in enumerate(ents):
        if i % 6 == 1:  # general incident + two permit violations → 90 points, downgraded one level
            event(ent, "incident", grade="general")
            event(ent, "permit_violation", kind="record_keeping")
            event(ent, "permit_violation", kind="self_monitoring")
        elif i % 12 == 3:  # exceedance case, a permit violation, an overdue rectification → 75 points (yellow)
            event(ent, "case", category="exceedance", penalty_amount=50000, measures=["fine", "order_to_correct"], penalty_paid=True)
            event(ent, "permit_violation", kind="record_keeping")
            event(ent, "rectification", status="overdue", listed_supervision=False)
        elif i % 12 == 9:  # concealed discharge pipe → one-vote veto
            event(ent, "case", category="hidden_discharge", penalty_amount=200000, measures=["fine", "production_limit"], penalty_paid=True)
        if i % 7 == 0:
            facts.append(CreditFact(enterprise=ent, kind="metric", date=end, metric="green_addon_items",
                                    value=Decimal(rng.choice([1, 2, 3])), note="绿色加分项"))
            facts.append(CreditFact(enterprise=ent, kind="metric", date=end, metric="risk_management_items",
                                    value=Decimal(rng.choice([2, 3])), note="应急预案/演练/责任险"))
    CreditFact.objects.bulk_create(facts)

    # ---- emission reports for last month (key enterprises) — needed by the tax sheets
    last_month = (ctx.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    key_ids = [e.pk for e in ents if e.key_level != KeyLevel.NONE]

    def emission_reports(enterprise_ids, month):
        out = []
        for outlet in Outlet.objects.filter(enterprise_id__in=enterprise_ids).order_by("enterprise_id", "code"):
            items = AIR_ITEMS if outlet.medium == Medium.AIR else WATER_ITEMS
            for name, mean, standard, kg in items:
                factor = Decimal(str(round(rng.uniform(0.4, 1.3), 2)))
                out.append(EmissionReport(
                    enterprise_id=outlet.enterprise_id, outlet=outlet, month=month, pollutant=name,
                    emission_kg=(Decimal(kg) * factor).quantize(Decimal("0.001")),
                    mean_concentration=(Decimal(mean) * factor).quantize(Decimal("0.01")),
                    max_concentration=(Decimal(mean) * factor * Decimal("1.3")).quantize(Decimal("0.01")),
                    standard=Decimal(standard), source="reported",
                ))
        return out

    reports = emission_reports(key_ids, last_month)
    EmissionReport.objects.bulk_create(reports)
    reported_ids = {r.enterprise_id for r in reports}

    # ---- ratings for the last full year
    ruleset = services.default_ruleset()
    ratings = [services.rate_enterprise(ent, year, ruleset, as_of=end, commit=False) for ent in ents]
    for i, r in enumerate(ratings):
        if i % 2 == 0 or r.enterprise.key_level != KeyLevel.NONE:
            r.status, r.reviewed_by, r.published_on = CreditRating.Status.PUBLISHED, "enforcement", published_on
        elif i % 4 == 1:
            r.status, r.reviewed_by = CreditRating.Status.REVIEWED, "enforcement"
    ratings = CreditRating.objects.bulk_create(ratings)

    # ---- per county: a repair request (yellow/red, rectified, commitment signed) and a reply
    filed = ctx.today - datetime.timedelta(days=10)
    by_county: dict[str, list] = {}
    for r in ratings:
        if r.status == CreditRating.Status.PUBLISHED:
            by_county.setdefault(_county_code(r.enterprise), []).append(r)
    chosen = []
    for county_ratings in by_county.values():
        poor = [r for r in county_ratings if r.colour in ("yellow", "red") and not r.vetoed]
        good = [r for r in county_ratings if r.colour in ("green", "blue")]
        chosen.append((poor[0] if poor else None, good[-1] if good else None))
    repaired = [p for p, _g in chosen if p is not None]
    CreditFact.objects.bulk_create([
        CreditFact(enterprise=r.enterprise, kind="metric", date=published_on, metric="credit_commitment", value=Decimal(1), note="信用承诺书")
        for r in repaired])
    done = list(CreditFact.objects.filter(enterprise__in=[r.enterprise for r in repaired], event_type="rectification"))
    for fact in done:
        fact.attributes = {**fact.attributes, "status": "done"}
    CreditFact.objects.bulk_update(done, ["attributes"])
    requests = []
    for poor, good in chosen:
        if poor is not None:
            requests.append(RatingRequest(
                rating=poor, enterprise=poor.enterprise, kind=RatingRequest.Kind.REPAIR, filed_on=filed, filed_by="demo",
                text="已完成全部整改并签署信用承诺书，申请信用修复。", rectification="整改报告及验收意见见附件。",
                eligibility=services.check_repair(poor, filed)))
        if good is not None:
            requests.append(RatingRequest(rating=good, enterprise=good.enterprise, kind=RatingRequest.Kind.REPLY, filed_on=filed,
                                          filed_by="demo", text="对评价结果无异议，将继续保持。"))
    RatingRequest.objects.bulk_create(requests)

    # ---- tax sheets for last month: a few key enterprises per county
    per_county: dict[str, int] = {}
    sheets = []
    for ent in ents:
        if ent.key_level == KeyLevel.NONE or ent.pk not in reported_ids:
            continue
        county = _county_code(ent)
        if per_county.get(county, 0) >= 3:
            continue
        sheets.append(services.compute_tax_sheet(ent, last_month, commit=False))
        per_county[county] = per_county.get(county, 0) + 1
    # the earlier months of the year for the same enterprises (full demo: the half-year summary reports the tax)
    taxed = [sheet.enterprise for sheet in sheets]
    month = last_month.replace(month=1) if ctx.size == "full" else last_month
    while month < last_month:
        more = emission_reports([e.pk for e in taxed], month)
        EmissionReport.objects.bulk_create(more)
        reports += more
        sheets += [services.compute_tax_sheet(ent, month, commit=False) for ent in taxed]
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    TaxSheet.objects.bulk_create(sheets)
    ctx.log(f"credit: {len(ratings)} ratings {year}, {len(reports)} emission reports, {len(sheets)} tax sheets")


def _county_code(ent) -> str:
    parts = ent.region.path.strip("/").split("/")
    return parts[2] if len(parts) > 2 else ent.region.path
