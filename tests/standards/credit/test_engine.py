"""The credit rating engine on small inline rule sets."""

from decimal import Decimal as D

import pytest

from qingshan.standards import credit_rating as cr
from qingshan.standards.credit_rating import CreditRatingError

RULES = {
    "id": "test",
    "levels": [
        {"id": "green", "min_score": 90},
        {"id": "blue", "min_score": 75},
        {"id": "yellow", "min_score": 60},
        {"id": "red", "min_score": 40},
        {"id": "black", "min_score": None},
    ],
    "scoring": {"base": 100, "max": 100},
    "groups": {"social": {"cap": 5}},
    "indicators": [
        {"id": "I1", "metric": "transmission", "weight": 10, "tiers": [{"gte": 0.9, "score": 100}, {"gte": 0.75, "score": 50}, {"score": 0}]},
        {"id": "I2", "metric": "bonus_years", "tiers": [{"gte": 2, "points": 3}, {"points": 0}]},
        {"id": "I3", "metric": "audit", "missing": "worst", "weight": 4, "tiers": [{"eq": "pass", "score": 100}, {"score": 0}]},
    ],
    "deductions": [
        {"id": "D1", "name": "fines", "event": "case", "where": {"penalty_amount": {"gt": 0, "lte": 50000}}, "points": 3, "cap": 7},
        {"id": "D2", "name": "exceedance days", "event": "exceedance", "per": "unit", "unit_field": "days", "points": "0.5"},
        {"id": "D3", "name": "complaints", "group": "social", "event": "complaint", "where": {"verified": True}, "points": 2},
        {"id": "D4", "name": "letters", "group": "social", "event": "letter", "points": 4},
        {"id": "D5", "name": "any order", "per": "once", "event": "case", "where": {"measures": {"contains": "order_to_correct"}}, "points": 1},
        {"id": "D6", "name": "recent warning", "event": "warning", "points": 10, "valid_months": 6},
    ],
    "bonuses": [{"id": "B1", "event": "award", "points": 2}],
    "vetoes": [
        {"id": "V1", "name": "crime", "level": "black", "match": [{"event": "case", "where": {"measures": {"contains": "criminal_referral"}}}, {"event": "criminal_referral"}]},
        {"id": "V2", "name": "big incident", "level": "red", "event": "incident", "where": {"grade": {"in": ["large", "major"]}}},
    ],
    "downgrades": [{"id": "G1", "event": "incident", "where": {"grade": "general"}, "steps": 1}],
    "ceilings": [{"id": "C1", "level": "blue", "condition": {"metric": "addons", "lt": 2, "missing": True}}],
    "repair": {
        "eligible_levels": ["yellow", "red"],
        "window_months": 6,
        "excluded_rules": ["V1"],
        "requirements": [
            {"id": "rectified", "condition": {"event": "rectification", "where": {"status": {"in": ["open", "overdue"]}}, "max_count": 0}},
            {"id": "clean", "condition": {"event": "case", "since": "published_on", "max_count": 0}},
        ],
        "upgrade_steps": 1,
        "best_level": "blue",
    },
}

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}


def rate(events=(), metrics=None, **extra):
    record = {"enterprise": "E1", "period": PERIOD, "metrics": {"addons": 3, "audit": "pass", **(metrics or {})}, "events": list(events), **extra}
    return cr.evaluate(RULES, record)


def finding(result, rule_id):
    found = [f for f in result.findings if f.rule_id == rule_id]
    assert found, f"no finding {rule_id} in {result.rule_ids()}"
    return found[0]


def test_clean_record_is_best_level():
    r = rate()
    assert (r.colour, r.score, r.vetoed, r.findings) == ("green", D(100), False, ())


@pytest.mark.parametrize(
    "days, score, colour",
    [(0, "100", "green"), (20, "90", "green"), (21, "89.5", "blue"), (50, "75", "blue"), (51, "74.5", "yellow"), (120, "40", "red"), (121, "39.5", "black")],
)
def test_level_thresholds_are_inclusive(days, score, colour):
    r = rate([{"type": "exceedance", "days": days}], {"transmission": 0.95})
    assert (r.score, r.colour) == (D(score), colour)


def test_score_exactly_at_min_score():
    # 100 − 10 (transmission worst tier) = 90 → green (min 90)
    assert rate(metrics={"transmission": 0.5}).score == 90
    assert rate(metrics={"transmission": 0.5}).colour == "green"
    # + D5 once → 89 → blue
    r = rate([{"type": "case", "measures": ["order_to_correct"]}], {"transmission": 0.5})
    assert (r.score, r.colour) == (89, "blue")


def test_per_event_cap_and_explanation():
    events = [{"id": f"c{i}", "type": "case", "penalty_amount": 50000, "date": "2025-03-01"} for i in range(4)]
    r = rate(events)
    f = finding(r, "D1")
    assert f.points == -7 and f.events == ("c0", "c1", "c2", "c3") and "capped at 7" in f.detail
    assert r.score == 93


def test_where_operators_exclude_non_matching_events():
    r = rate([{"type": "case", "penalty_amount": 60000}, {"type": "case", "penalty_amount": 0}, {"type": "case"}])
    assert "D1" not in r.rule_ids()


def test_per_unit_and_once():
    r = rate([{"type": "exceedance", "days": 3}, {"type": "exceedance", "days": 2}, {"type": "case", "measures": ["order_to_correct"]}, {"type": "case", "measures": ["order_to_correct", "fine"]}])
    assert finding(r, "D2").points == D("-2.5")
    assert finding(r, "D5").points == -1
    assert r.score == D("96.5")


def test_group_cap():
    r = rate([{"type": "complaint", "verified": True}, {"type": "complaint", "verified": True}, {"type": "letter"}, {"type": "complaint", "verified": False}])
    assert finding(r, "D3").points == -4
    d4 = finding(r, "D4")
    assert d4.points == -1 and "group social capped" in d4.detail
    assert r.score == 95


def test_bonus_and_max_clamp():
    r = rate([{"type": "award"}], {"bonus_years": 3})
    assert finding(r, "B1").points == 2 and finding(r, "I2").points == 3
    assert r.score == 100 and "score.max" in r.rule_ids()


def test_missing_metric_worst_tier():
    r = cr.evaluate(RULES, {"period": PERIOD, "metrics": {"addons": 3}})
    assert finding(r, "I3").points == -4 and "not given" in finding(r, "I3").detail


def test_validity_window_months():
    record = {"period": PERIOD, "as_of": "2025-09-30", "metrics": {"addons": 3, "audit": "pass"}}
    inside = cr.evaluate(RULES, {**record, "events": [{"type": "warning", "date": "2025-04-01"}]})
    assert "D6" in inside.rule_ids()
    edge = cr.evaluate(RULES, {**record, "events": [{"type": "warning", "date": "2025-03-30"}]})
    assert "D6" not in edge.rule_ids()  # exactly six months before as_of: expired


def test_events_outside_the_period_are_ignored_and_listed():
    r = rate([{"id": "old", "type": "case", "penalty_amount": 1000, "date": "2024-12-31"}, {"id": "new", "type": "case", "penalty_amount": 1000, "date": "2026-01-01"}])
    assert r.ignored_events == ("old", "new") and r.score == 100


def test_veto_sets_level_and_names_events():
    r = rate([{"id": "case-9", "type": "case", "measures": ["fine", "criminal_referral"], "penalty_amount": 10000}])
    assert r.colour == "black" and r.vetoed and r.score_level == "green"
    v = finding(r, "V1")
    assert v.kind == "veto" and v.events == ("case-9",)


def test_veto_by_event_type_alternative():
    assert rate([{"type": "criminal_referral"}]).colour == "black"


def test_veto_does_not_improve_a_worse_score_level():
    events = [{"type": "exceedance", "days": 150}, {"type": "incident", "grade": "major"}]
    r = rate(events)
    assert r.score == 25 and r.colour == "black"
    assert "already black" in finding(r, "V2").detail


def test_downgrade_and_ceiling():
    r = rate([{"id": "inc1", "type": "incident", "grade": "general"}])
    assert r.colour == "blue" and finding(r, "G1").events == ("inc1",)
    r = rate(metrics={"addons": 1})
    assert r.colour == "blue" and finding(r, "C1").kind == "ceiling"
    r = cr.evaluate(RULES, {"period": PERIOD, "metrics": {"audit": "pass"}})
    assert r.colour == "blue"  # missing addons → ceiling applies (missing: true)


def test_downgrade_stops_at_worst_level():
    r = rate([{"type": "exceedance", "days": 150}, {"type": "incident", "grade": "general"}])
    assert r.colour == "black"


def test_opening_score_for_dynamic_models():
    assert rate(opening_score=80).colour == "blue"


def test_result_as_dict_is_json_ready():
    import json

    r = rate([{"type": "exceedance", "days": 3}])
    d = json.loads(json.dumps(r.as_dict()))
    assert d["colour"] == "green" and d["score"] == "98.5" and d["findings"][0]["points"] == "-1.5"


@pytest.mark.parametrize(
    "record, text",
    [
        ({"events": [{"date": "2025-01-01"}]}, "type"),
        ({"events": [{"type": "case", "date": "yesterday"}]}, "ISO date"),
        ({"events": [{"id": "a", "type": "x"}, {"id": "a", "type": "y"}]}, "duplicate event id"),
        ({"events": "case"}, "must be a list"),
        ({"period": {"start": "2025-12-31", "end": "2025-01-01"}}, "before"),
        ({"company": "x"}, "unknown record field"),
        ({"opening_score": "lots"}, "number"),
        ({"events": [{"type": "exceedance", "days": "many"}]}, "number"),
    ],
)
def test_bad_records(record, text):
    with pytest.raises(CreditRatingError, match=text):
        cr.evaluate(RULES, {"metrics": {"addons": 3}, **record})


@pytest.mark.parametrize(
    "patch, text",
    [
        ({"levels": [{"id": "a", "min_score": 1}]}, "at least two"),
        ({"levels": [{"id": "a", "min_score": 1}, {"id": "b", "min_score": 0}]}, "catch-all"),
        ({"levels": [{"id": "a", "min_score": 1}, {"id": "b", "min_score": 5}, {"id": "c"}]}, "decrease"),
        ({"vetoes": [{"id": "X", "level": "purple", "event": "case"}]}, "not a level"),
        ({"deductions": [{"id": "X", "event": "case", "points": 1}, {"id": "X", "event": "case", "points": 1}]}, "duplicate rule id"),
        ({"deductions": [{"id": "X", "event": "case", "points": 1, "per": "day"}]}, "per must be"),
        ({"deductions": [{"id": "X", "points": 1}]}, "needs event"),
        ({"deductions": [{"id": "X", "event": "case", "points": "x"}]}, "number"),
    ],
)
def test_bad_rulesets(patch, text):
    with pytest.raises(CreditRatingError, match=text):
        cr.load_ruleset({**RULES, **patch})


def test_unknown_operator_is_reported():
    rules = {**RULES, "deductions": [{"id": "X", "event": "case", "where": {"a": {"like": 1}}, "points": 1}]}
    with pytest.raises(CreditRatingError, match="unknown operator"):
        cr.evaluate(rules, {"events": [{"type": "case", "a": 1}]})


def test_unknown_packaged_ruleset():
    with pytest.raises(CreditRatingError, match="packaged"):
        cr.load_ruleset("atlantis_2030")


# ----------------------------------------------------------------- repair


def yellow_record(extra_events=()):
    events = [
        {"id": "big", "type": "exceedance", "days": 60, "date": "2025-05-01"},
        {"id": "r1", "type": "rectification", "status": "done", "date": "2025-06-01"},
        *extra_events,
    ]
    return {"enterprise": "E1", "period": PERIOD, "metrics": {"addons": 3, "audit": "pass"}, "events": events}


def test_repair_eligible_one_level_up():
    result = cr.evaluate(RULES, yellow_record())
    assert result.colour == "yellow"
    d = cr.repair_eligibility(RULES, result, yellow_record(), published_on="2026-03-01", applied_on="2026-05-01")
    assert d.eligible and d.new_level == "blue"
    assert [c.id for c in d.checks] == ["level", "window", "excluded_rules", "rectified", "clean"]


def test_repair_refused_with_reasons():
    result = cr.evaluate(RULES, yellow_record())
    late = cr.repair_eligibility(RULES, result, yellow_record(), published_on="2026-03-01", applied_on="2026-09-02")
    assert not late.eligible and not {c.id: c.ok for c in late.checks}["window"]
    later = yellow_record([{"id": "new-case", "type": "case", "date": "2026-04-01"}, {"id": "r2", "type": "rectification", "status": "open", "date": "2026-04-02"}])
    d = cr.repair_eligibility(RULES, result, later, published_on="2026-03-01", applied_on="2026-05-01")
    checks = {c.id: c for c in d.checks}
    assert not d.eligible and d.new_level is None
    assert checks["clean"].events == ("new-case",) and checks["rectified"].events == ("r2",)


def test_repair_excluded_by_veto_and_level():
    record = {"period": PERIOD, "metrics": {"addons": 3}, "events": [{"id": "crime", "type": "criminal_referral"}]}
    result = cr.evaluate(RULES, record)
    d = cr.repair_eligibility(RULES, result, record, published_on="2026-03-01", applied_on="2026-03-02")
    checks = {c.id: c for c in d.checks}
    assert not checks["level"].ok and not checks["excluded_rules"].ok and checks["excluded_rules"].events == ("crime",)
    with pytest.raises(CreditRatingError, match="before"):
        cr.repair_eligibility(RULES, result, record, published_on="2026-03-01", applied_on="2026-02-01")


def test_add_months_clamps_month_end():
    import datetime

    assert cr.add_months(datetime.date(2025, 8, 31), -6) == datetime.date(2025, 2, 28)
    assert cr.add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert cr.add_months(datetime.date(2025, 1, 15), -1) == datetime.date(2024, 12, 15)
