"""HJ 633 rules: every breakpoint with exact arithmetic, special rules, missing data, levels, errors."""

import datetime
import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from qingshan.standards import hj633
from qingshan.standards.hj633 import RULES_2012, RULES_2026

STEPS = (0, 50, 100, 150, 200, 300, 400, 500)

# independent transcription of the tables (air.md §1.2-1.3), as (key, 2012, 2026)
TABLE = {
    "SO2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1h": (0, 150, 500, 650, 800),
    "NO2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "CO_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8h": (0, 100, 160, 215, 265, 800),
}
PM_2012 = {"PM10_24h": (0, 50, 150, 250, 350, 420, 500, 600), "PM2.5_24h": (0, 35, 75, 115, 150, 250, 350, 500)}
PM_2026 = {"PM10_24h": (0, 50, 120, 250, 350, 420, 500, 600), "PM2.5_24h": (0, 35, 60, 115, 150, 250, 350, 500)}


def tables(standard):
    t = dict(TABLE)
    t.update(PM_2012 if standard == "2012" else PM_2026)
    t["PM10_1h"] = t["PM10_24h"]
    t["PM2.5_1h"] = t["PM2.5_24h"]
    return t


def reference_iaqi(bps, c: Fraction) -> Fraction:
    for i in range(1, len(bps)):
        if c <= bps[i]:
            return Fraction(STEPS[i] - STEPS[i - 1], bps[i] - bps[i - 1]) * (c - bps[i - 1]) + STEPS[i - 1]
    raise AssertionError


def test_tables_match_the_reference_transcription():
    for std, rules in (("2012", RULES_2012), ("2026", RULES_2026)):
        for key, bps in tables(std).items():
            assert rules.breakpoints[rules.table_of[key]] == bps, (std, key)


@pytest.mark.parametrize("standard", ["2012", "2026"])
def test_every_breakpoint_gives_exactly_its_step(standard):
    for key, bps in tables(standard).items():
        for bp, step in zip(bps, STEPS):
            assert hj633.iaqi(key, bp, standard) == step, (key, bp)
            assert hj633.iaqi(key, float(bp), standard) == step
            assert hj633.iaqi(key, Decimal(bp), standard) == step
            assert hj633.sub_index(key, bp, standard).exact == step
            values = {key: bp}
            report = "hourly" if key.endswith("_1h") else "daily"
            if standard == "2012" and key == "O3_1h":
                report = "daily"
            assert hj633.aqi(values, standard, report).aqi == step


@pytest.mark.parametrize("standard", ["2012", "2026"])
def test_just_above_each_breakpoint_rounds_up(standard):
    for key, bps in tables(standard).items():
        dec = 1 if key.startswith("CO") else 0
        unit = Fraction(1, 10**dec)
        for bp in bps[:-1]:
            c = bp + unit
            expected = math.ceil(reference_iaqi(bps, Fraction(c)))
            assert expected == STEPS[bps.index(bp)] + 1 or expected > STEPS[bps.index(bp)]
            assert hj633.iaqi(key, c, standard) == expected, (key, c)


@pytest.mark.parametrize("standard", ["2012", "2026"])
def test_random_values_agree_with_an_independent_fraction_reference(standard):
    rng = random.Random(633)
    t = tables(standard)
    for _ in range(4000):
        key = rng.choice(sorted(t))
        bps = t[key]
        dec = 1 if key.startswith("CO") else 0
        if standard == "2026":
            c = Fraction(rng.randint(0, bps[-1] * 10**dec), 10**dec)  # already at the reporting precision
        else:
            c = Fraction(rng.randint(0, bps[-1] * 1000), 1000)
        expected = math.ceil(reference_iaqi(bps, c))
        value = float(c) if c.denominator in (1, 10, 100, 1000) else c
        assert hj633.iaqi(key, value, standard) == expected, (key, c)
        assert hj633.iaqi(key, c, standard) == expected


def test_ceil_never_floor_or_half_even():
    # 50.5 → 51 (CNEMC 1012A) and 25.3125 → 26 (4166A)
    assert hj633.iaqi("PM10_1h", 51, "2012") == 51
    assert hj633.iaqi("O3_1h", 81, "2026") == 26
    assert hj633.sub_index("O3_1h", 81).exact == Fraction(405, 16)


# --------------------------------------------------------------------------- special rules


def test_so2_1h_above_800():
    assert hj633.iaqi("SO2_1h", 800.4, "2026") == 200  # rounds to 800 → table
    assert hj633.iaqi("SO2_1h", 5000, "2026") == 200
    r = hj633.hourly_aqi({"SO2_1h": 1500}, "2026")
    assert r.aqi == 200 and not r.above_table
    with pytest.raises(hj633.AQIError, match="SO2_24h"):
        hj633.iaqi("SO2_1h", 801, "2012")
    r = hj633.hourly_aqi({"SO2_1h": 801}, "2012")  # no 24-h value: SO2 is missing, AQI NA
    assert r.aqi is None and r.missing == ("SO2_1h",)
    r = hj633.hourly_aqi({"SO2_24h": 3000, "SO2_1h": 900}, "2012")  # substitute above its table
    assert r.aqi == 500 and r.above_table == ("SO2_1h",)


def test_o3_8h_above_800():
    assert hj633.iaqi("O3_8h", 5000, "2026") == 300
    assert hj633.iaqi("O3_8h", 850, "2012", substitute=1000) == 400
    r = hj633.daily_aqi({"O3_8h": 850}, "2012")
    assert r.aqi is None and "O3_8h" in r.missing


def test_special_rules_are_data():
    assert RULES_2026.special["SO2_1h"].iaqi == 200 and RULES_2026.special["O3_8h"].iaqi == 300
    assert RULES_2012.special["SO2_1h"].use == "SO2_24h" and RULES_2012.special["O3_8h"].use == "O3_1h"


# --------------------------------------------------------------------------- reports and missing data


def test_daily_indicator_sets():
    assert len(RULES_2012.daily_indicators) == 7 and "O3_1h" in RULES_2012.daily_indicators
    assert len(RULES_2026.daily_indicators) == 6 and "O3_1h" not in RULES_2026.daily_indicators
    assert RULES_2012.hourly_indicators == RULES_2026.hourly_indicators


def test_wrong_report_keys_are_clear_errors():
    with pytest.raises(hj633.UnknownIndicator, match="hourly report"):
        hj633.daily_aqi({"PM2.5_1h": 30})
    with pytest.raises(hj633.UnknownIndicator, match="daily report"):
        hj633.hourly_aqi({"NO2_24h": 30})
    with pytest.raises(hj633.UnknownIndicator, match="unknown indicator"):
        hj633.daily_aqi({"PM3_24h": 30})
    with pytest.raises(hj633.AQIError, match="twice"):
        hj633.daily_aqi({"PM2.5_24h": 30, "pm25_24h": 31})


def test_key_spellings():
    assert hj633.daily_aqi({"pm25_24h": 61, "so2_24h": 3}).aqi == 101
    assert hj633.daily_aqi({"PM2_5_24h": 61}).iaqi == {"PM2.5_24h": 101}
    assert hj633.hourly_aqi({"PM25_1h": 61}).iaqi == {"PM2.5_1h": 101}


def test_missing_2026_rules():
    # §5.3.1: missing + rest ≤ 100 → NA; rest > 100 → published
    r = hj633.daily_aqi({"PM2.5_24h": 60, "NO2_24h": None})
    assert r.aqi is None and r.aqi_available == 100 and r.as_dict()["aqi"] == "NA"
    assert r.as_dict()["iaqi"]["NO2_24h"] == "NA"
    r = hj633.daily_aqi({"PM2.5_24h": 61, "NO2_24h": "NA"})
    assert r.aqi == 101 and r.primary_pollutants == ("PM2.5",)
    assert hj633.daily_aqi({"PM2.5_24h": 60, "NO2_24h": float("nan")}).aqi is None
    # §5.3.2: "/" does not affect publication when the history test passes
    r = hj633.daily_aqi({"PM2.5_24h": 40, "SO2_24h": "/"})
    assert r.aqi == 60 and r.not_monitored == ("SO2_24h",) and r.as_dict()["iaqi"]["SO2_24h"] == "/"
    assert hj633.daily_aqi({"PM2.5_24h": 40, "SO2_24h": "/"}, history_clear=False).aqi is None
    assert hj633.daily_aqi({"PM2.5_24h": 40, "SO2_24h": "/"}, history_clear={"SO2"}).aqi == 60
    assert hj633.daily_aqi({"PM2.5_24h": 40, "SO2_24h": "/"}, history_clear={"CO"}).aqi is None
    # absent="missing": a complete bulletin row
    assert hj633.daily_aqi({"PM2.5_24h": 40}, absent="missing").missing == ("SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_8h")
    assert hj633.daily_aqi({"PM2.5_24h": 140}, absent="missing").aqi == 186
    # nothing at all
    r = hj633.daily_aqi({"PM2.5_24h": None})
    assert r.aqi is None and r.aqi_available is None


def test_missing_2012_blanks_the_aqi():
    assert hj633.daily_aqi({"PM2.5_24h": 200, "NO2_24h": None}, "2012").aqi is None
    relaxed = hj633.replace_rules(RULES_2012, publish_with_missing_above=100)
    assert hj633.daily_aqi({"PM2.5_24h": 200, "NO2_24h": None}, relaxed).aqi == 250


# --------------------------------------------------------------------------- levels, dates, errors


@pytest.mark.parametrize(
    "aqi,level,category,colour",
    [(0, 1, "优", "#00E400"), (50, 1, "优", "#00E400"), (51, 2, "良", "#FFFF00"), (100, 2, "良", "#FFFF00"),
     (101, 3, "轻度污染", "#FF7E00"), (150, 3, "轻度污染", "#FF7E00"), (151, 4, "中度污染", "#FF0000"),
     (200, 4, "中度污染", "#FF0000"), (201, 5, "重度污染", "#99004C"), (300, 5, "重度污染", "#99004C"),
     (301, 6, "严重污染", "#7E0023"), (500, 6, "严重污染", "#7E0023")],
)
def test_levels(aqi, level, category, colour):
    lv = hj633.level_of(aqi)
    assert (lv.level, lv.category, lv.hex) == (level, category, colour)


def test_level_texts_and_sensitive_groups():
    r = hj633.daily_aqi({"PM2.5_24h": 120, "O3_8h": 170})
    assert r.level_info.label_zh == "四级" and r.level_info.cmyk == (0, 100, 100, 0)
    assert r.advice and r.health_effect
    assert set(r.sensitive_groups) == {"O3", "PM2.5"}
    assert hj633.daily_aqi({"PM2.5_24h": 120}, "2012").sensitive_groups == {}
    assert RULES_2012.level_one_range == "0～50" and RULES_2026.level_one_range == "1～50"


def test_rules_for_dates():
    assert hj633.rules_for(datetime.date(2026, 2, 28)) is RULES_2012
    assert hj633.rules_for(datetime.date(2026, 3, 1)) is RULES_2026
    assert hj633.rules_for(datetime.datetime(2026, 3, 1, 0, 30)) is RULES_2026
    assert hj633.rules_for_hour_ending(datetime.datetime(2026, 3, 1, 0, 0)) is RULES_2012
    assert hj633.rules_for_hour_ending(datetime.datetime(2026, 3, 1, 1, 0)) is RULES_2026
    assert hj633.rules_for(None) is RULES_2026 and hj633.rules_for("2012") is RULES_2012
    assert RULES_2012.applies_to(datetime.date(2020, 1, 1)) and not RULES_2012.applies_to(datetime.date(2026, 3, 1))
    with pytest.raises(hj633.AQIError):
        hj633.rules_for("2019")
    with pytest.raises(hj633.AQIError):
        hj633.rules_for(2026)
    # the same data on both sides of the switch
    day = {"PM2.5_24h": 70}
    assert hj633.daily_aqi(day, datetime.date(2026, 2, 28)).aqi == 94
    assert hj633.daily_aqi(day, datetime.date(2026, 3, 1)).aqi == 110


@pytest.mark.parametrize("bad", [-1, -0.5, float("inf"), "abc", True, [1], {"a": 1}, Decimal("Infinity"), Decimal("-2")])
def test_bad_values_are_typed_errors(bad):
    with pytest.raises(hj633.InvalidConcentration):
        hj633.daily_aqi({"PM2.5_24h": bad})
    with pytest.raises(hj633.AQIError):
        hj633.iaqi("PM2.5_24h", bad)


def test_other_bad_arguments():
    with pytest.raises(hj633.AQIError):
        hj633.aqi({"PM2.5_24h": 1}, "2026", "weekly")
    with pytest.raises(hj633.AQIError):
        hj633.aqi({"PM2.5_24h": 1}, absent="maybe")
    with pytest.raises(hj633.AQIError):
        hj633.level_of(-1)
    assert issubclass(hj633.AQIError, ValueError)


def test_gbt8170_rounding():
    r = hj633.round_gbt8170
    assert [r(x) for x in (60.5, 61.5, 59.5, 60.51, 0.5, 2.5, 3.5)] == [60, 62, 60, 61, 0, 2, 4]
    assert r(2.45, 1) == Decimal("2.4") and r(2.55, 1) == Decimal("2.6") and r("2.450001", 1) == Decimal("2.5")
    assert r(Fraction(1, 3), 2) == Decimal("0.33") and r(-60.5) == -60 and r(-2.45, 1) == Decimal("-2.4")


def test_indicator_key_helper():
    assert hj633.indicator_key("pm25", "daily") == "PM2.5_24h"
    assert hj633.indicator_key("O3", "daily") == "O3_8h"
    assert hj633.indicator_key("o3", "daily", o3="1h") == "O3_1h"
    assert hj633.indicator_key("CO", "hourly") == "CO_1h"
    with pytest.raises(hj633.UnknownIndicator):
        hj633.indicator_key("Pb", "daily")


def test_result_is_immutable_and_json_ready():
    import json

    r = hj633.daily_aqi({"PM2.5_24h": 61, "CO_24h": 1.15})
    with pytest.raises(AttributeError):
        r.aqi = 3
    out = json.loads(json.dumps(r.as_dict(), ensure_ascii=False))
    assert out["concentrations"] == {"CO_24h": 1.2, "PM2.5_24h": 61}


def test_float_fast_paths_agree_with_decimal_gbt8170():
    """The float shortcuts of aqi() give exactly GB/T 8170 of the printed decimal."""
    rng = random.Random(8170)
    for _ in range(3000):
        places = rng.choice((1, 2, 3))
        pm = round(rng.uniform(0, 600), places)
        co = round(rng.uniform(0, 60), places)
        r = hj633.daily_aqi({"PM2.5_24h": pm, "CO_24h": co})
        assert r.concentrations["PM2.5_24h"] == hj633.round_gbt8170(Decimal(repr(pm)))
        assert r.concentrations["CO_24h"] == hj633.round_gbt8170(Decimal(repr(co)), 1)
        assert r.iaqi["CO_24h"] == hj633.iaqi("CO_24h", Decimal(repr(co)))
    for x in (0.05, 0.15, 0.25, 0.35, 1.45, 2.45, 2.55, 10.05, 59.95):
        assert hj633.daily_aqi({"CO_24h": x}).concentrations["CO_24h"] == hj633.round_gbt8170(Decimal(repr(x)), 1)


def test_empty_input_is_an_error():
    with pytest.raises(hj633.AQIError, match="no indicator"):
        hj633.daily_aqi({})
    with pytest.raises(hj633.AQIError, match="use the daily report"):
        hj633.hourly_aqi({"PM2.5_24h": 3})
