"""2011 evaluation method: period values, shares, river status, drinking water, change, TLI.

Vectors marked §6.x come from /work/shared/reference/water.md §6.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from qingshan.standards import water_assessment as wa
from qingshan.standards.gb3838 import Status, WaterClass
from qingshan.standards.water_assessment import AssessmentError, BelowDetection, Change

D = Decimal


# --------------------------------------------------------------------------- measurements and means


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.25", D("1.25")),
        (0.5, D("0.5")),
        ("0.05L", BelowDetection(D("0.05"))),
        ("0.01 l", BelowDetection(D("0.01"))),
        ("<0.004", BelowDetection(D("0.004"))),
        ("ND(0.0001)", BelowDetection(D("0.0001"))),
        ("未检出（0.02）", BelowDetection(D("0.02"))),
        ("", None),
        ("/", None),
        (None, None),
    ],
)
def test_parse_measurement(text, expected):
    assert wa.parse_measurement(text) == expected


@pytest.mark.parametrize("text", ["ND", "abc", "-1", "1.2.3L"])
def test_parse_measurement_rejects(text):
    with pytest.raises(ValueError):
        wa.parse_measurement(text, "Cu")


def test_ph_mean_through_hydrogen_ion():  # §6.8
    assert round(wa.mean("pH", [6, 8]), 4) == D("6.2967")
    assert round(wa.mean("pH", [7.2, 7.6, 8.1]), 4) == D("7.4941")
    assert wa.mean("pH", [6, 8], ph_mean="arithmetic") == 7
    assert wa.mean("pH", [7.5]) == D("7.5")
    with pytest.raises(AssessmentError):
        wa.mean("pH", [7], ph_mean="median")


def test_mean_with_non_detects_and_gaps():
    assert wa.mean("Cu", ["0.01L", "0.02", None, "0.03"]) == D("0.055") / 3  # ND counts as ½ DL
    assert wa.mean("Cu", ["0.01L", "0.03"], nd_factor=D(0)) == D("0.015")
    with pytest.raises(AssessmentError, match="no value"):
        wa.mean("Cu", [None, "/"])


def test_aggregate_counts_and_sufficiency():
    months = [{"NH3-N": 1.2, "TP": 0.2, "Cu": "0.001L"}, {"NH3-N": 0.8, "TP": None, "Cu": "0.004"}, {"NH3-N": 1.0}]
    pv = wa.aggregate(months, period="quarter")
    assert pv.values["NH3-N"] == D(1) and pv.values["TP"] == D("0.2") and pv.values["Cu"] == D("0.00225")
    assert dict(pv.counts) == {"NH3-N": 3, "TP": 1, "Cu": 2} and pv.samples == 3
    assert dict(pv.below_detection) == {"NH3-N": 0, "TP": 0, "Cu": 1}
    assert pv.insufficient == ("TP",)
    assert wa.aggregate(months, period="year").insufficient == ("NH3-N", "TP", "Cu")
    assert wa.aggregate(months).insufficient == ()


def test_aggregate_rejects_unknown_items_unless_allowed():
    with pytest.raises(AssessmentError, match="unknown item"):
        wa.aggregate([{"benzene": 0.001}])
    assert wa.aggregate([{"benzene": 0.001}], extra_items=["benzene"]).values["benzene"] == D("0.001")
    with pytest.raises(AssessmentError):
        wa.aggregate([])
    with pytest.raises(AssessmentError):
        wa.aggregate([{"TP": 1}], period="decade")


def test_lake_time_then_space():
    lake = {"P1": [{"TP": 0.01}, {"TP": 0.03}], "P2": [{"TP": 0.06}]}
    pv = wa.aggregate_lake(lake)
    assert pv.values["TP"] == D("0.04")  # (0.02 + 0.06) / 2, not the pooled 0.0333
    assert pv.counts["TP"] == 2 and pv.samples == 3
    assert wa.aggregate_lake([[{"pH": 6}], [{"pH": 8}]]).values["pH"].quantize(D("0.0001")) == D("6.2967")


def test_group_by_period_and_assess_period():
    dated = [(datetime.date(2025, m, 10), {"NH3-N": v, "TP": 0.1}) for m, v in [(1, 1.4), (2, 1.3), (3, 0.5), (4, 0.2)]]
    quarters = wa.group_by_period(dated, "quarter")
    assert list(quarters) == [(2025, 1), (2025, 2)]
    q1 = wa.assess_period(quarters[(2025, 1)], period="quarter")
    assert q1.period_values.values["NH3-N"] == D("1.066666666666666666666666667")
    assert q1.water_class is WaterClass.IV and q1.status is Status.SLIGHTLY_POLLUTED  # 1.07 after rounding
    assert wa.period_key(datetime.date(2025, 12, 31), "month") == (2025, 12)
    assert wa.period_key(datetime.date(2025, 12, 31), "year") == (2025,)
    with pytest.raises(AssessmentError):
        wa.period_key(datetime.date(2025, 1, 1), "week")


# --------------------------------------------------------------------------- shares and targets

# Shanxi 2017 (public): 58 national sections, 优良 58.6 % (+10.3 pp), 劣V 20.7 % (−6.9 pp).
# 34/58 and 12/58 now, 28/58 and 16/58 the year before reproduce all four published figures.
SHANXI_2017 = ["II"] * 34 + ["IV"] * 12 + ["劣V"] * 12
SHANXI_2016 = ["III"] * 28 + ["V"] * 14 + ["劣V"] * 16


def test_shares_published_percentages():
    now, before = wa.class_shares(SHANXI_2017), wa.class_shares(SHANXI_2016)
    assert (now.good_percent(), now.v_plus_percent()) == (D("58.6"), D("20.7"))
    assert (before.good_percent(), before.v_plus_percent()) == (D("48.3"), D("27.6"))
    change = wa.compare_shares(before, now)
    assert change.points(change.delta_good) == D("10.3") and change.points(change.delta_v_plus) == D("-6.9")
    assert change.points(change.score) == D("17.2") and change.change is Change.SLIGHTLY_BETTER
    assert change.change.label == "有所好转"


def test_shares_exclude_dry_sections_and_round_half_even():
    s = wa.class_shares(["I", "II", None, "IV", None, "劣V", "III", "V", "II"])
    assert (s.total, s.excluded, s.good, s.v_plus) == (7, 2, 4, 1)
    assert s.good_percent() == D("57.1") and s.class_percent("IV") == D("14.3")
    assert wa.percent(1, 8, 2) == D("12.50") and wa.percent(1, 16, 2) == D("6.25")
    assert wa.percent(1, 16, 1) == D("6.2")  # 6.25 → 6.2 (half to even, exact)
    assert wa.percent(3, 16, 1) == D("18.8")  # 18.75 → 18.8
    assert s.as_dict()["counts"]["劣V"] == 1


def test_check_targets():
    s = wa.class_shares(SHANXI_2017)
    t = wa.check_targets(s, good_min=60, v_plus_max=15)
    assert (t.good_met, t.v_plus_met, t.met) == (False, False, False)
    assert t.good_shortfall == 1 and t.v_plus_excess == 4  # 35/58 = 60.3 %; 8/58 = 13.8 %
    ok = wa.check_targets(s, good_min="58.6")
    assert ok.good_met and ok.v_plus_met is None and ok.met


def test_check_targets_exact_versus_rounded():
    s = wa.class_shares(["II"] * 1999 + ["IV"] * 501)  # 79.96 %
    assert wa.check_targets(s, good_min=80).good_met is False
    assert wa.check_targets(s, good_min=80, compare="rounded").good_met is True
    with pytest.raises(AssessmentError):
        wa.check_targets(wa.class_shares([None]), good_min=80)


# --------------------------------------------------------------------------- river status


def counts_to_classes(counts):
    return [wc for wc, n in zip(WaterClass, counts, strict=True) for _ in range(n)]


@pytest.mark.parametrize(
    ("counts", "good", "v_plus", "level"),
    [
        ((2, 5, 2, 1, 0, 0), "90.0", "0.0", "优"),
        ((2, 4, 2, 1, 0, 1), "80.0", "10.0", "良好"),
        ((1, 3, 3, 2, 0, 1), "70.0", "10.0", "轻度污染"),
        ((1, 3, 2, 1, 0, 3), "60.0", "30.0", "中度污染"),
        ((1, 2, 2, 0, 0, 5), "50.0", "50.0", "重度污染"),
        ((1, 1, 1, 0, 0, 2), "60.0", "40.0", "重度污染"),
        ((2, 3, 4, 0, 0, 4), "69.2", "30.8", "中度污染"),
        ((0, 3, 0, 1, 0, 0), "75.0", "0.0", "良好"),
        ((0, 0, 3, 1, 0, 1), "60.0", "20.0", "中度污染"),
    ],
)
def test_proportion_levels(counts, good, v_plus, level):  # §6.4
    shares = wa.class_shares(counts_to_classes(counts))
    assert (shares.good_percent(), shares.v_plus_percent()) == (D(good), D(v_plus))
    assert wa.status_by_proportion(shares).label == level
    assert wa.status_by_proportion(shares, "2011_lt60").label == level


def test_lt60_reading_leaves_60_40_to_the_fallback():
    shares = wa.class_shares(counts_to_classes((1, 1, 1, 0, 0, 2)))
    rule = wa.PROPORTION_RULES["2011_lt60"]
    assert not any(b.matches(Fraction(60), Fraction(40)) for b in rule.bands)
    custom = wa.ProportionRule("custom", rule.bands, Status.MODERATELY_POLLUTED)
    assert wa.status_by_proportion(shares, custom) is Status.MODERATELY_POLLUTED
    with pytest.raises(AssessmentError, match="unknown proportion rule"):
        wa.status_by_proportion(shares, "1999")


def test_river_with_fewer_than_five_sections_uses_means():  # §6.3
    r = wa.assess_river({"A": {"NH3-N": 0.8, "TP": 0.25}, "B": {"NH3-N": 1.3, "TP": 0.15}, "C": {"NH3-N": 0.6, "TP": 0.12}})
    assert r.method == "mean" and r.water_class is WaterClass.III and r.status is Status.GOOD
    assert r.mean_section.items["NH3-N"].raw == D("0.9") and r.mean_section.items["TP"].value == D("0.173")
    assert [s.water_class for s in r.sections.values()] == [WaterClass.IV, WaterClass.IV, WaterClass.III]
    assert r.main_pollutants == ()
    assert r.sections["A"].main_pollutants[0].item == "TP"


def test_river_with_five_or_more_sections_uses_proportions():
    sections = {
        "S1": {"NH3-N": 0.4, "TP": 0.1, "COD": 10},  # II
        "S2": {"NH3-N": 2.5, "TP": 0.45, "COD": 10},  # 劣V: NH3-N, TP exceed
        "S3": {"NH3-N": 1.4, "TP": 0.1, "COD": 10},  # IV: NH3-N
        "S4": {"NH3-N": 2.2, "TP": 0.3, "COD": 10},  # 劣V: NH3-N, TP
        "S5": {"NH3-N": 0.5, "TP": 0.1, "COD": 25},  # IV: COD
        "S6": None,  # dry (断流): excluded
    }
    r = wa.assess_river(sections)
    assert r.method == "proportion" and r.rule == "2011_lt75"
    assert (r.shares.total, r.shares.excluded, r.shares.good, r.shares.v_plus) == (5, 1, 1, 2)
    assert r.status is Status.HEAVILY_POLLUTED  # I–III 20 %, 劣V 40 %
    assert [(p.item, p.rate_percent()) for p in r.main_pollutants] == [("NH3-N", D("60.0")), ("TP", D("40.0")), ("COD", D("20.0"))]
    assert r.water_class is None and r.mean_section is None


def test_river_main_pollutants_not_listed_when_good():
    sections = {f"S{i}": {"NH3-N": 0.4} for i in range(9)} | {"S9": {"NH3-N": 1.2}}
    r = wa.assess_river(sections)
    assert r.status is Status.EXCELLENT and r.main_pollutants == ()
    assert wa.river_main_pollutants(r.sections.values())[0].exceedance_rate == Fraction(1, 10)


def test_river_errors():
    with pytest.raises(AssessmentError, match="no section"):
        wa.assess_river({"A": None})
    with pytest.raises(ValueError):
        wa.assess_river({"A": {"XX": 1}})


# --------------------------------------------------------------------------- drinking water


def test_drinking_water_source_compliance():
    ok = wa.assess_drinking_water_source({"pH": 7.6, "DO": 7, "NH3-N": 0.3, "COD": 25, "TP": 0.05, "Fe": 0.3, "nitrate": 10})
    assert ok.compliant and ok.exceedances == ()  # COD is not evaluated for drinking-water sources
    assert ok.section.water_class is WaterClass.II
    bad = wa.assess_drinking_water_source(
        {"NH3-N": 1.2, "DO": 4, "sulfate": 260, "Mn": 0.12, "benzene": 0.02, "TN": 3},
        extra_limits={"benzene": "0.01"},
    )
    assert not bad.compliant
    found = {c.item: c.exceedance_multiple for c in bad.exceedances}
    assert found == {"NH3-N": D("0.2"), "DO": None, "sulfate": D("0.04"), "Mn": D("0.2"), "benzene": D(1)}
    assert next(c for c in bad.checks if c.item == "DO").limit == D(5)


def test_drinking_water_source_errors():
    with pytest.raises(AssessmentError, match="extra_limits"):
        wa.assess_drinking_water_source({"NH3-N": 0.2, "benzene": 0.001})
    with pytest.raises(AssessmentError, match="no item"):
        wa.assess_drinking_water_source({})


def test_drinking_water_rates():
    rate = wa.drinking_water_compliance([(True, "1057.3")])  # "实际取水量1057.3万吨，达标水量1057.3万吨"
    assert rate.source_rate() == D("100.0") and rate.volume_rate() == D("100.0")
    rate = wa.drinking_water_compliance([(True, 300), (True, 500), (False, 200)] + [(True, 0)] * 9)
    assert (rate.sources, rate.compliant_sources) == (12, 11)
    assert rate.source_rate() == D("91.7") and rate.volume_rate() == D("80.0")
    no_volume = wa.drinking_water_compliance([True, False, (True, None)])
    assert no_volume.source_rate() == D("66.7") and no_volume.volume_rate() is None
    with pytest.raises(AssessmentError):
        wa.drinking_water_compliance([])
    with pytest.raises(AssessmentError):
        wa.drinking_water_compliance([("yes", 1)])


# --------------------------------------------------------------------------- change


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("良好", "良好", Change.NO_CHANGE),
        ("良好", "轻度污染", Change.SLIGHTLY_WORSE),
        (Status.HEAVILY_POLLUTED, Status.SLIGHTLY_POLLUTED, Change.SIGNIFICANTLY_BETTER),
        (WaterClass.I, WaterClass.II, Change.NO_CHANGE),  # both 优
        ("IV", "II", Change.SIGNIFICANTLY_BETTER),
        ("III", "V", Change.SIGNIFICANTLY_WORSE),
    ],
)
def test_compare_status(before, after, change):
    assert wa.compare_status(before, after) is change


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [  # (I–III sections, 劣V sections) out of 10
        ((5, 0), (6, 0), Change.NO_CHANGE),  # ΔG = +10 exactly → no change
        ((5, 0), (7, 0), Change.SLIGHTLY_BETTER),  # +20 exactly
        ((5, 0), (8, 0), Change.SIGNIFICANTLY_BETTER),
        ((5, 3), (5, 5), Change.SLIGHTLY_WORSE),  # ΔD = +20
        ((8, 0), (5, 1), Change.SIGNIFICANTLY_WORSE),  # −30 − 10
        ((5, 2), (6, 1), Change.SLIGHTLY_BETTER),  # +10 − (−10)
    ],
)
def test_compare_shares_thresholds(before, after, change):
    def shares(good, v_plus):
        return wa.class_shares(["II"] * good + ["劣V"] * v_plus + ["IV"] * (10 - good - v_plus))

    assert wa.compare_shares(shares(*before), shares(*after)).change is change


def test_compare_shares_needs_sections():
    with pytest.raises(AssessmentError):
        wa.compare_shares(wa.class_shares([None]), wa.class_shares(["I"]))


def test_spearman_trend():
    up = wa.spearman_trend([1.2, 1.3, 1.5, 1.4, 1.8, 2.0])
    assert up.direction == "up" and up.rs == D("0.9428571428571428571428571429") and up.critical == D("0.829")
    flat = wa.spearman_trend([1, 2, 1, 2, 1])
    assert flat.direction == "none" and not flat.significant
    tie = wa.spearman_trend([5, 4, 4, 2, 1, 1])
    assert tie.direction == "down"
    assert wa.spearman_trend(range(11, 0, -1)).critical == D("0.564")  # n = 11 uses the n = 10 row
    assert wa.spearman_trend([3, 3, 3, 3]).rs == 0
    with pytest.raises(AssessmentError, match="at least 4"):
        wa.spearman_trend([1, 2, 3])


# --------------------------------------------------------------------------- trophic state


def test_trophic_state_vector():  # §6.7
    t = wa.trophic_state(chla=10, TP=0.05, TN=1.0, SD=1.0, CODMn=4)
    assert round(t.tli, 3) == D("48.018") and t.state == "中营养" and not t.eutrophic
    comps = {k: round(v, 3) for k, v in t.components.items()}
    assert comps == {"chla": D("50.006"), "TP": D("45.709"), "TN": D("54.530"), "SD": D("51.180"), "CODMn": D("37.979")}
    assert {k: round(w, 4) for k, w in t.weights.items()} == {
        "chla": D("0.2663"), "TP": D("0.1879"), "TN": D("0.1790"), "SD": D("0.1834"), "CODMn": D("0.1834"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("tli", "state"),
    [
        ("29.99", "贫营养"),
        ("30", "中营养"),
        ("50", "中营养"),
        ("50.01", "轻度富营养"),
        ("60", "轻度富营养"),
        ("70", "中度富营养"),
        ("70.1", "重度富营养"),
    ],
)
def test_trophic_bands(tli, state):
    assert wa.trophic_state_label(tli)[0] == state


def test_trophic_state_rejects_zero():
    with pytest.raises(AssessmentError, match="positive"):
        wa.trophic_state(chla=0, TP=0.05, TN=1.0, SD=1.0, CODMn=4)
