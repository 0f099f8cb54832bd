"""Daily continuous penalty, late-payment surcharge, measure time limits, legal basis data."""

import copy
import datetime
import json
from decimal import Decimal as Dec
from importlib import resources

import pytest

from qingshan.standards import penalties as pen
from qingshan.standards.penalties import (
    CaseType,
    EnforcementMeasure,
    LegalBasisError,
    LegalBasisTable,
    PenaltyError,
    Recheck,
)

D = datetime.date.fromisoformat


# --------------------------------------------------------------------------- daily continuous penalty


def test_rules_md_worked_example():
    # rules.md §3.2: fine 200,000, order served 2015-03-01, re-inspection 2015-03-21 → 20 days → 4,000,000
    r = pen.daily_penalty(200000, "2015-03-01", ["2015-03-21"])
    assert r.total_days == 20 and r.total_amount == Dec("4000000.00")
    (p,) = r.periods
    assert (p.first_day, p.last_day) == (D("2015-03-02"), D("2015-03-21"))
    assert r.formula == "200000.00 × 20 = 4000000.00"
    assert r.breakdown()[0] == {
        "period": 1,
        "order_served_on": "2015-03-01",
        "recheck_on": "2015-03-21",
        "first_day": "2015-03-02",
        "last_day": "2015-03-21",
        "days": 20,
        "daily_amount": "200000.00",
        "amount": "4000000.00",
        "formula": "200000.00 × 20 = 4000000.00",
    }
    assert (r.count_service_day, r.count_recheck_day) == (False, True)
    assert r.warnings == () and r.corrected_on is None


@pytest.mark.parametrize(
    "service_day, recheck_day, days",
    [(False, True, 20), (True, True, 21), (True, False, 20), (False, False, 19)],
)
def test_counting_convention_is_a_parameter(service_day, recheck_day, days):
    assert pen.daily_penalty_days("2015-03-01", "2015-03-21", count_service_day=service_day, count_recheck_day=recheck_day) == days
    r = pen.daily_penalty("1000", "2015-03-01", ["2015-03-21"], count_service_day=service_day, count_recheck_day=recheck_day)
    assert r.total_days == days and r.total_amount == Dec(1000 * days)


def test_further_rechecks_accumulate_days():
    # Art. 17 ¶2: a second re-inspection still finding the violation adds days; the new order is served at re-inspection
    r = pen.daily_penalty(
        "200000", "2015-03-01", [{"date": "2015-04-10"}, Recheck(D("2015-03-21"))]  # any order
    )
    assert [p.days for p in r.periods] == [20, 20]
    assert r.periods[1].first_day == D("2015-03-22") and r.periods[1].last_day == D("2015-04-10")
    assert r.total_days == 40 and r.total_amount == Dec("8000000.00")
    assert [row["period"] for row in r.breakdown()] == [1, 2]


def test_new_order_served_later_starts_the_next_period_from_it():
    r = pen.daily_penalty(
        50000,
        "2015-03-01",
        [Recheck(D("2015-03-21"), True, D("2015-03-23")), Recheck(D("2015-04-10"))],
    )
    assert [p.days for p in r.periods] == [20, 18]
    assert r.total_amount == Dec("1900000.00")


def test_inclusive_convention_never_counts_a_day_twice():
    r = pen.daily_penalty(100, "2015-03-01", ["2015-03-21", "2015-04-10"], count_service_day=True)
    assert [p.days for p in r.periods] == [21, 20]
    assert r.total_days == (D("2015-04-10") - D("2015-03-01")).days + 1


def test_correction_ends_the_count_and_a_later_recheck_needs_a_new_case():
    r = pen.daily_penalty(100, "2015-03-01", [{"date": "2015-03-21", "violation_continuing": True},
                                               {"date": "2015-04-10", "violation_continuing": False}])
    assert r.total_days == 20 and r.corrected_on == D("2015-04-10")
    with pytest.raises(PenaltyError, match="Art. 18"):
        pen.daily_penalty(100, "2015-03-01", [Recheck(D("2015-03-21"), False), Recheck(D("2015-04-10"))])
    nothing = pen.daily_penalty(100, "2015-03-01", [Recheck(D("2015-03-10"), False)])
    assert nothing.total_amount == 0 and nothing.periods == ()


def test_late_recheck_and_same_day_recheck_warn():
    r = pen.daily_penalty(100, "2015-03-01", ["2015-04-15"])
    assert r.total_days == 45 and any("more than 30 days" in w for w in r.warnings)
    same = pen.daily_penalty(100, "2015-03-01", ["2015-03-01"])
    assert same.total_days == 0 and any("counts no day" in w for w in same.warnings)
    assert pen.recheck_due_date("2015-03-01") == D("2015-03-31")


@pytest.mark.parametrize(
    "fine, rechecks, message",
    [
        (-5, ["2015-03-21"], "more than zero"),
        (0, ["2015-03-21"], "more than zero"),
        ("12.345", ["2015-03-21"], "two decimals"),
        (True, ["2015-03-21"], "amount"),
        (float("nan"), ["2015-03-21"], "finite"),
        ("abc", ["2015-03-21"], "amount"),
        (100, ["2015-02-21"], "before the order"),
        (100, ["2015-03-21", "2015-03-21"], "two re-inspections"),
        (100, ["2015-02-30"], "ISO date"),
        (100, [42], "must be a date"),
        (100, [{"date": "2015-03-21", "violation_continuing": "yes"}], "true or false"),
    ],
)
def test_bad_daily_penalty_input(fine, rechecks, message):
    with pytest.raises(PenaltyError, match=message):
        pen.daily_penalty(fine, "2015-03-01", rechecks)


def test_days_helper_refuses_reversed_dates():
    with pytest.raises(PenaltyError):
        pen.daily_penalty_days("2015-03-21", "2015-03-01")


# --------------------------------------------------------------------------- late-payment surcharge


def test_surcharge_3_percent_per_day():
    s = pen.late_payment_surcharge(10000, "2024-03-15", "2024-03-25")
    assert (s.days_overdue, s.days_charged, s.amount, s.capped) == (10, 10, Dec("3000.00"), False)
    assert s.total_payable == Dec("13000.00")
    assert s.formula == "10000.00 × 0.03 × 10 = 3000.00"


def test_surcharge_is_capped_at_the_fine():
    s33 = pen.late_payment_surcharge(10000, "2024-03-15", D("2024-03-15") + datetime.timedelta(days=33))
    assert (s33.amount, s33.capped, s33.cap_reached_on) == (Dec("9900.00"), False, None)
    s = pen.late_payment_surcharge(10000, "2024-03-15", "2024-05-01")
    assert s.days_overdue == 47 and s.uncapped_amount == Dec("14100.00")
    assert (s.amount, s.capped) == (Dec("10000.00"), True)
    assert s.cap_reached_on == D("2024-04-18")  # the 34th day after the due date
    assert s.total_payable == Dec("20000.00")
    assert "capped" in s.formula


def test_surcharge_not_due_yet_or_paid_on_time():
    for as_of in ("2024-03-01", "2024-03-15"):
        s = pen.late_payment_surcharge(10000, "2024-03-15", as_of)
        assert (s.days_overdue, s.amount) == (0, Dec("0.00"))


def test_surcharge_excludes_reconsideration_and_litigation_periods():
    s = pen.late_payment_surcharge(
        10000, "2024-03-15", "2024-04-04", excluded_periods=[("2024-03-20", "2024-03-29"), {"start": "2024-03-25", "end": "2024-03-26"}]
    )
    assert (s.days_overdue, s.excluded_days, s.days_charged, s.amount) == (20, 10, 10, Dec("3000.00"))
    capped = pen.late_payment_surcharge(1000, "2024-03-15", "2024-06-30", excluded_periods=[("2024-03-16", "2024-03-25")])
    assert capped.cap_reached_on == D("2024-04-28")  # 10 excluded days push the 34th charged day back


def test_surcharge_rounds_half_up_to_the_fen():
    s = pen.late_payment_surcharge("333.33", "2024-03-15", "2024-03-16")
    assert s.daily_amount == Dec("9.9999") and s.amount == Dec("10.00")
    s = pen.late_payment_surcharge("0.50", "2024-03-15", "2024-03-16")
    assert s.amount == Dec("0.02")  # 0.015 → 0.02


def test_surcharge_bad_input():
    with pytest.raises(PenaltyError):
        pen.late_payment_surcharge(10000, "2024-03-15", "2024-04-01", rate="1.5")
    with pytest.raises(PenaltyError):
        pen.late_payment_surcharge(10000, "2024-03-15", "2024-04-01", excluded_periods=[("2024-03-20", "2024-03-10")])
    with pytest.raises(PenaltyError):
        pen.late_payment_surcharge(10000, "2024-03-15", "2024-04-01", excluded_periods=["2024-03-20"])


def test_payment_due_date_15_days_rolled_past_holidays():
    assert pen.payment_due_date("2025-03-03") == D("2025-03-18")
    assert pen.payment_due_date("2025-09-16") == D("2025-10-09")  # 10-01 is National Day


# --------------------------------------------------------------------------- time limits of measures


def test_seizure_30_days_extension_and_testing_time():
    r = pen.seizure_period("2025-03-01")
    assert (r.due, r.max_due, r.status) == (D("2025-03-31"), D("2025-04-30"), "V")
    assert [b.id for b in r.basis] == ["acl-25"]
    r = pen.seizure_period("2025-03-01", extended_by=30, excluded_periods=[("2025-03-10", "2025-03-14")])
    assert (r.base_due, r.due, r.excluded_days) == (D("2025-03-31"), D("2025-05-05"), 5)
    with pytest.raises(PenaltyError, match="at most 30"):
        pen.seizure_period("2025-03-01", extended_by=31)


def test_production_limit_3_months_plus_3():
    r = pen.production_limit_period("2025-01-31")
    assert (r.due, r.max_due, r.status) == (D("2025-04-30"), D("2025-07-31"), "U")
    assert pen.production_limit_period("2025-01-31", extended_by=2).due == D("2025-06-30")


def test_procedure_time_limits_in_working_days():
    # 行政处罚法 Art. 64/85: notify 7 working days before the hearing (Fri 2025-10-10)
    assert pen.compute_time_limit("hearing_notice", "2025-10-10").due == D("2025-09-24")
    assert pen.compute_time_limit("hearing_request", "2025-09-29").due == D("2025-10-13")
    assert pen.compute_time_limit("case_decision", "2025-01-01").due == D("2025-04-01")
    t = datetime.datetime(2025, 5, 1, 22, 30)
    assert pen.compute_time_limit("seizure_emergency_approval", t).due == datetime.datetime(2025, 5, 2, 22, 30)
    with pytest.raises(PenaltyError, match="datetime"):
        pen.compute_time_limit("seizure_emergency_approval", "2025-05-01")
    with pytest.raises(LegalBasisError, match="unknown time limit"):
        pen.compute_time_limit("nope", "2025-05-01")


# --------------------------------------------------------------------------- legal basis data


def test_five_categories_enum_and_case_types():
    assert [m.value for m in EnforcementMeasure] == [
        "daily_penalty", "seizure", "production_limit", "detention_referral", "criminal_referral",
    ]
    assert {c.value for c in CaseType} == set(pen.FIVE_CATEGORIES) | {"general_penalty", "no_penalty"}
    assert CaseType.SEIZURE.is_five_categories and not CaseType.GENERAL_PENALTY.is_five_categories


def test_every_measure_has_a_legal_basis_as_data():
    table = pen.packaged_legal_basis()
    for m in EnforcementMeasure:
        rows = pen.legal_basis(m, on="2025-06-01")
        assert rows, m
        assert all(b.status in ("V", "S", "U") and b.law and b.article for b in rows)
        assert table.subjects[m.value]["five_categories"] is True
    epl59 = table.get("epl2014-59")
    assert epl59.citation == "《中华人民共和国环境保护法》第五十九条"
    assert epl59.valid_from == D("2015-01-01") and epl59.valid_to is None
    assert table.label(EnforcementMeasure.DAILY_PENALTY) == "按日连续处罚"
    assert pen.legal_basis("daily_penalty", on="2014-06-01") == ()  # before the 2014 EPL took effect


def _raw_table():
    text = resources.files("qingshan.standards").joinpath("data", "legal_basis.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_a_new_code_is_added_as_data_without_code_changes():
    data = _raw_table()
    data["instruments"]["eco_code"] = {
        "title": "中华人民共和国生态环境法典", "title_en": "Ecological Environment Code (hypothetical entry)",
        "valid_from": "2026-08-15", "valid_to": None,
    }
    for key in ("epl_2014", "mep_order_28"):
        data["instruments"][key]["valid_to"] = "2026-08-14"
    data["basis"].append({"id": "code-x", "subject": "daily_penalty", "instrument": "eco_code",
                          "article": "第X条", "summary": "daily penalty under the Code", "status": "U"})
    table = LegalBasisTable.from_mapping(data)
    before = {b.id for b in table.for_subject("daily_penalty", on="2026-08-14")}
    after = {b.id for b in table.for_subject("daily_penalty", on="2026-08-15")}
    assert "epl2014-59" in before and "code-x" not in before
    assert "code-x" in after and "epl2014-59" not in after and "mep28-17" not in after
    assert "air-123" in after  # other laws unaffected


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="x/1"), "unsupported"),
        (lambda d: d["basis"].append(copy.deepcopy(d["basis"][0])), "duplicate basis id"),
        (lambda d: d["basis"][0].update(subject="nope"), "unknown subject"),
        (lambda d: d["basis"][0].update(instrument="nope"), "unknown instrument"),
        (lambda d: d["basis"][0].update(status="X"), "status"),
        (lambda d: d["basis"][0].update(valid_from="2015-13-01"), "ISO date"),
        (lambda d: d["time_limits"]["seizure"].update(unit="weeks"), "unit"),
        (lambda d: d["time_limits"]["seizure"].update(basis=["nope"]), "unknown basis"),
        (lambda d: d["time_limits"]["seizure"].update(amount="30"), "integer"),
    ],
)
def test_bad_legal_basis_tables_are_refused(mutate, message):
    data = _raw_table()
    mutate(data)
    with pytest.raises(LegalBasisError, match=message):
        LegalBasisTable.from_mapping(data)


def test_unknown_subject_and_bad_json():
    with pytest.raises(LegalBasisError, match="unknown subject"):
        pen.legal_basis("fine_for_parking")
    with pytest.raises(LegalBasisError, match="JSON"):
        LegalBasisTable.from_json("{")
    with pytest.raises(LegalBasisError, match="unknown legal basis id"):
        pen.packaged_legal_basis().get("nope")
