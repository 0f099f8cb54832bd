"""Targets app: reduction outlook (standards.reduction), campaign progress, county assessment
and ranking, accountability, pages — against the small demo city (2026-06-30)."""

import datetime
from decimal import Decimal

import pytest

from qingshan.core.actor import acting_as
from qingshan.core.models import ChangeLog
from qingshan.standards import reduction
from qingshan.targets import providers, services
from qingshan.targets.models import (
    AccountabilityRecord, Campaign, CampaignItem, CampaignTask, CountyAssessment, EmissionTotal, ProgressReport,
    ReductionProject, ReductionTarget, ScoreSheet,
)

TODAY = datetime.date(2026, 6, 30)


# --------------------------------------------------------------------------- reduction


def test_demo_targets_and_outlook_with_one_county_at_risk(db, counties):
    entries = services.target_outlooks(2026, today=TODAY)
    assert {e["target"].pollutant for e in entries} == {"COD", "NH3-N", "SO2", "NOx"}
    assert all(e["months"] == 5 and e["outlook"] is not None for e in entries)
    risky_counties = {e["target"].region for e in entries if e["outlook"].risk in ("high", "critical") and e["target"].region.level == 3}
    assert risky_counties == {counties[-1]}
    assert ReductionProject.objects.filter(enterprise__region__path__startswith=counties[0].path).exists()
    assert ReductionProject.objects.filter(enterprise__region__path__startswith=counties[1].path).exists()


def test_outlook_is_the_standard_on_the_stored_totals(db, counties):
    target = ReductionTarget.objects.get(region=counties[0], year=2026, pollutant="SO2")
    entry = services.outlook_for(target, TODAY)
    this_year = [EmissionTotal.objects.get(region=counties[0], year=2026, month=m, pollutant="SO2").total_t for m in range(1, 6)]
    last_year = [EmissionTotal.objects.get(region=counties[0], year=2025, month=m, pollutant="SO2").total_t for m in range(1, 13)]
    expected = reduction.assess_target(target.baseline_t, this_year, target_rate=target.target_rate, last_year=last_year)
    assert entry["outlook"] == expected
    assert entry["outlook"].forecast.method == "seasonal"


def test_city_series_sums_the_counties(db, counties):
    city = counties[0].parent
    series = services.monthly_series(city, 2026, "COD")
    parts = [services.monthly_series(c, 2026, "COD") for c in counties]
    assert series[0] == sum(p[0] for p in parts)
    assert series[11] is None  # December not reported yet


def test_target_validation(db, counties):
    from django.core.exceptions import ValidationError

    t = ReductionTarget(region=counties[0], year=2030, pollutant="COD", baseline_t=Decimal("100"),
                        target_reduction_t=Decimal("5"), target_rate=Decimal("0.05"))
    with pytest.raises(ValidationError):
        t.full_clean()  # both given
    t.target_rate = None
    t.full_clean()
    t.target_reduction_t = Decimal("500")
    with pytest.raises(ValidationError):
        t.full_clean()  # more than the baseline


def test_no_totals_gives_an_explained_empty_outlook(db, counties):
    with acting_as(name="test"):
        t = ReductionTarget.objects.create(region=counties[0], year=2026, pollutant="VOCs", baseline_t=Decimal("100"),
                                           target_rate=Decimal("0.1"))
    entry = services.outlook_for(t, TODAY)
    assert entry["outlook"] is None and entry["error"]


def test_refresh_totals_from_reports(db, counties):
    from qingshan.credit.models import EmissionReport

    month = EmissionReport.objects.values_list("month", flat=True).first()
    with acting_as(name="test"):
        n = services.refresh_totals_from_reports(month.year, month.month)
    assert n > 0
    row = EmissionTotal.objects.filter(year=month.year, month=month.month, pollutant="SO2", source="reported").first()
    kg = sum(r.emission_kg for r in EmissionReport.objects.filter(month=month, pollutant="SO2",
                                                                 enterprise__region__path__startswith=row.region.path))
    assert row.total_t == (kg / 1000).quantize(Decimal("0.001"))


# --------------------------------------------------------------------------- campaigns


def test_running_campaign_has_4_tasks_and_22_items(db, counties):
    campaign = Campaign.objects.get(status="running")
    assert "秋冬百日专项行动" in campaign.name
    tasks = CampaignTask.objects.filter(campaign=campaign)
    assert tasks.count() == 4
    assert len(set(CampaignItem.objects.filter(task__campaign=campaign).values_list("number", flat=True))) == 22
    for county in counties:
        assert CampaignItem.objects.filter(task__campaign=campaign, assignee_region=county).exists()
    assert services.overdue_items(_admin(), TODAY).exists()


def _admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


def test_progress_report_updates_item_and_is_attributed(db, users, counties):
    item = CampaignItem.objects.filter(assignee_region=counties[0]).exclude(status="done").first()
    with acting_as(users["donghu"]):
        with pytest.raises(services.TargetsError):
            services.report_progress(item, users["donghu"], date=TODAY, progress=50, text=" ")
        services.report_progress(item, users["donghu"], date=TODAY, progress=100, text="完成")
    item.refresh_from_db()
    assert item.status == "done" and item.completed_on == TODAY and item.progress == 100
    report = ProgressReport.objects.filter(item=item).first()
    assert report.reported_by == "donghu"
    assert ChangeLog.objects.filter(content_type__model="progressreport", object_id=str(report.pk), user_name="donghu").exists()


def test_county_staff_report_only_in_their_county(client_for, counties):
    mine = CampaignItem.objects.filter(assignee_region=counties[0]).exclude(status="done").first()
    theirs = CampaignItem.objects.filter(assignee_region=counties[1]).first()
    c = client_for("donghu")
    assert c.get(f"/targets/item/{theirs.pk}/progress/").status_code == 404
    assert c.post(f"/targets/item/{mine.pk}/progress/", {"date": "2026-06-30", "progress": "150", "text": "x"}).status_code == 400
    resp = c.post(f"/targets/item/{mine.pk}/progress/", {"date": "2026-06-30", "progress": "60", "text": "推进中"})
    assert resp.status_code == 302
    mine.refresh_from_db()
    assert mine.progress == 60 and mine.status == "in_progress"
    board = c.get(f"/targets/campaign/{mine.task.campaign_id}/board/")
    assert board.status_code == 200
    body = board.content.decode()
    assert counties[0].name in body and counties[1].name not in body


def test_enterprise_user_cannot_report_progress(client_for):
    item = CampaignItem.objects.first()
    c = client_for("ent001")
    assert c.get(f"/targets/item/{item.pk}/progress/").status_code == 404


# --------------------------------------------------------------------------- assessment


def test_demo_ranking(db, counties):
    sheet = ScoreSheet.objects.get()
    rows = list(CountyAssessment.objects.filter(sheet=sheet).order_by("rank"))
    assert [r.rank for r in rows] == [1, 2]
    assert {r.county for r in rows} == set(counties)
    assert rows[0].total >= rows[1].total
    for r in rows:
        assert r.values["reduction"] is not None and r.values["inspection"] is not None
        assert r.total == Decimal(str(round(sum(s["weighted"] or 0 for s in r.scores.values()), 2)))
    assert AccountabilityRecord.objects.filter(kind="interview", region=counties[-1]).exists()
    assert AccountabilityRecord.objects.filter(kind="commendation", region=rows[0].county).exists()


def test_missing_source_is_no_data_not_zero(db, counties):
    got = providers.effective_transmission_rate(counties[0], datetime.date(2026, 1, 1), TODAY)
    assert got is None or isinstance(got, providers.Value)  # "no data" until monitoring provides it
    s = services.indicator_score({"key": "x", "weight": 10, "target": 90}, None)
    assert s["score"] is None and s["weighted"] is None and s["note"]
    assert services.indicator_score({"key": "x", "weight": 10, "target": 90}, 45)["weighted"] == 5.0
    assert services.indicator_score({"key": "x", "weight": 10, "target": 4, "lower_is_better": True}, 5)["weighted"] == 8.0
    assert services.indicator_score({"key": "x", "weight": 10}, 80)["weighted"] == 8.0


def test_score_sheet_validation(db, counties):
    from django.core.exceptions import ValidationError

    sheet = ScoreSheet(name="x", region=counties[0].parent, year=2026, indicators=[{"key": "a", "weight": 10, "source": "nope"}])
    with pytest.raises(ValidationError):
        sheet.full_clean()
    sheet.indicators = [{"key": "a", "weight": 10}, {"key": "a", "weight": 5}]
    with pytest.raises(ValidationError):
        sheet.full_clean()
    sheet.indicators = [{"key": "a", "weight": 10, "source": "campaign_on_time", "target": 100}]
    sheet.full_clean()


def test_ranking_page_manual_values_and_recompute(client_for, counties):
    sheet = ScoreSheet.objects.get()
    a = CountyAssessment.objects.get(sheet=sheet, county=counties[1])
    c = client_for("leader")
    page = c.get(f"/targets/ranking/{sheet.pk}/")
    assert page.status_code == 200 and "data-testid=\"ranking\"" in page.content.decode()
    bad = c.post(f"/targets/ranking/{sheet.pk}/", {"manual": "1", "assessment": a.pk, "v_inspection": "abc"}, follow=True)
    a.refresh_from_db()
    assert a.manual_values["inspection"] != "abc"
    assert [m.level_tag for m in bad.context["messages"]] == ["error"]
    c.post(f"/targets/ranking/{sheet.pk}/", {"manual": "1", "assessment": a.pk, "v_inspection": "100"})
    resp = c.post(f"/targets/ranking/{sheet.pk}/", {"period": a.period, "start": "2026-01-01", "end": "2026-06-30"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.values["inspection"] == 100.0 and a.scores["inspection"]["weighted"] == 10.0


def test_county_staff_see_only_their_row(client_for, counties):
    sheet = ScoreSheet.objects.get()
    body = client_for("donghu").get(f"/targets/ranking/{sheet.pk}/").content.decode()
    assert counties[0].name in body and counties[1].name not in body


def test_pages_load(client_for):
    c = client_for("leader")
    for url in ["/targets/", "/targets/campaign/current/", "/targets/ranking/", "/targets/reductiontarget/",
                "/targets/reductionproject/", "/targets/campaignitem/", "/targets/accountabilityrecord/",
                "/targets/countyassessment/", "/targets/emissiontotal/", "/staff/"]:
        resp = c.get(url, follow=True)
        assert resp.status_code == 200, url
    home = c.get("/staff/").content.decode()
    assert "/targets/" in home


def test_dashboard_cards(client_for):
    body = client_for("leader").get("/staff/").content.decode()
    assert "/targets/campaign/current/" in body and "/targets/" in body
    ent = client_for("ent001").get("/staff/").content.decode()
    assert "/targets/campaign/current/" not in ent.split("<main")[1]
