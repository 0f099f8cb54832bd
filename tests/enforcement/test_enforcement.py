"""Enforcement: draws, penalties, rectification deadlines, cases, permissions, statistics."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from qingshan.core.actor import acting_as
from qingshan.core.models import ChangeLog
from qingshan.enforcement import models as m
from qingshan.enforcement import rules, services
from qingshan.registry.models import Enterprise, Region
from qingshan.standards import penalties, workdays

pytestmark = pytest.mark.django_db


def county(code_suffix):
    return Region.objects.get(code=f"9901{code_suffix}")


def ent_in(county_code):
    return Enterprise.objects.filter(region__path__contains=f"/{county_code}/", status="operating").order_by("uscc").first()


# -- the demo city ------------------------------------------------------------------------

def test_demo_has_draws_cases_daily_penalty_and_listed_supervision():
    assert m.InspectionDraw.objects.filter(published_on__isnull=False).count() >= 2
    for d in m.InspectionDraw.objects.all():
        ok, diffs = d.verify()
        assert ok, diffs
    dp = m.Measure.objects.get(category="daily_penalty")
    assert dp.penalty_days > 0 and dp.amount == dp.original_fine * dp.penalty_days
    assert m.Rectification.objects.exclude(listed_supervision="").exists()
    assert m.Case.objects.published().exists()
    assert m.Case.objects.filter(source_kind="complaint").exists()


def test_measure_categories_are_the_standards_case_types():
    assert set(m.MeasureCategory.values) == {c.value for c in penalties.CaseType}
    assert {c.value for c in m.FIVE_CATEGORIES} == {c.value for c in penalties.EnforcementMeasure}


# -- random draw ------------------------------------------------------------------------------

def test_draw_is_reproducible_from_its_seed(users):
    c = county("01")
    pool = [users["enforcement"], users["donghu"]]

    def make(seed):
        d = m.InspectionDraw.objects.create(name=f"test {seed}", region=c, population_kind="all",
                                            period_start=datetime.date(2026, 7, 1), period_end=datetime.date(2026, 9, 30),
                                            ratio=Decimal("0.25"))
        d.inspector_pool.set(pool)
        return services.run_draw(d, seed=seed)

    a, b = make("abc123"), make("abc123")
    assert a.result["selected"] == b.result["selected"] and a.result["teams"] == b.result["teams"]
    n = len(a.population)
    assert len(a.result["selected"]) == -(-n // 4)  # ceil(25 %)
    assert a.inspections.count() == len(a.result["teams"])
    assert all(i.inspectors.count() == 2 for i in a.inspections.all())
    assert a.verify() == (True, ())
    # tampering with the stored result is detected
    a.result["teams"][0]["inspectors"].reverse()
    assert a.verify()[0] is False
    with pytest.raises(Exception):
        services.run_draw(b)  # a draw is made once


def test_draw_page_run_and_publish(client_for, users):
    c = client_for("enforcement")
    d = m.InspectionDraw.objects.create(name="page draw", region=county("02"), population_kind="all",
                                        period_start=datetime.date(2026, 7, 1), period_end=datetime.date(2026, 9, 30))
    d.inspector_pool.set([users["enforcement"], users["xishan"]])
    assert c.post(reverse("enforcement:draw_run", args=[d.pk])).status_code == 302
    assert c.post(reverse("enforcement:draw_publish", args=[d.pk])).status_code == 302
    d.refresh_from_db()
    assert d.seed and d.published_on
    page = c.get(d.get_absolute_url())
    assert page.status_code == 200 and d.seed in page.content.decode()


# -- penalties --------------------------------------------------------------------------------

def test_daily_penalty_computed_from_order_and_reinspection_dates():
    case = m.Case.objects.first()
    ms = m.Measure(case=case, category="daily_penalty", decided_on=datetime.date(2026, 3, 25),
                   original_fine=Decimal("100000"), correction_order_on=datetime.date(2026, 3, 1),
                   reinspection_on=datetime.date(2026, 3, 21))
    ms.full_clean()
    ms.save()
    assert ms.penalty_days == 20 and ms.amount == Decimal("2000000.00")
    assert ms.daily_breakdown().formula == "100000.00 × 20 = 2000000.00"


def test_daily_penalty_refuses_reinspection_before_order():
    from django.core.exceptions import ValidationError

    ms = m.Measure(case=m.Case.objects.first(), category="daily_penalty", decided_on=datetime.date(2026, 3, 25),
                   original_fine=Decimal("1000"), correction_order_on=datetime.date(2026, 3, 21),
                   reinspection_on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        ms.full_clean()
    assert "reinspection_on" in exc.value.message_dict


def test_late_payment_surcharge_capped_at_the_fine():
    ms = m.Measure(case=m.Case.objects.first(), category="general_penalty", decided_on=datetime.date(2026, 1, 1),
                   amount=Decimal("10000"), payment_due=datetime.date(2026, 1, 16), paid_on=datetime.date(2026, 1, 26))
    assert ms.surcharge().amount == Decimal("3000.00")  # 10 days × 3 %
    ms.paid_on = datetime.date(2026, 4, 1)
    assert ms.surcharge().amount == Decimal("10000.00")
    ms.paid_on = datetime.date(2026, 1, 10)
    assert ms.surcharge() is None


# -- rectification deadlines on the working-day calendar ------------------------------------

def test_rectification_deadline_skips_national_day():
    case = m.Case.objects.first()
    r = m.Rectification(case=case, enterprise=case.enterprise, requirement="整改", ordered_on=datetime.date(2026, 9, 30), workdays=5)
    r.full_clean()
    r.save()
    assert r.due_on == workdays.default_calendar().add_workdays(datetime.date(2026, 9, 30), 5)
    assert r.due_on > datetime.date(2026, 10, 8)  # the holiday week is not counted
    st = r.deadline_status(datetime.date(2026, 10, 20))
    assert st.state.value == "overdue"


def test_close_out_needs_evidence_and_closes_the_case(users):
    case = m.Case.objects.filter(status="rectifying").first()
    rect = case.rectifications.exclude(status="closed_out").first()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.close_out(rect, "   ")
    with acting_as(users["enforcement"]):
        services.close_out(rect, "复查合格")
    case.refresh_from_db()
    assert rect.status == "closed_out" and case.status == "closed" and case.closed_on
    assert ChangeLog.objects.filter(object_id=str(rect.pk), user_name="enforcement").exists()


# -- cases, closed loop, permissions ---------------------------------------------------------

def test_open_case_from_inspection_in_one_action(client_for):
    e = ent_in("990101")
    insp = m.Inspection.objects.create(enterprise=e, status="done", inspected_on=datetime.date(2026, 6, 1),
                                       findings="废水超标", problem_found=True)
    c = client_for("donghu")
    resp = c.post(reverse("enforcement:case_open", args=["enforcement", "inspection", insp.pk]))
    case = m.Case.objects.get(source_kind="inspection", source_id=insp.pk)
    assert resp.status_code == 302 and resp["Location"] == case.get_absolute_url()
    assert case.enterprise == e and case.region == e.region and case.facts == "废水超标"
    assert ChangeLog.objects.filter(object_id=str(case.pk), user_name="donghu", action="create").exists()
    # idempotent
    c.post(reverse("enforcement:case_open", args=["enforcement", "inspection", insp.pk]))
    assert m.Case.objects.filter(source_kind="inspection", source_id=insp.pk).count() == 1
    # xishan cannot reach donghu's inspection
    assert client_for("xishan").post(reverse("enforcement:case_open", args=["enforcement", "inspection", insp.pk])).status_code == 404
    # unknown source models are refused
    assert c.post(reverse("enforcement:case_open", args=["registry", "enterprise", e.pk])).status_code == 404


def test_county_sees_only_its_cases(client_for):
    donghu = county("01")
    mine = m.Case.objects.filter(region__path__startswith=donghu.path)
    other = m.Case.objects.exclude(region__path__startswith=donghu.path).first()
    c = client_for("donghu")
    page = c.get(reverse("enforcement:case_list")).content.decode()
    for case in mine:
        assert case.number in page
    assert other.number not in page
    assert c.get(other.get_absolute_url()).status_code == 404
    # enterprise users only see their own enterprise's cases, and cannot add
    e_user = client_for("ent001")
    assert e_user.get(reverse("enforcement:case_add")).status_code == 403


def test_case_form_keeps_region_from_enterprise_and_checks_dates(client_for):
    e = ent_in("990101")
    c = client_for("donghu")
    resp = c.post(reverse("enforcement:case_add"), {"enterprise": e.pk, "violation_type": "exceedance", "facts": "超标",
                                                    "opened_on": "2026-06-01", "status": "open",
                                                    "decided_on": "2026-05-01"})
    assert resp.status_code == 400 and "decided_on" in resp.context["form"].errors
    resp = c.post(reverse("enforcement:case_add"), {"enterprise": e.pk, "violation_type": "exceedance", "facts": "超标",
                                                    "opened_on": "2026-06-01", "status": "open",
                                                    "legal_basis": "epl2014-60"})
    assert resp.status_code == 302
    case = m.Case.objects.get(facts="超标", enterprise=e)
    assert case.region == e.region and case.number.startswith("QSHF2026")
    # an enterprise outside the county is not offered
    other = ent_in("990102")
    resp = c.post(reverse("enforcement:case_add"), {"enterprise": other.pk, "violation_type": "exceedance",
                                                    "opened_on": "2026-06-01", "status": "open"})
    assert resp.status_code == 400


def test_published_cases_for_portal_and_credit():
    pub = m.Case.objects.published()
    assert pub.exists() and all(c.decided_on and c.published_on for c in pub)
    rec = services.enterprise_record(pub.first().enterprise)
    assert rec and "total_fine" in rec[0]


# -- queue, dashboard, statistics --------------------------------------------------------------

def test_queue_lists_overdue_first(client_for):
    c = client_for("enforcement")
    resp = c.get(reverse("enforcement:queue"))
    assert resp.status_code == 200
    flags = [it["overdue"] for it in resp.context["items"]]
    assert flags == sorted(flags, reverse=True)


def test_dashboard_widgets(client_for):
    resp = client_for("donghu").get(reverse("core:home"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert reverse("enforcement:queue") in body and reverse("enforcement:rectification_list") in body


def test_statistics_page_and_excel_export(client_for):
    c = client_for("enforcement")
    q = {"start": "2025-07-01", "end": "2026-06-30"}
    resp = c.get(reverse("enforcement:statistics"), q)
    assert resp.status_code == 200
    data = resp.context["data"]
    assert data["total"]["inspections"] == m.Inspection.objects.filter(
        status="done", inspected_on__range=("2025-07-01", "2026-06-30")).count()
    assert data["total"]["enterprises"] == m.Inspection.objects.filter(
        status="done", inspected_on__range=("2025-07-01", "2026-06-30")).order_by().values("enterprise").distinct().count()
    assert data["total"]["staff_times"] >= 2 * data["total"]["inspections"]
    assert data["total"]["cases"] > 0 and data["total"]["complaints"] > 0
    xl = c.get(reverse("enforcement:statistics_xlsx"), q)
    assert xl.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xl.content))
    assert len(wb.sheetnames) == 3
    # a county sees only its own row
    d2 = client_for("donghu").get(reverse("enforcement:statistics"), q).context["data"]
    assert [name for name, _r in d2["rows"]] == [county("01").name]
    assert c.get(reverse("enforcement:statistics"), {"start": "2026-06-30", "end": "2026-01-01"}).status_code == 400


def test_entity_pages_load(client_for):
    c = client_for("enforcement")
    for name in ("inspectiondraw", "inspection", "case", "measure", "rectification"):
        assert c.get(reverse(f"enforcement:{name}_list")).status_code == 200, name
        obj = getattr(m, {"inspectiondraw": "InspectionDraw", "inspection": "Inspection", "case": "Case",
                          "measure": "Measure", "rectification": "Rectification"}[name]).objects.first()
        assert c.get(reverse(f"enforcement:{name}_detail", args=[obj.pk])).status_code == 200, name
        assert c.get(reverse(f"enforcement:{name}_add")).status_code == 200, name


def test_calendar_never_fails_for_next_year():
    # a year without a holiday table falls back to the weekday rule (estimated)
    assert rules.add_workdays(datetime.date(2029, 12, 28), 3) == datetime.date(2030, 1, 2)


def test_legal_basis_is_data_and_shown_as_citation(client_for):
    case = m.Case.objects.exclude(legal_basis="").first()
    assert case.get_legal_basis_display().startswith("《")
    assert case.get_legal_basis_display() in client_for("enforcement").get(case.get_absolute_url()).content.decode()
    ids = [i for i, _label in rules.legal_basis_choices()]
    assert "epl2014-59" in ids and len(ids) == len(penalties.packaged_legal_basis().basis)


def test_open_case_from_monitoring_alarm(client_for):
    """Closed loop alarm → case (runs once qingshan.monitoring has an Alarm model with demo rows)."""
    try:
        from qingshan.monitoring.models import Alarm
    except ImportError:
        pytest.skip("qingshan.monitoring.models.Alarm does not exist yet")
    alarm = None
    for candidate in Alarm.objects.all()[:200]:
        if services.source_enterprise(candidate) is not None:
            alarm = candidate
            break
    if alarm is None:
        pytest.skip("the demo city has no alarm of an enterprise")
    resp = client_for("enforcement").post(reverse("enforcement:case_open", args=["monitoring", "alarm", alarm.pk]))
    case = m.Case.objects.get(source_kind="alarm", source_id=alarm.pk)
    assert resp.status_code == 302 and case.source == alarm and case.enterprise == services.source_enterprise(alarm)
    assert case.violation_type == "exceedance"


def test_enterprise_user_sees_only_own_cases(client_for, users):
    ent = users["ent001"].profile.enterprise
    case = services.open_case(m.Inspection.objects.create(enterprise=ent, status="done", inspected_on=datetime.date(2026, 6, 1),
                                                          findings="台账不全", problem_found=True))
    resp = client_for("ent001").get(reverse("enforcement:case_list"))
    assert resp.status_code == 200
    assert {row[0].enterprise_id for row in resp.context["rows"]} == {ent.pk}
    assert case.number in resp.content.decode()


def test_follow_up_inspection_links_to_rectification(client_for):
    rect = m.Rectification.objects.filter(enterprise__region__path__contains="/990101/").first()
    c = client_for("donghu")
    resp = c.post(reverse("enforcement:inspection_add"), {
        "enterprise": rect.enterprise_id, "kind": "follow_up", "status": "done", "inspected_on": "2026-06-20",
        "staff_count": "2", "findings": "复查：已整改", "rectification": rect.pk})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert rect.follow_ups.filter(findings="复查：已整改").exists()
    # bad input: outlets of another enterprise, a completed inspection without a date
    other_outlet = em_outlet_not_of(rect.enterprise_id)
    resp = c.post(reverse("enforcement:inspection_add"), {
        "enterprise": rect.enterprise_id, "kind": "routine", "status": "done", "staff_count": "2",
        "outlets": [other_outlet.pk] if other_outlet else []})
    assert resp.status_code == 400
    assert "inspected_on" in resp.context["form"].errors


def em_outlet_not_of(enterprise_id):
    from qingshan.registry.models import Outlet

    return Outlet.objects.exclude(enterprise_id=enterprise_id).filter(enterprise__region__path__contains="/990101/").first()


def test_public_disclosure_pages():
    from django.test import Client

    public = Client()
    resp = public.get(reverse("enforcement:public_draws"))
    body = resp.content.decode()
    d = m.InspectionDraw.objects.filter(published_on__isnull=False).first()
    assert resp.status_code == 200 and d.seed in body and d.result["teams"][0]["enterprise"] in body
    resp = public.get(reverse("enforcement:public_penalties"))
    body = resp.content.decode()
    assert resp.status_code == 200
    for case in m.Case.objects.published():
        assert case.decision_number in body
    unpublished = m.Case.objects.filter(published_on__isnull=True).exclude(decision_number="").first()
    if unpublished:
        assert unpublished.decision_number not in body
