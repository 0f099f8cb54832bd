"""双随机 draw: ratio rounding, reproducibility, independent re-implementation, teams, verification."""

import hashlib
import hmac
import json
import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest

from qingshan.standards import random_inspection as ri
from qingshan.standards.random_inspection import (
    Conflict,
    DrawError,
    Enterprise,
    InsufficientInspectorsError,
    Inspector,
    VerificationError,
)

SEED = "2025Q3 county draw: lottery 3D 2025-07-01 = 482"


def population():
    rows = []
    for i in range(1, 41):
        stratum = "key" if i <= 10 else ("special" if i <= 14 else "general")
        rows.append(Enterprise(f"91330100MA{i:08d}", stratum))
    return rows


def inspectors():
    return [Inspector(f"INS{i:02d}", ("law_enforcement", "monitoring", "town")[i % 3]) for i in range(1, 9)]


RATIOS = {"key": "25%", "special": {"ratio": "0.25", "minimum": 1}, "general": {"count": 5}}


# --------------------------------------------------------------------------- ratio rounding


@pytest.mark.parametrize(
    "ratio, n, expected",
    [("25%", 10, 3), ("25%", 8, 2), ("25%", 9, 3), ("5%", 1, 1), ("5%", 20, 1), ("5%", 21, 2), ("0", 50, 0),
     ("100%", 7, 7), ("1/3", 30, 10), ("1/3", 31, 11), ("0.125", 16, 2), ("12.5%", 17, 3)],
)
def test_counts_round_up(ratio, n, expected):
    assert ri.StratumRule(ratio=ri.parse_ratio(ratio)).draw_count(n) == expected


def test_minimum_and_fixed_count():
    assert ri.StratumRule(ratio=Fraction(1, 4), minimum=2).draw_count(4) == 2
    assert ri.StratumRule(ratio=Fraction(1, 4), minimum=9).draw_count(4) == 4  # never more than N
    assert ri.StratumRule(count=5).draw_count(3) == 3


@pytest.mark.parametrize(
    "value, expected",
    [("25%", Fraction(1, 4)), ("0.25", Fraction(1, 4)), (Decimal("0.25"), Fraction(1, 4)), (0.25, Fraction(1, 4)),
     (0.1, Fraction(1, 10)), ("1/4", Fraction(1, 4)), (Fraction(1, 3), Fraction(1, 3)), (1, Fraction(1))],
)
def test_parse_ratio(value, expected):
    assert ri.parse_ratio(value) == expected


@pytest.mark.parametrize("value", ["125%", "-0.1", "abc", "1/0", True, None, float("inf"), [0.1]])
def test_bad_ratios(value):
    with pytest.raises(DrawError):
        ri.parse_ratio(value)


# --------------------------------------------------------------------------- the draw


def test_draw_counts_per_stratum():
    r = ri.draw(population(), inspectors(), RATIOS, seed=SEED)
    summary = {s.stratum: (s.population, s.drawn) for s in r.strata}
    assert summary == {"general": (26, 5), "key": (10, 3), "special": (4, 1)}
    assert Counter(e.stratum for e in r.selected) == {"key": 3, "general": 5, "special": 1}
    assert [s.ratio for s in r.strata] == [None, "0.25", "0.25"]
    assert len(r.teams) == 9 and r.unstaffed == () and r.undrawn_strata == ()


def test_draw_is_reproducible_and_independent_of_input_order():
    first = ri.draw(population(), inspectors(), RATIOS, seed=SEED)
    shuffled_pop, shuffled_ins = population(), inspectors()
    random.Random(1).shuffle(shuffled_pop)
    random.Random(2).shuffle(shuffled_ins)
    again = ri.draw(shuffled_pop, shuffled_ins, RATIOS, seed=SEED)
    assert again == first
    assert json.dumps(again.to_record(), sort_keys=True) == json.dumps(first.to_record(), sort_keys=True)
    other = ri.draw(population(), inspectors(), RATIOS, seed=SEED + "!")
    assert [e.id for e in other.selected] != [e.id for e in first.selected]


def test_enterprise_selection_matches_an_independent_implementation_of_the_spec():
    # re-implements steps 1–4 of the module docstring with hashlib/hmac only
    def key(*parts):
        msg = "\n".join(("qingshan-draw/1",) + parts).encode("utf-8")
        return hmac.new(SEED.encode("utf-8"), msg, hashlib.sha256).hexdigest()

    pop = population()
    expected = []
    for stratum, k in (("general", 5), ("key", math.ceil(Fraction(1, 4) * 10)), ("special", 1)):
        members = sorted((key("enterprise", stratum, e.id), e.id) for e in pop if e.stratum == stratum)
        expected += members[:k]
    expected.sort()
    r = ri.draw(pop, inspectors(), RATIOS, seed=SEED)
    assert [(e.key, e.id) for e in r.selected] == expected
    assert ri.draw_key(SEED, "enterprise", "key", pop[0].id) == key("enterprise", "key", pop[0].id)


def test_teams_are_balanced_and_distinct():
    r = ri.draw(population(), inspectors(), RATIOS, seed=SEED)
    for t in r.teams:
        assert len(t.inspectors) == 2 and len(set(t.inspectors)) == 2 and t.lead == t.inspectors[0]
    load = Counter(i for t in r.teams for i in t.inspectors)
    assert sum(load.values()) == 18 and max(load.values()) - min(load.values()) <= 1 and len(load) == 8
    unbalanced = ri.draw(population(), inspectors(), RATIOS, seed=SEED, balance=False)
    assert [e.id for e in unbalanced.selected] == [e.id for e in r.selected]


def test_conflicts_of_interest_are_respected():
    pop = population()
    target = ri.draw(pop, inspectors(), RATIOS, seed=SEED).selected[0].id
    conflicts = [("INS01", target), {"department": "monitoring", "enterprise": target}]
    r = ri.draw(pop, inspectors(), RATIOS, seed=SEED, conflicts=conflicts)
    team = r.team_for(target)
    dept = {p.id: p.department for p in inspectors()}
    assert "INS01" not in team.inspectors and all(dept[i] != "monitoring" for i in team.inspectors)


def test_unstaffed_when_conflicts_leave_too_few_inspectors():
    pop = [Enterprise("E1", "key"), Enterprise("E2", "key")]
    pool = [Inspector("A", "d1"), Inspector("B", "d1"), Inspector("C", "d2")]
    r = ri.draw(pop, pool, {"key": "100%"}, seed="s", conflicts=[Conflict("E1", inspector="A"), Conflict("E1", inspector="B")])
    assert r.unstaffed == ("E1",) and r.team_for("E1") is None and r.team_for("E2") is not None
    three = ri.draw(pop, pool, {"key": "100%"}, seed="s", team_size=3)
    assert len(three.teams) == 2
    distinct = ri.draw(pop, pool, {"key": "100%"}, seed="s", team_size=3, distinct_departments=True)
    assert distinct.unstaffed == ("E1", "E2") or set(distinct.unstaffed) == {"E1", "E2"}
    two = ri.draw(pop, pool, {"key": "100%"}, seed="s", distinct_departments=True)
    for t in two.teams:
        assert {p.department for p in pool if p.id in t.inspectors} == {"d1", "d2"}


def test_strata_without_a_rule_are_reported():
    r = ri.draw(population(), inspectors(), {"key": "25%"}, seed=SEED)
    assert r.undrawn_strata == ("general", "special")
    r = ri.draw(population(), inspectors(), {"key": "25%", "new_class": "50%"}, seed=SEED)
    assert {s.stratum: s.drawn for s in r.strata}["new_class"] == 0


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"team_size": 1}, DrawError, "at least 2"),
        ({"team_size": 9}, InsufficientInspectorsError, "fewer than a team"),
        ({"seed": ""}, DrawError, "seed"),
        ({"population": [("E1", "key"), ("E1", "general")]}, DrawError, "twice"),
        ({"population": [("E\n1", "key")]}, DrawError, "control character"),
        ({"population": [("E1", "")]}, DrawError, "stratum"),
        ({"population": ["E1"]}, DrawError, "population"),
        ({"inspectors": [("I1", "d"), ("I1", "d")]}, DrawError, "twice"),
        ({"ratios": {"key": {"ratio": "25%", "count": 2}}}, DrawError, "exactly one"),
        ({"ratios": {"key": {"share": "25%"}}}, DrawError, "unknown keys"),
        ({"ratios": {"key": {"count": -1}}}, DrawError, "non-negative"),
        ({"ratios": ["key"]}, DrawError, "mapping"),
        ({"conflicts": [{"enterprise": "E1"}]}, DrawError, "exactly one"),
        ({"conflicts": ["E1"]}, DrawError, "conflicts"),
    ],
)
def test_bad_draw_input(kwargs, error, message):
    args = {"population": population(), "inspectors": inspectors(), "ratios": RATIOS, "seed": SEED}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        ri.draw(args.pop("population"), args.pop("inspectors"), args.pop("ratios"), **args)


# --------------------------------------------------------------------------- verification


def test_verify_a_published_record():
    conflicts = [("INS03", population()[0].id)]
    r = ri.draw(population(), inspectors(), RATIOS, seed=SEED, conflicts=conflicts)
    record = json.loads(json.dumps(r.to_record()))  # as published
    assert record["seed_commitment"] == ri.seed_commitment(SEED) == hashlib.sha256(SEED.encode()).hexdigest()
    check = ri.verify_draw(record, population(), inspectors(), conflicts)
    assert check.ok and check.differences == () and check.rerun == r
    assert ri.verify_draw(r, population(), inspectors(), conflicts).ok


def test_verification_reports_tampering():
    r = ri.draw(population(), inspectors(), RATIOS, seed=SEED)
    record = r.to_record()
    forged = json.loads(json.dumps(record))
    forged["selected"][0]["id"] = "91330100MA99999999"
    forged["teams"][0]["inspectors"].reverse()
    check = ri.verify_draw(forged, population(), inspectors())
    assert not check.ok
    assert any("drawn enterprises differ" in d for d in check.differences)
    assert any(d.startswith("team for") for d in check.differences)
    changed = ri.verify_draw(record, population()[:-1], inspectors())
    assert not changed.ok and any("population snapshot" in d for d in changed.differences)
    wrong_seed = dict(record, seed="other")
    assert any("seed commitment" in d for d in ri.verify_draw(wrong_seed, population(), inspectors()).differences)


def test_verification_refuses_unreadable_records():
    with pytest.raises(VerificationError, match="lacks"):
        ri.verify_draw({"algorithm": "qingshan-draw/1"}, population(), inspectors())
    with pytest.raises(VerificationError, match="unsupported algorithm"):
        ri.verify_draw({"algorithm": "v0", "seed": "x", "team_size": 2, "strata": []}, population(), inspectors())


def test_ratio_round_trip_through_the_record():
    r = ri.draw(population(), inspectors(), {"key": Fraction(1, 3), "general": "0.1"}, seed=SEED)
    strata = {s["stratum"]: s["ratio"] for s in r.to_record()["strata"]}
    assert strata == {"general": "0.1", "key": "1/3"}
    assert r.rules()["key"].ratio == Fraction(1, 3)
    assert ri.verify_draw(r.to_record(), population(), inspectors()).ok


def test_digests_and_seed_helpers():
    assert ri.population_digest(population()) == ri.population_digest(list(reversed(population())))
    assert ri.inspectors_digest(inspectors()) != ri.inspectors_digest(inspectors()[1:])
    assert ri.conflicts_digest([]) == ri.conflicts_digest(())
    seed = ri.new_seed()
    assert len(seed) == 32 and seed != ri.new_seed()
