"""``qingshan calc water`` run as a real command (python -m qingshan calc water)."""

import json
import subprocess
import sys

import pytest

ISSUE_EXAMPLE = {
    "waterbody": "river",
    "values": {"pH": 7.4, "DO": 5.5, "CODMn": 5.2, "COD": 18, "BOD5": 3.1, "NH3-N": 1.2, "TP": 0.18},
}


def calc(payload, *args):
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    proc = subprocess.run(
        [sys.executable, "-m", "qingshan", "calc", "water", *args],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.stderr == ""
    return proc.returncode, json.loads(proc.stdout)


def test_issue_example():
    rc, out = calc(ISSUE_EXAMPLE)
    assert rc == 0
    assert out["class"] == "IV" and out["status"] == "轻度污染"
    assert out["item_classes"] == {"pH": "I", "DO": "III", "CODMn": "III", "COD": "III", "BOD5": "III", "NH3-N": "IV", "TP": "III"}
    assert out["main_pollutants"] == ["NH3-N"] and out["main_pollutant_labels"] == ["氨氮(0.2)"]
    assert out["exceedance_multiples"] == {"NH3-N": 0.2}
    assert out["reference_items"] == {} and len(out["missing"]) == 14


def test_worse_than_v_lake_with_reference_items():
    values = {"COD": 46, "NH3-N": 2.5, "TP": 0.06, "TN": 1.8, "fecal_coliform": 50000, "water_temperature": 21.4}
    rc, out = calc({"waterbody": "lake", "values": values})
    assert rc == 0 and out["class"] == "劣V" and out["status"] == "重度污染"
    assert out["main_pollutant_labels"] == ["氨氮(1.5)", "化学需氧量(1.3)", "总磷(0.2)"]
    assert out["exceedance_multiples"] == {"COD": 1.3, "NH3-N": 1.5, "TP": 0.2}
    assert out["reference_items"] == {"water_temperature": None, "TN": "V", "fecal_coliform": "劣V"}


def test_rounding_before_classing_and_opt_out():
    payload = {"values": {"NH3-N": 1.005, "pH": 9.3}}  # waterbody defaults to river
    rc, out = calc(payload)
    assert rc == 0 and out["class"] == "III" and out["values"] == {"pH": 9, "NH3-N": 1}
    rc, out = calc(payload, "--no-rounding")
    assert rc == 0 and out["class"] == "劣V" and out["rounding"] is False
    assert out["main_pollutants"] == ["pH", "NH3-N"] and out["exceedance_multiples"] == {"NH3-N": 0.005}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"values": {"NH3N": 1.2}}, "unknown item(s) 'NH3N'"),
        ({"values": {"TP": "0.1"}}, "TP: value must be a number"),
        ({"values": {"TP": None}}, "TP: value must be a number"),
        ({"values": {"TP": True}}, "TP: value must be a number"),
        ({"values": {"TP": -0.1}}, "cannot be negative"),
        ({"values": {"pH": 15}}, "pH: must be between 0 and 14"),
        ({"waterbody": "sea", "values": {"TP": 0.1}}, "waterbody"),
        ({"values": {}}, "non-empty"),
        ({"values": {"TN": 1.0}}, "no assessed item"),
        ({"waterbody": "river", "value": {"TP": 0.1}}, "unknown key(s) 'value'"),
        ([1, 2], "JSON object"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_input_is_a_clear_error(payload, message):
    rc, out = calc(payload)
    assert rc == 2 and set(out) == {"error"} and message in out["error"]
