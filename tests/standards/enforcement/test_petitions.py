"""Petition (信访 / 12369) time limits, status, rates."""

import copy
import datetime
from decimal import Decimal as Dec
from fractions import Fraction

import pytest

from qingshan.standards import petitions as pet
from qingshan.standards.petitions import PetitionEvent, PetitionInputError, PetitionRules, PetitionRulesError
from qingshan.standards.workdays import DeadlineState, WorkdayCalendar

D = datetime.date.fromisoformat
S = DeadlineState


def ev(kind, date, **kw):
    return {"kind": kind, "date": date, **kw}


# --------------------------------------------------------------------------- stages and due dates


def test_intake_15_days_rolled_to_a_working_day():
    t = pet.petition_timeline("2025-08-01", "letter", [], as_of="2025-08-05")
    intake = t.stage("intake")
    assert intake.due == D("2025-08-18")  # 08-16 is a Saturday
    assert intake.state is S.ON_TIME and intake.remaining_days == 13
    assert intake.status == "V" and intake.counting_status == "U"
    assert t.state == "on_time" and t.current_stage.stage == "intake"
    assert t.procedure == "xinfang_2022" and t.stage("handle") is None


def test_handle_60_days_across_national_day_with_extension():
    events = [ev("accepted", "2025-08-03"), ev("extended", "2025-09-25", days=30)]
    t = pet.petition_timeline("2025-08-01", "visit", events, as_of="2025-10-20")
    assert t.stage("intake").state is S.DONE_ON_TIME and t.stage("intake").completed_by == "accepted"
    handle = t.stage("handle")
    # 08-03 + 60 = 10-02 (National Day) → 10-09; extended by 30: 08-03 + 90 = 11-01 (Sat) → 11-03
    assert (handle.base_due, handle.due, handle.extension_days) == (D("2025-10-09"), D("2025-11-03"), 30)
    assert handle.state is S.ON_TIME and handle.remaining_days == 14
    assert t.warnings == ()


def test_extension_default_split_and_cap():
    t = pet.petition_timeline("2025-03-01", "letter", [ev("accepted", "2025-03-03"), ev("extended", "2025-04-20")], as_of="2025-04-21")
    assert t.stage("handle").extension_days == 30
    split = [ev("accepted", "2025-03-03"), ev("extended", "2025-04-20", days=10), ev("extended", "2025-05-10", days=20)]
    t = pet.petition_timeline("2025-03-01", "letter", split, as_of="2025-05-11")
    assert t.stage("handle").extension_days == 30
    too_much = split + [ev("extended", "2025-05-11", days=1)]
    with pytest.raises(PetitionInputError, match="more than the 30 allowed"):
        pet.petition_timeline("2025-03-01", "letter", too_much, as_of="2025-05-12")


def test_late_extension_warns():
    events = [ev("accepted", "2025-03-03"), ev("extended", "2025-05-08", days=10)]  # due was 05-06
    t = pet.petition_timeline("2025-03-01", "letter", events, as_of="2025-05-09")
    assert t.stage("handle").due == D("2025-05-12")
    assert any("after the original due date" in w for w in t.warnings)


def test_replied_on_time_late_and_overdue():
    base = [ev("accepted", "2025-03-03")]  # due 2025-05-02 (Labour Day) → 05-06
    t = pet.petition_timeline("2025-03-01", "web", base + [ev("replied", "2025-05-06")], as_of="2025-06-01")
    h = t.stage("handle")
    assert (h.due, h.state, h.completed_on) == (D("2025-05-06"), S.DONE_ON_TIME, D("2025-05-06"))
    t = pet.petition_timeline("2025-03-01", "web", base + [ev("replied", "2025-05-09")], as_of="2025-06-01")
    assert t.stage("handle").state is S.DONE_LATE and t.stage("handle").overdue_days == 3
    t = pet.petition_timeline("2025-03-01", "web", base, as_of="2025-05-16")
    h = t.stage("handle")
    assert (h.state, h.overdue_days, h.overdue_workdays) == (S.OVERDUE, 10, 8)
    assert t.state == "overdue"
    soon = pet.petition_timeline("2025-03-01", "web", base, as_of="2025-04-30")
    assert soon.stage("handle").state is S.DUE_SOON  # only 05-06 left after the holiday


def test_review_and_re_review_with_hearing_excluded():
    events = [
        ev("accepted", "2025-03-03"),
        ev("replied", "2025-04-15"),
        ev("review_requested", "2025-05-06"),
        ev("review_replied", "2025-06-03"),
        ev("re_review_requested", "2025-06-20"),
        ev("hearing", "2025-07-01", end="2025-07-03"),
    ]
    t = pet.petition_timeline("2025-03-01", "letter", events, as_of="2025-07-10")
    assert t.stage("review_request").actor == "petitioner"
    assert t.stage("review_request").due == D("2025-05-15") and t.stage("review_request").state is S.DONE_ON_TIME
    assert t.stage("review").due == D("2025-06-05") and t.stage("review").state is S.DONE_ON_TIME
    rr = t.stage("re_review")
    # 06-20 + 30 = 07-20 (Sunday); + 3 hearing days = 07-23 (Wednesday)
    assert (rr.base_due, rr.excluded_days, rr.due) == (D("2025-07-21"), 3, D("2025-07-23"))
    assert t.current_stage.stage == "re_review"


def test_remit_objection_5_working_days():
    t = pet.petition_timeline("2025-09-29", "letter", [ev("assigned", "2025-09-29")], as_of="2025-10-09")
    obj = t.stage("remit_objection")
    assert obj.unit == "workdays" and obj.due == D("2025-10-13")  # 09-30, 10-09, 10-10, Sat 10-11, 10-13
    assert obj.counting_status == "V"
    t = pet.petition_timeline(
        "2025-09-29", "letter", [ev("assigned", "2025-09-29"), ev("objected", "2025-10-10")], as_of="2025-10-10"
    )
    assert t.stage("remit_objection").state is S.DONE_ON_TIME


def test_not_accepted_or_routed_closes_intake_without_handling():
    t = pet.petition_timeline("2025-03-01", "letter", [ev("routed", "2025-03-05")], as_of="2025-06-01")
    assert t.stage("intake").completed_by == "routed" and t.stage("handle") is None
    assert t.state == "closed" and t.current_stage is None


def test_hotline_channel_uses_the_12369_procedure():
    t = pet.petition_timeline("2025-03-01", "hotline_12369", [ev("accepted", "2025-03-01")], as_of="2025-03-02")
    assert t.procedure == "hotline_12369"
    assert t.stage("intake").status == "S" and "部令第15号" in t.stage("intake").basis
    assert t.stage("handle").due == D("2025-04-30")
    assert pet.petition_timeline("2025-03-01", "phone", [], as_of="2025-03-02").procedure == "hotline_12369"


def test_local_rules_as_data_fujian_example():
    # Fujian 2018 (rules.md §6.2, S): decide acceptance in 2 working days, finish within 30 days
    rules = copy.deepcopy(pet.DEFAULT_PETITION_RULES)
    rules["procedures"]["fujian_12369"] = {
        "title": "Fujian 12369 (local SLA)",
        "inherit": "hotline_12369",
        "stages": [
            {"id": "intake", "amount": 2, "unit": "workdays", "status": "S", "counting_status": "S"},
            {"id": "handle", "amount": 30, "status": "S"},
        ],
    }
    rules["channels"]["hotline_12369"] = "fujian_12369"
    events = [PetitionEvent("accepted", D("2025-09-30"))]
    t = pet.petition_timeline("2025-09-30", "hotline_12369", events, as_of="2025-10-01", rules=rules)
    assert t.stage("intake").due == D("2025-10-10")  # 2 working days after 09-30: 10-09, 10-10
    assert t.stage("handle").due == D("2025-10-30")
    assert t.stage("handle").extension_days == 0 and PetitionRules.from_mapping(rules).procedure_for("fujian_12369")


def test_fallback_calendar_marks_estimates():
    cal = WorkdayCalendar(weekend_fallback=True)
    last = max(cal.known_years)
    t = pet.petition_timeline(
        datetime.date(last, 12, 1), "letter", [ev("accepted", datetime.date(last, 12, 1))],
        as_of=datetime.date(last, 12, 2), calendar=cal,
    )
    assert t.stage("handle").estimated and t.estimated
    assert not t.stage("intake").estimated


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "channel, events, as_of, message",
    [
        ("pigeon", [], "2025-03-02", "unknown channel"),
        ("letter", [ev("teleported", "2025-03-02")], "2025-03-03", "unknown event kind"),
        ("letter", [ev("accepted", "2025-02-27")], "2025-03-03", "before the petition was received"),
        ("letter", [ev("accepted", "2025-03-05")], "2025-03-03", "after as_of"),
        ("letter", [ev("replied", "2025-03-02")], "2025-03-03", "never started"),
        ("letter", [ev("accepted", "2025-03-02"), ev("review_replied", "2025-03-03")], "2025-03-03", "never started"),
        ("letter", [ev("accepted", "2025-03-02", days=0)], "2025-03-03", "positive integer"),
        ("letter", [{"date": "2025-03-02"}], "2025-03-03", "kind"),
        ("letter", [ev("accepted", "2025-03-32")], "2025-04-03", "ISO date"),
        ("letter", ["accepted"], "2025-03-03", "mapping"),
        ("letter", [], "2025-02-01", "before the petition was received"),
    ],
)
def test_bad_petition_input(channel, events, as_of, message):
    with pytest.raises(PetitionInputError, match=message):
        pet.petition_timeline("2025-03-01", channel, events, as_of=as_of)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r.update(format="x"), "format"),
        (lambda r: r["channels"].update(x="nope"), "unknown procedure"),
        (lambda r: r["procedures"]["xinfang_2022"]["stages"][0].update(unit="weeks"), "unit"),
        (lambda r: r["procedures"]["xinfang_2022"]["stages"][0].update(amount=0), "positive integer"),
        (lambda r: r["procedures"]["xinfang_2022"]["stages"][0].update(actor="robot"), "actor"),
        (lambda r: r["procedures"]["xinfang_2022"]["stages"][0].update(status="maybe"), "status"),
        (lambda r: r["procedures"]["xinfang_2022"].update(inherit="hotline_12369"), "loop"),
        (lambda r: r["procedures"]["hotline_12369"].update(inherit="nope"), "unknown procedure"),
        (lambda r: r["procedures"]["xinfang_2022"]["stages"][2].pop("start"), "missing 'start'"),
        (lambda r: r.update(due_soon_workdays=-1), "due_soon_workdays"),
    ],
)
def test_bad_rules_are_refused(mutate, message):
    rules = copy.deepcopy(pet.DEFAULT_PETITION_RULES)
    mutate(rules)
    with pytest.raises(PetitionRulesError, match=message):
        PetitionRules.from_mapping(rules)


# --------------------------------------------------------------------------- rates


def _timelines():
    as_of = "2025-07-01"
    acc = ev("accepted", "2025-03-03")  # handle due 2025-05-06
    return [
        pet.petition_timeline("2025-03-01", "letter", [acc, ev("replied", "2025-04-01")], as_of=as_of),  # on time
        pet.petition_timeline("2025-03-01", "letter", [acc, ev("replied", "2025-05-20")], as_of=as_of),  # late
        pet.petition_timeline("2025-03-01", "letter", [acc], as_of=as_of),  # open, overdue
        pet.petition_timeline("2025-06-20", "letter", [ev("accepted", "2025-06-20")], as_of=as_of),  # open, not due
        pet.petition_timeline("2025-06-25", "letter", [ev("not_accepted", "2025-06-26")], as_of=as_of),
        pet.petition_timeline("2025-06-28", "letter", [], as_of=as_of),  # intake pending
    ]


def test_rates_and_their_denominators():
    items = _timelines()
    handled = pet.handled_rate(items)
    assert (handled.numerator, handled.denominator) == (5, 6)
    closure = pet.closure_rate(items)
    assert (closure.numerator, closure.denominator, closure.value) == (2, 4, Fraction(1, 2))
    assert closure.percent() == Dec("50.00")
    on_time = pet.on_time_rate(items)
    assert (on_time.numerator, on_time.denominator) == (1, 3)  # completed 2 + open overdue 1
    assert on_time.percent() == Dec("33.33") and on_time.percent(1) == Dec("33.3")
    closed = pet.on_time_rate(items, denominator="closed")
    assert (closed.numerator, closed.denominator) == (1, 2)
    assert "÷" in on_time.definition


def test_rates_with_no_items():
    r = pet.closure_rate([])
    assert (r.value, r.percent()) == (None, None)
    with pytest.raises(PetitionInputError):
        pet.on_time_rate([], denominator="all")


def test_unknown_year_propagates_as_a_typed_error():
    from qingshan.standards.workdays import UnknownYearError, default_calendar

    last = max(default_calendar().known_years)
    with pytest.raises(UnknownYearError):
        pet.petition_timeline(
            datetime.date(last, 12, 1), "letter", [ev("accepted", datetime.date(last, 12, 1))],
            as_of=datetime.date(last, 12, 2),
        )
