"""Demo data of the targets app.

* reduction targets of the current year for the city and every county (COD,
  NH3-N, SO2, NOx against last year's totals), monthly totals for last year and
  the months of this year so far, a reduction-project ledger; the last county
  lags behind (its forecast misses the NOx and COD targets → high/critical risk);
* the running "秋冬百日专项行动" campaign with 4 tasks and 22 items (after the
  bureau's 2014 action plan in shared/seeds), assigned to departments, the
  counties and people, with progress reports and some overdue items;
* a target-responsibility score sheet with automatic and manual indicators,
  the county ranking for this year so far, and accountability records.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from qingshan.registry.models import Enterprise, KeyLevel, Region

from . import services
from .models import (
    AccountabilityRecord, Campaign, CampaignItem, CampaignTask, CountyAssessment, EmissionTotal, ProgressReport, ReductionProject,
    ReductionTarget, ScoreSheet,
)

POLLUTANTS = {"COD": 3200, "NH3-N": 320, "SO2": 2600, "NOx": 3400}
#: monthly share of the year (heating season higher for SO2/NOx)
PROFILE = {
    "air": [1.25, 1.15, 1.0, 0.9, 0.85, 0.8, 0.8, 0.85, 0.9, 1.0, 1.15, 1.35],
    "water": [0.9, 0.85, 1.0, 1.0, 1.05, 1.1, 1.1, 1.1, 1.0, 1.0, 0.95, 0.95],
}
MEDIUM = {"COD": "water", "NH3-N": "water", "SO2": "air", "NOx": "air"}

#: 4 tasks, 22 items; (number, title, lead department, items: (title, scope, department))
#: scope "county" = one item per county, "city" = one city-wide item
CAMPAIGN = [
    (1, "开展污染减排专项行动", "planning", [
        ("重点减排项目按目标责任书要求全部落实", "county", "planning"),
        ("加强城镇污水处理厂运行管理和配套管网建设改造，提高进水浓度", "county", "planning"),
        ("畜禽养殖场减排设施11月底前全部完成并达到减排要求", "county", "enforcement"),
        ("火电、水泥等重点企业脱硫脱硝设施日常巡查，投运率100%", "county", "enforcement"),
        ("完成老旧机动车及黄标车年度淘汰任务", "city", "planning"),
        ("自动监控数据传输有效率、自行监测和监督性监测结果公布率分别达到75%、80%、95%", "city", "monitoring"),
    ]),
    (2, "开展污染整治专项行动", "enforcement", [
        ("排查重金属污染企业和可能污染水源的重金属污染点", "county", "enforcement"),
        ("配合农业部门开展农业面源污染整治", "city", "planning"),
        ("化学品环境管理和危险废物污染防治专项行动", "county", "enforcement"),
        ("解决铬渣、尾矿库等历史遗留问题及医疗废物管理问题", "city", "enforcement"),
        ("开展环境保护中侵害群众利益问题专项治理", "city", "complaints"),
        ("实施“净空、净水、净土”工程", "county", "planning"),
    ]),
    (3, "开展中心城区及周边环境安全专项行动", "monitoring", [
        ("中心城区饮用水水源地水质安全专项整治", "city", "monitoring"),
        ("中心城区环境空气质量专项整治：燃煤小锅炉、建设扬尘、煤改气", "county", "enforcement"),
        ("督促未按时完成环保搬迁任务的污染企业搬迁", "city", "enforcement"),
        ("解决群众反映强烈的小溪河水质污染问题", "city", "complaints"),
        ("推进油气回收治理和固体废物处置中心建设", "city", "planning"),
    ]),
    (4, "做好其他重点工作", "office", [
        ("巩固群众路线教育实践活动成果，抓好专项整治", "city", "office"),
        ("争取生态环境保护重大项目和资金支持", "city", "planning"),
        ("全面完成环境保护税（排污费）征收配合与稽查", "county", "enforcement"),
        ("严格环境准入，提高“三同时”执行率", "county", "planning"),
        ("加大环境信访投诉处理力度，防范群体性事件", "county", "complaints"),
    ]),
]

SCORE_SHEET = [
    {"key": "transmission", "name": "自动监控数据传输有效率", "weight": 15, "source": "effective_transmission_rate", "target": 90},
    {"key": "water", "name": "地表水优良断面比例", "weight": 20, "source": "good_water_sections", "target": 80},
    {"key": "air", "name": "环境空气质量综合指数", "weight": 15, "source": "air_composite_index", "target": 4.0, "lower_is_better": True},
    {"key": "complaints", "name": "信访投诉办结率", "weight": 10, "source": "complaint_closure_rate", "target": 95},
    {"key": "reduction", "name": "主要污染物减排目标完成率", "weight": 20, "source": "reduction_completion", "target": 100},
    {"key": "campaign", "name": "专项行动按期完成率", "weight": 10, "source": "campaign_on_time", "target": 100},
    {"key": "inspection", "name": "日常监管与督查考核（人工评分）", "weight": 10, "source": "manual"},
]


def seed(ctx):
    rng = ctx.rng("targets")
    today = ctx.today
    year = today.year
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    if city is None or not counties:
        return
    lagging = counties[-1]

    # ---- reduction targets, monthly totals
    observed_months = today.month - 1
    totals = []
    targets = []
    for county in counties:
        for pollutant, base in POLLUTANTS.items():
            scale = Decimal(str(round(rng.uniform(0.6, 1.4), 2)))
            profile = PROFILE[MEDIUM[pollutant]]
            last_year = [Decimal(base) * scale * Decimal(str(p)) / 12 for p in profile]
            baseline = sum(last_year)
            rate = Decimal(str(rng.choice(["0.03", "0.04", "0.05"])))
            if county == lagging and pollutant in ("NOx", "COD"):
                achieved = rate * Decimal(str(round(rng.uniform(0.2, 0.5), 2)))
            elif county == lagging:
                achieved = rate * Decimal("0.97")
            else:
                achieved = rate * Decimal(str(round(rng.uniform(1.15, 1.6), 2)))
            for m, v in enumerate(last_year, 1):
                totals.append(EmissionTotal(region=county, year=year - 1, month=m, pollutant=pollutant,
                                            total_t=v.quantize(Decimal("0.001")), source=EmissionTotal.Source.STATISTICS))
            for m in range(1, observed_months + 1):
                noise = Decimal(str(round(rng.uniform(0.97, 1.03), 3)))
                v = last_year[m - 1] * (1 - achieved) * noise
                totals.append(EmissionTotal(region=county, year=year, month=m, pollutant=pollutant,
                                            total_t=v.quantize(Decimal("0.001")), source=EmissionTotal.Source.REPORTED))
            targets.append(ReductionTarget(region=county, year=year, pollutant=pollutant, baseline_t=baseline.quantize(Decimal("0.001")),
                                           baseline_year=year - 1, target_rate=rate, note="目标责任书"))
    EmissionTotal.objects.bulk_create(totals)
    ReductionTarget.objects.bulk_create(targets)
    # city-wide targets: baseline = sum of the counties (its monthly series is the counties' sum)
    city_targets = []
    for pollutant in POLLUTANTS:
        county_targets = [t for t in targets if t.pollutant == pollutant]
        baseline = sum(t.baseline_t for t in county_targets)
        required = sum(t.baseline_t * t.target_rate for t in county_targets)
        city_targets.append(ReductionTarget(region=city, year=year, pollutant=pollutant, baseline_t=baseline, baseline_year=year - 1,
                                            target_reduction_t=required.quantize(Decimal("0.001")), note="市级目标（各县区合计）"))
    ReductionTarget.objects.bulk_create(city_targets)

    # ---- reduction projects (key enterprises of each county)
    projects = []
    kinds = {"COD": "污水处理提标改造", "NH3-N": "脱氮除磷改造", "SO2": "脱硫设施改造", "NOx": "低氮燃烧及SCR脱硝改造"}
    statuses = list(ReductionProject.Status.values)
    for county in counties:
        ents = list(Enterprise.objects.filter(region__path__startswith=county.path).exclude(key_level=KeyLevel.NONE).order_by("pk")[:6])
        if not ents:
            ents = list(Enterprise.objects.filter(region__path__startswith=county.path).order_by("pk")[:3])
        for i, ent in enumerate(ents):
            pollutant = list(POLLUTANTS)[i % 4]
            status = statuses[(i + rng.randrange(3)) % 4] if county != lagging else rng.choice(["planned", "construction"])
            deadline = datetime.date(year, rng.choice([3, 5, 6, 9, 10, 11]), 28)
            accepted = status == "accepted"
            projects.append(ReductionProject(
                name=f"{ent.name[:20]}{kinds[pollutant]}", enterprise=ent, year=year, pollutant=pollutant,
                expected_reduction_t=Decimal(str(round(rng.uniform(5, 120), 1))), deadline=deadline,
                progress=100 if status in ("completed", "accepted") else rng.choice([0, 20, 40, 60, 80]),
                status=status, accepted_on=min(deadline, today) if accepted else None,
            ))
    ReductionProject.objects.bulk_create(projects)

    # ---- the running campaign
    User = get_user_model()
    county_users = {c.pk: User.objects.filter(profile__region=c, profile__role="county_staff").first() for c in counties}
    dept_users = {u.profile.department: u for u in User.objects.filter(profile__region=city).select_related("profile") if u.profile.department}
    start = today - datetime.timedelta(days=60)
    (campaign,) = Campaign.objects.bulk_create([Campaign(
        name=f"{year}年环保秋冬百日专项行动", region=None, start=start, end=start + datetime.timedelta(days=99),
        status=Campaign.Status.RUNNING,
        description="落实4大任务，抓好22项具体工作，打好“百日攻坚战”。对进展缓慢的县（市、区）采取约谈、通报、挂牌督办等措施。",
    )])
    departments = dict(CampaignItem._meta.get_field("assignee_department").choices)
    tasks = CampaignTask.objects.bulk_create([
        CampaignTask(campaign=campaign, number=number, title=title, lead_department=str(departments.get(dept, dept)))
        for number, title, dept, _rows in CAMPAIGN
    ])
    items = []
    n_items = 0
    for task, (number, _title, _dept, rows) in zip(tasks, CAMPAIGN):
        for j, (item_title, scope, item_dept) in enumerate(rows, 1):
            n_items += 1
            regions = counties if scope == "county" else [city]
            for region in regions:
                deadline = start + datetime.timedelta(days=rng.choice([30, 45, 55, 70, 85, 99]))
                due = deadline < today
                behind = region == lagging
                if due and not behind and rng.random() < 0.8:
                    status, progress = CampaignItem.Status.DONE, 100
                elif due:
                    status, progress = CampaignItem.Status.IN_PROGRESS, rng.choice([30, 50, 70])
                else:
                    status, progress = CampaignItem.Status.IN_PROGRESS, rng.choice([0, 20, 40, 60])
                if progress == 0:
                    status = CampaignItem.Status.OPEN
                person = county_users.get(region.pk) if scope == "county" else dept_users.get(item_dept)
                items.append(CampaignItem(
                    task=task, number=f"{number}.{j}", title=item_title, assignee_department=item_dept, assignee_region=region,
                    assignee_user=person, deadline=deadline, progress=progress, status=status,
                    completed_on=deadline - datetime.timedelta(days=rng.randrange(0, 10)) if status == CampaignItem.Status.DONE else None,
                ))
    assert n_items == 22, n_items
    CampaignItem.objects.bulk_create(items)
    reports = []
    for it in CampaignItem.objects.filter(task__campaign=campaign).exclude(progress=0).select_related("assignee_region"):
        day = min(it.completed_on or today, today) - datetime.timedelta(days=rng.randrange(1, 5))
        reports.append(ProgressReport(item=it, date=max(day, start), progress=it.progress, reported_by="demo",
                                      text="已按计划推进，" + ("全部完成，整改材料已归档。" if it.progress == 100 else f"完成约{it.progress}%。")))
    ProgressReport.objects.bulk_create(reports)

    # ---- score sheet, ranking, accountability
    (sheet,) = ScoreSheet.objects.bulk_create([
        ScoreSheet(name=f"{year}年度县（市、区）环境保护目标责任考核", region=None, year=year, indicators=SCORE_SHEET)])
    period = f"{year}H1" if today.month <= 6 else str(year)
    manual = {c.pk: {"inspection": str(rng.choice([78, 84, 88, 92, 95]))} for c in counties}
    ranked = services.assess(sheet, period, datetime.date(year, 1, 1), today, counties, manual=manual, commit=False)
    ranked = CountyAssessment.objects.bulk_create(ranked)
    best, worst = ranked[0], ranked[-1]
    records = [
        AccountabilityRecord(kind=AccountabilityRecord.Kind.COMMENDATION, region=best.county, date=today,
                             reason=f"{period}目标责任考核排名第一，通报表扬。", assessment=best),
        AccountabilityRecord(kind=AccountabilityRecord.Kind.INTERVIEW, region=lagging, person="分管副县长", date=today,
                             reason="氮氧化物、化学需氧量减排进度滞后，专项行动多项任务逾期，予以约谈。",
                             assessment=worst if worst.county == lagging else None, follow_up="限期30日内报送整改方案。"),
    ]
    records += [AccountabilityRecord(kind=AccountabilityRecord.Kind.NOTICE, region=c, date=today, reason="专项行动个别任务逾期，予以通报。")
                for c in counties if c not in (best.county, lagging)]
    AccountabilityRecord.objects.bulk_create(records)
    ctx.log(f"targets: {len(targets) + len(city_targets)} targets, {len(projects)} projects, {len(items)} campaign items, ranking of {len(ranked)} counties")
