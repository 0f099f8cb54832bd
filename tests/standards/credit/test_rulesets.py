"""The packaged rule sets: national four-level (环发〔2013〕150号) and Jiangsu five-colour 12-point."""

from decimal import Decimal as D

import pytest

from qingshan.standards import credit_rating as cr

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
GOOD_METRICS = {
    "monitoring_pass_rate": 0.97,
    "solid_waste_compliance_rate": 1.0,
    "hazardous_waste_assessment_score": 95,
    "noise_db_over": 0,
    "siting_compliant": True,
    "risk_management_items": 3,
    "effective_transmission_rate": 0.98,
    "green_addon_items": 2,
}


def national(events=(), **metrics):
    return cr.evaluate("national_2013", {"enterprise": "E", "period": PERIOD, "metrics": {**GOOD_METRICS, **metrics}, "events": list(events)})


def ids(result, kind=None):
    return result.rule_ids(kind)


def test_packaged_rulesets_load():
    assert {"national_2013", "jiangsu_2019"} <= set(cr.available_rulesets())
    nat = cr.load_ruleset("national_2013")
    assert [lv.id for lv in nat.levels] == ["green", "blue", "yellow", "red"]
    assert [lv.name for lv in nat.levels] == ["环保诚信企业", "环保良好企业", "环保警示企业", "环保不良企业"]
    js = cr.load_ruleset("jiangsu_2019")
    assert [lv.id for lv in js.levels] == ["green", "blue", "yellow", "red", "black"]


def test_every_packaged_rule_has_a_clause_and_status():
    for rid in cr.available_rulesets():
        rs = cr.load_ruleset(rid)
        for kind in cr.RULE_KINDS:
            for rule in rs.rules(kind):
                assert rule.get("clause"), (rid, rule["id"])
                assert rule.get("status") in ("V", "S", "U"), (rid, rule["id"])


# ----------------------------------------------------------------- national


def test_national_clean_enterprise_is_green():
    r = national()
    assert (r.colour, r.score, r.label) == ("green", D(100), "绿牌")


def test_national_green_needs_two_addon_items():
    r = national(green_addon_items=1)
    assert r.colour == "blue" and "C01" in ids(r, "ceiling")


def test_national_penalty_costs_the_15_percent_indicator():
    r = national([{"id": "case-1", "type": "case", "date": "2025-04-02", "category": "exceedance", "penalty_amount": 30000, "measures": ["fine"]}])
    d01 = [f for f in r.findings if f.rule_id == "D01"][0]
    assert d01.points == -15 and d01.events == ("case-1",)
    assert (r.score, r.colour) == (D(85), "blue")


@pytest.mark.parametrize(
    "pass_rate, score, colour",
    [(0.9, "100", "green"), (0.89, "96.85", "blue"), (0.75, "96.85", "blue"), (0.74, "92.35", "blue"), (0.49, "85", "blue")],
)
def test_national_monitoring_pass_rate_tiers(pass_rate, score, colour):
    r = national(monitoring_pass_rate=pass_rate)
    assert (r.score, r.colour) == (D(score), colour)


def test_national_thresholds_80_and_60():
    fined = {"type": "case", "measures": ["fine"]}
    # pass rate < 50 % costs the whole 15 % indicator; a permit violation 5 points
    r = national([{"type": "permit_violation"}], monitoring_pass_rate=0.4)
    assert (r.score, r.colour) == (D(80), "blue")
    r = national([{"type": "permit_violation"}, {"type": "complaint", "verified": True}], monitoring_pass_rate=0.4)
    assert (r.score, r.colour) == (D(78), "yellow")
    r = national([fined], monitoring_pass_rate=0.4, risk_management_items=0)
    assert (r.score, r.colour) == (D(60), "yellow")
    r = national([fined, {"type": "permit_violation"}], monitoring_pass_rate=0.4, risk_management_items=0)
    assert (r.score, r.colour, r.vetoed) == (D(55), "red", False)


@pytest.mark.parametrize(
    "event, rule",
    [
        ({"type": "case", "measures": ["criminal_referral"]}, "V01"),
        ({"type": "criminal_referral"}, "V01"),
        ({"type": "case", "category": "no_eia", "measures": ["fine"]}, "V02"),
        ({"type": "case", "category": "hidden_discharge"}, "V06"),
        ({"type": "case", "category": "illegal_hazardous_waste"}, "V07"),
        ({"type": "incident", "grade": "major"}, "V10"),
        ({"type": "rectification", "status": "overdue", "listed_supervision": True}, "V11"),
    ],
)
def test_national_vetoes_make_red(event, rule):
    r = national([{"id": "ev", **event}])
    assert r.colour == "red" and r.vetoed
    veto = [f for f in r.findings if f.kind == "veto"]
    assert [f.rule_id for f in veto] == [rule] and veto[0].events == ("ev",)


def test_national_general_incident_downgrades_one_level():
    r = national([{"id": "inc", "type": "incident", "grade": "general", "date": "2025-07-01"}])
    assert r.score == 100 and r.score_level == "green" and r.colour == "blue"
    assert [f.rule_id for f in r.findings] == ["G01"]


def test_national_explanation_lists_every_rule_and_event():
    events = [
        {"id": "c1", "type": "complaint", "verified": True},
        {"id": "c2", "type": "complaint", "verified": False},
        {"id": "r1", "type": "rectification", "status": "overdue"},
        {"id": "d1", "type": "exceedance_day"},
        {"id": "d2", "type": "exceedance_day"},
    ]
    r = national(events, effective_transmission_rate=0.8)
    by_rule = {f.rule_id: f for f in r.findings}
    assert by_rule["D03"].events == ("c1",) and by_rule["D03"].points == -2
    assert by_rule["D04"].events == ("r1",) and by_rule["D02"].events == ("d1", "d2")
    assert by_rule["I07"].points == D("-1.05")
    assert r.score == D("100") - 2 - 5 - 2 - D("1.05")


def test_national_repair_yellow_to_blue():
    record = {
        "period": PERIOD,
        "metrics": {**GOOD_METRICS, "monitoring_pass_rate": 0.4, "credit_commitment": True},
        "events": [
            {"id": "case-1", "type": "case", "date": "2025-03-01", "measures": ["fine"], "penalty_amount": 80000, "penalty_paid": True},
            {"id": "rect-1", "type": "rectification", "status": "done", "date": "2025-04-01"},
        ],
    }
    result = cr.evaluate("national_2013", record)
    assert result.colour == "yellow"
    d = cr.repair_eligibility("national_2013", result, record, published_on="2026-05-29", applied_on="2026-08-01")
    assert d.eligible and d.new_level == "blue"
    unpaid = {**record, "events": [dict(record["events"][0], penalty_paid=False), record["events"][1]]}
    d = cr.repair_eligibility("national_2013", result, unpaid, published_on="2026-05-29", applied_on="2026-08-01")
    assert not d.eligible and not {c.id: c.ok for c in d.checks}["penalties_executed"]


def test_national_crime_cannot_be_repaired():
    record = {"period": PERIOD, "metrics": {**GOOD_METRICS, "credit_commitment": True}, "events": [{"id": "x", "type": "criminal_referral"}]}
    result = cr.evaluate("national_2013", record)
    d = cr.repair_eligibility("national_2013", result, record, published_on="2026-05-29", applied_on="2026-06-01")
    assert not d.eligible and not {c.id: c.ok for c in d.checks}["excluded_rules"]


# ----------------------------------------------------------------- Jiangsu


def jiangsu(events=(), as_of="2019-12-31", **extra):
    return cr.evaluate("jiangsu_2019", {"enterprise": "E", "period": {"start": "2019-01-01", "end": "2019-12-31"}, "as_of": as_of, "events": list(events), **extra})


EXCEEDANCE = {"id": "case-1", "type": "case", "date": "2019-03-10", "category": "exceedance", "penalty_amount": 100000, "measures": ["order_to_correct", "fine"]}


def test_jiangsu_worked_example_9_minus_3_is_blue():
    # initial 9 points; 2019-03-10 exceedance, order to correct and fine: −3 (valid six months) → 6, still blue
    r = jiangsu([EXCEEDANCE], as_of="2019-04-01")
    assert (r.score, r.colour) == (D(6), "blue")
    assert [(f.rule_id, f.points, f.events) for f in r.findings] == [("J02", D(-3), ("case-1",))]


def test_jiangsu_deduction_expires_after_six_months():
    # six months from 2019-03-10: active up to 2019-09-09, gone on 2019-09-10
    assert jiangsu([EXCEEDANCE], as_of="2019-09-09").score == 6
    assert jiangsu([EXCEEDANCE], as_of="2019-09-10").score == 9


@pytest.mark.parametrize("score, colour", [(12, "green"), (11, "green"), (10, "blue"), (6, "blue"), (5, "yellow"), (3, "yellow"), (2, "red"), (1, "red"), (0, "black"), (-3, "black")])
def test_jiangsu_bands(score, colour):
    assert jiangsu(opening_score=score).colour == colour


def test_jiangsu_warning_only_one_point():
    r = jiangsu([{"id": "w", "type": "case", "date": "2019-05-01", "measures": ["warning"]}])
    assert r.score == 8 and r.rule_ids() == ["J01"]


def test_jiangsu_criminal_liability_is_black():
    r = jiangsu([{"id": "k", "type": "case", "date": "2019-06-01", "measures": ["criminal_referral"]}])
    assert (r.score, r.colour) == (D(-3), "black") and "J06" in r.rule_ids()


def test_jiangsu_commitment_bonus_and_max():
    r = jiangsu(metrics={"clean_years_with_commitment": 2})
    assert (r.score, r.colour) == (D(11), "green")
    r = jiangsu(metrics={"clean_years_with_commitment": 2}, opening_score=12)
    assert r.score == 12 and "score.max" in r.rule_ids()


def test_jiangsu_major_incident_veto_black():
    r = jiangsu([{"id": "i", "type": "incident", "grade": "major", "date": "2019-08-01"}])
    assert r.colour == "black" and r.vetoed and r.score == 9
