"""Rules of the Law and Regulation: reductions, ranking, exclusive groups, special items, names, rates."""

from decimal import Decimal as D

import pytest

from qingshan.standards import envtax
from qingshan.standards.envtax import EnvTaxError, RateError, RateNotConfiguredError, UnknownPollutantError


def rows(result):
    return {i.pollutant: i for i in result.items}


# ----------------------------------------------------------------- Law Art. 13 / Reg. Art. 10-11


@pytest.mark.parametrize(
    "conc, pay",
    [
        ("139.99", "0.75"),  # just below 70 %
        ("140", "1"),  # exactly 70 % of 200: not "lower by 30 %"
        ("140.01", "1"),
        ("99.99", "0.50"),
        ("100", "0.75"),  # exactly 50 %: only the 75 % tier
        ("0", "0.50"),
        ("200", "1"),  # at the standard
    ],
)
def test_reduction_thresholds_are_strict(conc, pay):
    assert envtax.reduction_factor(conc, "200", conc).pay == D(pay)


def test_reduction_reference_example_18_mg():
    # rules.md §1.5: standard 18 → < 12.6 pays 75 %, < 9 pays 50 %
    assert envtax.reduction_factor("12.6", "18").pay == 1
    assert envtax.reduction_factor("12.59", "18").pay == D("0.75")
    assert envtax.reduction_factor("9", "18").pay == D("0.75")
    assert envtax.reduction_factor("8.99", "18").pay == D("0.5")


def test_reduction_lost_when_any_hourly_mean_exceeds_standard():
    red = envtax.reduction_factor("50", "200", "200.1")
    assert red.pay == 1 and "Reg. Art. 10" in red.reason
    # a maximum equal to the standard is still within it
    assert envtax.reduction_factor("50", "200", "200").pay == D("0.5")
    # a maximum above 70 % but within the standard does not matter
    assert envtax.reduction_factor("50", "200", "190").pay == D("0.5")


def test_reduction_without_data_or_with_inconsistent_data():
    assert envtax.reduction_factor(None, "200").pay == 1
    assert envtax.reduction_factor("50", None).pay == 1
    assert "not checked" in envtax.reduction_factor("50", "200").reason
    with pytest.raises(EnvTaxError, match="below the monthly mean"):
        envtax.reduction_factor("50", "200", "40")
    with pytest.raises(EnvTaxError, match="positive"):
        envtax.reduction_factor("50", "0")
    with pytest.raises(EnvTaxError, match="must be >= 0"):
        envtax.reduction_factor("-1", "200")


def test_reduction_non_strict_reading_is_configurable():
    data = envtax.load_data()
    data["reductions"]["strict"] = False
    tables = envtax.Tables(data)
    assert envtax.reduction_factor("140", "200", tables=tables).pay == D("0.75")
    assert envtax.reduction_factor("100", "200", tables=tables).pay == D("0.5")


def test_reductions_are_per_pollutant_within_an_outlet():
    r = envtax.compute_outlet(
        "air",
        {
            "二氧化硫": {"emission_kg": 950, "concentration": 40, "standard": 100, "max_concentration": 90},  # 1000 eq, ×0.5
            "氮氧化物": {"emission_kg": 950, "concentration": 60, "standard": 100, "max_concentration": 95},  # ×0.75
            "烟尘": {"emission_kg": 218, "concentration": 5, "standard": 10, "max_concentration": 12},  # 100 eq, lost
        },
        "1.2",
    )
    rr = rows(r)
    assert (rr["二氧化硫"].reduction, rr["二氧化硫"].tax) == (D("0.50"), D("600.00"))
    assert (rr["氮氧化物"].reduction, rr["氮氧化物"].tax) == (D("0.75"), D("900.00"))
    assert (rr["烟尘"].reduction, rr["烟尘"].tax) == (1, D("120.00"))
    assert r.tax == D("1620.00")


def test_reduction_rounding_happens_once_per_row():
    # 105.26 eq × 1.2 × 0.75 = 94.734 → 94.73; × 0.5 = 63.156 → 63.16
    r = envtax.compute_outlet("air", {"SO2": {"emission_kg": 100, "concentration": 60, "standard": 100}}, "1.2")
    assert r.tax == D("94.73")
    r = envtax.compute_outlet("air", {"SO2": {"emission_kg": 100, "concentration": 10, "standard": 100}}, "1.2")
    assert r.tax == D("63.16")


def test_reduction_withheld_for_outlet():
    r = envtax.compute_outlet(
        "air",
        {"SO2": {"emission_kg": 100, "concentration": 10, "standard": 100}},
        "1.2",
        reduction_allowed=False,
        reduction_note="Reg. Art. 7: monitoring data falsified",
    )
    assert r.items[0].reduction == 1 and "Art. 7" in r.items[0].reduction_reason


# ----------------------------------------------------------------- Law Art. 9: ranking


def test_air_top_three_only():
    # NOx 200, HCl 150, SO2 100, CO 50, H2S 50 equivalents (CO before H2S: table order breaks the tie)
    r = envtax.compute_outlet("air", {"SO2": 95, "NOx": 190, "CO": "835", "HCl": "1612.5", "H2S": "14.5"}, "1.2")
    assert [(i.pollutant, i.rank, i.taxed) for i in r.items] == [
        ("氮氧化物", 1, True),
        ("氯化氢", 2, True),
        ("二氧化硫", 3, True),
        ("一氧化碳", 4, False),
        ("硫化氢", 5, False),
    ]
    assert "rank 4 > top 3" in rows(r)["一氧化碳"].note


def test_water_class1_top_five_and_other_top_three_separately():
    class1 = {"总汞": 1, "总镉": 1, "总铬": 1, "六价铬": 1, "总砷": 1, "总铅": 1, "总镍": 1}
    other = {"SS": 400, "COD": 100, "氨氮": 80, "总磷": 25}
    r = envtax.compute_outlet("water", {**class1, **other}, "1.4")
    taxed1 = [i.pollutant for i in r.items if i.taxed and i.ranking_class == "water_class1"]
    taxed2 = [i.pollutant for i in r.items if i.taxed and i.ranking_class == "water_other"]
    assert len(taxed1) == 5 and taxed1[:2] == ["总汞", "总镉"]
    # 六价铬 and 总砷 tie at 50 eq, 总铅 and 总镍 at 40 eq: table order decides
    assert taxed1[2:] == ["六价铬", "总砷", "总铅"]
    assert not rows(r)["总镍"].taxed and rows(r)["总镍"].rank == 6
    assert taxed2 == ["悬浮物(SS)", "化学需氧量(CODcr)", "氨氮"]
    assert not rows(r)["总磷"].taxed


def test_item_counts_can_be_extended_by_province():
    r = envtax.compute_outlet("air", {"SO2": 95, "NOx": 190, "CO": 835, "HCl": 1075}, "1.2", item_counts={"air": 4})
    assert all(i.taxed for i in r.items)


def test_cod_bod_toc_only_one_taxed_the_largest():
    # COD 100 eq, BOD5 120 eq, TOC 49/0.49 = 100 eq
    r = envtax.compute_outlet("water", {"COD": 100, "BOD5": 60, "TOC": 49, "SS": 4}, "1.4")
    rr = rows(r)
    assert rr["生化需氧量(BOD5)"].taxed
    assert not rr["化学需氧量(CODcr)"].taxed and not rr["总有机碳(TOC)"].taxed
    assert "只征收一项" in rr["化学需氧量(CODcr)"].note
    # the freed places go to other pollutants: SS is taxed although it ranks 4th by equivalents
    assert rr["悬浮物(SS)"].taxed and rr["悬浮物(SS)"].rank == 2
    assert r.tax == D("169.40")  # (120 + 1) × 1.4


def test_exclusive_group_rule_is_data():
    data = envtax.load_data()
    data["exclusive_groups"]["COD_BOD_TOC"]["keep"] = "table_order"
    # COD 200 eq would win as the largest; BOD5 (120 eq) is row 12, before COD (row 13)
    r = envtax.compute_outlet("water", {"COD": 200, "BOD5": 60}, "1.4", tables=envtax.Tables(data))
    assert rows(r)["生化需氧量(BOD5)"].taxed and not rows(r)["化学需氧量(CODcr)"].taxed
    data["exclusive_groups"]["COD_BOD_TOC"]["keep"] = "smallest"
    with pytest.raises(EnvTaxError, match="keep must be"):
        envtax.compute_outlet("water", {"COD": 100, "BOD5": 60}, "1.4", tables=envtax.Tables(data))


def test_coliform_and_residual_chlorine_only_one():
    r = envtax.compute_outlet(
        "water",
        {"大肠菌群数": {"wastewater_t": 3300}, "余氯量": {"wastewater_t": 6600}},
        "1.4",
    )
    rr = rows(r)
    assert rr["余氯量(用氯消毒的医院废水)"].taxed and not rr["大肠菌群数(超标)"].taxed


def test_zero_emission_is_not_ranked():
    r = envtax.compute_outlet("air", {"SO2": 0, "NOx": 95}, "1.2")
    assert rows(r)["二氧化硫"].rank is None and not rows(r)["二氧化硫"].taxed


# ----------------------------------------------------------------- items by other units


@pytest.mark.parametrize(
    "ph, value",
    [
        ("0", "0.06"), ("0.99", "0.06"), ("1", "0.125"), ("4", "1"), ("4.99", "1"), ("5", "5"), ("5.99", "5"),
        ("9.01", "1"), ("10", "1"), ("10.5", "0.5"), ("11", "0.5"), ("12", "0.25"), ("13", "0.125"), ("13.5", "0.06"), ("14", "0.06"),
    ],
)
def test_ph_bands(ph, value):
    r = envtax.compute_outlet("water", {"pH": {"wastewater_t": 600, "ph": ph}}, "1.4")
    assert r.items[0].equivalent_value == D(value)
    assert r.items[0].equivalents == envtax.round_fen(D(600) / D(value))


@pytest.mark.parametrize("ph", ["6", "7.5", "9"])
def test_ph_6_to_9_not_taxable(ph):
    r = envtax.compute_outlet("water", {"pH": {"wastewater_t": 600, "ph": ph}}, "1.4")
    assert r.tax == 0 and not r.items[0].taxed and "not taxable" in r.items[0].note


def test_ph_out_of_range_and_missing_fields():
    with pytest.raises(EnvTaxError, match="between 0 and 14"):
        envtax.compute_outlet("water", {"pH": {"wastewater_t": 1, "ph": 15}}, "1.4")
    with pytest.raises(EnvTaxError, match="ph is required"):
        envtax.compute_outlet("water", {"pH": {"wastewater_t": 1}}, "1.4")
    with pytest.raises(EnvTaxError, match="wastewater_t is required"):
        envtax.compute_outlet("water", {"pH": {"emission_kg": 1, "ph": 3}}, "1.4")


def test_special_items_ranking_with_table_2_is_configurable():
    pollutants = {
        "pH": {"wastewater_t": 1000, "ph": 3},  # 2000 eq
        "色度": {"wastewater_t": 1000, "concentration": 160, "standard": 80},  # 200 eq
        "大肠菌群数": {"wastewater_t": 330},  # 100 eq
        "COD": 300, "SS": 400, "氨氮": 40,  # 300, 100, 50 eq
    }
    together = envtax.compute_outlet("water", pollutants, "1.4")
    assert [i.pollutant for i in together.items if i.taxed] == ["pH", "化学需氧量(CODcr)", "色度"]
    data = envtax.load_data()
    data["water_other_ranking"]["special_items_rank_with_class2"] = False
    apart = envtax.compute_outlet("water", pollutants, "1.4", tables=envtax.Tables(data))
    assert sorted(i.pollutant for i in apart.items if i.taxed) == sorted(
        ["pH", "色度", "大肠菌群数(超标)", "化学需氧量(CODcr)", "悬浮物(SS)", "氨氮"]
    )


def test_colour_within_standard_not_taxable():
    r = envtax.compute_outlet("water", {"色度": {"wastewater_t": 1000, "concentration": 50, "standard": 80}}, "1.4")
    assert r.tax == 0


def test_coliforms_within_standard_not_taxable():
    r = envtax.compute_outlet("water", {"大肠菌群数": {"wastewater_t": 1000, "concentration": 500, "standard": 1000}}, "1.4")
    assert r.tax == 0


def test_livestock_threshold_and_scale():
    # 500 pigs is not "more than 500"
    r = envtax.compute_outlet("water", {"猪": {"stock_start": 500, "stock_end": 500}}, "1.4")
    assert r.tax == 0 and "not above 500" in r.items[0].note
    # an explicit farm scale overrides the default (larger of start/end)
    r = envtax.compute_outlet("water", {"猪": {"stock_start": 600, "stock_end": 400, "scale_stock": 450}}, "1.4")
    assert r.tax == 0
    r = envtax.compute_outlet("water", {"牛": {"stock_start": 60, "stock_end": 80}}, "1.4")
    assert r.items[0].equivalents == D("700") and r.tax == D("980.00")


def test_hospital_by_wastewater_or_beds():
    r = envtax.compute_outlet("water", {"医院(消毒)": {"beds": 100, "wastewater_t": 280}}, "1.4")
    assert r.items[0].equivalents == D("100")
    r = envtax.compute_outlet("water", {"医院(消毒)": {"beds": 21}}, "1.4")
    assert r.items[0].equivalents == D("150")
    r = envtax.compute_outlet("water", {"医院(不消毒)": {"beds": 20, "wastewater_t": 100}}, "1.4")
    assert r.tax == 0


def test_special_items_get_no_reduction():
    r = envtax.compute_outlet("water", {"大肠菌群数": {"wastewater_t": 3300, "concentration": 2000, "standard": 1000}}, "1.4")
    assert r.items[0].reduction == 1 and r.tax == D("1400.00")


# ----------------------------------------------------------------- names


@pytest.mark.parametrize(
    "medium, name, canonical",
    [
        ("air", "SO2", "二氧化硫"),
        ("air", "a21026", "二氧化硫"),
        ("air", "ＮＯｘ", "氮氧化物"),
        ("air", "碳黑尘", "炭黑尘"),
        ("air", "苯并[a]芘", "苯并(a)芘"),
        ("water", "COD", "化学需氧量(CODcr)"),
        ("water", "化学需氧量", "化学需氧量(CODcr)"),
        ("water", "悬浮物（SS）", "悬浮物(SS)"),
        ("water", "w21003", "氨氮"),
        ("water", "氟化物", "氟化物"),
        ("water", "可吸附有机卤化物(AOX)(以Cl计)", "可吸附有机卤化物(AOX)(以Cl计)"),
        ("water", "医院(消毒)", "医院(消毒)"),
    ],
)
def test_names_and_aliases(medium, name, canonical):
    assert envtax.Tables.default().pollutant(name, medium).name == canonical


def test_same_name_different_media_have_their_own_values():
    t = envtax.Tables.default()
    assert t.pollutant("氟化物", "air").value == D("0.87")
    assert t.pollutant("氟化物", "water").value == D("0.5")
    assert t.pollutant("甲醛", "water").value == D("0.125")  # not 0.25 (a known OSS error)


def test_unknown_name_lists_close_matches():
    with pytest.raises(UnknownPollutantError) as exc:
        envtax.compute_outlet("air", {"二氧化流": 10}, "1.2")
    assert "二氧化硫" in exc.value.suggestions and "二氧化硫" in str(exc.value)


@pytest.mark.parametrize(
    "medium, name, text",
    [
        ("water", "总氮", "not in the national water table"),
        ("air", "颗粒物", "烟尘"),
        ("air", "VOCs", "not a national taxable"),
        ("air", "氨氮", "is a water pollutant"),
    ],
)
def test_names_with_hints(medium, name, text):
    with pytest.raises(UnknownPollutantError, match=text):
        envtax.Tables.default().pollutant(name, medium)


def test_duplicate_pollutant_under_two_names():
    with pytest.raises(EnvTaxError, match="same pollutant"):
        envtax.compute_outlet("water", {"COD": 1, "化学需氧量": 2}, "1.4")


@pytest.mark.parametrize(
    "pollutants, text",
    [
        ({"SO2": {"emision_kg": 1}}, "unknown field"),
        ({"SO2": {"emission_kg": -1}}, ">= 0"),
        ({"SO2": {"emission_kg": "abc"}}, "must be a number"),
        ({"SO2": {"emission_kg": True}}, "must be a number"),
        ({"SO2": {"emission_kg": float("nan")}}, "finite"),
        ({"SO2": {}}, "emission_kg is required"),
        ({}, "non-empty"),
        ({"SO2": [1]}, "expected an object"),
    ],
)
def test_bad_input_is_a_typed_error(pollutants, text):
    with pytest.raises(EnvTaxError, match=text):
        envtax.compute_outlet("air", pollutants, "1.2")


def test_bad_item_counts_and_tables():
    with pytest.raises(EnvTaxError, match="unknown class"):
        envtax.compute_outlet("air", {"SO2": 1}, "1.2", item_counts={"air_top": 4})
    with pytest.raises(EnvTaxError, match="non-negative integer"):
        envtax.compute_outlet("air", {"SO2": 1}, "1.2", item_counts={"air": "4"})
    with pytest.raises(EnvTaxError, match="lack the entry"):
        envtax.Tables({"air": []})


def test_bad_medium():
    with pytest.raises(EnvTaxError, match="medium"):
        envtax.compute_outlet("soil", {"SO2": 1}, "1.2")


# ----------------------------------------------------------------- rates


@pytest.mark.parametrize("medium, rate", [("air", "1.19"), ("air", "12.01"), ("water", "1.3"), ("water", "14.5")])
def test_rate_outside_annex_range(medium, rate):
    with pytest.raises(RateError, match="outside"):
        envtax.make_rates(medium, rate)


@pytest.mark.parametrize("medium, rate", [("air", "1.2"), ("air", "12"), ("water", "1.4"), ("water", "14")])
def test_rate_range_bounds_are_inclusive(medium, rate):
    assert envtax.make_rates(medium, rate).default == D(rate)


def test_per_pollutant_rates():
    rates = envtax.make_rates("air", "1.2", {"SO2": 6, "NOx": "6"})
    r = envtax.compute_outlet("air", {"SO2": 95, "NOx": 95, "CO": 1670}, rates)
    rr = rows(r)
    assert rr["二氧化硫"].tax == D("600.00") and rr["一氧化碳"].tax == D("120.00")


def test_missing_rate_for_a_pollutant_is_an_error():
    rates = envtax.make_rates("air", None, {"SO2": 6})
    with pytest.raises(RateNotConfiguredError):
        envtax.compute_outlet("air", {"SO2": 95, "NOx": 95}, rates)
    with pytest.raises(RateNotConfiguredError):
        envtax.make_rates("air", None)


def test_provincial_rate_table():
    table = envtax.RateTable.default()
    bj = table.lookup("北京市", "2026-05-01")
    assert (bj.air, bj.water, bj.status) == (D("12"), D("14"), "verified")
    assert table.lookup("110000", "2026-05-01") == bj
    sd = table.lookup("山东省", "2026-05-01").rates("air")
    assert sd.for_pollutant("二氧化硫") == 6 and sd.for_pollutant("一氧化碳") == D("1.2")
    plant = table.lookup("山东", "2026-05-01", facility_type="central_sewage_over_standard").rates("water")
    assert plant.for_pollutant("化学需氧量(CODcr)") == 3 and plant.for_pollutant("石油类") == D("1.4")
    with pytest.raises(RateNotConfiguredError, match="北京"):
        table.lookup("西藏", "2026-05-01")
    with pytest.raises(RateNotConfiguredError):
        table.lookup("北京", "2017-12-31")  # before the Law took effect


def test_rate_table_deployment_override_and_versions():
    table = envtax.RateTable.default().with_entries(
        [
            {"province": "某省", "air": "2.4", "water": "2.8", "effective_from": "2018-01-01", "effective_to": "2020-12-31"},
            {"province": "某省", "air": "3.6", "water": "4.2", "effective_from": "2021-01-01"},
            {"province": "某省", "region": "某市", "air": "6", "water": "7", "effective_from": "2021-01-01"},
        ]
    )
    assert table.lookup("某省", "2019-06-01").air == D("2.4")
    assert table.lookup("某省", "2022-06-01").air == D("3.6")
    assert table.lookup("某省", "2022-06-01", region="某市").air == D("6")
    assert table.lookup("某省", "2022-06-01", region="别的市").air == D("3.6")
    with pytest.raises(RateError):
        envtax.RateTable([{"province": "某省", "air": "20", "water": "2.8"}])


# ----------------------------------------------------------------- solid waste and noise


def test_solid_waste_items_and_rules():
    assert envtax.solid_waste_tax("粉煤灰", 10).tax == D("250.00")  # 25, not the old levy's 30
    assert envtax.solid_waste_tax("危险废物", "0.5", disposed_t="0.2").tax == D("300.00")
    r = envtax.solid_waste_tax("煤矸石", 100, stored_t=100, illegal_dumping=True)
    assert r.taxable_t == 100 and r.tax == D("500.00")
    with pytest.raises(EnvTaxError, match="exceeds generated"):
        envtax.solid_waste_tax("尾矿", 100, stored_t=80, reused_t=30)
    with pytest.raises(EnvTaxError, match="unknown solid waste"):
        envtax.solid_waste_tax("建筑垃圾", 1)


@pytest.mark.parametrize(
    "db, amount", [(0, 0), (1, 350), (3, 350), (4, 700), (6, 700), (7, 1400), (9, 1400), (10, 2800), (12, 2800), (13, 5600), (15, 5600), (16, 11200), (40, 11200)]
)
def test_noise_bands(db, amount):
    assert envtax.noise_band_amount(db) == amount


def test_noise_rounding_halving_and_doubling():
    assert envtax.noise_tax({"db_over": "3.5"}).day_db_over == 4  # half-up
    assert envtax.noise_tax({"db_over": "3.49"}).tax == 350
    assert envtax.noise_tax({"limit_db": 60, "measured_db": 58}).tax == 0
    # halving applies to day and night separately
    r = envtax.noise_tax({"db_over": 5, "days_over": 20}, {"db_over": 5, "days_over": 14})
    assert (r.day_amount, r.night_amount, r.tax) == (D("700.00"), D("350.00"), D("1050.00"))
    # one exceeding point: no doubling even on a long boundary
    assert envtax.noise_tax({"db_over": 5}, boundary_over_100m=True, exceeding_points=1).multiplier == 1
    # sudden night noise: the larger of the Leq and the peak excess
    assert envtax.noise_tax(None, {"db_over": 2, "peak_db_over": 8}).night_db_over == 8


def test_noise_bad_input():
    with pytest.raises(EnvTaxError, match="day and/or a night"):
        envtax.noise_tax()
    with pytest.raises(EnvTaxError, match="limit_db and measured_db"):
        envtax.noise_tax({"limit_db": 60})
    with pytest.raises(EnvTaxError, match="days_over"):
        envtax.noise_tax({"db_over": 3, "days_over": 40})
