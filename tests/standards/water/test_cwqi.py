"""CWQI (2017 城市地表水环境质量排名技术规定): water.md §6.5 vectors and the ranking rule."""

from decimal import Decimal

import pytest

from qingshan.standards import cwqi
from qingshan.standards.cwqi import CWQIError

from .test_gb3838 import CLEAN

D = Decimal


def q4(x):
    return cwqi.quantize(x, 4)


@pytest.mark.parametrize(
    ("key", "value", "waterbody", "expected"),
    [
        ("pH", "8.0", "river", "0.5"),
        ("pH", "6.5", "river", "0.5"),
        ("pH", "7", "river", "0"),
        ("pH", "9", "river", "1"),
        ("DO", "10", "river", "0.5"),
        ("DO", "2.5", "river", "2"),
        ("TP", "0.1", "river", "0.5"),
        ("TP", "0.1", "lake", "2"),
        ("NH3-N", "1.5", "river", "1.5"),
    ],
)
def test_item_indices(key, value, waterbody, expected):
    assert cwqi.item_index(key, value, waterbody) == D(expected)


def test_clean_reference_section():
    # §6.5 gives 3.041 for the clean section; its metal values are not listed, CLEAN's sum to 1.016.
    s = cwqi.section_index(CLEAN)
    assert s.total == D("3.041") and s.missing == ()
    assert len(s.items) == 21


A = dict(CLEAN, pH=7.8, DO=6.0, CODMn=4.5, COD=18, BOD5=3.2, **{"NH3-N": 0.8}, TP=0.15)
B = dict(CLEAN, pH=6.8, DO=4.0, CODMn=7.0, COD=28, BOD5=5.0, **{"NH3-N": 1.6}, TP=0.32)
L = dict(CLEAN, pH=8.4, DO=9.0, CODMn=5.0, COD=20, BOD5=2.5, **{"NH3-N": 0.3}, TP=0.06)


def test_mini_city_sections():
    a, b, lk = cwqi.section_index(A), cwqi.section_index(B), cwqi.section_index(L, "lake")
    assert (q4(a.total), q4(b.total), q4(lk.total)) == (D("6.2493"), D("9.4827"), D("6.2299"))
    assert q4(a.items["DO"]) == D("0.8333") and a.items["pH"] == D("0.4") and a.items["TP"] == D("0.75")
    assert b.items["pH"] == D("0.2") and q4(b.items["CODMn"]) == D("1.1667") and b.items["TP"] == D("1.6")
    assert lk.items["pH"] == D("0.7") and q4(lk.items["DO"]) == D("0.5556") and lk.items["TP"] == D("1.2")
    assert a.rounded() == D("6.2493")


def test_mini_city_aggregation_and_change():
    a, b, lk = cwqi.section_index(A), cwqi.section_index(B), cwqi.section_index(L, "lake")
    city = cwqi.city_index([a, b], [lk])
    assert q4(city.river) == D("7.8660") and q4(city.lake) == D("6.2299") and q4(city.city) == D("7.3206")
    assert (city.river_count, city.lake_count) == (2, 1)
    assert cwqi.quantize(cwqi.change_rate(city.city, "6.5"), 2) == D("12.63")


def test_city_without_lakes_or_rivers():
    assert cwqi.city_index([D(4), D(6)]).city == D(5)
    c = cwqi.city_index([], [D(3)])
    assert c.river is None and c.city == D(3)
    with pytest.raises(CWQIError):
        cwqi.city_index([], [])


def test_reference_items_ignored_and_missing_reported():
    s = cwqi.section_index({"NH3-N": 0.5, "TN": 5, "fecal_coliform": 90000})
    assert s.total == D("0.5") and "TN" not in s.items and len(s.missing) == 20


def test_status_ranking_ascending_with_ties():
    ranked = cwqi.rank({"甲市": D("4.1234"), "乙市": D("3.5"), "丙市": D("4.12341"), "丁市": D("5")}, decimals=4)
    assert [(r.name, r.rank) for r in ranked] == [("乙市", 1), ("丙市", 2), ("甲市", 2), ("丁市", 4)]
    exact = cwqi.rank({"甲市": D("4.1234"), "丙市": D("4.12341")})
    assert [r.rank for r in exact] == [1, 2]


def test_change_ranking_most_improved_first_and_exclusion():
    base = {"甲": D("6.5"), "乙": D("5"), "丙": D("4"), "丁": D("2")}
    now = {"甲": D("7.3206"), "乙": D("4"), "丙": D("4"), "丁": D("1.9")}
    ranked = cwqi.rank_change(now, base, exclude=["丁"])
    # from the rounded city index 7.3206 the change is 12.62 %; the exact index gives 12.63 % (above)
    assert [(r.name, r.value, r.rank) for r in ranked] == [("乙", D("-20.00"), 1), ("丙", D("0.00"), 2), ("甲", D("12.62"), 3)]
    with pytest.raises(CWQIError, match="乙"):
        cwqi.rank_change({"甲": 1}, {"甲": 1, "乙": 2})


def test_rank_accepts_city_and_section_indices_and_negative_numbers():
    c = cwqi.city_index([D(4)])
    ranked = cwqi.rank({"x": c, "y": cwqi.section_index({"NH3-N": 1}), "z": -1.5})
    assert [r.name for r in ranked] == ["z", "y", "x"]
    with pytest.raises(CWQIError):
        cwqi.rank({"x": "abc"})


def test_bad_input():
    with pytest.raises(CWQIError, match="DO = 0"):
        cwqi.item_index("DO", 0)
    with pytest.raises(CWQIError, match="not one of"):
        cwqi.item_index("TN", 1)
    with pytest.raises(CWQIError, match="unknown"):
        cwqi.section_index({"XX": 1})
    with pytest.raises(CWQIError, match="no CWQI item"):
        cwqi.section_index({"TN": 1})
    with pytest.raises(CWQIError, match="base"):
        cwqi.change_rate(5, 0)
    with pytest.raises(ValueError):
        cwqi.item_index("NH3-N", "abc")
