"""GB 3838-2002 classes: Table 1 data, limit boundaries, rounding, sections, main pollutants.

Vectors marked §6.x come from /work/shared/reference/water.md §6.
"""

from decimal import Decimal

import pytest

from qingshan.standards import gb3838
from qingshan.standards.gb3838 import LAKE, RIVER, Status, WaterClass, WaterQualityError, classify, classify_item

D = Decimal

# Independent transcription of Table 1 (water.md §1.1), used to check the data in the module.
TABLE1_TEXT = """
DO        7.5     6       5      3      2
CODMn     2       4       6      10     15
COD       15      15      20     30     40
BOD5      3       3       4      6      10
NH3-N     0.15    0.5     1.0    1.5    2.0
TP        0.02    0.1     0.2    0.3    0.4
TN        0.2     0.5     1.0    1.5    2.0
Cu        0.01    1.0     1.0    1.0    1.0
Zn        0.05    1.0     1.0    2.0    2.0
F         1.0     1.0     1.0    1.5    1.5
Se        0.01    0.01    0.01   0.02   0.02
As        0.05    0.05    0.05   0.1    0.1
Hg        0.00005 0.00005 0.0001 0.001  0.001
Cd        0.001   0.005   0.005  0.005  0.01
Cr6       0.01    0.05    0.05   0.05   0.1
Pb        0.01    0.01    0.05   0.05   0.1
CN        0.005   0.05    0.2    0.2    0.2
phenol    0.002   0.002   0.005  0.01   0.1
petroleum 0.05    0.05    0.05   0.5    1.0
LAS       0.2     0.2     0.2    0.3    0.3
S2-       0.05    0.1     0.2    0.5    1.0
fecal_coliform 200 2000   10000  20000  40000
"""

CLEAN = {
    "pH": 7.5, "DO": 8, "CODMn": 1.5, "COD": 10, "BOD5": 1, "NH3-N": 0.1, "TP": 0.01,
    "Cu": 0.001, "Zn": 0.01, "F": 0.2, "Se": 0.0002, "As": 0.001, "Hg": 0.00001, "Cd": 0.0001,
    "Cr6": 0.004, "Pb": 0.001, "CN": 0.002, "phenol": 0.0003, "petroleum": 0.01, "LAS": 0.05, "S2-": 0.005,
}  # fmt: skip


def section(**changes):
    values = dict(CLEAN)
    values.update({k.replace("NH3N", "NH3-N"): v for k, v in changes.items()})
    return values


# --------------------------------------------------------------------------- data


def test_table1_matches_independent_transcription():
    for line in TABLE1_TEXT.strip().splitlines():
        key, *limits = line.split()
        assert gb3838.TABLE1[key].limits == tuple(D(x) for x in limits), key
    assert gb3838.TABLE1["TP"].lake_limits == tuple(map(D, ("0.01", "0.025", "0.05", "0.1", "0.2")))
    assert gb3838.TABLE1["pH"].limits == (D(6), D(9)) and gb3838.TABLE1["pH"].direction == "range"
    assert gb3838.TABLE1["DO"].direction == "ge"
    assert gb3838.TABLE1["water_temperature"].limits is None
    assert len(gb3838.TABLE1) == 24


def test_routine_and_reference_items():
    assert len(gb3838.ROUTINE_ITEMS) == 21
    assert set(gb3838.REFERENCE_ITEMS) == {"water_temperature", "TN", "fecal_coliform"}
    assert gb3838.ROUTINE_ITEMS[:3] == ("pH", "DO", "CODMn")


def test_table2_limits():
    assert {k: it.limits[0] for k, it in gb3838.TABLE2.items()} == {
        "sulfate": D(250), "chloride": D(250), "nitrate": D(10), "Fe": D("0.3"), "Mn": D("0.1"),
    }  # fmt: skip


def test_limit_lookup():
    assert gb3838.limit("TP", "III") == D("0.2")
    assert gb3838.limit("TP", WaterClass.III, "lake") == D("0.05")
    assert gb3838.limit("TP", 3, "reservoir") == D("0.05")
    with pytest.raises(WaterQualityError):
        gb3838.limit("pH", "III")
    with pytest.raises(WaterQualityError):
        gb3838.limit("NH3-N", "劣V")
    with pytest.raises(WaterQualityError):
        gb3838.limit("Fe", "III")


# --------------------------------------------------------------------------- classes


def test_water_class_order_and_labels():
    assert WaterClass.I < WaterClass.II < WaterClass.III < WaterClass.IV < WaterClass.V < WaterClass.V_PLUS
    assert [c.label for c in WaterClass] == ["I", "II", "III", "IV", "V", "劣V"]
    assert WaterClass.V_PLUS.roman == "劣Ⅴ" and str(WaterClass.III) == "III"
    assert max(WaterClass.II, WaterClass.V_PLUS, WaterClass.IV) is WaterClass.V_PLUS
    for text, wc in [("III", WaterClass.III), ("Ⅲ", WaterClass.III), ("iii类", WaterClass.III), ("劣V", WaterClass.V_PLUS),
                     ("劣Ⅴ类", WaterClass.V_PLUS), ("V+", WaterClass.V_PLUS), (6, WaterClass.V_PLUS), (1, WaterClass.I)]:  # fmt: skip
        assert WaterClass.parse(text) is wc
    for bad in ["VI", "", 0, 7, True, None, 2.0]:
        with pytest.raises(WaterQualityError):
            WaterClass.parse(bad)


def test_status_of_class():
    assert [c.status.label for c in WaterClass] == ["优", "优", "良好", "轻度污染", "中度污染", "重度污染"]
    assert WaterClass.III.good and not WaterClass.IV.good
    assert Status.parse("良好") is Status.GOOD


# --------------------------------------------------------------------------- §6.1 single items (unrounded)

SINGLE_ITEMS = [
    # (item, value, waterbody, class, multiple)
    ("NH3-N", "1.0", RIVER, "III", None),  # 1 exactly on the III limit
    ("NH3-N", "1.01", RIVER, "IV", "0.01"),  # 2
    ("DO", "5.0", RIVER, "III", None),  # 3 ≥ rule, on the limit
    ("DO", "4.99", RIVER, "IV", None),  # 4
    ("DO", "7.5", RIVER, "I", None),  # 5
    ("DO", "1.9", RIVER, "劣V", None),  # 6 no multiple for DO
    ("COD", "15", RIVER, "I", None),  # 7 I and II share 15: best class
    ("COD", "15.1", RIVER, "III", None),  # 8
    ("TP", "0.05", RIVER, "II", None),  # 9
    ("TP", "0.05", LAKE, "III", None),  # 9
    ("TP", "0.06", LAKE, "IV", "0.2"),  # 10
    ("TP", "0.15", LAKE, "V", "2"),  # 11
    ("TP", "0.15", RIVER, "III", None),  # 11
    ("TP", "0.2", RIVER, "III", None),  # 12
    ("TP", "0.2", LAKE, "V", "3"),  # 12
    ("TP", "0.4", RIVER, "V", "1"),  # 13
    ("TP", "0.41", RIVER, "劣V", "1.05"),  # 13
    ("Hg", "0.00005", RIVER, "I", None),  # 14
    ("Hg", "0.00006", RIVER, "III", None),  # 14
    ("Hg", "0.0002", RIVER, "IV", "1"),  # 14
    ("Cu", "1.0", RIVER, "II", None),  # 15
    ("Cu", "1.01", RIVER, "劣V", "0.01"),  # 15 jumps straight to 劣V
    ("pH", "9.0", RIVER, "I", None),  # 16 on the range limit
    ("pH", "9.1", RIVER, "劣V", None),  # 16
    ("pH", "5.9", RIVER, "劣V", None),  # 16
    ("pH", "6", RIVER, "I", None),
    ("fecal_coliform", "50000", RIVER, "劣V", "4"),  # 17 reference only
    ("TN", "1.8", LAKE, "V", "0.8"),  # 18 reference only
    ("Pb", "0.06", RIVER, "V", "0.2"),  # Pb jumps from III to V
    ("DO", "0", RIVER, "劣V", None),  # DO = 0 is a valid (anoxic) value
]


@pytest.mark.parametrize(("key", "value", "waterbody", "label", "multiple"), SINGLE_ITEMS)
def test_single_item_vectors(key, value, waterbody, label, multiple):
    r = classify_item(key, value, waterbody, rounding=False)
    assert r.water_class.label == label
    assert r.exceedance_multiple == (None if multiple is None else D(multiple))


def test_reference_items_are_marked():
    assert not classify_item("fecal_coliform", 50000).assessed
    tn = classify_item("TN", 1.8, RIVER)
    assert not tn.assessed and "lakes" in tn.note
    wt = classify_item("water_temperature", 25.3)
    assert wt.water_class is None and wt.exceedance_multiple is None and not wt.assessed


@pytest.mark.parametrize(
    ("key", "direction_limits"),
    [(k, it) for k, it in gb3838.TABLE1.items() if it.direction == "le"],
    ids=[k for k, it in gb3838.TABLE1.items() if it.direction == "le"],
)
def test_every_le_limit_is_inclusive(key, direction_limits):
    """Exactly on each limit → the best class with that limit; one unit above → worse."""
    for waterbody in (RIVER, LAKE):
        limits = direction_limits.limits_for(waterbody)
        for lim in limits:
            best = min(j for j, x in enumerate(limits) if x == lim)
            assert gb3838.class_of(key, lim, waterbody) == WaterClass(best + 1)
            above = lim + D(1).scaleb(lim.as_tuple().exponent - 3)
            expected = next((WaterClass(j + 1) for j, x in enumerate(limits) if above <= x), WaterClass.V_PLUS)
            assert gb3838.class_of(key, above, waterbody) == expected


def test_do_limits_inclusive():
    for lim, wc in zip(("7.5", "6", "5", "3", "2"), gb3838.LIMIT_CLASSES, strict=True):
        assert gb3838.class_of("DO", D(lim), RIVER) is wc
        assert gb3838.class_of("DO", D(lim) - D("0.001"), RIVER) is WaterClass(wc + 1)


# --------------------------------------------------------------------------- §6.6 rounding before classing

ROUNDING = [
    ("pH", "9.3", "9", "I"),
    ("pH", "9.5", "10", "劣V"),
    ("pH", "5.5", "6", "I"),
    ("NH3-N", "1.005", "1.00", "III"),
    ("NH3-N", "1.015", "1.02", "IV"),
    ("NH3-N", "1.0049", "1.00", "III"),
    ("DO", "4.95", "5.0", "III"),
    ("DO", "4.85", "4.8", "IV"),
    ("TP", "0.2005", "0.200", "III"),
    ("TP", "0.2015", "0.202", "IV"),
]


@pytest.mark.parametrize(("key", "raw", "rounded", "label"), ROUNDING)
def test_rounding_vectors(key, raw, rounded, label):
    for value in (raw, D(raw), float(raw)):  # a float is read as it prints: 1.005 is 1.005
        r = classify_item(key, value)
        assert (r.value, r.water_class.label) == (D(rounded), label)
        assert r.raw == D(raw)


def test_rounding_changes_the_class_only_when_enabled():
    assert classify_item("NH3-N", 1.005, rounding=False).water_class is WaterClass.IV
    assert classify_item("DO", 4.99).water_class is WaterClass.III  # 4.99 → 5.0
    assert classify_item("DO", 4.99, rounding=False).water_class is WaterClass.IV
    # a deployment's own decimals table
    assert classify_item("NH3-N", "1.005", decimals={"NH3-N": 3}).water_class is WaterClass.IV


def test_rounding_keeps_one_significant_figure():
    assert gb3838.round_half_even(D("0.000003"), 5) == D("0.000003")
    assert gb3838.round_half_even(D("0.004"), 2) == D("0.004")
    assert gb3838.round_half_even(D("0.0000025"), 5) == D("0.000002")  # half to even
    assert gb3838.round_half_even(D(0), 2) == 0
    assert classify_item("Hg", "0.000003").value == D("0.000003")


# --------------------------------------------------------------------------- §6.2 sections


def test_s1_clean_section():
    r = classify(CLEAN)
    assert r.water_class is WaterClass.I and r.status is Status.EXCELLENT
    assert r.main_pollutants == () and r.missing == ()
    assert len(r.item_classes()) == 21


def test_s2_class_iii_has_no_main_pollutants():
    r = classify(section(NH3N=1.0))
    assert r.water_class is WaterClass.III and r.status.label == "良好" and r.main_pollutants == ()


def test_s3_worst_class_first():
    r = classify(section(COD=46, NH3N=2.5, TP=0.35, CODMn=8, BOD5=5))
    assert r.water_class is WaterClass.V_PLUS
    assert [m.label for m in r.main_pollutants] == ["氨氮(1.5)", "化学需氧量(1.3)", "总磷(0.8)"]
    assert [m.item for m in r.main_pollutants] == ["NH3-N", "COD", "TP"]
    assert r.main_pollutants[2].exceedance_multiple == D("0.75")
    assert r.exceedance_multiples()["BOD5"] == D("0.25")


def test_s4_heavy_metal_priority_and_without():
    values = section(Hg=0.00011, NH3N=1.4, CODMn=9, TP=0.27)
    r = classify(values)
    assert r.water_class is WaterClass.IV
    assert [m.label for m in r.main_pollutants] == ["汞(0.1)", "高锰酸盐指数(0.5)", "氨氮(0.4)"]
    plain = classify(values, rule=gb3838.MainPollutantRule(priority_items=()))
    assert [m.label for m in plain.main_pollutants] == ["高锰酸盐指数(0.5)", "氨氮(0.4)", "总磷(0.4)"]
    assert plain.main_pollutants[2].exceedance_multiple == D("0.35")  # shown 0.4 (half to even)


def test_priority_item_beats_worse_class():
    r = classify(section(NH3N=2.5, Pb=0.06))  # NH3-N 劣V, Pb V (priority)
    assert [m.item for m in r.main_pollutants] == ["Pb", "NH3-N"]


def test_s5_do_has_no_multiple():
    r = classify(section(DO=2.5))
    assert r.water_class is WaterClass.V
    assert [m.label for m in r.main_pollutants] == ["溶解氧"] and r.main_pollutants[0].exceedance_multiple is None
    assert r.exceedance_multiples() == {}


def test_s6_ph_unrounded_and_rounded():
    r = classify(section(pH=9.3), rounding=False)
    assert r.water_class is WaterClass.V_PLUS and [m.label for m in r.main_pollutants] == ["pH值"]
    assert classify(section(pH=9.3)).water_class is WaterClass.I  # 9.3 → 9


def test_s7_lake_tn_is_reference_only():
    r = classify(section(TP=0.06, TN=1.8), LAKE)
    assert r.water_class is WaterClass.IV
    assert [m.label for m in r.main_pollutants] == ["总磷(0.2)"]
    assert r.item_classes(reference=True) == {"TN": WaterClass.V}
    assert "TN" not in r.exceedance_multiples() and r.items["TN"].exceedance_multiple == D("0.8")


def test_s8_river_tp():
    r = classify(section(TP=0.06), RIVER)
    assert r.water_class is WaterClass.II and r.main_pollutants == ()


def test_s9_fecal_coliform_does_not_affect_section():
    r = classify(section(fecal_coliform=50000))
    assert r.water_class is WaterClass.I
    assert r.item_classes(reference=True)["fecal_coliform"] is WaterClass.V_PLUS


def test_dissolved_oxygen_ranks_after_items_with_multiple_in_same_class():
    # mini-city section B of §6.5: NH3-N(0.6) and TP(0.6) tie at V, then COD(0.4) at IV; DO IV last
    b = section(pH=6.8, DO=4.0, CODMn=7.0, COD=28, BOD5=5.0, NH3N=1.6, TP=0.32)
    r = classify(b)
    assert r.water_class is WaterClass.V
    assert [m.label for m in r.main_pollutants] == ["氨氮(0.6)", "总磷(0.6)", "化学需氧量(0.4)"]
    r5 = classify(b, rule=gb3838.MainPollutantRule(max_count=10))
    assert [m.item for m in r5.main_pollutants][-1] == "DO"


def test_partial_input_and_missing_items():
    r = classify({"NH3-N": 1.2, "TP": 0.18})
    assert r.water_class is WaterClass.IV and "Cu" in r.missing and len(r.missing) == 19


def test_assessed_item_subset():
    r = classify({"COD": 25, "NH3-N": 0.5}, items=[k for k in gb3838.ROUTINE_ITEMS if k != "COD"])
    assert r.water_class is WaterClass.II
    assert r.items["COD"].assessed is False


def test_as_dict():
    d = classify(section(NH3N=1.2)).as_dict()
    assert d["class"] == "IV" and d["status"] == "轻度污染" and d["main_pollutants"] == ["NH3-N"]
    assert d["main_pollutant_labels"] == ["氨氮(0.2)"] and d["exceedance_multiples"] == {"NH3-N": D("0.2")}


# --------------------------------------------------------------------------- §6.9 Table 2


def test_table2_vectors():
    checks = {c.item: c for c in gb3838.check_supplementary({"sulfate": 260, "Fe": 0.3, "Mn": 0.12, "nitrate": 10})}
    assert not checks["sulfate"].compliant and checks["sulfate"].exceedance_multiple == D("0.04")
    assert checks["Fe"].compliant and checks["Fe"].exceedance_multiple is None
    assert not checks["Mn"].compliant and checks["Mn"].exceedance_multiple == D("0.2")
    assert checks["nitrate"].compliant


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "value",
    ["abc", "", None, True, float("nan"), float("inf"), -0.1, "-1", [1], {"v": 1}, D("NaN")],
)
def test_bad_values_raise_typed_error(value):
    with pytest.raises(WaterQualityError):
        classify_item("NH3-N", value)


def test_bad_inputs():
    with pytest.raises(WaterQualityError, match="pH"):
        classify_item("pH", 15)
    with pytest.raises(WaterQualityError, match="unknown"):
        classify({"NH3N": 1})
    with pytest.raises(WaterQualityError, match="unknown"):
        classify_item("Fe", 0.1)
    with pytest.raises(WaterQualityError, match="waterbody"):
        classify({"TP": 0.1}, "sea")
    with pytest.raises(WaterQualityError, match="no assessed item"):
        classify({"TN": 1.0, "fecal_coliform": 100})
    with pytest.raises(WaterQualityError):
        classify([("TP", 0.1)])
    with pytest.raises(WaterQualityError, match="cannot be an assessed item"):
        classify({"TP": 0.1}, items=["TN"])
    assert issubclass(WaterQualityError, ValueError)


def test_none_means_not_measured():
    r = classify({"TP": 0.1, "COD": None})
    assert "COD" not in r.items and "COD" in r.missing
