"""HJ 663 / GB 3095 validity, statistics, days ratio, composite index and change rate."""

import datetime
import statistics
from decimal import Decimal
from fractions import Fraction as F

import pytest

from qingshan.standards import hj633, hj663

D = datetime.date


# --------------------------------------------------------------------------- daily means


def test_daily_mean_needs_20_hours():
    assert hj663.daily_mean([10] * 24) == (10, True, 24, 20, 24, 0, None)
    s = hj663.daily_mean([10] * 20 + [None] * 4)
    assert s.valid and s.count == 20 and s.coverage == F(20, 24)
    s = hj663.daily_mean([10] * 19 + [None] * 4 + [float("nan")])
    assert not s.valid and s.value == 10 and s.usable is None  # the value is kept, marked invalid


def test_daily_mean_is_exact_and_reported_per_gbt8170():
    s = hj663.daily_mean([60, 61] * 12)
    assert s.value == F(121, 2) and s.reported == 60  # 60.5 → 60 (round half to even)
    co = hj663.daily_mean([0.1] * 12 + [0.2] * 12, "CO")
    assert co.value == F(3, 20) and co.reported == Decimal("0.2") and co.decimals == 1
    assert hj663.daily_mean([0.25] * 24, "co").reported == Decimal("0.2")


def test_daily_mean_errors():
    with pytest.raises(hj663.EvaluationError, match="24"):
        hj663.daily_mean([1] * 23)
    with pytest.raises(hj663.EvaluationError, match="negative"):
        hj663.daily_mean([1] * 23 + [-1])
    with pytest.raises(hj663.EvaluationError, match="pollutant"):
        hj663.daily_mean([1] * 24, "Pb")
    with pytest.raises(hj663.EvaluationError):
        hj663.daily_mean("abc")


def test_hour_validity_45_minutes():
    assert hj663.hour_is_valid(45) and not hj663.hour_is_valid(44.9)


# --------------------------------------------------------------------------- O3


def test_moving_8h_needs_6_of_8():
    hours = [80] * 6 + [None] * 2 + [None] * 16
    ma = hj663.moving_8h(hours)
    assert ma[:7] == [None] * 7 and ma[7] == 80 and ma[8] is None  # hours 1..8: 5 valid


def test_o3_daily_max_8h_windows_inside_the_day():
    flat = hj663.o3_daily_max_8h([100] * 24)
    assert flat.value == 100 and flat.valid and (flat.count, flat.required, flat.expected) == (17, 14, 17)
    # the first window is 00:00-08:00 (hour ending 08:00): high early hours count
    early = hj663.o3_daily_max_8h([500] * 7 + [10] * 17)
    assert early.value == F(3510, 8)


def test_o3_daily_max_8h_validity_and_exceedance_exception():
    few = [None] * 12 + [100] * 12  # windows ending hour 18..24 valid: 7 < 14
    s = hj663.o3_daily_max_8h(few)
    assert s.count == 7 and not s.valid and s.value == 100
    high = [None] * 12 + [200] * 12
    s = hj663.o3_daily_max_8h(high)
    assert s.valid and s.value == 200 and "exceeds 160" in s.note


def test_daily_values_feed_the_daily_aqi():
    hours = {"so2": [10] * 24, "no2": [40] * 24, "pm10": [80] * 24, "co": [1.1] * 24, "o3": [140] * 24, "pm25": [60.5] * 20 + [None] * 4}
    dv = hj663.daily_values(hours)
    assert list(dv) == ["SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_1h", "O3_8h", "PM2.5_24h"]
    r26 = hj633.daily_aqi(hj663.aqi_input(dv), "2026")
    assert r26.aqi == 100 and r26.ignored == ("O3_1h",)  # 60.5 → 60 → 100
    r12 = hj633.daily_aqi(hj663.aqi_input(dv), "2012")
    assert r12.iaqi["PM2.5_24h"] == 82 and r12.iaqi["O3_1h"] == 44
    hours["pm25"] = [60] * 19 + [None] * 5
    r = hj633.daily_aqi(hj663.aqi_input(hj663.daily_values(hours), include_o3_1h=False), "2026")
    assert r.aqi is None and r.missing == ("PM2.5_24h",) and r.aqi_available == 84


# --------------------------------------------------------------------------- percentiles


def test_percentile_hj663_appendix_a():
    xs = list(range(1, 11))
    assert hj663.percentile(xs, 90) == F(91, 10)  # k = 1 + 9·0.9 = 9.1
    assert hj663.percentile(xs, 100) == 10 and hj663.percentile(xs, 0) == 1
    assert hj663.percentile([5], 95) == 5
    assert hj663.percentile([3, None, 1, 2], 50) == 2


def test_percentile_matches_the_linear_method():
    import random

    rng = random.Random(663)
    for n in (7, 28, 31, 90, 365):
        xs = [rng.randint(0, 300) for _ in range(n)]
        q = statistics.quantiles(xs, n=100, method="inclusive")
        for p in (90, 95, 98):
            assert hj663.percentile(xs, p) == pytest.approx(q[p - 1], abs=1e-9)


def test_percentile_errors():
    with pytest.raises(hj663.EvaluationError):
        hj663.percentile([], 90)
    with pytest.raises(hj663.EvaluationError):
        hj663.percentile([1], 101)


# --------------------------------------------------------------------------- periods


def test_month_validity_27_days_february_25():
    jan = [D(2025, 1, d) for d in range(1, 28)]
    assert hj663.period_validity(jan, D(2025, 1, 1), D(2025, 1, 31))[:3] == (True, 27, 27)
    assert not hj663.period_validity(jan[:-1], D(2025, 1, 1), D(2025, 1, 31))[0]
    feb = [D(2025, 2, d) for d in range(1, 26)]
    assert hj663.period_validity(feb, D(2025, 2, 1), D(2025, 2, 28))[:3] == (True, 25, 25)


def test_year_validity_324_days():
    start = D(2025, 1, 1)
    days = [start + datetime.timedelta(days=i) for i in range(324)]
    valid, count, required, _ = hj663.period_validity(days, start, D(2025, 12, 31))
    assert (valid, count, required) == (True, 324, 324)
    assert not hj663.period_validity(days[:-1], start, D(2025, 12, 31))[0]
    # the first 324 days leave December short: only matters when each month is required
    strict = hj663.replace_rules(annual_requires_each_month=True)
    assert not hj663.period_validity(days, start, D(2025, 12, 31), strict)[0]


def test_quarter_needs_each_month():
    days = [D(2025, 1, d) for d in range(1, 32)] + [D(2025, 2, d) for d in range(1, 25)] + [D(2025, 3, d) for d in range(1, 32)]
    valid, _, _, note = hj663.period_validity(days, D(2025, 1, 1), D(2025, 3, 31))
    assert not valid and "2025-02" in note


def test_period_must_be_whole_months():
    with pytest.raises(hj663.EvaluationError, match="whole calendar months"):
        hj663.period_validity([], D(2025, 1, 2), D(2025, 1, 31))
    with pytest.raises(hj663.EvaluationError, match="before"):
        hj663.period_validity([], D(2025, 2, 1), D(2025, 1, 31))


def test_period_statistic_mean_and_percentiles():
    start, end = D(2025, 1, 1), D(2025, 1, 31)
    pm = {start + datetime.timedelta(days=i): 30 + i for i in range(31)}
    s = hj663.period_statistic(pm, "PM2.5", start, end)
    assert s.value == 45 and s.valid and s.expected == 31
    co = [0.5 + 0.1 * i for i in range(31)]  # 0.5 … 3.5
    s = hj663.period_statistic(co, "CO", start, end)
    assert s.reported == Decimal("3.4")  # k = 1 + 30·0.95 = 29.5 → 3.3 + 0.5·0.1 = 3.35 → 3.4 (half even)
    o3 = list(range(100, 131))
    assert hj663.period_statistic(o3, "O3_8h", start, end).value == 127  # k = 28 → X(28)
    # rounding of the daily values first (as published) is a rule switch
    half = [60.5] * 31
    assert hj663.period_statistic(half, "PM2.5", start, end).value == 60
    raw = hj663.replace_rules(round_daily=False)
    assert hj663.period_statistic(half, "PM2.5", start, end, rules=raw).value == F(121, 2)


def test_period_statistics_and_series_errors():
    start, end = D(2025, 2, 1), D(2025, 2, 28)
    daily = {p: [10] * 28 for p in ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3")}
    daily["PM2.5"] = [10] * 24 + [None] * 4
    out = hj663.period_statistics(daily, start, end)
    assert list(out) == list(hj633.POLLUTANTS)
    assert not out["PM2.5"].valid and out["PM2.5"].count == 24 and out["SO2"].valid
    with pytest.raises(hj663.EvaluationError, match="28"):
        hj663.period_statistic([1] * 27, "SO2", start, end)


def test_annual_evaluation():
    year = 2025
    n = 365
    daily = {"SO2": [8] * n, "NO2": [30] * n, "PM10": [65] * n, "PM2.5": [36] * n, "CO": [1.0] * n, "O3": [150] * 300 + [170] * 65}
    ev = hj663.annual_evaluation(daily, year)
    assert ev.edition == "2012"
    items = {(i.pollutant, i.statistic): i for i in ev.items}
    assert items[("PM2.5", "mean")].meets is False and items[("PM2.5", "mean")].exceedance_multiple == F(1, 35)
    assert items[("O3", "p90")].value.value == 170 and items[("O3", "p90")].meets is False
    assert items[("PM10", "mean")].meets is True
    assert ev.meets_standard is False and ev.exceeding == ("PM2.5", "O3")
    # the same data against the 2026 transitional limits (PM10 annual 60)
    ev26 = hj663.annual_evaluation(daily, year, edition="2026-transitional")
    assert {(i.pollutant, i.statistic): i.meets for i in ev26.items}[("PM10", "mean")] is False
    # too few days: unknown compliance
    short = {"SO2": [8] * 300 + [None] * 65}
    assert hj663.annual_evaluation(short, year).meets_standard is None


def test_meets_standard_for_the_change_ranking():
    vals = {"SO2": 10, "NO2": 40, "PM10": 70, "PM2.5": 35, "CO": 4.04, "O3": 160}
    assert all(hj663.meets_standard(vals, D(2025, 6, 30)).values())  # CO 4.04 → 4.0
    out = hj663.meets_standard(vals, D(2026, 6, 30))
    assert out["PM10"] is False and out["PM2.5"] is False and out["SO2"] is True


# --------------------------------------------------------------------------- days


def test_days_summary():
    s = hj663.days_summary([50, 100, 101, 201, None, 350])
    assert (s.valid_days, s.invalid_days, s.good_days, s.heavy_days) == (5, 1, 2, 2)
    assert s.good_ratio == F(2, 5) and s.good_percent == Decimal("40.0") and s.heavy_percent == Decimal("40.0")
    assert dict(s.by_level) == {1: 1, 2: 1, 3: 1, 4: 0, 5: 1, 6: 1}
    assert hj663.days_summary([]).good_percent is None
    assert hj663.days_summary([1, 2, 200]).good_percent == Decimal("66.7")
    with pytest.raises(hj663.EvaluationError):
        hj663.days_summary([1.5])


# --------------------------------------------------------------------------- composite index

SIX = {"SO2": 10, "NO2": 30, "PM10": 60, "PM2.5": 35, "CO": 1.2, "O3": 150}


def test_composite_index_worked_example():
    ci = hj663.composite_index(SIX, "2018")
    # 10/60 + 30/40 + 60/70 + 35/35 + 1.2/4 + 150/160
    assert ci.total == F(1, 6) + F(3, 4) + F(6, 7) + 1 + F(3, 10) + F(15, 16)
    assert ci.reported == Decimal("4.01") and ci.primary == ("PM2.5",)
    assert ci.items["CO"].limit == 4 and ci.items["PM10"].limit == 70
    t = hj663.composite_index(SIX, D(2026, 6, 30))  # transitional limits (UNVERIFIED basis)
    assert t.basis.code == "2026-transitional" and not t.basis.verified
    assert t.total == F(1, 6) + F(3, 4) + 1 + F(35, 30) + F(3, 10) + F(15, 16)
    w = hj663.composite_index(SIX, "2026-weighted-hypothesis")
    assert w.total == F(1, 6) + 2 * F(3, 4) + 1 + 3 * F(35, 30) + F(3, 10) + 2 * F(15, 16)


def test_composite_index_rounds_concentrations_first():
    a = hj663.composite_index({**SIX, "PM2.5": 35.4, "CO": 1.25}, "2018")
    assert a.items["PM2.5"].concentration == 35 and a.items["CO"].concentration == F(6, 5)


def test_composite_index_errors_and_bases():
    with pytest.raises(hj663.EvaluationError, match="missing: O3"):
        hj663.composite_index({k: v for k, v in SIX.items() if k != "O3"})
    with pytest.raises(hj663.EvaluationError, match="unknown composite basis"):
        hj663.composite_index(SIX, "1996")
    assert hj663.composite_basis_for(D(2026, 2, 28)).code == "2018"
    assert hj663.composite_basis_for(D(2031, 1, 1)).code == "2031-final"


def test_change_rate_same_basis():
    now = hj663.composite_index(SIX, "2018")
    before = hj663.composite_index({**SIX, "PM2.5": 45}, "2018")
    ch = hj663.change_rate(now, before)
    assert before.reported == Decimal("4.30")
    assert ch.rate == (F("4.01") - F("4.30")) / F("4.30") and ch.percent == Decimal("-6.7") and ch.improved
    with pytest.raises(hj663.EvaluationError, match="same-basis"):
        hj663.change_rate(hj663.composite_index(SIX, "2026-transitional"), before)
    n, b, c = hj663.composite_change(SIX, {**SIX, "PM2.5": 45}, "2026-transitional")
    assert n.basis is b.basis and c.percent is not None
    assert hj663.change_rate(30, 40).percent == Decimal("-25.0")
    assert hj663.change_rate(3, 0).rate is None


def test_composite_index_refuses_invalid_statistics():
    bad = hj663.Statistic(F(30), False, 20, 27, 31, 0, "months with too few valid days: 2025-01")
    with pytest.raises(hj663.EvaluationError, match="not valid"):
        hj663.composite_index({**SIX, "PM2.5": bad})
    assert hj663.composite_index({**SIX, "PM2.5": bad}, allow_invalid=True).items["PM2.5"].concentration == 30


def test_spatial_mean_of_station_values():
    out = hj663.spatial_mean([{"pm25": 30, "co": 0.8}, {"pm25": 41, "co": None}, {"pm25": None, "co": 1.1}])
    assert out == {"pm25": F(71, 2), "co": F(19, 20)}
    assert hj663.spatial_mean([{"pm25": 30}, {"pm25": None}], min_count=2) == {"pm25": None}
    assert hj663.spatial_hourly_mean([[10, None, 30], [20, None, None]]) == [15, None, 30]
    with pytest.raises(hj663.EvaluationError):
        hj663.spatial_hourly_mean([[1, 2], [1]])
    with pytest.raises(hj663.EvaluationError):
        hj663.spatial_mean([[1, 2]])


@pytest.mark.parametrize("day, end", [
    (datetime.date(2026, 12, 5), datetime.date(2026, 11, 30)),
    (datetime.date(2026, 11, 30), datetime.date(2026, 11, 30)),
    (datetime.date(2026, 3, 1), datetime.date(2026, 2, 28)),
    (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29)),
    (datetime.date(2026, 1, 15), datetime.date(2025, 12, 31)),
])
def test_last_whole_month_end(day, end):
    assert hj663.last_whole_month_end(day) == end
