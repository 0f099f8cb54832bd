"""Credit app: record collector, ratings, review / publication / reply / repair workflow,
tax sheets and the read API, against the small demo city (2026-06-30)."""

import datetime
from decimal import Decimal

import pytest

from qingshan.core.actor import acting_as
from qingshan.core.models import ChangeLog
from qingshan.credit import services
from qingshan.credit.models import CreditFact, CreditRating, EmissionReport, RatingRequest, TaxSheet
from qingshan.credit.record import enterprise_record
from qingshan.registry.models import Enterprise
from qingshan.standards import credit_rating, envtax

YEAR = 2025
TODAY = datetime.date(2026, 6, 30)


def ent_of(users, username):
    return users[username].profile.enterprise


# --------------------------------------------------------------------------- demo content


def test_demo_has_ratings_of_last_year_in_every_colour_band(db):
    qs = CreditRating.objects.filter(year=YEAR)
    assert qs.count() == Enterprise.objects.exclude(status="closed").count()
    colours = set(qs.values_list("colour", flat=True))
    assert {"blue", "yellow", "red"} <= colours
    assert qs.filter(status="published", published_on__isnull=False).exists()
    assert qs.filter(status="draft").exists()
    assert qs.filter(vetoed=True).exists()


def test_stored_rating_equals_the_standard_on_its_record(db):
    for rating in CreditRating.objects.filter(year=YEAR).order_by("pk")[:15]:
        result = credit_rating.evaluate(rating.ruleset, rating.record)
        assert result.colour == rating.colour
        assert result.score.quantize(Decimal("0.01")) == rating.score
        assert [f["rule_id"] for f in rating.findings()] == result.rule_ids()


def test_collector_reads_facts_enforcement_and_reports(db):
    fact = CreditFact.objects.filter(kind="event", event_type="incident").select_related("enterprise").first()
    rec = enterprise_record(fact.enterprise, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    assert rec["enterprise"] == fact.enterprise.uscc
    assert any(e["type"] == "incident" and e["grade"] == "general" for e in rec["events"])
    credit_rating.parse_record(rec)  # valid input of the standard

    from qingshan.enforcement.models import Case

    case = Case.objects.filter(decided_on__year=YEAR).first()
    if case is not None:
        rec = enterprise_record(case.enterprise, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
        found = [e for e in rec["events"] if e["type"] == "case" and e["id"].endswith(case.number)]
        assert found and found[0]["date"] == case.decided_on.isoformat()


def test_exceedance_month_from_emission_report(db):
    report = EmissionReport.objects.select_related("enterprise").first()
    with acting_as(name="test"):
        report.max_concentration = report.standard * 2
        report.save()
    month = report.month
    rec = enterprise_record(report.enterprise, month, month.replace(day=28))
    assert any(e["type"] == "exceedance_day" and e["outlet"] == report.outlet.code for e in rec["events"])


# --------------------------------------------------------------------------- workflow


@pytest.fixture
def draft(db):
    return CreditRating.objects.filter(year=YEAR, status="draft").select_related("enterprise").first()


def test_review_then_publish_is_logged_with_the_actor(draft, users):
    staff = users["enforcement"]
    with acting_as(staff):
        with pytest.raises(services.WorkflowError):
            services.publish(draft, TODAY)  # not reviewed yet
        services.mark_reviewed(draft, staff)
        services.publish(draft, TODAY)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_on == TODAY and draft.reviewed_by == "enforcement"
    log = ChangeLog.objects.filter(object_id=str(draft.pk), content_type__model="creditrating").first()
    assert log.user_name == "enforcement"
    assert draft in services.published_ratings(YEAR)
    with pytest.raises(services.WorkflowError):
        services.rate_enterprise(draft.enterprise, YEAR, draft.ruleset)  # published: frozen


def test_recompute_picks_up_a_new_fact(draft):
    before = draft.score
    with acting_as(name="test"):
        CreditFact.objects.create(enterprise=draft.enterprise, kind="event", date=datetime.date(YEAR, 5, 1),
                                  event_type="permit_violation", attributes={"kind": "x"})
        again = services.rate_enterprise(draft.enterprise, YEAR, draft.ruleset)
    assert again.pk == draft.pk
    assert again.score <= before
    assert any(f["rule_id"] == "D05" for f in again.findings())


def test_jiangsu_ruleset_gives_five_colour_scale(draft):
    with acting_as(name="test"):
        r = services.rate_enterprise(draft.enterprise, YEAR, "jiangsu_2019")
    assert r.ruleset == "jiangsu_2019" and r.colour in {"green", "blue", "yellow", "red", "black"}
    assert Decimal(0) <= r.score <= Decimal(12) or r.score < 0


def test_demo_repair_request_is_eligible_and_review_upgrades(db, users):
    req = RatingRequest.objects.filter(kind="repair", status="pending", eligibility__eligible=True).select_related("rating").first()
    assert req is not None and req.eligibility["new_level"]
    with acting_as(users["enforcement"]):
        with pytest.raises(services.WorkflowError):
            services.review_request(req, users["enforcement"], accept=True, note="", on=TODAY)  # reason required
        services.review_request(req, users["enforcement"], accept=True, note="整改到位", on=TODAY)
    req.refresh_from_db()
    req.rating.refresh_from_db()
    assert req.status == "accepted" and req.reviewer == "enforcement"
    assert req.rating.repaired_colour == req.eligibility["new_level"]
    assert req.rating.current_colour != req.rating.colour
    with pytest.raises(services.WorkflowError):
        services.review_request(req, users["enforcement"], accept=False, note="again", on=TODAY)


def test_repair_refused_when_rule_set_says_no(db, users):
    rating = CreditRating.objects.filter(year=YEAR, status="published", colour__in=["green", "blue"]).first()
    with acting_as(users["enforcement"]):
        req = services.file_request(rating, users["enforcement"], kind="repair", text="请求修复", on=TODAY)
        assert req.eligibility["eligible"] is False
        with pytest.raises(services.WorkflowError):
            services.review_request(req, users["enforcement"], accept=True, note="ok", on=TODAY)
    req.refresh_from_db()
    assert req.status == "pending"


def test_ratings_by_colour_counts_current_colour(db, counties):
    counts = services.ratings_by_colour(YEAR)
    assert sum(counts.values()) == CreditRating.objects.filter(year=YEAR).count()
    per_county = [services.ratings_by_colour(YEAR, c) for c in counties]
    assert sum(sum(c.values()) for c in per_county) == sum(counts.values())


# --------------------------------------------------------------------------- pages


def test_enterprise_user_sees_own_rating_and_files_a_reply(users, client_for):
    ent = ent_of(users, "ent001")
    rating = CreditRating.objects.get(enterprise=ent, year=YEAR)
    assert rating.status == "published"
    c = client_for("ent001")
    page = c.get(f"/credit/rating/{rating.pk}/")
    assert page.status_code == 200 and ent.name in page.content.decode()
    other = CreditRating.objects.exclude(enterprise=ent).first()
    assert c.get(f"/credit/rating/{other.pk}/").status_code == 404
    bad = c.post(f"/credit/rating/{rating.pk}/", {"kind": "reply", "text": "  "})
    assert bad.status_code == 400
    ok = c.post(f"/credit/rating/{rating.pk}/", {"kind": "reply", "text": "对D03扣分有异议"})
    assert ok.status_code == 302
    req = RatingRequest.objects.get(rating=rating, text="对D03扣分有异议")
    assert req.filed_by == "ent001" and req.status == "pending"
    assert ChangeLog.objects.filter(content_type__model="ratingrequest", object_id=str(req.pk), user_name="ent001").exists()
    # the enterprise cannot review its own request nor publish
    assert c.post(f"/credit/request/{req.pk}/review/", {"decision": "accept", "note": "x"}).status_code == 403
    assert c.post(f"/credit/rating/{rating.pk}/publish/").status_code == 403


def test_staff_pages_are_scoped(client_for, counties):
    c = client_for("donghu")
    assert c.get("/credit/").status_code == 200
    listing = c.get("/credit/creditrating/")
    assert listing.status_code == 200
    xishan = CreditRating.objects.filter(enterprise__region__path__startswith=counties[1].path).first()
    assert c.get(f"/credit/rating/{xishan.pk}/").status_code == 404
    mine = CreditRating.objects.filter(enterprise__region__path__startswith=counties[0].path).first()
    page = c.get(f"/credit/rating/{mine.pk}/")
    assert page.status_code == 200 and "data-testid=\"findings\"" in page.content.decode()


def test_staff_reviews_and_publishes_through_pages(client_for, draft):
    c = client_for("enforcement")
    assert c.post(f"/credit/rating/{draft.pk}/review/").status_code == 302
    assert c.post(f"/credit/rating/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_overview_compute_form(client_for):
    c = client_for("planning")
    resp = c.post("/credit/", {"year": "2026", "ruleset": "national_2013"})
    assert resp.status_code == 302
    assert CreditRating.objects.filter(year=2026).count() == Enterprise.objects.exclude(status="closed").count()
    assert c.post("/credit/", {"year": "abc", "ruleset": "national_2013"}).status_code == 200  # form error, nothing saved


# --------------------------------------------------------------------------- tax


def test_demo_tax_sheets_match_the_standard(db):
    sheets = TaxSheet.objects.select_related("enterprise")
    assert sheets.count() >= 2
    assert len({s.enterprise.region.path.split("/")[3] for s in sheets}) == 2  # both counties
    sheet = sheets.first()
    outlets, _sources = services.tax_inputs(sheet.enterprise, sheet.month)
    expected = envtax.monthly_tax_sheet(outlets, **services._rate_kwargs(services.month_end(sheet.month)))
    assert expected.tax == sheet.total
    assert sheet.total == sheet.air_tax + sheet.water_tax
    assert sheet.items["outlets"]


def test_tax_sheet_page_and_errors(client_for):
    sheet = TaxSheet.objects.first()
    c = client_for("admin")
    page = c.get(f"/credit/tax/{sheet.pk}/")
    assert page.status_code == 200 and str(sheet.total) in page.content.decode()
    no_data = Enterprise.objects.exclude(emission_reports__isnull=False).first()
    resp = c.post("/credit/tax/compute/", {"enterprise": no_data.pk, "month": "2026-05"})
    assert resp.status_code == 400 and resp.context["form"].non_field_errors()
    assert not TaxSheet.objects.filter(enterprise=no_data).exists()
    resp = c.post("/credit/tax/compute/", {"enterprise": sheet.enterprise.pk, "month": sheet.month.strftime("%Y-%m")})
    assert resp.status_code == 302


def test_emission_report_rejects_unknown_pollutant(db):
    from django.core.exceptions import ValidationError

    report = EmissionReport.objects.first()
    report.pollutant = "颗粒物"  # ambiguous in Annex 2
    with pytest.raises(ValidationError) as exc:
        report.full_clean()
    assert "pollutant" in exc.value.message_dict


def test_emission_report_excel_import_keeps_good_rows(client_for):
    import io

    from openpyxl import Workbook

    report = EmissionReport.objects.select_related("enterprise", "outlet").filter(outlet__medium="air").first()
    wb = Workbook()
    ws = wb.active
    ws.append(["enterprise", "outlet", "month", "pollutant", "emission_kg", "max_concentration", "standard"])
    ws.append([report.enterprise.uscc, report.outlet.code, "2026-03-15", "SO2", 1234.5, 40, 50])
    ws.append([report.enterprise.uscc, report.outlet.code, "2026-03-01", "颗粒物", 10, None, None])
    ws.append([report.enterprise.uscc, "NOPE", "2026-03-01", "SO2", 10, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "reports.xlsx"
    resp = client_for("admin").post("/credit/emissionreport/import/", {"file": buf})
    assert resp.status_code == 200
    result = resp.context["result"]
    assert result.created == 1 and [n for n, _msg in result.errors] == [3, 4]
    row = EmissionReport.objects.get(outlet=report.outlet, month=datetime.date(2026, 3, 1), pollutant="SO2")
    assert row.emission_kg == Decimal("1234.5")


def test_dashboard_card_for_reviewers_only(client_for):
    staff = client_for("enforcement").get("/staff/").content.decode().split("<main")[1]
    assert 'href="/credit/"' in staff
    ent = client_for("ent001").get("/staff/").content.decode().split("<main")[1]
    assert 'href="/credit/"' not in ent
