"""Ecological compensation engine and the packaged schemes (water.md §4, vectors §6.10)."""

import json
from decimal import Decimal
from importlib import resources

import pytest

from qingshan.standards import eco_compensation as ec
from qingshan.standards.eco_compensation import EcoCompensationError

D = Decimal


def test_packaged_schemes_load_and_document_themselves():
    ids = ec.available_schemes()
    assert {"heze_2014", "hebei_2016", "zhoukou", "jiangsu_zhenjiang_2013"} <= set(ids)
    for sid in ids:
        s = ec.load_scheme(sid)
        assert s.id == sid and s.sources and s.verification and s.unit == "万元"
        raw = json.loads(resources.files("qingshan.standards").joinpath("data", "eco_compensation", f"{sid}.json").read_text("utf-8"))
        assert ec.parse_scheme(raw) == s
        assert ec.scheme_summary(sid)["factors"] == [f.item for f in s.factors]


# --------------------------------------------------------------------------- Heze (linear, bidirectional)


def test_heze_reward_formula_not_the_published_example():
    r = ec.compensation("heze_2014", {"COD": 20, "NH3-N": 1.0}, county="牡丹区", section="某出境断面")
    assert r.total == D("35.00") and r.direction == "reward"  # the source's own example says 45: wrong
    cod, nh3 = r.items
    assert (cod.measured, cod.target, cod.difference, cod.amount) == (D(20), D(30), D(-10), D(20))
    assert (nh3.measured, nh3.target, nh3.difference, nh3.amount) == (D("1.0"), D("1.5"), D("-0.5"), D(15))
    assert cod.rule == "fixed target 30; (30 − 20) × 2 → +20"
    assert r.county == "牡丹区" and r.scheme_id == "heze_2014" and r.period == "quarter" and r.complete


def test_heze_payment():
    r = ec.compensation("heze_2014", {"COD": 35, "NH3-N": 2.0})
    assert r.total == D("-25.00") and r.direction == "deduction"
    assert [i.amount for i in r.items] == [D(-10), D("-15.0")]


def test_heze_mixed_and_quarterly_samples_averaged():
    r = ec.compensation("heze_2014", {"COD": [28, 32, 33], "NH3-N": [1.5, 1.5, 1.5]})
    assert r.items[0].measured == D(31) and r.total == D("-2.00")
    zero = ec.compensation("heze_2014", {"COD": 30, "NH3-N": 1.5})
    assert zero.total == 0 and zero.direction == "none" and str(zero.total) == "0.00"


# --------------------------------------------------------------------------- Hebei (steps)


@pytest.mark.parametrize(
    ("cod", "multiple", "steps", "amount"),
    [
        (20, "0", None, "0"),
        (21, "0.05", 1, "-30"),
        (24, "0.2", 1, "-30"),  # "0.2倍以内(含)" is one step
        (27.5, "0.375", 2, "-60"),  # public: 超标0.375倍 → 60万
        (28, "0.4", 2, "-60"),
        (45, "1.25", 7, "-210"),
    ],
)
def test_hebei_cod_steps(cod, multiple, steps, amount):
    r = ec.compensation("hebei_2016", {"COD": cod}, target_class="III")
    (item,) = r.items
    assert item.target == D(20) and item.exceedance_multiple == D(multiple)
    assert item.steps == steps and r.total == D(amount)
    assert "NH3-N: no measured value; factor skipped" in r.warnings
    assert r.skipped == ("NH3-N", "TP") and not r.complete


def test_hebei_nh3n_inferred_step_and_public_multiples():
    # Baoding Feb-2018: NH3-N 超标0.48倍 → 30万 (inferred 0.5×/30万 step, UNVERIFIED)
    r = ec.compensation("hebei_2016", {"NH3-N": 1.48}, target_class="III")
    assert r.total == D("-30.00") and r.items[0].steps == 1
    # Jincheng: 2.12 vs target 1.0 → 超标1.12倍; 3.17 vs 2.0 → 0.585倍
    assert ec.compensation("hebei_2016", {"NH3-N": 2.12}, targets={"NH3-N": 1.0}).items[0].exceedance_multiple == D("1.12")
    assert ec.compensation("hebei_2016", {"NH3-N": 3.17}, target_class="V").items[0].exceedance_multiple == D("0.585")


def test_hebei_upstream_exemption():
    # Baoding: 超标0.18倍, 与上游对照点比污染物因子未增加，不扣缴
    exempt = ec.compensation("hebei_2016", {"COD": 23.6}, target_class="III", inflow={"COD": 25})
    assert exempt.total == 0 and "exempt" in exempt.items[0].rule and exempt.items[0].inflow == D(25)
    same = ec.compensation("hebei_2016", {"COD": 23.6}, target_class="III", inflow={"COD": 23.6})
    assert same.total == 0
    charged = ec.compensation("hebei_2016", {"COD": 23.6}, target_class="III", inflow={"COD": 22})
    assert charged.total == D("-30.00") and "inflow 22 < measured" in charged.items[0].rule


def test_hebei_three_factors_summed():
    r = ec.compensation("hebei_2016", {"COD": 27.5, "NH3-N": 2.65, "TP": 0.3}, target_class="IV")
    # COD 30: on target; NH3-N 1.5 → m 0.7667 → 2 steps; TP 0.3 on target
    assert [i.amount for i in r.items] == [0, D(-60), 0] and r.total == D("-60.00") and r.warnings == ()


def test_hebei_needs_a_target():
    with pytest.raises(EcoCompensationError, match="target_class"):
        ec.compensation("hebei_2016", {"COD": 30})


def test_validity_dates():
    ec.compensation("hebei_2016", {"COD": 20}, target_class="III", period_date="2020-12-31")
    with pytest.raises(EcoCompensationError, match="valid"):
        ec.compensation("hebei_2016", {"COD": 20}, target_class="III", period_date="2021-01-31")
    with pytest.raises(EcoCompensationError, match="valid"):
        ec.compensation("heze_2014", {"COD": 20}, period_date="2014-06-30")


# --------------------------------------------------------------------------- Zhoukou (tiers × (1 + m))


@pytest.mark.parametrize(
    ("cod", "amount"),
    [(55, "0"), (70, "-14"), (75, "-15"), (110, "-110"), (175, "-700"), (50, "0")],
)
def test_zhoukou_tiers(cod, amount):
    r = ec.compensation("zhoukou", {"COD": cod}, targets={"COD": 50})  # target above 40 mg/L
    assert r.total == D(amount) and r.items[0].applied and r.skipped == ("NH3-N",)


def test_zhoukou_lower_targets_are_not_transcribed():
    r = ec.compensation("zhoukou", {"COD": 35, "NH3-N": 3}, target_class="IV")
    assert not r.complete and r.total == 0 and len(r.warnings) == 2
    assert not r.items[0].applied and "not covered" in r.items[0].rule


# --------------------------------------------------------------------------- Jiangsu flux


def test_jiangsu_flux_with_shares():
    r = ec.compensation(
        "jiangsu_zhenjiang_2013",
        {"CODMn": 7.5, "NH3-N": 1.2, "TP": 0.15},
        target_class="III",
        flow_m3=1_000_000,
        shares={"CODMn": "0.8578"},
    )
    codmn, nh3, tp = r.items
    assert codmn.amount == D("-1.93005") and nh3.amount == D("-2.0") and tp.amount == 0
    assert "1.5 t × 1.5/t" in codmn.rule and codmn.share == D("0.8578")
    assert r.subtotal == D("-3.93005") and r.total == D("-3.93")
    with pytest.raises(EcoCompensationError, match="flow_m3"):
        ec.compensation("jiangsu_zhenjiang_2013", {"CODMn": 7.5}, target_class="III")


# --------------------------------------------------------------------------- engine features

CUSTOM = {
    "id": "custom",
    "name": "test scheme",
    "period": "month",
    "aggregation": "max",
    "factors": [
        {"item": "COD", "target": {"class": "III"}, "rule": {"kind": "step", "step": "0.5", "amount_per_step": "10", "cap": "25"}},
        {"item": "NH3-N", "target": {"value": "1.0"}, "rule": {"kind": "tiers", "tolerance": "0", "tiers": [
            {"above": "0", "upto": "0.5", "amount": "50"},
            {"above": "0.5", "upto": "1", "amount": "100"},
            {"above": "1", "upto": "5", "amount": "200"},
        ]}},
        {"item": "TP", "target": {"source": "section"}, "rule": {"kind": "linear", "per_unit": "100"}},
    ],
    "caps": {"deduction": "150", "reward": "40"},
    "rewards": [
        {"kind": "all_meet_target", "amount": "10"},
        {"kind": "reached_target", "amount": "100"},
        {"kind": "class_improvement", "amount": "5"},
    ],
}  # fmt: skip


def test_custom_step_cap_tiers_aggregation_max():
    r = ec.compensation(CUSTOM, {"COD": [20, 50], "NH3-N": 1.6, "TP": 0.3}, targets={"TP": 0.2})
    cod, nh3, tp = r.items
    assert cod.measured == D(50) and cod.steps == 3 and cod.amount == D(-25) and "capped at 25" in cod.rule
    assert nh3.exceedance_multiple == D("0.6") and nh3.amount == D(-100)
    assert tp.amount == D("-10.0")  # linear, deduction only (not bidirectional)
    assert r.subtotal == D(-135) and r.total == D("-135.00") and r.cap_applied is None
    worse = ec.compensation(CUSTOM, {"COD": 50, "NH3-N": 2.4, "TP": 0.3}, targets={"TP": 0.2})
    assert worse.subtotal == D(-235) and worse.total == D("-150.00") and worse.cap_applied == "deduction capped at 150"
    out_of_tiers = ec.compensation(CUSTOM, {"NH3-N": 7}, targets={"TP": 0.2})
    assert not out_of_tiers.complete and "NH3-N: no tier for this multiple" in out_of_tiers.warnings


def test_custom_rewards_and_reward_cap():
    meets = {"COD": 18, "NH3-N": 0.9, "TP": 0.19}
    r = ec.compensation(CUSTOM, meets, targets={"TP": 0.2}, previous={"met": False, "class": "V"}, current_class="III")
    assert [(w.kind, w.amount) for w in r.rewards] == [("all_meet_target", D(10)), ("reached_target", D(100)), ("class_improvement", D(10))]
    assert r.total == D("40.00") and r.cap_applied == "reward capped at 40"
    plain = ec.compensation(CUSTOM, meets, targets={"TP": 0.2})
    assert plain.total == D("10.00")
    partial = ec.compensation(CUSTOM, {"COD": 18}, targets={"TP": 0.2})
    assert partial.rewards == ()  # not every factor measured


def test_bidirectional_linear_rule_override():
    factor = {"item": "TP", "target": {"value": "0.2"}, "rule": {"kind": "linear", "per_unit": "100", "bidirectional": True}}
    scheme = dict(CUSTOM, id="bi", factors=[factor], rewards=[], caps={})
    assert ec.compensation(scheme, {"TP": 0.15}).total == D("5.00")


def test_total_by_county():
    a = ec.compensation("heze_2014", {"COD": 20, "NH3-N": 1.0}, county="A")
    b = ec.compensation("heze_2014", {"COD": 35, "NH3-N": 2.0}, county="A")
    c = ec.compensation("heze_2014", {"COD": 35, "NH3-N": 2.0}, county="B")
    assert ec.total_by_county([a, b, c]) == {"A": D("10.00"), "B": D("-25.00")}


def test_as_dict_is_json_ready():
    d = ec.compensation("hebei_2016", {"COD": 27.5}, target_class="III").as_dict()
    assert d["total"] == D("-60.00") and d["direction"] == "deduction" and d["items"][0]["steps"] == 2
    json.dumps(d, default=str, ensure_ascii=False)


LINEAR = {"kind": "linear", "per_unit": 1}


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"period": "decade"}, "period"),
        ({"factors": []}, "no factors"),
        ({"factors": [{"item": "XX", "rule": {"kind": "linear", "per_unit": 1}}]}, "unknown item"),
        ({"factors": [{"item": "COD", "rule": {"kind": "magic"}}]}, "rule kind"),
        ({"factors": [{"item": "DO", "rule": LINEAR}]}, "not a pollutant concentration"),
        ({"factors": [{"item": "COD", "rule": {"kind": "step", "step": "0.2"}}]}, "amount_per_step"),
        ({"factors": [{"item": "COD", "rule": {"kind": "linear", "per_unit": 1, "typo": 1}}]}, "unknown rule field"),
        ({"factors": [{"item": "COD", "rule": {"kind": "linear", "per_unit": "x"}}]}, "per_unit"),
        ({"factors": [{"item": "COD", "target": {"class": "VII"}, "rule": LINEAR}]}, "target"),
        (
            {"factors": [{"item": "COD", "rule": {"kind": "tiers", "tiers": [{"above": 0, "upto": 1, "amount": 1}, {"above": 2, "amount": 1}]}}]},
            "contiguous",
        ),
        ({"factors": [{"item": "COD", "rule": {"kind": "tiers", "tiers": [{"above": 0}]}}]}, "missing amount"),
        ({"factors": [{"item": "COD", "rule": LINEAR}, {"item": "COD", "rule": LINEAR}]}, "twice"),
        ({"upstream": "always"}, "upstream"),
        ({"aggregation": "median"}, "aggregation"),
        ({"rewards": [{"kind": "bonus", "amount": 1}]}, "kind"),
        ({"valid_from": "2020-13-01"}, "ISO date"),
        ({"amount_rounding": "ROUND_UP"}, "amount_rounding"),
    ],
)
def test_scheme_validation(patch, message):
    with pytest.raises(EcoCompensationError, match=message):
        ec.parse_scheme(dict(CUSTOM, **patch))


def test_bad_requests():
    with pytest.raises(EcoCompensationError, match="unknown scheme"):
        ec.load_scheme("atlantis")
    with pytest.raises(EcoCompensationError, match="does not assess"):
        ec.compensation("heze_2014", {"TP": 0.1})
    with pytest.raises(EcoCompensationError, match="no measured value"):
        ec.compensation("heze_2014", {"COD": None})
    with pytest.raises(EcoCompensationError, match="COD"):
        ec.compensation("heze_2014", {"COD": "abc"})
    with pytest.raises(ValueError):
        ec.compensation("hebei_2016", {"COD": 25}, target_class="VIII")
    with pytest.raises(EcoCompensationError, match="missing"):
        ec.parse_scheme({"id": "x"})
