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

from .content import Document

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

    qs = Complaint.objects.for_user(user).filter(received_on__range=(start, end))
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
    rows = [(a.county.name, float(a.total), a.rank) for a in qs.filter(period=latest).order_by("rank", "county__code")]
    return {"period": latest, "rows": rows}


def operation_rate(user, start, end):
    """Facility operation rate: effective transmission rate from the monitoring app, when it provides one."""
    try:
        from qingshan.monitoring import services  # noqa: F401
    except ImportError:
        return None
    fn = getattr(services, "city_transmission_rate", None)
    return fn(user, start, end) if fn else None


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
    }


def build_summary(f) -> Document:
    doc = Document(f"{f['label']}环境保护工作总结")
    e, c, eia, cr = f["enforcement"], f["complaints"], f["eia"], f["credit"]
    doc.para(f"{f['label']}（{f['start']}至{f['end']}），我局紧紧围绕年初制定的各项工作目标和任务，严格环境执法，"
             f"大力解决群众身边的突出环境问题。现将主要工作总结如下（数据由青山监管平台自动统计）：")
    doc.heading("一、严格环境执法，深入开展环保专项整治行动")
    if e:
        doc.para(f"半年来，共组织执法检查{e['inspections']}次，出动环境监察人员{e['staff_times']}人次，"
                 f"检查污染企业{e['enterprises_inspected']}家，发现问题{e['problems']}个；立案{e['cases']}件，"
                 f"作出处罚决定{e['penalties']}件，对{e['enterprises_penalized']}家违法排污、超标排污的企业进行了处罚，"
                 f"罚没金额{e['penalty_amount']:.2f}元。")
        doc.para(f"现场检查达标率为{v(e['inspection_compliance_rate'], '%')}，"
                 f"污染防治设施运转率（在线监控有效传输率）为{v(f['operation_rate'], '%')}。")
        doc.table(["区县", "检查次数", "出动人次", "检查企业", "立案", "处罚"],
                  [(name, r["inspections"], r["staff_times"], r["enterprises"], r["cases"], r["penalties"])
                   for name, r in e["rows"]])
    else:
        doc.para(f"执法检查：{NO_DATA}。")
    doc.heading("二、加大群众信访调处力度")
    if c:
        doc.para(f"共受理各类环境信访{c['total']}件，其中来电（12369）{c['phone']}件，来信{c['letter']}封，"
                 f"来访{c['visit']}批，网上投诉{c['web']}件，上级转办{c['higher']}件；"
                 f"信访处理率{v(c['handled_rate'], '%')}，结案率{v(c['closed_rate'], '%')}。"
                 f"承办人大、政协建议提案{c['proposals']}件，已办复{c['proposals_handled']}件，"
                 f"办复率{v(c['proposals_rate'], '%')}。")
        doc.table(["渠道", "受理", "办理", "办结", "处理率%", "结案率%"], c["channels"])
    else:
        doc.para(f"信访投诉：{NO_DATA}。")
    doc.heading("三、严把建设项目环境准入关")
    if eia:
        doc.para(f"{f.get('area', '全市')}共预审各类建设项目{eia['eia_reviewed']}个，其中否决项目{eia['eia_rejected']}个，"
                 f"要求编制环境影响报告书{eia['eia_report']}个，编制环境影响报告表{eia['eia_form']}个，"
                 f"登记表{eia['eia_registration']}个。共验收“三同时”项目{eia['acceptances']}家，"
                 f"合格{eia['acceptances_passed']}家，合格率达{v(eia['acceptance_rate'], '%')}。")
    else:
        doc.para(f"建设项目：{NO_DATA}。")
    doc.heading("四、推行信息公开，实施企业环境信用评价")
    if cr:
        doc.para(f"按照“公开、公平、公正”的原则，{cr['year']}年度共对{cr['total']}家企业进行了环境信用“评色”，"
                 f"其中绿色企业{cr['green']}家，蓝色企业{cr['blue']}家，黄色企业{cr['yellow']}家，"
                 f"红色企业{cr['red']}家，黑色企业{cr['black']}家。")
    else:
        doc.para(f"企业环境信用评价：{NO_DATA}。")
    doc.heading("五、目标责任考核")
    a = f["assessment"]
    if a:
        doc.para(f"{a['period']}各区县环境保护目标责任综合考核得分如下。")
        doc.table(["区县", "综合得分", "排名"], a["rows"])
    else:
        doc.para(f"综合考核：{NO_DATA}。")
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
        rows.append([county.name, a.get("composite_index"), val("good_water_sections"),
                     val("effective_transmission_rate"), comp[0] if comp else None, comp[1] if comp else None])
    return {"label": label, "rows": rows}


def complaint_figures_for_county(county, start, end):
    from qingshan.complaints.models import Complaint

    qs = Complaint.objects.filter(region__path__startswith=county.path, received_on__range=(start, end))
    n = qs.count()
    return n, pct(qs.filter(status="closed").count(), n)


def build_ranking(f):
    doc = Document(f"{f['label']}各区县环境质量与监管排名")
    doc.para("综合指数越小空气质量越好；水质为达标断面比例，传输率为在线监控有效传输率。")
    doc.table(["区县", "空气综合指数", "水质达标比例%", "有效传输率%", "信访件数", "结案率%"], f["rows"])
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
                 f"PM2.5浓度{v(city.get('pm25'), 'μg/m³')}，同比变化{v(city.get('pm25_change_pct'), '%')}。")
    doc.table(["区域", "AQI", "级别", "类别", "首要污染物", "PM2.5(μg/m³)", "PM2.5同比%"],
              [[r.get("region"), r.get("aqi"), r.get("level"), r.get("category"),
                "、".join(r.get("primary_pollutants") or []), r.get("pm25"), r.get("pm25_change_pct")] for r in rows])
    return doc


register(ReportKind("air_bulletin", "环境空气质量日报", ("day",), collect_bulletin, build_bulletin))
