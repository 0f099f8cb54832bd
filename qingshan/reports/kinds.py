"""Registry of report types.

Each type has a title, a parameter parser, ``collect(params, user) -> dict`` (figures from the domain
apps' own functions, always through ``for_user``) and ``build(figures) -> content.Document``.
A domain with no data (or not installed yet) yields ``None`` figures, rendered as "暂无数据".
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Callable

from django.db.models import Count, Max

from .content import Document, fmt

log = logging.getLogger(__name__)
NO_DATA = "暂无数据"


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: str
    params: tuple[str, ...]
    collect: Callable
    build: Callable


KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind):
    KINDS[kind.key] = kind
    return kind


class ParamError(ValueError):
    pass


def _int(params, name, lo, hi):
    try:
        v = int(params.get(name))
    except (TypeError, ValueError):
        raise ParamError(f"{name}: 请输入整数")
    if not lo <= v <= hi:
        raise ParamError(f"{name}: 取值范围 {lo}–{hi}")
    return v


def period_of(params) -> tuple[datetime.date, datetime.date, str]:
    year = _int(params, "year", 2000, 2100)
    half = str(params.get("half") or "1")
    if half == "1":
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30), f"{year}年上半年"
    if half == "2":
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31), f"{year}年下半年"
    if half == "year":
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"
    raise ParamError("half: 取值 1、2 或 year")


def month_of(params):
    year = _int(params, "year", 2000, 2100)
    month = _int(params, "month", 1, 12)
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end, f"{year}年{month}月"


def pct(a, b):
    return round(100.0 * a / b, 1) if b else None


def _safe(name, fn, default=None):
    """Run one domain provider; a missing app or a failure degrades to ``default`` (no data)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            return fn()
    except Exception as exc:  # noqa: BLE001 - a provider must never break the report
        log.warning("report provider %s failed: %s", name, exc)
        return default


def v(x, unit=""):
    return NO_DATA if x is None else f"{x}{unit}"


# --------------------------------------------------------------------------- providers


def enforcement_figures(user, start, end) -> dict | None:
    from qingshan.enforcement import models as em
    from qingshan.enforcement import stats

    data = stats.compute(user, start, end)
    total = data["total"]
    penalized = (em.Measure.objects.for_user(user).filter(decided_on__range=(start, end))
                 .values("case__enterprise").distinct().count())
    compliant = total["inspections"] - total["problems"]
    return {
        "inspections": total["inspections"], "staff_times": total["staff_times"],
        "enterprises_inspected": total["enterprises"], "problems": total["problems"],
        "cases": total["cases"], "penalties": total["penalties"], "enterprises_penalized": penalized,
        "penalty_amount": float(total["penalty_amount"]),
        "inspection_compliance_rate": pct(compliant, total["inspections"]),
        "rows": [(name, r) for name, r in data["rows"]],
        "by_channel": data["by_channel"],
    }


def complaint_figures(user, start, end) -> dict | None:
    from qingshan.complaints.models import Channel, Complaint

    from django.db.models import Count, Q, Sum

    qs = Complaint.objects.for_user(user).filter(received_on__range=(start, end))
    extra = qs.aggregate(visit_persons=Sum("visitors", filter=Q(channel=Channel.VISIT)),
                         rewards=Count("pk", filter=Q(reward_paid__gt=0)), reward_amount=Sum("reward_paid"),
                         proposals_transferred=Count("pk", filter=Q(channel=Channel.NPC, transferred=True)))
    by = {ch: {"n": 0, "handled": 0, "closed": 0} for ch in Channel.values}
    for ch, status in qs.values_list("channel", "status"):
        b = by.setdefault(ch, {"n": 0, "handled": 0, "closed": 0})
        b["n"] += 1
        b["handled"] += status in ("replied", "closed")
        b["closed"] += status == "closed"
    public = {k: b for k, b in by.items() if k != Channel.NPC}
    n = sum(b["n"] for b in public.values())
    handled = sum(b["handled"] for b in public.values())
    closed = sum(b["closed"] for b in public.values())
    labels = dict(Channel.choices)
    return {
        "total": n, "handled": handled, "closed": closed,
        "handled_rate": pct(handled, n), "closed_rate": pct(closed, n),
        "phone": by[Channel.PHONE]["n"], "letter": by[Channel.LETTER]["n"], "visit": by[Channel.VISIT]["n"],
        "web": by[Channel.WEB]["n"], "higher": by[Channel.HIGHER]["n"],
        "proposals": by[Channel.NPC]["n"], "proposals_handled": by[Channel.NPC]["handled"],
        "proposals_rate": pct(by[Channel.NPC]["handled"], by[Channel.NPC]["n"]),
        "visit_persons": extra["visit_persons"] or 0, "rewards": extra["rewards"],
        "reward_amount": float(extra["reward_amount"] or 0), "proposals_transferred": extra["proposals_transferred"],
        "channels": [(str(labels.get(k, k)), b["n"], b["handled"], b["closed"], pct(b["handled"], b["n"]),
                      pct(b["closed"], b["n"])) for k, b in by.items()],
    }


def eia_figures(user, start, end) -> dict:
    from qingshan.registry.models import CompletionAcceptance, EIAApproval

    eia = EIAApproval.objects.for_user(user).filter(received_on__range=(start, end))
    cats = dict(eia.order_by().values_list("category").annotate(n=Count("pk")))
    acc = CompletionAcceptance.objects.for_user(user).filter(accepted_on__range=(start, end)).exclude(result="pending")
    n_acc = acc.count()
    passed = acc.filter(result="passed").count()
    return {
        "eia_reviewed": eia.count(), "eia_rejected": eia.filter(status="rejected").count(),
        "eia_report": cats.get("report", 0), "eia_form": cats.get("form", 0), "eia_registration": cats.get("registration", 0),
        "acceptances": n_acc, "acceptances_passed": passed, "acceptance_rate": pct(passed, n_acc),
    }


def credit_figures(user, start, end) -> dict | None:
    from qingshan.credit.models import CreditRating
    from qingshan.credit.services import ratings_by_colour

    year = CreditRating.objects.for_user(user).filter(year__lte=end.year).aggregate(y=Max("year"))["y"]
    if year is None:
        return None
    counts = ratings_by_colour(year, user=user)
    return {"year": year, "total": sum(counts.values()), **{c: counts.get(c, 0) for c in
            ("green", "blue", "yellow", "red", "black")}}


def assessment_figures(user, start, end) -> list | None:
    from qingshan.targets.models import CountyAssessment

    qs = CountyAssessment.objects.for_user(user).select_related("county", "sheet")
    latest = qs.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return None
    items = list(qs.filter(period=latest).order_by("rank", "county__code"))
    indicators = [(i.get("key"), i.get("name") or i.get("key")) for i in (items[0].sheet.indicators if items else [])]
    rows = []
    for a in items:
        scores = a.scores or {}
        rows.append([a.county.name, float(a.total), a.rank]
                    + [None if (scores.get(k) or {}).get("weighted") is None else round(float(scores[k]["weighted"]), 2)
                       for k, _n in indicators])
    return {"period": latest, "rows": rows, "indicators": [n for _k, n in indicators]}


def _monitoring_rates(user, start, end):
    """Per outlet logger in reach: its rates over the period (``monitoring.rates``), cached per call site."""
    import datetime as _dt

    from qingshan.monitoring import rates

    loggers = rates.loggers_for(user)
    got = rates.logger_rates(loggers, start, end + _dt.timedelta(days=1)) if loggers else {}
    return loggers, got


def operation_rate(user, start, end):
    """Facility operation rate: effective transmission rate from the monitoring app.

    ``None`` (暂无数据) when no logger in reach transmitted anything in the period (e.g. a period before
    online monitoring started), rather than a misleading 0 %.
    """
    from qingshan.monitoring.services import city_transmission_rate

    loggers, got = _monitoring_rates(user, start, end)
    if not any(r.received for r in got.values()):
        return None
    rate = city_transmission_rate(user, start, end)
    return None if rate is None else round(float(rate), 1)


def campaign_figures(user, start, end) -> dict:
    """Special campaigns (专项整治): campaign inspections, enterprises inspected, problems found."""
    from qingshan.enforcement.models import Inspection

    qs = Inspection.objects.for_user(user).filter(status="done", kind="campaign", inspected_on__range=(start, end))
    return {"inspections": qs.count(), "enterprises": qs.values("enterprise").distinct().count(),
            "problem_enterprises": qs.filter(problem_found=True).values("enterprise").distinct().count()}


def construction_supervision(user, start, end) -> dict:
    """三同时 on-site supervision: inspections of enterprises with an approved project not yet accepted."""
    from qingshan.enforcement.models import Inspection
    from qingshan.registry.models import CompletionAcceptance, EIAApproval

    accepted = CompletionAcceptance.objects.filter(result="passed", accepted_on__lte=end).values("eia_approval")
    projects = (EIAApproval.objects.for_user(user).filter(status="approved", decided_on__lte=end)
                .exclude(pk__in=accepted))
    insp = Inspection.objects.for_user(user).filter(status="done", inspected_on__range=(start, end))
    ent_ids = set(insp.values_list("enterprise", flat=True))
    supervised = [p for p in projects.values_list("pk", "enterprise_id", "category") if p[1] in ent_ids]
    key = [p for p in supervised if p[2] == "report"]
    key_ents = {p[1] for p in key}
    return {"projects": len(supervised), "inspections": insp.filter(enterprise__in={p[1] for p in supervised}).count(),
            "key_projects": len(key), "key_inspections": insp.filter(enterprise__in=key_ents).count()}


def facility_penalties(user, start, end) -> int:
    """Enterprises penalized for abnormal facility operation, evasion (direct discharge) or exceedance."""
    from qingshan.enforcement.models import Measure

    return (Measure.objects.for_user(user).filter(decided_on__range=(start, end),
                                                  case__violation_type__in=("facility", "evasion", "exceedance"))
            .values("case__enterprise").distinct().count())


def monitoring_compliance(user, start, end) -> dict | None:
    """Compliance of enterprises under online monitoring: the share of enterprises whose outlet loggers
    transmitted data in the period and had no exceedance alarm in it."""
    import datetime as _dt

    from django.utils import timezone

    from qingshan.monitoring.models import Alarm

    loggers, got = _monitoring_rates(user, start, end)
    ents = {lg.enterprise_id for lg in loggers if lg.enterprise_id and got.get(lg.pk) and got[lg.pk].received}
    if not ents:
        return None
    tz = timezone.get_current_timezone()
    s = _dt.datetime.combine(start, _dt.time.min, tz)
    e = _dt.datetime.combine(end + _dt.timedelta(days=1), _dt.time.min, tz)
    exceeded = set(Alarm.objects.for_user(user).filter(kind="exceedance", started_at__gte=s, started_at__lt=e,
                                                        enterprise__in=ents).values_list("enterprise", flat=True))
    return {"enterprises": len(ents), "exceeded": len(exceeded), "rate": pct(len(ents) - len(exceeded), len(ents))}


def environment_quality(user, start, end) -> dict:
    """Air: city good-day rate and stations; water: share of sections I–III over the period (water app)."""
    out = {"air_days": None, "good_days": None, "good_rate": None, "stations": None,
           "water_good": None, "water_v_plus": None, "water_sections": None, "water_label": None}

    def air():
        from qingshan.air.models import DailyAQI, Station

        kind = "city" if area_name(user) == "全市" else "county"
        days = DailyAQI.objects.for_user(user).filter(kind=kind, date__range=(start, end)).exclude(aqi=None)
        region = getattr(getattr(user, "profile", None), "region", None)
        if kind == "county" and region is not None:
            days = days.filter(region__path__startswith=region.path)
        n = days.count()
        good = days.filter(level__lte=2).count()
        out.update(air_days=n or None, good_days=good if n else None, good_rate=pct(good, n),
                   stations=Station.objects.for_user(user).filter(active=True).count())

    def water():
        from qingshan.water import services

        latest = services.latest_month(user)
        if latest is None:
            return
        year, month = latest
        if (year, month) > (end.year, end.month):
            year, month = end.year, end.month
        if year != start.year:
            return
        # the year assessment is January to date: it covers the period when it runs through its last month;
        # for an earlier period (e.g. the first half read in November) the last month's classes are used
        period = ("year", year, 0)
        year_rows = services.share_good(*period, user=user)["rows"]
        if not year_rows or max(r.through_month for r in year_rows) != month or start.month != 1:
            period = ("month", year, month)
        res = services.share_good(*period, user=user)
        if not res["shares"].total:
            return
        text = getattr(services, "summary_text", None)
        out["water_text"] = str(text(*period, user=user)) if text else None
        out.update(water_good=float(res["good_percent"]), water_sections=res["shares"].total,
                   water_label=f"{year}年1—{month}月" if period[0] == "year" else f"{year}年{month}月",
                   water_v_plus=None if res["v_plus_percent"] is None else float(res["v_plus_percent"]))

    _safe("air quality", air)
    _safe("water quality", water)
    return out


def tax_figures(user, start, end) -> dict | None:
    """Environmental protection tax assessed (the successor of the pollutant discharge fee)."""
    from django.db.models import Sum

    from qingshan.credit.models import TaxSheet

    qs = TaxSheet.objects.for_user(user).filter(month__range=(start.replace(day=1), end))
    agg = qs.aggregate(total=Sum("total"), air=Sum("air_tax"), water=Sum("water_tax"))
    if agg["total"] is None:
        return None
    return {"sheets": qs.count(), "enterprises": qs.values("enterprise").distinct().count(),
            "total": float(agg["total"]), "air": float(agg["air"] or 0), "water": float(agg["water"] or 0)}


# --------------------------------------------------------------------------- half-year / annual summary


def area_name(user) -> str:
    """ "全市" for city-wide users, else the name of the user's region (e.g. a county)."""
    region = getattr(getattr(user, "profile", None), "region", None)
    if region is None or region.level <= 2:
        return "全市"
    return region.name


def collect_summary(params, user) -> dict:
    start, end, label = period_of(params)
    return {
        "label": label, "start": start.isoformat(), "end": end.isoformat(), "area": area_name(user),
        "enforcement": _safe("enforcement", lambda: enforcement_figures(user, start, end)),
        "complaints": _safe("complaints", lambda: complaint_figures(user, start, end)),
        "eia": _safe("eia", lambda: eia_figures(user, start, end)),
        "credit": _safe("credit", lambda: credit_figures(user, start, end)),
        "assessment": _safe("assessment", lambda: assessment_figures(user, start, end)),
        "operation_rate": _safe("operation_rate", lambda: operation_rate(user, start, end)),
        "campaign": _safe("campaign", lambda: campaign_figures(user, start, end)),
        "construction": _safe("construction", lambda: construction_supervision(user, start, end)),
        "facility_penalized": _safe("facility_penalized", lambda: facility_penalties(user, start, end)),
        "compliance": _safe("compliance", lambda: monitoring_compliance(user, start, end)),
        "quality": _safe("quality", lambda: environment_quality(user, start, end)),
        "tax": _safe("tax", lambda: tax_figures(user, start, end)),
        "generated_on": datetime.date.today().isoformat(),
    }


def _g(d, key, unit=""):
    """A figure of a provider dict, or 暂无数据 when the provider (or the figure) has no data."""
    return v(None if not d else d.get(key), unit)


#: figures of seed 003 the platform does not record (rendered 暂无数据; reasons in docs/reports.md)
NOT_RECORDED = {
    "cleaner_production": "清洁生产审核与ISO 14001认证",
    "ecology": "生态示范区、秸秆还田、循环经济项目",
}


def build_summary(f) -> Document:
    doc = Document(f"{f['area'] if f.get('area') not in (None, '全市') else ''}{f['label']}环境保护工作总结")
    e, c, eia, cr = f["enforcement"], f["complaints"], f["eia"], f["credit"]
    camp, cons, comp, q, tax = (f.get("campaign"), f.get("construction"), f.get("compliance"), f.get("quality"),
                                f.get("tax"))
    area = f.get("area", "全市")
    period = "半年来" if f["label"].endswith("半年") else "一年来"
    doc.para(f"{f['label']}（{f['start']}至{f['end']}），{area}环境保护工作紧紧围绕年初制定的各项工作目标和任务，"
             f"严格环境执法，大力解决群众身边的突出环境问题。现将主要工作总结如下（数据由青山监管平台自动统计）：")

    doc.heading("一、认真倾听民意，深入开展环保专项整治行动")
    doc.para(f"1、开展重点区域环境整治专项行动。{period}，共开展专项整治检查{_g(camp, 'inspections', '次')}，"
             f"检查企业{_g(camp, 'enterprises', '家')}，其中发现环境问题的企业{_g(camp, 'problem_enterprises', '家')}。")
    if e:
        doc.para(f"2、开展清理整顿不法排污企业专项行动。{period}，共组织执法检查{e['inspections']}次，"
                 f"出动环境监察人员{e['staff_times']}人次，检查污染企业{e['enterprises_inspected']}家，"
                 f"发现问题{e['problems']}个；立案{e['cases']}件，作出处罚决定{e['penalties']}件，"
                 f"对{e['enterprises_penalized']}家违法排污、超标排污的企业进行了处罚，罚没金额{e['penalty_amount']:.2f}元。"
                 f"现场检查达标率为{v(e['inspection_compliance_rate'], '%')}。")
        doc.table(["区县", "检查次数", "出动人次", "检查企业", "立案", "处罚"],
                  [(name, r["inspections"], r["staff_times"], r["enterprises"], r["cases"], r["penalties"])
                   for name, r in e["rows"]])
    else:
        doc.para(f"2、执法检查：{NO_DATA}。")
    doc.para(f"3、强化污染防治设施现场监管力度。{period}，先后共计对{_g(cons, 'projects', '个')}建设项目进行了"
             f"{_g(cons, 'inspections', '次')}现场监察，其中对{_g(cons, 'key_projects', '个')}重点项目（编制环境影响报告书）"
             f"进行了{_g(cons, 'key_inspections', '次')}现场跟踪监察；对{v(f.get('facility_penalized'), '家')}企业"
             f"污染防治设施不正常运行、废水直排或超标排放行为进行了行政处罚。"
             f"污染防治设施运转率（在线监控有效传输率）为{v(f.get('operation_rate'), '%')}，"
             f"在线监控企业达标率（期内无超标报警的企业占比）为{_g(comp, 'rate', '%')}"
             + (f"（在线监控企业{comp['enterprises']}家，发生超标报警{comp['exceeded']}家）" if comp else "") + "。")
    if c:
        doc.para(f"4、加大群众信访调处力度。共受理各类环境信访{c['total']}件，其中来电（12369）{c['phone']}件，"
                 f"来信{c['letter']}封，来访{c['visit']}批{c['visit_persons']}人次，网上投诉{c['web']}件，"
                 f"上级转办{c['higher']}件；信访处理率{v(c['handled_rate'], '%')}，结案率{v(c['closed_rate'], '%')}，"
                 f"兑现有奖举报{c['rewards']}件，奖励金额{c['reward_amount']:.2f}元。"
                 f"承办人大、政协建议提案{c['proposals']}件（其中转办件{c['proposals_transferred']}件），"
                 f"已办复{c['proposals_handled']}件，办复率{v(c['proposals_rate'], '%')}。")
        doc.table(["渠道", "受理", "办理", "办结", "处理率%", "结案率%"], c["channels"])
    else:
        doc.para(f"4、信访投诉：{NO_DATA}。")

    doc.heading("二、认清宏观形势，积极做好建设项目清查整顿工作")
    if eia:
        doc.para(f"一是抓源头，严把建设项目环境准入关。截至{f['end']}，{area}共预审各类建设项目{eia['eia_reviewed']}个，"
                 f"其中否决项目{eia['eia_rejected']}个，要求编制环境影响报告书{eia['eia_report']}个，"
                 f"编制环境影响报告表{eia['eia_form']}个，填报登记表{eia['eia_registration']}个。"
                 f"共验收“三同时”项目{eia['acceptances']}家，合格{eia['acceptances_passed']}家，"
                 f"合格率达{v(eia['acceptance_rate'], '%')}。")
    else:
        doc.para(f"建设项目：{NO_DATA}。")

    doc.heading("三、改善环境质量，全面提升城市可持续发展能力")
    if q and q.get("air_days"):
        doc.para(f"1、环境空气质量。{area}共有环境空气自动监测站{v(q.get('stations'), '个')}，期内有效监测{q['air_days']}天，"
                 f"优良天数{q['good_days']}天，优良天数比例{v(q['good_rate'], '%')}。")
    else:
        doc.para(f"1、环境空气质量：{NO_DATA}。")
    if q and q.get("water_sections"):
        doc.para(f"2、地表水环境质量。{q['water_label']}，{q['water_sections']}个监测断面中水质达到Ⅰ～Ⅲ类的比例为"
                 f"{v(q['water_good'], '%')}，劣Ⅴ类比例为{v(q['water_v_plus'], '%')}"
                 + (f"。评价：{q['water_text'].split('，', 1)[-1]}" if q.get("water_text") else "。"))
    else:
        doc.para(f"2、地表水环境质量：{NO_DATA}。")
    doc.para(f"3、清洁生产审核、ISO 14001认证、生态示范区建设与秸秆综合利用：{NO_DATA}（平台未采集此类数据）。")
    a = f["assessment"]
    if a:
        doc.para(f"4、目标责任考核。{a['period']}各区县环境保护目标责任综合考核得分如下（满分100分）。")
        doc.table(["区县", "综合得分", "排名", *a.get("indicators", [])], a["rows"])
    else:
        doc.para(f"4、目标责任考核：{NO_DATA}。")

    doc.heading("四、推行信息公开，不断提高公众环保意识")
    if cr:
        doc.para(f"继续实施企业环境行为信息公开化制度。按照“公开、公平、公正”的原则，{cr['year']}年度共对{cr['total']}家企业"
                 f"进行了环境信用“评色”，其中绿色企业{cr['green']}家，蓝色企业{cr['blue']}家，黄色企业{cr['yellow']}家，"
                 f"红色企业{cr['red']}家，黑色企业{cr['black']}家。")
    else:
        doc.para(f"企业环境信用评价：{NO_DATA}。")

    doc.heading("五、环境保护税征收")
    if tax:
        doc.para(f"期内共核定{tax['enterprises']}家企业环境保护税{tax['sheets']}笔，应纳税额{tax['total']:.2f}元，"
                 f"其中大气污染物{tax['air']:.2f}元，水污染物{tax['water']:.2f}元。")
    else:
        doc.para(f"环境保护税核定：{NO_DATA}。")
    doc.para(f"（本报告由青山监管平台于{f.get('generated_on') or datetime.date.today().isoformat()}生成；"
             f"标注“{NO_DATA}”的数字平台尚未采集或期内无数据。）")
    return doc


register(ReportKind("summary", "半年/年度环境保护工作总结", ("year", "half"), collect_summary, build_summary))


# --------------------------------------------------------------------------- monthly enforcement statistics


def collect_enforcement(params, user):
    start, end, label = month_of(params)
    return {"label": label, "start": start.isoformat(), "end": end.isoformat(),
            "enforcement": _safe("enforcement", lambda: enforcement_figures(user, start, end)),
            "complaints": _safe("complaints", lambda: complaint_figures(user, start, end))}


def build_enforcement(f):
    doc = Document(f"{f['label']}环境执法统计月报")
    e = f["enforcement"]
    if e:
        doc.para(f"本月共开展执法检查{e['inspections']}次，出动{e['staff_times']}人次，检查企业{e['enterprises_inspected']}家，"
                 f"立案{e['cases']}件，处罚决定{e['penalties']}件，罚款{e['penalty_amount']:.2f}元。")
        doc.table(["区县", "检查次数", "出动人次", "检查企业", "发现问题", "整改", "立案", "处罚", "罚款(元)"],
                  [(n, r["inspections"], r["staff_times"], r["enterprises"], r["problems"], r["rectified"], r["cases"],
                    r["penalties"], f"{float(r['penalty_amount']):.2f}") for n, r in e["rows"]])
    else:
        doc.para(NO_DATA)
    c = f["complaints"]
    if c:
        doc.heading("信访投诉")
        doc.table(["渠道", "受理", "办理", "办结", "处理率%", "结案率%"], c["channels"])
    return doc


register(ReportKind("enforcement_monthly", "环境执法统计月报", ("year", "month"), collect_enforcement, build_enforcement))


# --------------------------------------------------------------------------- monthly county ranking


def collect_ranking(params, user):
    from qingshan.registry.models import Region

    start, end, label = month_of(params)
    counties = list(Region.objects.for_user(user).filter(level=Region.Level.COUNTY).order_by("code"))
    def air_ranking():
        from qingshan.air.services import county_ranking

        return {getattr(r.get("region"), "pk", r.get("region_id")): r for r in county_ranking(start, end)}

    air = _safe("air", air_ranking, {})
    rows = []
    for county in counties:
        def val(name):
            def get():
                from qingshan.targets import providers

                return providers.provide(name, county, start, end)
            res = _safe(name, get)
            return getattr(res, "value", res) if res is not None else None
        comp = _safe("complaints", lambda: complaint_figures_for_county(county, start, end))
        a = (air or {}).get(county.pk) or {}
        rows.append([county.name, a.get("composite_index"), a.get("rank"), a.get("good_ratio"), val("good_water_sections"),
                     val("effective_transmission_rate"), comp[0] if comp else None, comp[1] if comp else None])
    return {"label": label, "rows": rows}


def complaint_figures_for_county(county, start, end):
    from qingshan.complaints.models import Complaint

    qs = Complaint.objects.filter(region__path__startswith=county.path, received_on__range=(start, end))
    n = qs.count()
    return n, pct(qs.filter(status="closed").count(), n)


def build_ranking(f):
    doc = Document(f"{f['label']}各区县环境质量与监管排名")
    doc.para("空气综合指数越小空气质量越好（按综合指数排名）；水质为Ⅰ～Ⅲ类断面比例，传输率为在线监控有效传输率。")
    rows = f["rows"]
    ranked = [r for r in rows if r[1] is not None]
    if ranked:
        best = min(ranked, key=lambda r: r[1])
        worst = max(ranked, key=lambda r: r[1])
        doc.para(f"本月空气综合指数最低（最好）的是{best[0]}（{fmt(best[1])}），最高的是{worst[0]}（{fmt(worst[1])}）。")
    doc.table(["区县", "空气综合指数", "空气排名", "优良天数比例%", "水质达标比例%", "有效传输率%", "信访件数", "结案率%"], rows)
    return doc


register(ReportKind("county_ranking", "区县月度排名", ("year", "month"), collect_ranking, build_ranking))


# --------------------------------------------------------------------------- daily air bulletin


def collect_bulletin(params, user):
    try:
        day = datetime.date.fromisoformat(str(params.get("day")))
    except ValueError:
        raise ParamError("day: 日期格式应为 YYYY-MM-DD")
    def bulletin():
        from qingshan.air import services

        return services.daily_bulletin(day, user=user)

    data = _safe("air", bulletin)
    return {"day": day.isoformat(), "data": _jsonable(data)}


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (int, float, str, bool)) or x is None:
        return x
    return str(x)


def _r(x, digits=1):
    return round(x, digits) if isinstance(x, float) else x


def build_bulletin(f):
    doc = Document(f"环境空气质量日报（{f['day']}）")
    rows = (f["data"] or {}).get("rows") or []
    if not rows:
        doc.para(f"当日环境空气质量数据：{NO_DATA}。")
        return doc
    city = next((r for r in rows if r.get("kind") == "city"), None)
    if city:
        doc.para(f"{f['day']}，全市环境空气质量指数（AQI）为{v(city.get('aqi'))}，空气质量{city.get('category') or NO_DATA}，"
                 f"首要污染物为{'、'.join(city.get('primary_pollutants') or []) or '无'}；"
                 f"PM2.5浓度{v(_r(city.get('pm25')), 'μg/m³')}，同比变化{v(city.get('pm25_change_pct'), '%')}。")
    doc.table(["区域", "AQI", "级别", "类别", "首要污染物", "PM2.5(μg/m³)", "PM2.5同比%"],
              [[r.get("region"), r.get("aqi"), r.get("level"), r.get("category"),
                "、".join(r.get("primary_pollutants") or []), r.get("pm25"), r.get("pm25_change_pct")] for r in rows])
    return doc


register(ReportKind("air_bulletin", "环境空气质量日报", ("day",), collect_bulletin, build_bulletin))
