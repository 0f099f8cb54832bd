"""The monthly tax sheet of one taxpayer (several outlets, solid waste, noise)."""

from decimal import Decimal as D

import pytest

from qingshan.standards import envtax
from qingshan.standards.envtax import EnvTaxError, RateNotConfiguredError

OUTLETS = [
    {
        "outlet": "DA001",
        "medium": "air",
        "pollutants": {
            # 168421.05 eq; mean 35 < 50 % of 100 but an hourly mean of 120 → reduction lost
            "二氧化硫": {"emission_kg": 160000, "concentration": 35, "max_concentration": 120, "standard": 100},
            # 240000 eq; mean 60 < 70 % of 100, max within → pay 75 %
            "氮氧化物": {"emission_kg": 228000, "concentration": 60, "max_concentration": 95, "standard": 100},
            "烟尘": {"emission_kg": 45000, "concentration": 8, "max_concentration": 12, "standard": 20},  # 20642.20 eq, × 0.5
            "一氧化碳": {"emission_kg": 20000},
        },
    },
    {
        "outlet": "DW001",
        "medium": "water",
        "pollutants": {
            "COD": {"emission_kg": 1000, "concentration": 20, "max_concentration": 28, "standard": 50},  # 1000 eq × 0.5
            "氨氮": {"emission_kg": 80, "concentration": 4, "max_concentration": 6, "standard": 5},  # 100 eq, lost
            "总磷": {"emission_kg": 10},  # 40 eq
            "SS": {"emission_kg": 40},  # 10 eq, 4th
        },
    },
]


def test_sheet_itemizes_outlets_and_totals():
    sheet = envtax.monthly_tax_sheet(
        OUTLETS,
        rates={"air": "1.2", "water": "1.4"},
        solid_waste=[{"item": "尾矿", "generated_t": 1000, "reused_t": 300, "stored_t": 200}],
        noise=[{"site": "north", "day": {"limit_db": 55, "measured_db": 60, "days_over": 18}}],
        period="2026-05",
        taxpayer="91320000000000000X",
    )
    air, water = sheet.outlets
    a = {i.pollutant: i for i in air.items}
    assert a["二氧化硫"].reduction == 1 and a["二氧化硫"].tax == D("202105.26")
    assert a["氮氧化物"].reduction == D("0.75") and a["氮氧化物"].tax == D("216000.00")
    assert a["烟尘"].reduction == D("0.5") and a["烟尘"].tax == D("12385.32")
    assert not a["一氧化碳"].taxed
    w = {i.pollutant: i for i in water.items}
    assert w["化学需氧量(CODcr)"].tax == D("700.00")
    assert w["氨氮"].tax == D("140.00") and "Reg. Art. 10" in w["氨氮"].reduction_reason
    assert w["总磷"].tax == D("56.00") and not w["悬浮物(SS)"].taxed
    assert sheet.totals == {"air": D("430490.58"), "water": D("896.00"), "solid_waste": D("7500.00"), "noise": D("700.00")}
    assert sheet.tax == D("439586.58")
    d = sheet.as_dict()
    assert d["tax"] == "439586.58" and d["outlets"][0]["items"][0]["reduction"] == "0.75"


def test_sheet_with_taxpayer_wide_loss_of_reductions():
    data = envtax.load_data()
    data["reductions"]["scope"] = "taxpayer"
    sheet = envtax.monthly_tax_sheet(OUTLETS, rates={"air": "1.2", "water": "1.4"}, tables=envtax.Tables(data))
    assert all(i.reduction == 1 for o in sheet.outlets for i in o.items)
    assert any("taxpayer" in n for n in sheet.notes)


def test_sheet_rates_from_province():
    sheet = envtax.monthly_tax_sheet(OUTLETS[:1], province="北京", on="2026-05-01")
    assert sheet.outlets[0].items[0].rate == 12
    assert "北京" in sheet.notes[0]
    with pytest.raises(RateNotConfiguredError):
        envtax.monthly_tax_sheet(OUTLETS[:1])


def test_sheet_accepts_dataclasses():
    sheet = envtax.monthly_tax_sheet(
        [envtax.OutletMonth("无组织", "air", {"一般性粉尘": envtax.PollutantInput(emission_kg=D("400"))})],
        rates={"air": envtax.make_rates("air", "1.2")},
    )
    assert sheet.tax == D("120.00")


def test_sheet_outlet_withheld_reduction():
    outlet = dict(OUTLETS[1], reduction_allowed=False, note="Reg. Art. 7: online monitor not networked")
    sheet = envtax.monthly_tax_sheet([outlet], rates={"water": "1.4"})
    cod = sheet.outlets[0].items[0]
    assert cod.reduction == 1 and "Art. 7" in cod.reduction_reason


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"outlets": [{"medium": "air"}]}, "medium and pollutants are required"),
        ({"outlets": [{"medium": "air", "pollutants": {"SO2": 1}, "flow": 3}]}, "unknown field"),
        ({"outlets": [OUTLETS[0], OUTLETS[0]]}, "appears twice"),
        ({"outlets": [{"outlet": "X", "medium": "air", "pollutants": {"二氧化流": 1}}]}, "outlet X: unknown air pollutant"),
        ({"solid_waste": [{"item": "尾矿"}]}, "generated_t"),
        ({"noise": [{"day": {"db_over": 3}, "evening": {}}]}, "unknown field"),
    ],
)
def test_sheet_bad_input(kwargs, text):
    with pytest.raises(EnvTaxError, match=text):
        envtax.monthly_tax_sheet(rates={"air": "1.2", "water": "1.4"}, **kwargs)
