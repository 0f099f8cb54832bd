"""Emission-reduction helpers: completion rate, year-end forecast, risk level."""

from decimal import Decimal as D

import pytest

from qingshan.standards import reduction as red
from qingshan.standards.reduction import ReductionError


def test_completion_by_rate():
    # baseline 1000 t, target −8 % → 80 t to cut; actual 940 t → 60 t achieved → 75 %
    c = red.completion_rate(1000, 940, target_rate="0.08")
    assert (c.required, c.achieved, c.rate, c.met) == (D("80.00"), D(60), D("0.7500"), False)


def test_completion_by_amount_and_overachievement():
    c = red.completion_rate("1000", "900", target_reduction=80)
    assert (c.rate, c.met) == (D("1.2500"), True)
    assert red.completion_rate(1000, 920, target_reduction=80).met  # exactly met
    assert red.completion_rate(1000, 1050, target_reduction=80).rate == D("-0.6250")  # emissions grew


def test_completion_rounds_rate_half_up_to_4_places():
    assert red.completion_rate(300, 299, target_reduction=3).rate == D("0.3333")
    assert red.completion_rate(300, 298, target_reduction=3).rate == D("0.6667")


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"baseline": 0, "actual": 1, "target_rate": 0.1}, "positive"),
        ({"baseline": 100, "actual": -1, "target_rate": 0.1}, "non-negative"),
        ({"baseline": 100, "actual": 90}, "exactly one"),
        ({"baseline": 100, "actual": 90, "target_rate": 0.1, "target_reduction": 10}, "exactly one"),
        ({"baseline": 100, "actual": 90, "target_rate": 8}, "fraction"),
        ({"baseline": 100, "actual": 90, "target_reduction": 200}, "exceeds the baseline"),
        ({"baseline": "lots", "actual": 90, "target_rate": 0.1}, "number"),
        ({"baseline": 100, "actual": float("inf"), "target_rate": 0.1}, "finite"),
        ({"baseline": True, "actual": 90, "target_rate": 0.1}, "number"),
    ],
)
def test_completion_bad_input(kwargs, text):
    with pytest.raises(ReductionError, match=text):
        red.completion_rate(**kwargs)


LAST_YEAR = [120, 110, 100, 90, 80, 70, 70, 80, 90, 100, 110, 120]  # total 1140, winter-heavy


def test_seasonal_forecast_uses_last_years_profile():
    # Jan-Mar this year 300 vs 330 last year → factor 10/11 → year 1140 × 10/11
    f = red.forecast_year_end([100, 100, 100], LAST_YEAR)
    assert f.method == "seasonal" and f.months_observed == 3
    assert f.total == D("1036.364")
    assert f.monthly[:3] == (D("100.000"),) * 3 and f.monthly[3] == D("81.818")
    assert abs(sum(f.monthly) - f.total) <= D("0.01")


def test_linear_forecast_without_profile():
    f = red.forecast_year_end([100, 110, 90])
    assert (f.method, f.total) == ("linear", D("1200.000"))
    f = red.forecast_year_end([100, 110, 90], [0] * 12)
    assert f.method == "linear" and "no usable profile" in f.note
    assert red.forecast_year_end([100, 100, 100], LAST_YEAR, method="linear").total == D("1200.000")


def test_full_year_is_the_actual_total():
    f = red.forecast_year_end([10] * 12, LAST_YEAR)
    assert (f.method, f.total) == ("actual", D("120.000"))


@pytest.mark.parametrize(
    "args, kwargs, text",
    [
        (([],), {}, "1 to 12"),
        (([1] * 13,), {}, "1 to 12"),
        (("100",), {}, "list"),
        (([1, -2],), {}, "non-negative"),
        (([1, 2], [1] * 11), {}, "12 monthly"),
        (([1, 2],), {"method": "seasonal"}, "seasonal forecast needs"),
        (([1, 2],), {"method": "magic"}, "method"),
    ],
)
def test_forecast_bad_input(args, kwargs, text):
    with pytest.raises(ReductionError, match=text):
        red.forecast_year_end(*args, **kwargs)


@pytest.mark.parametrize(
    "value, risk",
    [("1.2", "low"), ("1.10", "low"), ("1.0999", "medium"), ("1.00", "medium"), ("0.9999", "high"), ("0.90", "high"), ("0.8999", "critical"), ("-1", "critical")],
)
def test_default_risk_thresholds(value, risk):
    assert red.risk_level(D(value)) == risk


def test_custom_risk_thresholds_and_validation():
    custom = [{"min_completion": "1", "risk": "green"}, {"min_completion": None, "risk": "red"}]
    assert red.risk_level(D("1"), custom) == "green" and red.risk_level(D("0.99"), custom) == "red"
    with pytest.raises(ReductionError, match="catch-all"):
        red.risk_level(D(1), [{"min_completion": "1", "risk": "x"}])
    with pytest.raises(ReductionError, match="ordered"):
        red.risk_level(D(1), [{"min_completion": "0.5", "risk": "a"}, {"min_completion": "1", "risk": "b"}, {"min_completion": None, "risk": "c"}])


def test_assess_target_end_to_end():
    # baseline 1200 t (last year's 1140 plus growth), target −8 % = 96 t; seasonal forecast 1036.364 → 163.636 cut
    o = red.assess_target(1200, [100, 100, 100], target_rate="0.08", last_year=LAST_YEAR)
    assert o.forecast.method == "seasonal"
    assert o.expected.achieved == D("163.636") and o.expected.rate == D("1.7045") and o.risk == "low"
    # a linear run-rate of 105/month → 1260 t: emissions up, target missed
    o = red.assess_target(1200, [105, 105], target_rate="0.08")
    assert o.expected.rate == D("-0.6250") and o.risk == "critical" and not o.expected.met
    d = o.as_dict()
    assert d["risk"] == "critical" and d["forecast"]["method"] == "linear"
