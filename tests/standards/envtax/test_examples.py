"""Worked examples of rules.md §1.6 (acceptance tests), reproduced to the fen."""

from decimal import Decimal as D

import pytest

from qingshan.standards import envtax


def taxed(result):
    return {i.pollutant: i for i in result.items if i.taxed}


def test_example_a_textbook_air():
    r = envtax.compute_outlet("air", {"二氧化硫": 100, "氟化物": 100, "一氧化碳": 200, "氯化氢": 80}, "1.2")
    eq = {i.pollutant: i.equivalents for i in r.items}
    assert eq == {"氟化物": D("114.94"), "二氧化硫": D("105.26"), "一氧化碳": D("11.98"), "氯化氢": D("7.44")}
    assert set(taxed(r)) == {"氟化物", "二氧化硫", "一氧化碳"}
    assert r.tax == D("278.62")


def test_example_b_needs_rounded_equivalents():
    r = envtax.compute_outlet("air", {"二氧化硫": 10, "氟化物": 10, "一氧化碳": 100, "氯化氢": 100}, "1.2")
    rows = taxed(r)
    assert set(rows) == {"氟化物", "二氧化硫", "氯化氢"}
    assert [rows[n].tax for n in ("氟化物", "二氧化硫", "氯化氢")] == [D("13.79"), D("12.64"), D("11.16")]
    assert r.tax == D("37.59")


def test_example_c_top_three_of_five():
    r = envtax.compute_outlet("air", {"二氧化硫": 100, "氯化氢": 120, "硫酸雾": 100, "硫化氢": 150, "甲苯": 80}, 2)
    rows = taxed(r)
    assert {n: rows[n].equivalents for n in rows} == {"硫化氢": D("517.24"), "甲苯": D("444.44"), "硫酸雾": D("166.67")}
    assert r.tax == D("2256.70")


def test_example_d_large_amounts():
    r = envtax.compute_outlet("air", {"氮氧化物": 228000, "二氧化硫": 160000, "烟尘": 45000, "一氧化碳": 20000}, "1.2")
    assert sum(i.equivalents for i in r.items if i.taxed) == D("429063.25")
    assert r.tax == D("514875.90")


def test_example_e_sat_water_class1_and_other():
    r = envtax.compute_outlet(
        "water",
        {
            "总汞": 10, "总镉": 10, "总铬": 10, "总砷": 10, "总铅": 10, "总银": 10,
            "悬浮物(SS)": 10, "总有机碳(TOC)": 10, "挥发酚": 10, "氨氮": 10,
        },
        "1.4",
    )
    class1 = [i for i in r.items if i.taxed and i.ranking_class == "water_class1"]
    other = [i for i in r.items if i.taxed and i.ranking_class == "water_other"]
    assert [i.equivalents for i in class1] == [D("20000"), D("2000"), D("500"), D("500"), D("400")]
    assert sum(i.tax for i in class1) == D("32760.00")
    assert [(i.pollutant, i.tax) for i in other] == [("挥发酚", D("175.00")), ("总有机碳(TOC)", D("28.57")), ("氨氮", D("17.50"))]
    assert sum(i.tax for i in other) == D("221.07")
    assert r.tax == D("32981.07")
    assert not {i.pollutant: i for i in r.items}["总铬"].taxed  # 250 eq, 6th of class 1


def test_example_f_water_other_top_three():
    r = envtax.compute_outlet("water", {"硫化物": 100, "氟化物": 100, "甲醛": 90, "总铜": 90, "总锌": 200, "总锰": 120}, 3)
    assert [i.pollutant for i in r.items if i.taxed] == ["总锌", "总铜", "硫化物"]
    assert r.tax == D("8100.00")


def test_example_g_colour_and_ph_components():
    r = envtax.compute_outlet(
        "water",
        {"色度": {"wastewater_t": 24000, "concentration": 320, "standard": 80}, "pH": {"wastewater_t": 24000, "ph": 4}},
        3,
    )
    rows = {i.pollutant: i for i in r.items}
    assert rows["色度"].equivalents == D("14400") and rows["色度"].tax == D("43200.00")
    assert rows["pH"].equivalents == D("24000") and rows["pH"].tax == D("72000.00")
    assert r.tax == D("115200.00")  # the published total (COD and BOD5 left out, rules.md §1.6 G)


def test_example_g_with_cod_ranks_together_by_default():
    """Open item (rules.md §9.2): with COD and BOD5 listed, pH/colour rank with table 2 in the top 3."""
    r = envtax.compute_outlet(
        "water",
        {
            "色度": {"wastewater_t": 24000, "concentration": 320, "standard": 80},
            "pH": {"wastewater_t": 24000, "ph": 4},
            "COD": {"emission_kg": 2880},
            "BOD5": {"emission_kg": 720},
        },
        3,
    )
    assert r.tax == D("123840.00")
    assert {i.pollutant: i.taxed for i in r.items}["生化需氧量(BOD5)"] is False


def test_example_h_solid_waste():
    r = envtax.solid_waste_tax("尾矿", 1000, reused_t=300, stored_t=200)
    assert r.taxable_t == 500 and r.tax == D("7500.00")


@pytest.mark.parametrize(
    "day, night, kwargs, expected",
    [
        ({"limit_db": 55, "measured_db": 60, "days_over": 18}, None, {}, "700.00"),  # I1
        ({"limit_db": 68, "measured_db": 88, "days_over": 20}, {"limit_db": 58, "measured_db": 64, "days_over": 20}, {}, "11900.00"),  # I2
        ({"limit_db": 65, "measured_db": 72, "days_over": 10}, {"limit_db": 55, "measured_db": 60, "days_over": 10}, {}, "1050.00"),  # I3
        ({"limit_db": 65, "measured_db": "77.6"}, {"db_over": 5}, {"boundary_over_100m": True, "exceeding_points": 2}, "12600.00"),  # I4
    ],
    ids=["I1", "I2", "I3", "I4"],
)
def test_examples_i_noise(day, night, kwargs, expected):
    assert envtax.noise_tax(day, night, **kwargs).tax == D(expected)


def test_example_i4_rounds_12_6_db_to_13():
    r = envtax.noise_tax({"limit_db": 65, "measured_db": "77.6"}, {"db_over": 5}, two_units=True)
    assert (r.day_db_over, r.day_amount, r.night_amount, r.multiplier) == (13, D("5600.00"), D("700.00"), 2)


def test_example_j_livestock_monthly_average():
    r = envtax.compute_outlet("water", {"猪": {"stock_start": 600, "stock_end": 400}}, "1.4")
    assert r.items[0].equivalents == D("500") and r.tax == D("700.00")


@pytest.mark.parametrize(
    "mean, peak, pay",
    [("10", "17", "0.75"), ("8", "17", "0.50"), ("10", "18.5", "1"), ("8", "19", "1"), ("10", None, "0.75")],
)
def test_example_k_reduction(mean, peak, pay):
    assert envtax.reduction_factor(mean, "18", peak).pay == D(pay)
