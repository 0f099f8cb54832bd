"""Code tables (HJ 212-2017 Tables 5-9, B.1-B.3) as data."""

from qingshan.standards import hj212
from qingshan.standards.hj212 import tables


def test_factor_table():
    assert len(tables.FACTORS) == 196  # 184 water/air rows of B.1/B.2 + 12 noise codes of B.3
    cod = tables.FACTORS["w01018"]
    assert (cod.name_zh, cod.name_en, cod.unit, cod.medium, cod.legacy_2005) == ("化学需氧量", "chemical oxygen demand (COD)", "mg/L", "water", "011")
    so2 = tables.FACTORS["a21026"]
    assert (so2.unit, so2.emission_unit, so2.medium, so2.legacy_2005) == ("mg/m3", "kg", "air", "02")
    assert tables.FACTORS["Leq"].medium == "noise"
    assert all(f.name_en and f.name_zh for f in tables.FACTORS.values())


def test_legacy_mapping():
    m = tables.LEGACY_TO_2017
    assert m["011"] == "w01018" and m["060"] == "w21003" and m["B01"] == "w00000" and m["B02"] == "a00000"
    assert m["01"] == "a34013" and m["02"] == "a21026" and m["03"] == "a21002" and m["S01"] == "a19001"
    assert len(set(m.values())) == len(m)  # one-to-one
    assert tables.CODE_2017_TO_LEGACY["w01018"] == "011"


def test_commands_systems_flags():
    assert tables.COMMANDS["2011"] == "real-time data" and tables.COMMANDS["9014"] == "data response"
    assert tables.DATA_KINDS == {"2011": "rtd", "2051": "min", "2061": "hour", "2031": "day"}
    assert (hj212.CN_REALTIME, hj212.CN_MINUTE, hj212.CN_HOURLY, hj212.CN_DAILY) == ("2011", "2051", "2061", "2031")
    assert tables.SYSTEMS["32"].startswith("surface-water pollution source") and tables.SYSTEMS["91"] == "system interaction"
    assert set(tables.DATA_FLAGS) == set("NFMSDCTB")
    assert tables.VALID_FLAGS == frozenset({"N", "T"})
    assert tables.QN_RTN[9] == "CRC error" and tables.EXE_RTN[100] == "no data"
    assert tables.factor_name("011") == "chemical oxygen demand (COD)" and tables.factor_name("w01018", "zh") == "化学需氧量"
    assert tables.factor_name("xyz") == "xyz"
