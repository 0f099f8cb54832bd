"""``qingshan calc envtax`` run as a real command (python -m qingshan calc envtax)."""

import json
import subprocess
import sys

import pytest


def calc(payload, *args):
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    proc = subprocess.run(
        [sys.executable, "-m", "qingshan", "calc", "envtax", *args],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.stderr == ""
    return proc.returncode, json.loads(proc.stdout)


def test_example_a_and_the_documented_output_shape():
    rc, out = calc({"medium": "air", "rate": 1.2, "pollutants": {"二氧化硫": {"emission_kg": 100}, "氟化物": {"emission_kg": 100}, "一氧化碳": {"emission_kg": 200}, "氯化氢": {"emission_kg": 80}}})
    assert rc == 0
    assert out["tax"] == "278.62"
    first = out["items"][0]
    assert {"pollutant", "equivalents", "taxed", "reduction", "tax"} <= set(first)
    assert (first["pollutant"], first["equivalents"], first["taxed"], first["tax"]) == ("氟化物", "114.94", True, "137.93")
    assert [i["taxed"] for i in out["items"]] == [True, True, True, False]


def test_brief_example_with_reduction_and_loss():
    rc, out = calc(
        {
            "medium": "air",
            "rate": 1.2,
            "pollutants": {
                "二氧化硫": {"emission_kg": 1000.0, "concentration": 50.0, "standard": 200.0},
                "氮氧化物": {"emission_kg": 1000.0, "concentration": 50.0, "standard": 200.0, "max_concentration": 210.0},
            },
        }
    )
    assert rc == 0
    items = {i["pollutant"]: i for i in out["items"]}
    assert items["二氧化硫"]["reduction"] == "0.50" and items["二氧化硫"]["tax"] == "631.58"
    assert items["氮氧化物"]["reduction"] == "1.00" and items["氮氧化物"]["tax"] == "1263.16"
    assert out["tax"] == "1894.74"


def test_water_example_e():
    rc, out = calc(
        {
            "medium": "water",
            "rate": "1.4",
            "pollutants": {k: {"emission_kg": 10} for k in ["总汞", "总镉", "总铬", "总砷", "总铅", "总银", "SS", "TOC", "挥发酚", "氨氮"]},
        }
    )
    assert rc == 0 and out["tax"] == "32981.07"


def test_water_by_other_units_and_livestock():
    rc, out = calc({"medium": "water", "rate": 3, "pollutants": {"色度": {"wastewater_t": 24000, "concentration": 320, "standard": 80}, "pH": {"wastewater_t": 24000, "ph": 4}}})
    assert rc == 0 and out["tax"] == "115200.00"
    rc, out = calc({"medium": "water", "rate": 1.4, "pollutants": {"猪": {"stock_start": 600, "stock_end": 400}}})
    assert rc == 0 and out["tax"] == "700.00"


def test_rate_from_province():
    rc, out = calc({"medium": "air", "province": "北京", "date": "2026-05-01", "pollutants": {"SO2": {"emission_kg": 95}}})
    assert rc == 0 and out["tax"] == "1200.00" and "北京" in out["rate_source"]
    rc, out = calc({"medium": "air", "pollutants": {"SO2": {"emission_kg": 95}}}, "--province", "110000", "--date", "2026-05-01")
    assert rc == 0 and out["rate"] == "12"


def test_solid_and_noise():
    rc, out = calc({"medium": "solid", "item": "尾矿", "generated_t": 1000, "reused_t": 300, "stored_t": 200})
    assert rc == 0 and out["tax"] == "7500.00"
    rc, out = calc({"medium": "noise", "day": {"limit_db": 65, "measured_db": 77.6}, "night": {"db_over": 5}, "boundary_over_100m": True, "exceeding_points": 2})
    assert rc == 0 and out["tax"] == "12600.00"


def test_sheet_mode():
    rc, out = calc(
        {
            "period": "2026-05",
            "rates": {"air": 1.2, "water": 1.4},
            "outlets": [
                {"outlet": "DA001", "medium": "air", "pollutants": {"SO2": {"emission_kg": 100}}},
                {"outlet": "DW001", "medium": "water", "pollutants": {"COD": {"emission_kg": 100}}},
            ],
            "noise": [{"day": {"db_over": 2}}],
        },
        "--sheet",
    )
    assert rc == 0
    assert out["totals"] == {"air": "126.31", "water": "140.00", "solid_waste": "0.00", "noise": "350.00"}
    assert out["tax"] == "616.31"


@pytest.mark.parametrize(
    "payload, text",
    [
        ({"medium": "air", "rate": 1.2, "pollutants": {"二氧化流": {"emission_kg": 1}}}, "close matches: 二氧化硫"),
        ({"medium": "water", "rate": 1.4, "pollutants": {"总氮": {"emission_kg": 1}}}, "not in the national water table"),
        ({"medium": "air", "rate": 0.6, "pollutants": {"SO2": {"emission_kg": 1}}}, "outside the air range"),
        ({"medium": "air", "pollutants": {"SO2": {"emission_kg": 1}}}, "rate"),
        ({"medium": "air", "province": "西藏", "pollutants": {"SO2": {"emission_kg": 1}}}, "no environmental tax rate configured"),
        ({"medium": "air", "rate": 1.2, "pollutants": {"SO2": {"emission_kg": -5}}}, ">= 0"),
        ({"medium": "air", "rate": 1.2, "pollutants": {"SO2": {"emission_kg": 1, "concentration": 50, "standard": 100, "max_concentration": 10}}}, "below the monthly mean"),
        ({"medium": "air", "rate": 1.2, "pollutants": {"SO2": {"kg": 1}}}, "unknown field"),
        ({"medium": "soil"}, "medium"),
        ([1, 2], "JSON object"),
        ("not json", "not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_error(payload, text):
    rc, out = calc(payload)
    assert rc == 2
    assert text in out["error"]
