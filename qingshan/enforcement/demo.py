"""Demo data: a year of random draws, inspections, cases with penalties, rectifications.

Small size (tests): per county one quarterly draw, a handful of inspections and
cases, including one daily continuous penalty and one listed supervision.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from qingshan.core.demo import DemoContext
from qingshan.registry.models import Enterprise, Outlet, Region

from . import models as m
from . import services

FINDINGS_OK = ["治污设施正常运行，台账齐全", "在线监测设备运行正常", "现场未发现环境违法行为"]
FINDINGS_BAD = [
    ("exceedance", "废气排放口颗粒物在线数据超标", "general_penalty"),
    ("facility", "废水处理设施未正常运行", "general_penalty"),
    ("evasion", "发现暗管偷排", "detention_referral"),
    ("hazardous_waste", "危险废物贮存不规范", "general_penalty"),
    ("no_permit", "未取得排污许可证排放污染物", "production_limit"),
    ("exceedance", "废水总磷超标排放", "general_penalty"),
]


def seed(ctx: DemoContext):
    rng = ctx.rng("enforcement")
    full = ctx.size == "full"
    today = ctx.today
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(profile__role__in=["enforcement_staff", "county_staff"])}
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    county_user = {}
    for u in users.values():
        if u.profile.role == "county_staff" and u.profile.region_id:
            county_user[u.profile.region_id] = u
    # quarterly draws for the past year (small: the last quarter only)
    quarters = _quarters(today, 4 if full else 1)
    n_draws = 0
    for county in counties:
        pool = [u for u in (users.get("enforcement"), county_user.get(county.pk)) if u is not None]
        if len(pool) < 2:
            continue
        for qs, qe in quarters:
            draw = m.InspectionDraw.objects.create(
                name=f"{county.name}{qs.year}年第{(qs.month - 1) // 3 + 1}季度重点排污单位双随机抽查",
                region=county, population_kind="key", period_start=qs, period_end=qe, ratio=Decimal("0.25"),
                inspectors_per_team=2)
            draw.inspector_pool.set(pool)
            services.run_draw(draw, seed=f"{ctx.seed}-{county.code}-{qs:%Y%m}")
            services.publish_draw(draw, qs + datetime.timedelta(days=3))
            n_draws += 1
            for insp in draw.inspections.all():
                if qe <= today or rng.random() < 0.5:
                    day = min(today, qs + datetime.timedelta(days=rng.randint(5, 80)))
                    _complete(insp, day, rng)
    # routine inspections (bulk: demo volume data)
    ents = list(Enterprise.objects.filter(status="operating").order_by("uscc"))
    outlets_of = {}
    for o in Outlet.objects.filter(enterprise__status="operating").order_by("pk").values_list("pk", "enterprise_id"):
        outlets_of.setdefault(o[1], []).append(o[0])
    inspectors = sorted(users.values(), key=lambda u: u.username)
    rows, teams = [], []
    for _i in range(60 if not full else 300):
        e = rng.choice(ents)
        day = today - datetime.timedelta(days=rng.randint(0, 364))
        bad = rng.random() < 0.3
        findings = rng.choice(FINDINGS_BAD)[1] if bad else rng.choice(FINDINGS_OK)
        rows.append(m.Inspection(enterprise=e, kind=rng.choice(["routine", "routine", "campaign"]), status="done",
                                 planned_on=day, inspected_on=day, staff_count=2, problem_found=bad, findings=findings))
        teams.append(rng.sample(inspectors, k=min(2, len(inspectors))))
    m.Inspection.objects.bulk_create(rows, batch_size=500)
    InspUsers, InspOutlets = m.Inspection.inspectors.through, m.Inspection.outlets.through
    InspUsers.objects.bulk_create([InspUsers(inspection_id=r.pk, user_id=u.pk) for r, team in zip(rows, teams) for u in team])
    InspOutlets.objects.bulk_create([InspOutlets(inspection_id=r.pk, outlet_id=o) for r in rows
                                     for o in outlets_of.get(r.enterprise_id, [])[:2]])
    # cases from inspections with problems
    with_problems = list(m.Inspection.objects.filter(problem_found=True).select_related("enterprise").order_by("inspected_on", "pk"))
    rng.shuffle(with_problems)
    n_cases = 8 if not full else 150
    made = []
    for insp in with_problems[:n_cases]:
        violation, _text, category = _finding_of(insp)
        case = services.open_case(insp, None, violation_type=violation, day=insp.inspected_on)
        made.append((case, category))
    made.sort(key=lambda t: t[0].opened_on)
    for i, (case, category) in enumerate(made):
        _decide(case, category if i > 1 else ("daily_penalty" if i == 0 else "production_limit"), rng, today,
                listed=(i == 1), seizure=(i == 2))
    ctx.log(f"    enforcement: {n_draws} draws, {m.Inspection.objects.count()} inspections, {len(made)} cases, "
            f"{m.Measure.objects.count()} measures, {m.Rectification.objects.count()} rectifications")


def _quarters(today, n):
    q_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    out = []
    for _k in range(n):
        end_month = q_start.month + 2
        end = (datetime.date(q_start.year + (end_month > 12), (end_month - 1) % 12 + 1, 28) + datetime.timedelta(days=4))
        end = end - datetime.timedelta(days=end.day)
        out.append((q_start, end))
        prev = q_start - datetime.timedelta(days=1)
        q_start = datetime.date(prev.year, 3 * ((prev.month - 1) // 3) + 1, 1)
    return list(reversed(out))


def _complete(insp, day, rng):
    bad = rng.random() < 0.3
    insp.status = "done"
    insp.inspected_on = day
    insp.staff_count = max(2, insp.staff_count)
    insp.problem_found = bad
    if bad:
        v, text, _cat = rng.choice(FINDINGS_BAD)
        insp.findings = text
    else:
        insp.findings = rng.choice(FINDINGS_OK)
    insp.save()
    outlets = list(insp.enterprise.outlets.all()[:2])
    if outlets:
        insp.outlets.set(outlets)


def _finding_of(insp):
    for v, text, cat in FINDINGS_BAD:
        if text == insp.findings:
            return v, text, cat
    return "other", insp.findings, "general_penalty"


def _decide(case, category, rng, today, listed=False, seizure=False):
    age = (today - case.opened_on).days
    if age < 20 and not listed and category not in ("daily_penalty",):
        return  # still investigating
    decided = case.opened_on + datetime.timedelta(days=rng.randint(10, 20))
    decided = min(decided, today)
    fine = Decimal(rng.choice([20000, 50000, 100000, 150000, 200000]))
    case.decision_number = f"青环罚〔{decided.year}〕{case.pk:03d}号"
    case.decided_on = decided
    case.status = "decided"
    case.legal_basis = {"daily_penalty": "epl2014-59", "production_limit": "epl2014-60",
                        "detention_referral": "epl2014-63"}.get(category, "")
    if (today - decided).days > 7:
        case.published_on = decided + datetime.timedelta(days=7)
    case.save()
    m.Measure.objects.create(case=case, category="general_penalty", decided_on=decided, amount=fine,
                             legal_basis=case.legal_basis, payment_due=decided + datetime.timedelta(days=15),
                             paid_on=(decided + datetime.timedelta(days=rng.randint(5, 40))) if rng.random() < 0.8 else None)
    if category == "daily_penalty":
        served = decided
        recheck = min(today, served + datetime.timedelta(days=20))
        m.Measure.objects.create(case=case, category="daily_penalty", decided_on=recheck, original_fine=fine,
                                 correction_order_on=served, reinspection_on=recheck, legal_basis="epl2014-59",
                                 payment_due=recheck + datetime.timedelta(days=15))
    elif category in ("production_limit", "detention_referral") or seizure:
        m.Measure.objects.create(case=case, category="seizure" if seizure else category, decided_on=decided,
                                 legal_basis="epl2014-25" if seizure else case.legal_basis)
    rect = m.Rectification(case=case, enterprise=case.enterprise, requirement=f"限期整改：{case.facts[:60]}",
                           ordered_on=decided, workdays=rng.choice([10, 20, 30]),
                           listed_supervision="city" if listed else "")
    rect.save()
    if (today - rect.due_on).days > 0 and rng.random() < 0.7 and not listed:
        services.close_out(rect, "复查确认已完成整改，附现场照片及监测报告", day=rect.due_on)
    else:
        case.status = "rectifying"
        case.save()
