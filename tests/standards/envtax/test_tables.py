"""The packaged tables: complete, consistent with the reference copy, and their own acceptance tests pass."""

import json
import pathlib
from decimal import Decimal as D

import pytest

from qingshan.standards import envtax

REFERENCE = pathlib.Path("/work/shared/reference/envtax_tables.json")
DATA = envtax.load_data()


def test_table_sizes():
    t = envtax.Tables.default()
    assert len(DATA["air"]) == 44
    assert len(DATA["water_class1"]) == 10
    assert len(DATA["water_class2"]) == 51
    assert [p["no"] for p in DATA["air"]] == list(range(1, 45))
    assert [p["no"] for p in DATA["water_class1"] + DATA["water_class2"]] == list(range(1, 62))
    assert len(t.names("air")) == 44
    assert len(t.names("water")) == 10 + 51 + 4 + 7


def test_all_values_are_positive_decimals():
    for key in ("air", "water_class1", "water_class2"):
        for row in DATA[key]:
            assert D(row["value"]) > 0, row


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference not available")
def test_values_match_the_reference_copy():
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for key in ("air", "water_class1", "water_class2"):
        assert [(r["no"], r["name"], r["value"]) for r in ref[key]] == [(r["no"], r["name"], r["value"]) for r in DATA[key]]
    assert ref["tax_rates"]["noise_per_month"] == DATA["tax_rates"]["noise_per_month"]
    assert ref["acceptance_tests"] == DATA["acceptance_tests"]


def test_every_alias_resolves_to_its_row():
    t = envtax.Tables.default()
    for key, medium in (("air", "air"), ("water_class1", "water"), ("water_class2", "water"), ("water_special", "water"), ("water_small_sources", "water")):
        for row in DATA[key]:
            for alias in [row["name"], *row.get("aliases", [])]:
                assert t.pollutant(alias, medium).name == row["name"], alias


def test_exclusive_groups_members_exist():
    t = envtax.Tables.default()
    for group, spec in DATA["exclusive_groups"].items():
        members = [p for p in t.pollutants("water") if p.group == group]
        assert sorted(p.name for p in members) == sorted(spec["members"])


def test_provincial_entries_are_within_the_range():
    table = envtax.RateTable.default()
    assert {"北京", "山东"} <= set(table.provinces())
    for e in table.entries:
        assert e.status in ("verified", "secondary", "draft")


def _run_acceptance(ex):
    m = ex["medium"]
    if m == "air":
        return envtax.compute_outlet("air", ex["kg"], ex["rate"]).tax, ex["expect"]
    if m == "water" and ("kg_class1" in ex or "kg_class2" in ex):
        return envtax.compute_outlet("water", {**ex.get("kg_class1", {}), **ex.get("kg_class2", {})}, ex["rate"]).tax, ex["expect"]
    if m == "water":  # G: colour + pH components
        r = envtax.compute_outlet(
            "water",
            {
                "色度": {"wastewater_t": ex["tonnes"], "concentration": ex["colour"]["measured"], "standard": ex["colour"]["standard"]},
                "pH": {"wastewater_t": ex["tonnes"], "ph": ex["pH"]},
            },
            ex["rate"],
        )
        return r.tax, D(ex["expect_colour_tax"]) + D(ex["expect_pH_tax"])
    if m == "solid":
        r = envtax.solid_waste_tax(ex["item"], ex["generated_t"], reused_t=ex["reused_t"], stored_t=ex["stored_t"])
        return r.tax, ex["expect"]
    if m == "noise":
        day = {"limit_db": ex["day"]["limit"], "measured_db": ex["day"]["measured"], "days_over": ex.get("days_over")}
        night = None
        if "night" in ex:
            night = {"limit_db": ex["night"]["limit"], "measured_db": ex["night"]["measured"], "days_over": ex.get("days_over")}
        if "night_db_over" in ex:
            night = {"db_over": ex["night_db_over"]}
        return envtax.noise_tax(day, night, two_units=ex.get("two_units")).tax, ex["expect"]
    if m == "water_small":
        r = envtax.compute_outlet("water", {ex["item"]: {"stock_start": ex["stock_start"], "stock_end": ex["stock_end"]}}, ex["rate"])
        return r.tax, ex["expect"]
    raise AssertionError(m)


@pytest.mark.parametrize("ex", DATA["acceptance_tests"], ids=lambda e: e["id"])
def test_packaged_acceptance_tests(ex):
    got, expected = _run_acceptance(ex)
    assert got == D(str(expected))
