"""Every test vector of air.md §6 (official CNEMC publications and self-computed vectors)."""

from decimal import Decimal

import pytest

from qingshan.standards import hj633

# --------------------------------------------------------------------------- §6.1 official CNEMC values
# (station, standard, inputs (1-h values), published AQI or None for NA/blank, published primary)
CNEMC = [
    ("2695A 2026", "2026", {"SO2_1h": 4, "NO2_1h": 21, "CO_1h": 1.8, "O3_1h": 39, "PM10_1h": 276, "PM2.5_1h": 87}, 163, ["PM10"]),
    ("2205A 2026", "2026", {"SO2_1h": 10, "NO2_1h": 9, "CO_1h": 0.5, "O3_1h": 92, "PM10_1h": 148, "PM2.5_1h": 31}, 111, ["PM10"]),
    ("1001A 2026", "2026", {"SO2_1h": 1, "NO2_1h": 30, "CO_1h": 0.8, "O3_1h": 36, "PM10_1h": 71, "PM2.5_1h": 61}, 101, ["PM2.5"]),
    ("2311A 2026", "2026", {"SO2_1h": 3, "NO2_1h": 15, "CO_1h": 0.3, "O3_1h": 33, "PM10_1h": 52, "PM2.5_1h": 36}, 52, ["PM10", "PM2.5"]),
    ("2708A 2026", "2026", {"O3_1h": 96}, 30, []),
    ("4166A 2026", "2026", {"O3_1h": 81}, 26, []),
    ("3516A 2026", "2026", {"PM10_1h": 112, "PM2.5_1h": 100, "NO2_1h": 41}, 137, ["PM2.5"]),
    ("4281A 2026", "2026", {"PM10_1h": 137, "PM2.5_1h": 78, "NO2_1h": 66}, 117, ["PM2.5"]),
    ("1819A 2026 PM10 NA", "2026", {"PM10_1h": "NA", "PM2.5_1h": 63}, 103, ["PM2.5"]),
    ("1590A 2026 NO2 NA", "2026", {"NO2_1h": None, "PM10_1h": 108, "PM2.5_1h": 16}, None, None),
    ("1957A 2026 SO2/CO not monitored", "2026", {"SO2_1h": "/", "CO_1h": "/", "PM10_1h": 106}, 90, ["PM10"]),
    ("1001A 2022", "2012", {"SO2_1h": 6, "NO2_1h": 69, "CO_1h": 1.3, "PM10_1h": 73, "PM2.5_1h": 44}, 62, ["PM10", "PM2.5"]),
    ("1012A 2022", "2012", {"PM10_1h": 51, "PM2.5_1h": 28, "NO2_1h": 59}, 51, ["PM10"]),
    ("1133A 2022", "2012", {"PM10_1h": 178, "PM2.5_1h": 121, "CO_1h": 3.6}, 159, ["PM2.5"]),
    ("1151A 2022", "2012", {"PM10_1h": 216, "PM2.5_1h": 149, "NO2_1h": 105}, 199, ["PM2.5"]),
    ("1140A 2022 PM2.5 missing", "2012", {"PM2.5_1h": None, "PM10_1h": 274}, None, None),
]


@pytest.mark.parametrize("station,standard,values,published,primary", CNEMC, ids=[c[0] for c in CNEMC])
def test_cnemc_published_hourly_aqi(station, standard, values, published, primary):
    r = hj633.hourly_aqi(values, standard)
    assert r.aqi == published
    if published is None:
        assert r.level is None and r.category is None and r.primary_pollutants == ()
    else:
        assert list(r.primary_pollutants) == primary


def test_cnemc_sub_indices_and_alternative_tables():
    r = hj633.hourly_aqi(CNEMC[0][2], "2026")
    assert r.iaqi["PM10_1h"] == 163 and r.iaqi["PM2.5_1h"] == 125
    # 2205A under the 2012 table gives 99, 1001A gives 83 (air.md §6.1)
    assert hj633.hourly_aqi(CNEMC[1][2], "2012").aqi == 99
    assert hj633.hourly_aqi(CNEMC[2][2], "2012").iaqi["PM2.5_1h"] == 83
    # NA cases still know the AQI of the rest
    assert hj633.hourly_aqi(CNEMC[9][2], "2026").aqi_available == 92
    assert hj633.hourly_aqi(CNEMC[15][2], "2012").aqi_available == 162


def test_literal_2012_table4_with_pm_24h_moving_is_a_configurable_variant():
    """HJ 633—2012 Table 4 as written (PM 24-h moving) would give 46 for 1001A (air.md §6.1)."""
    literal = hj633.replace_rules(
        hj633.RULES_2012,
        hourly_indicators=("SO2_1h", "NO2_1h", "PM10_24h", "CO_1h", "O3_1h", "PM2.5_24h"),
        ignored={},
    )
    r = hj633.hourly_aqi({"SO2_1h": 6, "NO2_1h": 69, "CO_1h": 1.3, "PM10_24h": 46, "PM2.5_24h": 25}, literal)
    assert r.aqi == 46
    # the default 2012 rules accept and ignore those keys
    r = hj633.hourly_aqi({"PM10_1h": 73, "PM2.5_1h": 44, "PM10_24h": 46, "PM2.5_24h": 25}, "2012")
    assert r.aqi == 62 and r.ignored == ("PM10_24h", "PM2.5_24h")


# --------------------------------------------------------------------------- §6.2 self-computed vectors
# (id, standard, report, inputs, iaqi by indicator, aqi, primary pollutants, category)
T = [
    ("T01", "2026", "daily", {"PM2.5_24h": 35}, {"PM2.5_24h": 50}, 50, [], "优"),
    ("T02", "2026", "daily", {"PM2.5_24h": 35.1}, {"PM2.5_24h": 50}, 50, [], "优"),  # 2026 rounds 35.1 → 35 first
    ("T03", "2026", "daily", {"PM2.5_24h": 60}, {"PM2.5_24h": 100}, 100, ["PM2.5"], "良"),
    ("T04", "2026", "daily", {"PM2.5_24h": 61}, {"PM2.5_24h": 101}, 101, ["PM2.5"], "轻度污染"),
    ("T05", "2012", "daily", {"PM2.5_24h": 60}, {"PM2.5_24h": 82}, 82, ["PM2.5"], "良"),
    ("T06", "2012", "daily", {"PM2.5_24h": 75}, {"PM2.5_24h": 100}, 100, ["PM2.5"], "良"),
    ("T07", "2026", "daily", {"PM2.5_24h": 75}, {"PM2.5_24h": 114}, 114, ["PM2.5"], "轻度污染"),
    ("T08", "2026", "daily", {"PM10_24h": 120}, {"PM10_24h": 100}, 100, ["PM10"], "良"),
    ("T09", "2012", "daily", {"PM10_24h": 150}, {"PM10_24h": 100}, 100, ["PM10"], "良"),
    ("T10", "2026", "daily", {"PM10_24h": 150}, {"PM10_24h": 112}, 112, ["PM10"], "轻度污染"),
    ("T11", "2026", "daily", {"PM10_24h": 51}, {"PM10_24h": 51}, 51, ["PM10"], "良"),
    ("T12", "2012", "daily", {"PM10_24h": 51}, {"PM10_24h": 51}, 51, ["PM10"], "良"),
    ("T13", "2026", "daily", {"NO2_24h": 41}, {"NO2_24h": 52}, 52, ["NO2"], "良"),
    ("T14", "2026", "daily", {"CO_24h": 2.5}, {"CO_24h": 63}, 63, ["CO"], "良"),
    ("T15", "2026", "hourly", {"CO_1h": 5.1}, {"CO_1h": 51}, 51, ["CO"], "良"),
    ("T16", "2026", "hourly", {"SO2_1h": 801, "PM2.5_1h": 40}, {"SO2_1h": 200, "PM2.5_1h": 60}, 200, ["SO2"], "中度污染"),
    ("T17", "2012", "hourly", {"SO2_1h": 801, "SO2_24h": 300}, {"SO2_1h": 124}, 124, ["SO2"], "轻度污染"),
    ("T18", "2026", "hourly", {"SO2_1h": 800}, {"SO2_1h": 200}, 200, ["SO2"], "中度污染"),
    ("T19", "2026", "daily", {"O3_8h": 801}, {"O3_8h": 300}, 300, ["O3"], "重度污染"),
    ("T20", "2012", "daily", {"O3_8h": 801, "O3_1h": 900}, {"O3_8h": 350, "O3_1h": 350}, 350, ["O3"], "严重污染"),
    ("T21", "2026", "daily", {"O3_8h": 800}, {"O3_8h": 300}, 300, ["O3"], "重度污染"),
    ("T22", "2026", "daily", {"O3_8h": 265}, {"O3_8h": 200}, 200, ["O3"], "中度污染"),
    ("T23", "2026", "daily", {"PM10_24h": 120, "NO2_24h": 80, "PM2.5_24h": 50}, {"PM10_24h": 100, "NO2_24h": 100, "PM2.5_24h": 80}, 100, ["NO2", "PM10"], "良"),
    ("T24", "2026", "daily", {"O3_8h": 106, "SO2_24h": 60, "PM2.5_24h": 30}, {"O3_8h": 55, "SO2_24h": 55, "PM2.5_24h": 43}, 55, ["SO2", "O3"], "良"),
    ("T25", "2026", "hourly", {"PM10_1h": 52, "PM2.5_1h": 36}, {"PM10_1h": 52, "PM2.5_1h": 52}, 52, ["PM10", "PM2.5"], "良"),
    ("T26", "2026", "daily", {"PM2.5_24h": 115}, {"PM2.5_24h": 150}, 150, ["PM2.5"], "轻度污染"),
    ("T27", "2026", "daily", {"PM2.5_24h": 116}, {"PM2.5_24h": 152}, 152, ["PM2.5"], "中度污染"),
    ("T28", "2026", "daily", {"PM2.5_24h": 150}, {"PM2.5_24h": 200}, 200, ["PM2.5"], "中度污染"),
    ("T29", "2026", "daily", {"PM2.5_24h": 151}, {"PM2.5_24h": 201}, 201, ["PM2.5"], "重度污染"),
    ("T30", "2026", "daily", {"PM2.5_24h": 250}, {"PM2.5_24h": 300}, 300, ["PM2.5"], "重度污染"),
    ("T31", "2026", "daily", {"PM2.5_24h": 251}, {"PM2.5_24h": 301}, 301, ["PM2.5"], "严重污染"),
    ("T32", "2026", "daily", {"PM2.5_24h": 500}, {"PM2.5_24h": 500}, 500, ["PM2.5"], "严重污染"),
    ("T33", "2026", "daily", {"PM2.5_24h": 501}, {"PM2.5_24h": 500}, 500, ["PM2.5"], "严重污染"),
    ("T34", "2026", "hourly", {"NO2_1h": 1200}, {"NO2_1h": 200}, 200, ["NO2"], "中度污染"),
    ("T35", "2026", "daily", {"SO2_24h": 150}, {"SO2_24h": 100}, 100, ["SO2"], "良"),
    (
        "T36", "2026", "daily",
        {"SO2_24h": 12, "NO2_24h": 45, "CO_24h": 0.9, "O3_8h": 178, "PM10_24h": 95, "PM2.5_24h": 58},
        {"SO2_24h": 12, "NO2_24h": 57, "CO_24h": 23, "O3_8h": 117, "PM10_24h": 83, "PM2.5_24h": 96},
        117, ["O3"], "轻度污染",
    ),
    (
        "T37", "2026", "daily",
        {"SO2_24h": 9, "NO2_24h": 52, "CO_24h": 1.4, "O3_8h": 40, "PM10_24h": 180, "PM2.5_24h": 139},
        {"PM10_24h": 124, "PM2.5_24h": 185}, 185, ["PM2.5"], "中度污染",
    ),
    (
        "T38", "2012", "daily",
        {"SO2_24h": 9, "NO2_24h": 52, "CO_24h": 1.4, "O3_8h": 40, "PM10_24h": 180, "PM2.5_24h": 139},
        {"PM10_24h": 115, "PM2.5_24h": 185}, 185, ["PM2.5"], "中度污染",
    ),
    (
        "T39", "2026", "daily",
        {"SO2_24h": 0, "NO2_24h": 0, "CO_24h": 0, "O3_8h": 0, "PM10_24h": 0, "PM2.5_24h": 0},
        {"SO2_24h": 0, "PM2.5_24h": 0}, 0, [], "优",
    ),
]


@pytest.mark.parametrize("tid,standard,report,values,iaqi,aqi,primary,category", T, ids=[t[0] for t in T])
def test_self_computed_vectors(tid, standard, report, values, iaqi, aqi, primary, category):
    r = hj633.aqi(values, standard, report)
    for key, expected in iaqi.items():
        assert r.iaqi[key] == expected, key
    assert r.aqi == aqi
    assert set(r.primary_pollutants) == set(primary)
    assert r.category == category


def test_t02_raw_value_gives_51_but_2026_rounds_the_concentration_first():
    """air.md lists T02 (2026, PM2.5 35.1 → exact 50.2 → 51, 良) from the raw value. HJ 633—2026
    §4.2.2 rounds the daily concentration to an integer first (GB/T 8170): 35.1 → 35 → 50, 优.
    The listed figure is reproduced with concentration rounding switched off."""
    from fractions import Fraction as F

    raw = hj633.replace_rules(hj633.RULES_2026, round_concentrations=False)
    r = hj633.daily_aqi({"PM2.5_24h": 35.1}, raw)
    assert (r.aqi, r.primary_pollutants, r.category) == (51, ("PM2.5",), "良")
    assert hj633.sub_index("PM2.5_24h", 35.1, raw).exact == F("50.2")
    r = hj633.daily_aqi({"PM2.5_24h": 35.1}, "2026")
    assert (r.aqi, r.primary_pollutants, r.category) == (50, (), "优")
    assert r.concentrations["PM2.5_24h"] == 35
    assert hj633.sub_index("PM2.5_24h", "35.1", "2012").exact == F(401, 8)  # 2012: no rounding → 51
    assert hj633.iaqi("PM2.5_24h", 35.1, "2012") == 51


def test_exact_subindex_values_of_the_vectors():
    from fractions import Fraction as F

    assert hj633.sub_index("PM2.5_24h", 61, "2026").exact == 100 + F(50, 55)
    assert hj633.sub_index("PM10_24h", 150, "2026").exact == 100 + F(30 * 50, 130)
    assert hj633.sub_index("NO2_24h", 41, "2026").exact == F(5125, 100)
    assert hj633.sub_index("CO_1h", 5.1, "2026").exact == 51
    s = hj633.sub_index("SO2_1h", 801, "2012", substitute=300)
    assert s.iaqi == 124 and "note (2)" in s.note


def test_t20_2012_o3_8h_above_800_uses_1h_and_t19_2026_counts_300():
    r = hj633.daily_aqi({"O3_8h": 801, "O3_1h": 900}, "2012")
    assert r.primary_indicators == ("O3_1h", "O3_8h") and r.primary_pollutants == ("O3",)
    assert any("note (3)" in n for n in r.notes)
    r = hj633.daily_aqi({"O3_8h": 801}, "2026")
    assert any("note c" in n for n in r.notes)


def test_t33_above_table_is_500_with_flag():
    r = hj633.daily_aqi({"PM2.5_24h": 501, "PM10_24h": 80}, "2026")
    assert r.aqi == 500 and r.above_table == ("PM2.5_24h",)
    assert hj633.sub_index("PM2.5_24h", 501).above_table
    assert hj633.iaqi("NO2_1h", 10000, "2026") == 500


def test_t38_exceeding_pollutants_2012_only():
    values = T[37][3]
    assert hj633.daily_aqi(values, "2012").exceeding_pollutants == ("PM10", "PM2.5")
    assert hj633.daily_aqi(values, "2026").exceeding_pollutants is None
    assert "exceeding_pollutants" not in hj633.daily_aqi(values, "2026").as_dict()


def test_t39_all_zero_is_0_unless_a_deployment_sets_the_2026_floor():
    zeros = T[38][3]
    assert hj633.daily_aqi(zeros).aqi == 0
    floor1 = hj633.replace_rules(hj633.RULES_2026, aqi_min=1)
    assert hj633.daily_aqi(zeros, floor1).aqi == 1


# --------------------------------------------------------------------------- rounding vectors (2026)

ROUNDING = [
    ("PM2.5_24h", 60.5, 100, 101),
    ("PM2.5_24h", 61.5, 102, 102),
    ("PM2.5_24h", 59.5, 100, 99),
    ("PM2.5_24h", 60.51, 101, 101),
    ("CO_24h", 2.45, 60, 62),
    ("CO_24h", 2.55, 65, 64),
]


@pytest.mark.parametrize("key,value,rounded_first,raw", ROUNDING)
def test_concentration_rounding_vectors(key, value, rounded_first, raw):
    assert hj633.iaqi(key, value, "2026") == rounded_first
    assert hj633.aqi({key: value}, "2026").aqi == rounded_first
    raw_rules = hj633.replace_rules(hj633.RULES_2026, round_concentrations=False)
    assert hj633.iaqi(key, value, raw_rules) == raw
    # the same values given as Decimal or string
    assert hj633.iaqi(key, Decimal(str(value)), "2026") == rounded_first
    assert hj633.aqi({key: str(value)}, "2026").aqi == rounded_first


def test_rounded_concentrations_are_reported():
    r = hj633.daily_aqi({"PM2.5_24h": 60.5, "CO_24h": 2.45})
    assert r.concentrations == {"CO_24h": Decimal("2.4"), "PM2.5_24h": Decimal("60")}


# --------------------------------------------------------------------------- python-aqi comparison (§6.2)


@pytest.mark.parametrize(
    "key,value,expected",
    [("PM2.5_24h", 36, 52), ("PM2.5_24h", 35.9, 52), ("CO_24h", 2.5, 63), ("CO_24h", 3.9, 98), ("NO2_24h", 41, 52), ("PM2.5_24h", 55, 75), ("PM10_24h", 51, 51)],
)
def test_where_python_aqi_is_wrong_2012(key, value, expected):
    assert hj633.iaqi(key, value, "2012") == expected


def test_python_aqi_crashes_are_handled():
    assert hj633.hourly_aqi({"SO2_1h": 801, "SO2_24h": 300}, "2012").aqi == 124
    assert hj633.daily_aqi({"PM2.5_24h": 501}, "2012").aqi == 500
