"""``qingshan calc aqi`` run as a real command (python -m qingshan calc aqi)."""

import json
import subprocess
import sys

import pytest

ISSUE_EXAMPLE = {"SO2_24h": 12, "NO2_24h": 40, "PM10_24h": 80, "CO_24h": 1.1, "O3_1h": 160, "O3_8h": 140, "PM2.5_24h": 60}


def calc(payload, *args):
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    proc = subprocess.run(
        [sys.executable, "-m", "qingshan", "calc", "aqi", *args],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.stderr == ""
    return proc.returncode, json.loads(proc.stdout)


def test_issue_example_default_2026_daily():
    rc, out = calc(ISSUE_EXAMPLE)
    assert rc == 0
    assert out["aqi"] == 100 and out["level"] == 2 and out["category"] == "良"
    assert out["primary_pollutants"] == ["PM2.5"]
    assert out["iaqi"] == {"SO2_24h": 12, "NO2_24h": 50, "PM10_24h": 72, "CO_24h": 28, "O3_8h": 84, "PM2.5_24h": 100}
    assert "exceeding_pollutants" not in out and out["ignored"] == ["O3_1h"]
    assert isinstance(out["aqi"], int) and all(isinstance(v, int) for v in out["iaqi"].values())


def test_issue_example_2012():
    rc, out = calc(ISSUE_EXAMPLE, "--standard", "2012")
    assert rc == 0
    assert (out["aqi"], out["primary_pollutants"], out["exceeding_pollutants"], out["category"]) == (84, ["O3"], [], "良")
    assert out["iaqi"]["O3_1h"] == 50 and out["iaqi"]["PM2.5_24h"] == 82


def test_hourly_cnemc_station():
    rc, out = calc({"SO2_1h": 3, "NO2_1h": 15, "CO_1h": 0.3, "O3_1h": 33, "PM10_1h": 52, "PM2.5_1h": 36}, "--report", "hourly")
    assert rc == 0 and out["aqi"] == 52 and out["primary_pollutants"] == ["PM10", "PM2.5"]


def test_exceeding_pollutants_and_special_rule_2012():
    rc, out = calc({"SO2_1h": 801, "SO2_24h": 300}, "--standard", "2012", "--report", "hourly")
    assert rc == 0 and out["aqi"] == 124 and out["exceeding_pollutants"] == ["SO2"]
    assert "note (2)" in out["notes"][0]


def test_date_selects_the_standard():
    rc, out = calc({"PM2.5_24h": 61}, "--date", "2026-02-28")
    assert rc == 0 and out["standard"] == "2012" and out["aqi"] == 83
    rc, out = calc({"PM2.5_24h": 61}, "--date", "2026-03-01")
    assert rc == 0 and out["standard"] == "2026" and out["aqi"] == 101
    rc, out = calc({"PM2.5_24h": 61}, "--date", "2026-03-01", "--standard", "2012")
    assert rc == 2 and "contradicts" in out["error"]
    rc, out = calc({"PM2.5_24h": 61}, "--date", "yesterday")
    assert rc == 2 and "YYYY-MM-DD" in out["error"]


def test_missing_markers_and_complete():
    rc, out = calc({"NO2_1h": None, "PM10_1h": 108, "PM2.5_1h": 16}, "--report", "hourly")
    assert rc == 0
    assert out["aqi"] == "NA" and out["level"] == "NA" and out["category"] == "NA" and out["aqi_available"] == 92
    assert out["iaqi"]["NO2_1h"] == "NA"
    rc, out = calc({"SO2_1h": "/", "CO_1h": "/", "PM10_1h": 106}, "--report", "hourly")
    assert rc == 0 and out["aqi"] == 90 and out["iaqi"]["SO2_1h"] == "/"
    rc, out = calc({"PM2.5_24h": 40}, "--complete")
    assert rc == 0 and out["aqi"] == "NA" and len(out["missing"]) == 5


def test_above_table():
    rc, out = calc({"PM2.5_24h": 620.5})
    assert rc == 0 and out["aqi"] == 500 and out["above_table"] == ["PM2.5_24h"] and out["category"] == "严重污染"


def test_concentration_rounding_2026():
    rc, out = calc({"PM2.5_24h": 60.5, "CO_24h": 2.45})
    assert rc == 0 and out["aqi"] == 100 and out["concentrations"] == {"CO_24h": 2.4, "PM2.5_24h": 60}


@pytest.mark.parametrize(
    "payload,args,message",
    [
        ("not json", (), "not valid JSON"),
        ("[1, 2]", (), "JSON object"),
        ("{}", (), "no indicator values"),
        ({"PM2.5_24h": -1}, (), "negative"),
        ({"PM2.5_24h": "lots"}, (), "must be a number"),
        ({"PM2.5_24h": True}, (), "must be a number"),
        ({"PM2.5_24h": [1]}, (), "must be a number"),
        ({"PM3_24h": 1}, (), "unknown indicator"),
        ({"PM2.5_1h": 1}, (), "use the hourly report"),
        ({"PM2.5_24h": 1}, ("--report", "hourly"), "use the daily report"),
    ],
)
def test_bad_input_is_a_json_error_with_status_2(payload, args, message):
    rc, out = calc(payload, *args)
    assert rc == 2 and message in out["error"]


def test_bad_option_is_an_argparse_error():
    proc = subprocess.run(
        [sys.executable, "-m", "qingshan", "calc", "aqi", "--standard", "2019"],
        input="{}", capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
