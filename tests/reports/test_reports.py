"""Reports: figures match direct database queries; PDF, Word and Excel are opened and checked."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings

from qingshan.complaints.models import Complaint
from qingshan.enforcement import models as em
from qingshan.registry.models import CompletionAcceptance, EIAApproval
from qingshan.reports import content, services
from qingshan.reports.kinds import KINDS, ParamError, collect_summary
from qingshan.reports.models import Report

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)


def pdf_text(data: bytes) -> str:
    import pypdf

    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def docx_text(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def xlsx_text(data: bytes) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None)


@pytest.mark.parametrize("username", ["admin", "donghu"])
def test_summary_figures_match_database(users, username):
    user = users[username]
    f = collect_summary({"year": 2026, "half": "1"}, user)
    insp = em.Inspection.objects.for_user(user).filter(status="done", inspected_on__range=(START, END))
    e = f["enforcement"]
    assert f["area"] == ("全市" if username == "admin" else user.profile.region.name)
    assert e["inspections"] == insp.count()
    assert e["staff_times"] == (insp.aggregate(s=Sum("staff_count"))["s"] or 0)
    assert e["enterprises_inspected"] == insp.values("enterprise").distinct().count()
    assert e["enterprises_penalized"] == (em.Measure.objects.for_user(user).filter(decided_on__range=(START, END))
                                          .values("case__enterprise").distinct().count())
    comps = Complaint.objects.for_user(user).filter(received_on__range=(START, END))
    c = f["complaints"]
    assert c["phone"] == comps.filter(channel="phone_12369").count()
    assert c["proposals"] == comps.filter(channel="npc_cppcc").count()
    assert c["visit_persons"] == (comps.filter(channel="visit").aggregate(s=Sum("visitors"))["s"] or 0)
    assert c["rewards"] == comps.filter(reward_paid__gt=0).count()
    assert c["proposals_transferred"] == comps.filter(channel="npc_cppcc", transferred=True).count()
    public = comps.exclude(channel="npc_cppcc")
    assert c["total"] == public.count()
    assert c["closed"] == public.filter(status="closed").count()
    eia = EIAApproval.objects.for_user(user).filter(received_on__range=(START, END))
    assert f["eia"]["eia_reviewed"] == eia.count()
    assert f["eia"]["eia_rejected"] == eia.filter(status="rejected").count()
    acc = CompletionAcceptance.objects.for_user(user).filter(accepted_on__range=(START, END)).exclude(result="pending")
    assert f["eia"]["acceptances"] == acc.count()
    assert f["eia"]["acceptances_passed"] == acc.filter(result="passed").count()


def test_county_sees_less_than_city(users):
    city = collect_summary({"year": 2026, "half": "1"}, users["admin"])
    county = collect_summary({"year": 2026, "half": "1"}, users["donghu"])
    assert county["eia"]["eia_reviewed"] <= city["eia"]["eia_reviewed"]
    assert county["complaints"]["total"] <= city["complaints"]["total"]


@override_settings(QINGSHAN_REPORTS_SYNC=True)
def test_generate_and_download_three_formats(client_for, users):
    c = client_for("donghu")
    r = c.post("/reports/new/", {"kind": "summary", "year": "2026", "half": "1"})
    assert r.status_code == 302
    report = Report.objects.latest("pk")
    assert report.status == Report.Status.DONE, report.error
    assert report.created_by == users["donghu"]
    f = collect_summary({"year": 2026, "half": "1"}, users["donghu"])
    e, cm, eia = f["enforcement"], f["complaints"], f["eia"]
    expected = [
        "2026年上半年环境保护工作总结",
        f"共组织执法检查{e['inspections']}次，出动环境监察人员{e['staff_times']}人次",
        f"检查污染企业{e['enterprises_inspected']}家",
        f"共受理各类环境信访{cm['total']}件，其中来电（12369）{cm['phone']}件",
        f"{f['area']}共预审各类建设项目{eia['eia_reviewed']}个，其中否决项目{eia['eia_rejected']}个",
        f"共开展专项整治检查{f['campaign']['inspections']}次",
        f"对{f['facility_penalized']}家企业污染防治设施不正常运行",
        f"优良天数{f['quality']['good_days']}天",
        f"共对{f['credit']['total']}家企业进行了环境信用“评色”，其中绿色企业{f['credit']['green']}家",
        f"应纳税额{f['tax']['total']:.2f}元",
    ]
    if f["operation_rate"] is not None:
        expected.append(f"污染防治设施运转率（在线监控有效传输率）为{f['operation_rate']}%")
    if f["compliance"] is not None:
        expected.append(f"在线监控企业达标率（期内无超标报警的企业占比）为{f['compliance']['rate']}%")
    texts = {}
    for fmt, reader in (("pdf", pdf_text), ("docx", docx_text), ("xlsx", xlsx_text)):
        resp = c.get(f"/reports/{report.pk}/{fmt}/")
        assert resp.status_code == 200
        texts[fmt] = reader(b"".join(resp.streaming_content))
        for s in expected:
            assert s in texts[fmt], (fmt, s)
    # the page shows it and the list archives it
    listing = c.get("/reports/").content.decode()
    assert report.title in listing and "2026年上半年" in listing  # archived, readable parameters
    # other county's staff cannot see it
    assert client_for("xishan").get(f"/reports/{report.pk}/").status_code == 404


def test_bad_parameters_create_nothing(client_for):
    c = client_for("donghu")
    n = Report.objects.count()
    r = c.post("/reports/new/", {"kind": "summary", "year": "abc", "half": "1"}, follow=True)
    assert "year" in r.content.decode()
    r = c.post("/reports/new/", {"kind": "enforcement_monthly", "year": "2026", "month": "13"}, follow=True)
    assert "month" in r.content.decode()
    r = c.post("/reports/new/", {"kind": "nope"}, follow=True)
    assert Report.objects.count() == n
    with pytest.raises(ParamError):
        services.create("summary", {"year": "2026", "half": "3"}, None)


def test_every_kind_renders(users):
    for key, kind in KINDS.items():
        params = {"year": 2026, "half": "1", "month": 6, "day": "2026-06-29"}
        doc = kind.build(services.content_figures(kind.collect(params, users["admin"])))
        assert doc.title and doc.blocks
        assert content.to_xlsx(doc)[:2] == b"PK"
        assert content.to_docx(doc)[:2] == b"PK"


def test_monthly_enforcement_matches_database(users):
    user = users["admin"]
    f = KINDS["enforcement_monthly"].collect({"year": 2026, "month": 6}, user)
    n = em.Inspection.objects.for_user(user).filter(status="done", inspected_on__range=(datetime.date(2026, 6, 1), END)).count()
    assert f["enforcement"]["inspections"] == n
    doc = KINDS["enforcement_monthly"].build(f)
    assert f"本月共开展执法检查{n}次" in doc.text()


def test_management_command(users, capsys):
    call_command("report", "enforcement_monthly", "year=2026", "month=5", "--user", "leader")
    out = capsys.readouterr().out
    assert out.count("enforcement_monthly") == 3
    r = Report.objects.latest("pk")
    assert r.status == "done" and r.pdf and r.docx and r.xlsx


def test_dashboard_drill_down(client_for):
    c = client_for("donghu")
    r = c.get("/reports/dashboard/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="enterprises"' in body
    assert 'data-testid="county-table-loader"' in body  # the county table comes after the page (htmx)
    part = c.get("/reports/dashboard/?part=counties&day=2026-06-30")
    assert [row[0].code for row in part.context["county_rows"]] == ["990101"]
    assert 'data-testid="county-indicators"' in part.content.decode()
    inline = c.get("/reports/dashboard/?counties=inline&day=2026-06-30")
    assert [row[0].code for row in inline.context["county_rows"]] == ["990101"]
    # drilling into a region outside the reach falls back to the user's own top region
    r = c.get("/reports/dashboard/?region=990102")
    assert "西山" not in r.context["current"].name
    assert client_for("leader").get("/reports/dashboard/").status_code == 200
    # a child region is reachable
    child = r.context["children"][0][0] if r.context["children"] else None
    if child:
        assert c.get(f"/reports/dashboard/?region={child.code}").context["current"] == child
    assert client_for("ent001").get("/reports/dashboard/").status_code == 403


def test_dashboard_cards_and_layers_match_database(client_for, users):
    """Cards equal direct queries; the map has county polygons, stations, sections and enterprise points."""
    from django.core.cache import cache

    from qingshan.complaints.models import Complaint
    from qingshan.registry.models import Enterprise

    cache.clear()
    day = datetime.date(2026, 6, 30)
    leader = users["leader"]
    r = client_for("leader").get("/reports/dashboard/?day=2026-06-30&indicator=alarms")
    assert r.status_code == 200
    cards, m = r.context["cards"], r.context["map"]
    assert cards["overdue_complaints"] == (Complaint.objects.for_user(leader).filter(handle_due__lt=day)
                                           .exclude(status__in=("replied", "closed", "rejected")).count())
    assert cards["overdue_rectifications"] == em.Rectification.objects.filter(status="open", due_on__lt=day).count()
    assert {f["properties"]["code"] for f in m["geo"]["features"]} == {"990101", "990102"}
    assert len(m["points"]) == Enterprise.objects.exclude(lon=None).exclude(lat=None).count()
    try:
        from qingshan.monitoring.models import Alarm
    except ImportError:
        Alarm = None
    if Alarm is not None:
        open_alarms = Alarm.objects.filter(status__in=Alarm.ACTIVE_STATUSES)
        assert cards["open_alarms"] == open_alarms.count()
        assert sum(a["value"] or 0 for a in m["areas"]) == open_alarms.count()
        assert {p["id"] for p in m["alarms"]} == set(open_alarms.exclude(enterprise=None).values_list("enterprise_id", flat=True))
    from qingshan.air.models import Station

    assert len(m["stations"]) == Station.objects.filter(active=True).exclude(lon=None).count()
    assert cards["aqi"] is None or cards["aqi"]["date"] <= day
    body = r.content.decode()
    assert 'id="map-data"' in body and "registerMap" in body
    # county staff: only their county; the county polygon set is its towns
    r = client_for("donghu").get("/reports/dashboard/?day=2026-06-30&indicator=enterprises")
    codes = {a["code"] for a in r.context["map"]["areas"]}
    assert codes and all(c.startswith("990101") for c in codes)
    assert sum(a["value"] for a in r.context["map"]["areas"]) == Enterprise.objects.for_user(users["donghu"]).count()
    # drill to a grid: the enterprise list shows its enterprises
    grid = Enterprise.objects.for_user(users["donghu"]).select_related("region").first().region
    r = client_for("donghu").get(f"/reports/dashboard/?region={grid.code}&day=2026-06-30")
    assert [e.pk for e in r.context["enterprise_list"]] == list(
        Enterprise.objects.filter(region__path__startswith=grid.path).order_by("name").values_list("pk", flat=True))[:100]
    # every indicator renders; a bad date is reported, not a crash
    for ind in ("complaints", "aqi", "transmission", "bogus"):
        assert client_for("leader").get(f"/reports/dashboard/?indicator={ind}&day=2026-06-30").status_code == 200
    assert client_for("leader").get("/reports/dashboard/?day=2026-13-01").status_code == 200


@pytest.mark.parametrize("username", ["admin", "donghu"])
def test_summary_fills_the_blanks_of_seed_003(users, username):
    """The figures seed 003 leaves blank: campaign, 三同时 supervision, operation/compliance rates, quality, tax."""
    from qingshan.air.models import DailyAQI

    user = users[username]
    f = collect_summary({"year": 2026, "half": "1"}, user)
    insp = em.Inspection.objects.for_user(user).filter(status="done", inspected_on__range=(START, END))
    camp = insp.filter(kind="campaign")
    assert f["campaign"] == {"inspections": camp.count(), "enterprises": camp.values("enterprise").distinct().count(),
                             "problem_enterprises": camp.filter(problem_found=True).values("enterprise").distinct().count()}
    assert f["facility_penalized"] == (em.Measure.objects.for_user(user).filter(
        decided_on__range=(START, END), case__violation_type__in=("facility", "evasion", "exceedance"))
        .values("case__enterprise").distinct().count())
    kind = "city" if username == "admin" else "county"
    days = DailyAQI.objects.for_user(user).filter(kind=kind, date__range=(START, END)).exclude(aqi=None)
    assert f["quality"]["air_days"] == days.count()
    assert f["quality"]["good_days"] == days.filter(level__lte=2).count()
    from qingshan.water import services as water

    shares = water.share_good("year", 2026, 0, user=user)  # the demo ends 2026-06-30: January to date = H1
    assert f["quality"]["water_sections"] == shares["shares"].total
    assert f["quality"]["water_good"] == float(shares["good_percent"])
    from qingshan.credit.models import TaxSheet

    taxes = TaxSheet.objects.for_user(user).filter(month__range=(START, END))
    assert f["tax"]["sheets"] == taxes.count()
    assert round(f["tax"]["total"], 2) == round(float(sum(t.total for t in taxes)), 2)
    try:
        from qingshan.monitoring.services import city_transmission_rate
    except ImportError:
        return
    rate = city_transmission_rate(user, START, END)
    assert f["operation_rate"] == (None if rate is None else round(rate, 1))
    text = KINDS["summary"].build(f).text()
    for phrase in ("专项整治检查", "现场监察", "运转率", "达标率", "优良天数", "评色", "环境保护税"):
        assert phrase in text
    assert f"优良天数{f['quality']['good_days']}天" in text
    assert f"共组织执法检查{f['enforcement']['inspections']}次" in text


def test_county_ranking_and_bulletin_match_database(users):
    from qingshan.air.models import DailyAQI
    from qingshan.air.services import county_ranking

    june = (datetime.date(2026, 6, 1), END)
    f = KINDS["county_ranking"].collect({"year": 2026, "month": 6}, users["leader"])
    air = {r["region"].name: r for r in county_ranking(*june)}
    from qingshan.registry.models import Region

    for name, index, rank, good, _water, _rate, n, _closed in f["rows"]:
        county = Region.objects.get(name=name, level=3)
        assert n == Complaint.objects.filter(region__path__startswith=county.path, received_on__range=june).count()
        if name in air:
            assert (index, rank) == (air[name]["composite_index"], air[name]["rank"])
    doc = KINDS["county_ranking"].build(f)
    xlsx = xlsx_text(content.to_xlsx(doc))
    assert "空气综合指数" in xlsx and f["rows"][0][0] in xlsx
    day = DailyAQI.objects.filter(kind="city").order_by("-date").first()
    if day is not None:
        b = KINDS["air_bulletin"].build(KINDS["air_bulletin"].collect({"day": day.date.isoformat()}, users["leader"]))
        assert f"全市环境空气质量指数（AQI）为{day.aqi}" in b.text()
    with pytest.raises(ParamError):
        KINDS["air_bulletin"].collect({"day": "yesterday"}, users["leader"])
