"""Water app: assessments from samples, shares, CWQI ranking, compensation ledger, import, pages, scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from qingshan.core.actor import acting_as
from qingshan.core.models import ChangeLog
from qingshan.standards import eco_compensation, gb3838, water_assessment
from qingshan.water import services
from qingshan.water.importer import ImportFileError, import_samples
from qingshan.water.models import (
    CompensationAssignment,
    CompensationEntry,
    CompensationScheme,
    Sample,
    Section,
    SectionAssessment,
    WaterBody,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def county(counties):
    return counties[0]


@pytest.fixture
def section(county):
    body = WaterBody.objects.create(code="T01", name="测试河", kind="river")
    return Section.objects.create(code="T001", name="测试断面", water_body=body, region=county, target_class=3)


def _sample(section, day, **values):
    return Sample.objects.create(section=section, date=day, values=values)


# --------------------------------------------------------------------------- demo city


def test_demo_has_a_year_of_assessments_ranking_and_compensation(counties):
    sections = Section.objects.all()
    assert sections.count() >= 6
    assert sections.filter(is_drinking_source=True).count() >= 2
    assert sections.filter(upstream_county__isnull=False, downstream_county__isnull=False).exists()
    # every month of the last year has classes for every section
    for back in range(12):
        y, m = divmod(TODAY.year * 12 + TODAY.month - 1 - back, 12)
        rows = services.section_classes("month", y, m + 1)
        assert len(rows) == sections.count()
    year = services.share_good("year", 2026)
    assert year["shares"].total == sections.count()
    assert year["target"].good_min == Decimal("53.4") and year["target"].v_plus_max == Decimal("17.2")
    assert year["shares"].v_plus >= 1  # the urban creek
    ranking = services.county_cwqi_ranking(2026, 6)
    assert [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking)
    assert {r["county"] for r in ranking} == set(counties)
    assert all(r["change"] is not None for r in ranking)
    schemes = set(CompensationEntry.objects.values_list("scheme_code", flat=True))
    assert schemes == {"QS-HB-STEP", "QS-HZ-LINEAR"}
    quarterly = CompensationEntry.objects.filter(scheme_code="QS-HZ-LINEAR")
    assert set(quarterly.values_list("month", flat=True)) <= {3, 6, 9, 12}
    assert CompensationEntry.objects.filter(amount__lt=0).exists() and CompensationEntry.objects.filter(amount__gt=0).exists()


# --------------------------------------------------------------------------- assessment rules applied


def test_month_class_is_the_class_of_the_mean_not_of_the_worst_sample(section):
    _sample(section, datetime.date(2026, 5, 3), **{"NH3-N": 0.9, "DO": 6.5, "pH": 7.0})
    _sample(section, datetime.date(2026, 5, 20), **{"NH3-N": 1.3, "DO": 6.5, "pH": 8.0})
    a = SectionAssessment.objects.get(section=section, period="month", year=2026, number=5)
    assert a.water_class == 4  # mean NH3-N 1.1 → IV (1.3 alone would be IV too, 0.9 III)
    assert Decimal(a.values["NH3-N"]) == Decimal("1.1")
    expected_ph = water_assessment.mean("pH", [7.0, 8.0])  # through [H+]
    assert abs(Decimal(a.values["pH"]) - expected_ph) < Decimal("0.00001")
    assert a.meets_target is False
    assert a.main_pollutants == ["氨氮(0.1)"]
    assert SectionAssessment.objects.filter(section=section, period="quarter", year=2026, number=2).exists()
    year = SectionAssessment.objects.get(section=section, period="year", year=2026)
    assert year.through_month == 5 and year.samples == 2


def test_rounding_before_classing_is_the_standard_s(section):
    _sample(section, datetime.date(2026, 4, 3), **{"NH3-N": 1.005})
    a = SectionAssessment.objects.get(section=section, period="month", year=2026, number=4)
    assert a.water_class == gb3838.classify({"NH3-N": "1.005"}).water_class == 3


def test_dry_section_is_left_out_of_the_shares(section, county):
    Sample.objects.create(section=section, date=datetime.date(2026, 6, 5), condition="dry", values={})
    a = SectionAssessment.objects.get(section=section, period="month", year=2026, number=6)
    assert a.water_class is None and a.condition == "dry"
    res = services.share_good("month", 2026, 6, region=county)
    assert res["shares"].excluded == 1
    assert section.pk not in [r.section_id for r in res["rows"] if r.water_class is not None]


def test_share_good_agrees_with_the_standard(county):
    res = services.share_good("year", 2026)
    classes = [r.water_class for r in res["rows"]]
    shares = water_assessment.class_shares(classes)
    assert res["good_percent"] == shares.good_percent()
    check = water_assessment.check_targets(shares, good_min="53.4", v_plus_max="17.2")
    assert res["check"] == check
    assert services.good_sections_share(county, datetime.date(2026, 1, 1), TODAY) is not None


def test_drinking_water_compliance_uses_table_2(county):
    body = WaterBody.objects.create(code="T02", name="测试水库", kind="reservoir")
    sec = Section.objects.create(code="T002", name="取水口", water_body=body, region=county, target_class=2,
                                 is_drinking_source=True, supply_volume=Decimal("10"))
    _sample(sec, datetime.date(2026, 6, 3), **{"DO": 7.0, "NH3-N": 0.2, "TP": 0.02, "Mn": 0.15})
    a = SectionAssessment.objects.get(section=sec, period="month", year=2026, number=6)
    assert a.drinking_compliant is False
    assert [e["item"] for e in a.drinking_exceedances] == ["Mn"]


def test_river_status_and_cwqi_rows():
    rivers = services.river_status("year", 2026)
    assert rivers and all("status_label" in r or "error" in r for r in rivers)
    statuses = {r["water_body"].name: r["status_label"] for r in rivers}
    assert statuses["龙溪"] == "重度污染"


# --------------------------------------------------------------------------- compensation


def test_hebei_steps_and_upstream_exemption(section, counties):
    up, down = counties
    inflow = Section.objects.create(code="T000", name="上游", water_body=section.water_body, region=up, target_class=3)
    section.upstream_county, section.downstream_county = up, down
    section.save()
    scheme = CompensationScheme.objects.create(code="HB", name="河北式", based_on="hebei_2016", valid_from=datetime.date(2025, 1, 1))
    a = CompensationAssignment.objects.create(section=section, scheme=scheme, county=up, inflow_section=inflow,
                                              start=datetime.date(2025, 1, 1))
    _sample(inflow, datetime.date(2026, 3, 2), COD=18, **{"NH3-N": 0.5, "TP": 0.1})
    _sample(section, datetime.date(2026, 3, 4), COD=30, **{"NH3-N": 0.5, "TP": 0.1})  # m = 0.5 → 3 steps
    e = CompensationEntry.objects.get(assignment=a, year=2026, month=3)
    assert e.amount == Decimal("-90.00")
    cod = next(i for i in e.breakdown["items"] if i["item"] == "COD")
    assert cod["steps"] == 3 and cod["inflow"] == "18"
    # the inflow was already as bad: no deduction
    _sample(inflow, datetime.date(2026, 4, 2), COD=32, **{"NH3-N": 0.5, "TP": 0.1})
    _sample(section, datetime.date(2026, 4, 4), COD=30, **{"NH3-N": 0.5, "TP": 0.1})
    assert CompensationEntry.objects.get(assignment=a, year=2026, month=4).amount == 0


def test_heze_is_quarterly_and_bidirectional(section, county):
    scheme = CompensationScheme.objects.create(code="HZ", name="菏泽式", based_on="heze_2014")
    a = CompensationAssignment.objects.create(section=section, scheme=scheme, county=county, start=datetime.date(2025, 1, 1))
    for m, cod in ((4, 18), (5, 22), (6, 20)):
        _sample(section, datetime.date(2026, m, 10), COD=cod, **{"NH3-N": 1.0})
    entries = CompensationEntry.objects.filter(assignment=a)
    assert list(entries.values_list("year", "month", "period")) == [(2026, 6, "quarter")]
    e = entries.get()
    assert e.amount == Decimal("35.00")  # (30 − 20) × 2 + (1.5 − 1.0) × 30, the formula (not the text's 45)
    assert e.period_start == datetime.date(2026, 4, 1) and e.period_end == datetime.date(2026, 6, 30)
    ledger = services.compensation_ledger(2026, 6)
    assert any(t["county"] == county and t["rewards"] >= Decimal("35") for t in ledger["totals"])


def test_no_samples_gives_an_incomplete_entry_and_expired_scheme_books_nothing(section, county):
    scheme = CompensationScheme.objects.create(code="HB2", name="x", based_on="hebei_2016", valid_from=datetime.date(2025, 1, 1))
    a = CompensationAssignment.objects.create(section=section, scheme=scheme, county=county, start=datetime.date(2025, 1, 1))
    [e] = services.compute_compensation(2026, 2, assignments=CompensationAssignment.objects.filter(pk=a.pk))
    assert e.amount == 0 and not e.complete and e.error
    scheme.valid_to = datetime.date(2025, 12, 31)
    scheme.save()
    assert services.compute_compensation(2026, 2, assignments=CompensationAssignment.objects.filter(pk=a.pk)) == []
    assert not CompensationEntry.objects.filter(assignment=a, year=2026, month=2).exists()


def test_scheme_definition_is_validated_by_the_engine():
    bad = CompensationScheme(code="BAD", name="bad", definition={"id": "x", "name": "x", "period": "month", "factors": [
        {"item": "DO", "target": {"value": "5"}, "rule": {"kind": "step", "step": "0.2", "amount_per_step": "30"}}]})
    with pytest.raises(ValidationError):
        bad.full_clean()
    ok = CompensationScheme(code="OK", name="ok", based_on="heze_2014")
    ok.full_clean()
    assert isinstance(ok.scheme(), eco_compensation.Scheme)
    assert ok.scheme().name == "ok"


# --------------------------------------------------------------------------- import


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_keeps_good_rows_and_reports_bad_ones_by_row(users, counties):
    donghu = users["donghu"]
    mine = Section.objects.filter(region=counties[0]).order_by("code").first()
    other = Section.objects.filter(region=counties[1]).first()
    content = _xlsx([
        ["断面编码", "采样日期", "状况", "pH", "溶解氧(mg/L)", "NH3-N", "TP", "站点说明"],
        [mine.code, datetime.date(2026, 6, 20), "", 7.5, 6.1, 0.4, "0.01L", "x"],   # 2 ok
        ["NOPE", "2026-06-20", "", 7.5, 6.1, 0.4, 0.05, ""],                     # 3 unknown section
        [other.code, "2026-06-20", "", 7.5, 6.1, 0.4, 0.05, ""],                 # 4 outside donghu's county
        [mine.code, "2026-13-40", "", 7.5, 6.1, 0.4, 0.05, ""],                  # 5 bad date
        [mine.code, "2026-06-21", "", 7.5, -1, 0.4, 0.05, ""],                   # 6 negative DO
        [mine.code, "2027-01-01", "", 7.5, 6, 0.4, 0.05, ""],                    # 7 future
        [mine.code, "2026-06-22", "", None, None, None, None, ""],               # 8 no values
        [mine.code, "2026/06/23", "断流", None, None, None, None, "dry"],          # 9 ok, dry
        [mine.code, "2026-06-24", "", 15, 6, 0.4, 0.05, ""],                     # 10 pH impossible
    ])
    with acting_as(donghu):
        result = import_samples("s.xlsx", content, donghu, today=TODAY)
    assert result.created == 2
    assert [r for r, _m in result.errors] == [3, 4, 5, 6, 7, 8, 10]
    assert "站点说明" in result.ignored_columns
    s = Sample.objects.get(section=mine, date=datetime.date(2026, 6, 20), source="manual")
    assert s.values == {"pH": 7.5, "DO": 6.1, "NH3-N": 0.4, "TP": "0.01L"}
    assert Sample.objects.get(section=mine, date=datetime.date(2026, 6, 23), source="manual").condition == "dry"
    assert ChangeLog.objects.filter(user_name="donghu", object_id=str(s.pk)).exists()
    a = SectionAssessment.objects.get(section=mine, period="month", year=2026, number=6)
    assert a.samples == 2  # the demo's June sample and the imported one (the dry one does not count)
    again = import_samples("s.xlsx", content, donghu, today=TODAY)
    assert again.created == 0 and again.unchanged == 2


def test_import_rejects_unreadable_files(users):
    with pytest.raises(ImportFileError):
        import_samples("x.xlsx", b"not a workbook", users["monitoring"])
    with pytest.raises(ImportFileError):
        import_samples("x.csv", "foo,bar\n1,2\n".encode(), users["monitoring"])
    csv_ok = "section,date,COD,NH3-N\nQC01,2026-06-25,12,0.2\n".encode()
    assert import_samples("x.csv", csv_ok, users["monitoring"], today=TODAY).created == 1


def test_import_page(client_for):
    c = client_for("monitoring")
    assert c.get("/water/import/").status_code == 200
    assert c.get("/water/import/template.xlsx").status_code == 200
    up = io.BytesIO(_xlsx([["section", "date", "DO"], ["QC01", "2026-06-26", 7.1], ["QC01", "bad", 7.1]]))
    up.name = "samples.xlsx"
    r = c.post("/water/import/", {"file": up})
    assert r.status_code == 200 and b'data-testid="import-result"' in r.content
    assert r.context["result"].created == 1 and r.context["result"].errors[0][0] == 3
    bad = io.BytesIO(b"garbage")
    bad.name = "x.xlsx"
    assert c.post("/water/import/", {"file": bad}).status_code == 400
    assert client_for("leader").get("/water/import/").status_code == 403


# --------------------------------------------------------------------------- pages and scope


PAGES = ["/water/", "/water/?period=year", "/water/?period=quarter&year=2025&month=8", "/water/ranking/",
         "/water/ranking/?period=year", "/water/rivers/", "/water/drinking/?year=2025&month=8",
         "/water/compensation/?year=2025&month=12", "/water/section/", "/water/waterbody/", "/water/sample/",
         "/water/compensationscheme/", "/water/compensationassignment/", "/water/sharetarget/", "/water/?year=x&month=99"]


@pytest.mark.parametrize("username", ["leader", "donghu"])
def test_pages_load(client_for, users, username):
    c = client_for(username)
    for url in PAGES:
        assert c.get(url).status_code == 200, url
    s = Section.objects.for_user(users[username]).first()
    r = c.get(f"/water/section/{s.pk}/")
    assert r.status_code == 200 and b"section-data" in r.content
    x = c.get("/water/export.xlsx?year=2026&month=6&period=year")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet.max_row >= Section.objects.for_user(users[username]).count() + 1
    home = c.get("/staff/")
    assert "water/_widget.html" in [t.name for t in home.templates]


def test_enterprise_users_see_no_water_pages(client_for):
    c = client_for("ent001")
    assert c.get("/water/").status_code == 403
    assert c.get("/water/compensation/").status_code == 403


def test_county_staff_see_only_their_county(users, counties):
    donghu = users["donghu"]
    visible = Section.objects.for_user(donghu)
    assert visible.exists() and all(s.region == counties[0] for s in visible)
    assert all(e.county == counties[0] for e in CompensationEntry.objects.for_user(donghu))
    ledger = services.compensation_ledger(2025, 12, user=donghu)
    assert {t["county"] for t in ledger["totals"]} <= {counties[0]}
    rows = services.county_cwqi_ranking(2026, 6, user=donghu)
    assert len(rows) == len(counties)  # the ranking compares every county
    assert [r["county"] for r in rows if r["mine"]] == [counties[0]]


def test_editing_a_sample_on_the_page_reassesses_and_is_logged(client_for, users):
    c = client_for("monitoring")
    s = Sample.objects.filter(section__code="QC01", date__year=2026, date__month=6, source="manual").get()
    r = c.post(f"/water/sample/{s.pk}/edit/", {"section": s.section_id, "date": s.date.isoformat(), "source": "manual",
                                               "condition": "normal", "item_NH3_N": "2.5", "item_TP": "0.02L", "note": ""})
    assert r.status_code == 302
    a = SectionAssessment.objects.get(section=s.section, period="month", year=2026, number=6)
    assert a.water_class == 6
    assert ChangeLog.objects.filter(user_name="monitoring", object_id=str(s.pk), action="update").exists()
    bad = c.post(f"/water/sample/{s.pk}/edit/", {"section": s.section_id, "date": s.date.isoformat(), "source": "manual",
                                                 "condition": "normal", "item_DO": "-1", "item_pH": "abc", "note": ""})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"item_DO", "item_pH"}
    assert Sample.objects.get(pk=s.pk).values == {"NH3-N": 2.5, "TP": "0.02L"}  # nothing lost, nothing half-saved
    assert c.get(f"/water/sample/{s.pk}/edit/").status_code == 200
    assert c.get("/water/sample/add/").status_code == 200


def test_recompute_button(client_for):
    c = client_for("monitoring")
    r = c.post("/water/compensation/recompute/", {"year": 2025, "month": 12})
    assert r.status_code == 302
    assert client_for("leader").post("/water/compensation/recompute/", {"year": 2025, "month": 12}).status_code == 403


def test_commands():
    out = io.StringIO()
    call_command("water_assess", "--year", "2026", stdout=out)
    assert "2026:" in out.getvalue()
    call_command("water_compensation", "--month", "2026-01", "--to", "2026-03", stdout=out)
    assert "2026-03" in out.getvalue()


# --------------------------------------------------------------------------- automatic stations


def test_sync_daily_values_from_the_measurement_store():
    from django.utils import timezone

    from qingshan.monitoring.store import Measurement, get_store

    section = Section.objects.filter(logger__isnull=False).first()
    section.assessment_basis = Section.Basis.ALL
    section.save()
    tz = timezone.get_current_timezone()
    t = datetime.datetime(2026, 6, 10, tzinfo=tz)
    lid = section.logger_id
    get_store().write([
        Measurement(logger_id=lid, factor="w21003", kind="day", time=t, value=0.42),
        Measurement(logger_id=lid, factor="w01009", kind="day", time=t, value=6.8),
        Measurement(logger_id=lid, factor="w21011", kind="day", time=t, value=9.9, flag="D"),  # flagged: skipped
        Measurement(logger_id=lid, factor="a21026", kind="day", time=t, value=1.0),  # not a water item
    ])
    counts = services.sync_automatic(datetime.date(2026, 6, 10), datetime.date(2026, 6, 10))
    s = Sample.objects.get(section=section, date=datetime.date(2026, 6, 10), source="automatic")
    assert s.values == {"NH3-N": 0.42, "DO": 6.8}
    assert counts["skipped"] == 1
    again = services.sync_automatic(datetime.date(2026, 6, 10), datetime.date(2026, 6, 10))
    assert again["created"] == 0 and again["updated"] == 0


def test_public_api(client):
    r = client.get("/api/water/classes", {"year": 2026, "month": 6})
    assert r.status_code == 200
    data = r.json()
    assert len(data) == Section.objects.count() and {"section", "water_class", "main_pollutants"} <= set(data[0])
    assert client.get("/api/water/classes", {"year": 2026, "month": 13}).status_code == 400
    ranks = client.get("/api/water/ranking", {"year": 2026, "month": 6}).json()
    assert [r["rank"] for r in ranks][0] == 1
    assert client.get("/api/water/sections").status_code == 200


def test_summary_text():
    from django.utils import translation

    with translation.override("en"):
        text = services.summary_text("year", 2026)
    assert text.startswith("2026: of 7 sections assessed")
    assert "compared with the same period last year" in text
    with translation.override("zh-hans"):
        assert "参评断面" in services.summary_text("year", 2026)


def test_counties_cannot_change_what_they_are_assessed_by(client_for):
    from qingshan.water.models import ShareTarget

    donghu = client_for("donghu")
    t = ShareTarget.objects.filter(region__level=3).order_by("region__code").first()
    a = CompensationAssignment.objects.filter(county=t.region).first()
    assert donghu.get(f"/water/sharetarget/{t.pk}/").status_code == 200
    r = donghu.post(f"/water/sharetarget/{t.pk}/edit/", {"year": t.year, "region": t.region_id, "good_min": "1"})
    assert r.status_code == 403
    assert ShareTarget.objects.get(pk=t.pk).good_min == t.good_min
    assert donghu.post(f"/water/compensationassignment/{a.pk}/delete/").status_code == 403
    assert donghu.get("/water/compensationscheme/add/").status_code == 403
    monitoring = client_for("monitoring")
    assert monitoring.get(f"/water/sharetarget/{t.pk}/edit/").status_code == 200
    r = monitoring.post(f"/water/sharetarget/{t.pk}/edit/", {"year": t.year, "region": t.region_id, "good_min": "55.0",
                                                              "v_plus_max": "20", "basis": "x"})
    assert r.status_code == 302 and ShareTarget.objects.get(pk=t.pk).good_min == Decimal("55.0")
