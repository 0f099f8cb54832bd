"""双随机、一公开 random inspection: a reproducible, verifiable draw.

Basis: 国办发〔2015〕58号 and, for pollution sources, 环办〔2015〕88号 (rules.md
§5, [S]): randomly select both the regulated entities (监管对象名录库) and the
inspectors (执法人员名录库), record the seed and the pool, publish the result.
Sampling ratios differ by place and year (e.g. county-level key sources ≥ 25 %
per quarter; the exact national wording is UNVERIFIED) and are therefore
**inputs**, never constants. At least two enforcement officers take part in an
inspection (行政处罚法 Art. 42), so ``team_size >= 2``.

Algorithm ``qingshan-draw/1`` (anyone can re-run it from the published seed,
population and inspector pool, in any language with HMAC-SHA256):

1. ``key(message) = HMAC-SHA256(key=UTF-8(seed), msg=UTF-8(message))`` as
   lowercase hex. Ids, strata and departments are used exactly as given (no
   trimming); they must be non-empty and contain no control characters.
2. Enterprise key: message ``"qingshan-draw/1\\nenterprise\\n" + stratum +
   "\\n" + enterprise_id``.
3. Per stratum with ``N`` enterprises: the count is ``ceil(ratio × N)``
   computed exactly (the ratio as an exact decimal), raised to ``minimum`` and
   capped at ``N``; or a fixed ``count`` (capped at ``N``). The stratum's
   enterprises are sorted by ``(key, id)`` ascending and the first ``count``
   are drawn (rank 1, 2, …). Strata without a rule draw nothing and are listed
   in ``undrawn_strata``.
4. All drawn enterprises, over all strata, are then ordered by ``(key, id)``:
   this is the assignment order.
5. For each drawn enterprise ``e`` in that order, the eligible inspectors are
   the pool minus conflicts of interest (回避: pairs inspector–enterprise or
   department–enterprise). Inspector key: message ``"qingshan-draw/1\\n
   inspector\\n" + enterprise_id + "\\n" + inspector_id``. Members are picked
   one at a time, the smallest ``(load, key, id)`` first when ``balance`` (load
   = teams the inspector already joined in this draw), else the smallest
   ``(key, id)``. With ``distinct_departments`` an inspector whose department
   is already in the team is skipped. The first member is the team lead. If
   fewer than ``team_size`` inspectors are eligible the enterprise is listed
   in ``unstaffed`` (no partial team) and loads are unchanged.

Digests (SHA-256, hex) of the sorted population (``id TAB stratum LF`` lines),
inspector pool (``id TAB department LF``) and conflicts (``kind TAB who TAB
enterprise LF``) are part of the record, so the published snapshot can be
checked. :func:`seed_commitment` gives a hash to publish *before* the draw
and the seed is revealed after the inspections (keeps the list secret).

Pure: no Django, no I/O. :func:`new_seed` is the only non-deterministic call.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

ALGORITHM = "qingshan-draw/1"


class DrawError(ValueError):
    """Inputs the draw cannot use (duplicate ids, bad ratio, team too small, …)."""


class InsufficientInspectorsError(DrawError):
    """The inspector pool is smaller than one team."""


class VerificationError(DrawError):
    """A published record that cannot be read."""


# --------------------------------------------------------------------------- inputs


def _check_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise DrawError(f"{what} must be a non-empty string, got {value!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise DrawError(f"{what} {value!r} contains a control character")
    return value


@dataclass(frozen=True)
class Enterprise:
    id: str
    stratum: str  #: e.g. "key", "general", "special"


@dataclass(frozen=True)
class Inspector:
    id: str
    department: str


@dataclass(frozen=True)
class Conflict:
    """A conflict of interest (回避): an inspector, or a whole department, may not inspect an enterprise."""

    enterprise: str
    inspector: str | None = None
    department: str | None = None

    @property
    def kind(self) -> str:
        return "inspector" if self.inspector is not None else "department"

    @property
    def who(self) -> str:
        return self.inspector if self.inspector is not None else self.department  # type: ignore[return-value]


@dataclass(frozen=True)
class StratumRule:
    """How many to draw from a stratum: ``ceil(ratio × N)`` raised to ``minimum``, or a fixed ``count``."""

    ratio: Fraction | None = None
    minimum: int = 0
    count: int | None = None

    @property
    def ratio_text(self) -> str | None:
        if self.ratio is None:
            return None
        den = self.ratio.denominator
        for f in (2, 5):
            while den % f == 0:
                den //= f
        if den != 1:  # not a terminating decimal: keep it exact as "p/q"
            return f"{self.ratio.numerator}/{self.ratio.denominator}"
        return format(Decimal(self.ratio.numerator) / Decimal(self.ratio.denominator), "f")

    def draw_count(self, n: int) -> int:
        if self.count is not None:
            return min(self.count, n)
        assert self.ratio is not None
        return min(n, max(self.minimum, math.ceil(self.ratio * n)))


def parse_ratio(value: Any, what: str = "ratio") -> Fraction:
    """``"25%"``, ``"0.25"``, ``"1/4"``, ``Decimal("0.25")``, ``Fraction(1, 4)``, ``0.25`` → Fraction(1, 4); in [0, 1]."""
    if isinstance(value, bool) or value is None:
        raise DrawError(f"{what} must be a number or a percentage, got {value!r}")
    try:
        if isinstance(value, Fraction):
            frac = value
        elif isinstance(value, (int, Decimal)):
            frac = Fraction(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise DrawError(f"{what} must be finite, got {value!r}")
            frac = Fraction(Decimal(repr(value)))
        elif isinstance(value, str):
            text = value.strip()
            if text.endswith("%"):
                frac = Fraction(Decimal(text[:-1].strip())) / 100
            elif "/" in text:
                num, _, den = text.partition("/")
                frac = Fraction(int(num.strip()), int(den.strip()))
            else:
                frac = Fraction(Decimal(text))
        else:
            raise DrawError(f"{what} must be a number or a percentage, got {type(value).__name__}")
    except (InvalidOperation, ValueError, ZeroDivisionError):
        raise DrawError(f"{what} must be a number or a percentage, got {value!r}") from None
    if not 0 <= frac <= 1:
        raise DrawError(f"{what} must be between 0 and 1 (0 % and 100 %), got {value!r}")
    return frac


def _rule(value: Any, stratum: str) -> StratumRule:
    if isinstance(value, StratumRule):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"ratio", "minimum", "count"}
        if unknown:
            raise DrawError(f"ratios[{stratum!r}]: unknown keys {sorted(unknown)}")
        minimum = value.get("minimum", 0)
        count = value.get("count")
        for name, v in (("minimum", minimum), ("count", count)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise DrawError(f"ratios[{stratum!r}].{name} must be a non-negative integer")
        if (count is None) == (value.get("ratio") is None):
            raise DrawError(f"ratios[{stratum!r}] needs exactly one of 'ratio' and 'count'")
        ratio = parse_ratio(value["ratio"], f"ratios[{stratum!r}].ratio") if count is None else None
        return StratumRule(ratio=ratio, minimum=minimum, count=count)
    return StratumRule(ratio=parse_ratio(value, f"ratios[{stratum!r}]"))


def _population(items: Iterable[Any]) -> list[Enterprise]:
    out: list[Enterprise] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, Enterprise):
            e = item
        elif isinstance(item, Mapping):
            e = Enterprise(item.get("id"), item.get("stratum"))  # type: ignore[arg-type]
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            e = Enterprise(item[0], item[1])
        else:
            raise DrawError(f"population[{i}] must be an Enterprise, a mapping {{id, stratum}} or an (id, stratum) pair")
        _check_text(e.id, f"population[{i}].id")
        _check_text(e.stratum, f"population[{i}].stratum")
        if e.id in seen:
            raise DrawError(f"enterprise {e.id!r} appears twice in the population")
        seen.add(e.id)
        out.append(e)
    return out


def _inspectors(items: Iterable[Any]) -> list[Inspector]:
    out: list[Inspector] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, Inspector):
            p = item
        elif isinstance(item, Mapping):
            p = Inspector(item.get("id"), item.get("department"))  # type: ignore[arg-type]
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            p = Inspector(item[0], item[1])
        else:
            raise DrawError(f"inspectors[{i}] must be an Inspector, a mapping {{id, department}} or an (id, department) pair")
        _check_text(p.id, f"inspectors[{i}].id")
        _check_text(p.department, f"inspectors[{i}].department")
        if p.id in seen:
            raise DrawError(f"inspector {p.id!r} appears twice in the pool")
        seen.add(p.id)
        out.append(p)
    return out


def _conflicts(items: Iterable[Any]) -> list[Conflict]:
    out: set[Conflict] = set()
    for i, item in enumerate(items or ()):
        if isinstance(item, Conflict):
            c = item
        elif isinstance(item, Mapping):
            c = Conflict(item.get("enterprise"), item.get("inspector"), item.get("department"))  # type: ignore[arg-type]
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            c = Conflict(item[1], inspector=item[0])
        else:
            raise DrawError(
                f"conflicts[{i}] must be a Conflict, a mapping {{enterprise, inspector | department}} "
                "or an (inspector, enterprise) pair"
            )
        _check_text(c.enterprise, f"conflicts[{i}].enterprise")
        if (c.inspector is None) == (c.department is None):
            raise DrawError(f"conflicts[{i}] needs exactly one of inspector and department")
        _check_text(c.who, f"conflicts[{i}].{c.kind}")
        out.add(c)
    return sorted(out, key=lambda c: (c.kind, c.who, c.enterprise))


# --------------------------------------------------------------------------- hashing


def draw_key(seed: str, *parts: str) -> str:
    """``HMAC-SHA256(seed, "qingshan-draw/1\\n" + "\\n".join(parts))`` as lowercase hex."""
    message = "\n".join((ALGORITHM,) + parts)
    return hmac.new(seed.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def _digest(title: str, lines: Iterable[str]) -> str:
    h = hashlib.sha256(f"{ALGORITHM} {title}\n".encode())
    for line in sorted(lines):
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


def population_digest(population: Iterable[Any]) -> str:
    return _digest("population", (f"{e.id}\t{e.stratum}" for e in _population(population)))


def inspectors_digest(inspectors: Iterable[Any]) -> str:
    return _digest("inspectors", (f"{p.id}\t{p.department}" for p in _inspectors(inspectors)))


def conflicts_digest(conflicts: Iterable[Any]) -> str:
    return _digest("conflicts", (f"{c.kind}\t{c.who}\t{c.enterprise}" for c in _conflicts(conflicts)))


def seed_commitment(seed: str) -> str:
    """SHA-256 of the seed (hex), to publish before the draw and check after the seed is revealed."""
    return hashlib.sha256(_check_text(seed, "seed").encode("utf-8")).hexdigest()


def new_seed(nbytes: int = 16) -> str:
    """A fresh random seed (hex) from the operating system's CSPRNG."""
    return secrets.token_hex(nbytes)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DrawnEnterprise:
    id: str
    stratum: str
    rank: int  #: position within its stratum (1 = first drawn)
    key: str


@dataclass(frozen=True)
class Team:
    enterprise: str
    inspectors: tuple[str, ...]  #: first = team lead

    @property
    def lead(self) -> str:
        return self.inspectors[0]


@dataclass(frozen=True)
class StratumSummary:
    stratum: str
    population: int
    ratio: str | None
    minimum: int
    fixed_count: int | None
    drawn: int


@dataclass(frozen=True)
class DrawResult:
    algorithm: str
    seed: str
    team_size: int
    balance: bool
    distinct_departments: bool
    population_digest: str
    inspectors_digest: str
    conflicts_digest: str
    strata: tuple[StratumSummary, ...]
    selected: tuple[DrawnEnterprise, ...]  #: in assignment order
    teams: tuple[Team, ...]
    unstaffed: tuple[str, ...]
    undrawn_strata: tuple[str, ...]

    def team_for(self, enterprise_id: str) -> Team | None:
        for t in self.teams:
            if t.enterprise == enterprise_id:
                return t
        return None

    def to_record(self) -> dict[str, Any]:
        """A JSON-serialisable audit record (publish it with the seed after the inspections)."""
        return {
            "algorithm": self.algorithm,
            "seed": self.seed,
            "seed_commitment": seed_commitment(self.seed),
            "team_size": self.team_size,
            "balance": self.balance,
            "distinct_departments": self.distinct_departments,
            "population_digest": self.population_digest,
            "inspectors_digest": self.inspectors_digest,
            "conflicts_digest": self.conflicts_digest,
            "strata": [
                {
                    "stratum": s.stratum,
                    "population": s.population,
                    "ratio": s.ratio,
                    "minimum": s.minimum,
                    "count": s.fixed_count,
                    "drawn": s.drawn,
                }
                for s in self.strata
            ],
            "selected": [{"id": e.id, "stratum": e.stratum, "rank": e.rank, "key": e.key} for e in self.selected],
            "teams": [{"enterprise": t.enterprise, "inspectors": list(t.inspectors)} for t in self.teams],
            "unstaffed": list(self.unstaffed),
            "undrawn_strata": list(self.undrawn_strata),
        }

    def rules(self) -> dict[str, StratumRule]:
        """The stratum rules used, rebuilt from the summary (for a re-run)."""
        out: dict[str, StratumRule] = {}
        for s in self.strata:
            if s.fixed_count is not None:
                out[s.stratum] = StratumRule(count=s.fixed_count, minimum=s.minimum)
            else:
                out[s.stratum] = StratumRule(ratio=parse_ratio(s.ratio), minimum=s.minimum)
        return out


# --------------------------------------------------------------------------- the draw


def draw(
    population: Iterable[Any],
    inspectors: Iterable[Any],
    ratios: Mapping[str, Any],
    *,
    seed: str,
    team_size: int = 2,
    conflicts: Iterable[Any] = (),
    balance: bool = True,
    distinct_departments: bool = False,
) -> DrawResult:
    """Draw enterprises per stratum and an inspector team for each (algorithm in the module docstring).

    ``population``: :class:`Enterprise`, ``{"id", "stratum"}`` or ``(id, stratum)``;
    ``inspectors``: :class:`Inspector`, ``{"id", "department"}`` or ``(id, department)``;
    ``ratios``: stratum → ratio (``"25%"``, ``"0.25"``, Decimal, Fraction) or
    ``{"ratio": …, "minimum": n}`` or ``{"count": n}``;
    ``conflicts``: :class:`Conflict`, ``{"enterprise", "inspector"}``,
    ``{"enterprise", "department"}`` or ``(inspector, enterprise)``.
    """
    seed = _check_text(seed, "seed")
    if isinstance(team_size, bool) or not isinstance(team_size, int) or team_size < 2:
        raise DrawError(f"team_size must be an integer of at least 2 (two enforcement officers), got {team_size!r}")
    if not isinstance(ratios, Mapping):
        raise DrawError("ratios must be a mapping stratum → ratio")
    enterprises = _population(population)
    pool = _inspectors(inspectors)
    conflict_list = _conflicts(conflicts)
    rules = {_check_text(k, "ratio stratum"): _rule(v, k) for k, v in ratios.items()}
    if len(pool) < team_size:
        raise InsufficientInspectorsError(f"the inspector pool has {len(pool)} inspectors, fewer than a team of {team_size}")

    by_stratum: dict[str, list[tuple[str, str]]] = {}
    for e in enterprises:
        by_stratum.setdefault(e.stratum, []).append((draw_key(seed, "enterprise", e.stratum, e.id), e.id))

    selected: list[DrawnEnterprise] = []
    summaries: list[StratumSummary] = []
    for stratum in sorted(set(by_stratum) | set(rules)):
        members = sorted(by_stratum.get(stratum, []))
        rule = rules.get(stratum)
        if rule is None:
            continue
        k = rule.draw_count(len(members))
        for rank, (key, eid) in enumerate(members[:k], start=1):
            selected.append(DrawnEnterprise(eid, stratum, rank, key))
        summaries.append(StratumSummary(stratum, len(members), rule.ratio_text, rule.minimum, rule.count, k))
    undrawn = tuple(sorted(s for s in by_stratum if s not in rules))
    selected.sort(key=lambda d: (d.key, d.id))

    blocked_inspector = {(c.inspector, c.enterprise) for c in conflict_list if c.inspector is not None}
    blocked_department = {(c.department, c.enterprise) for c in conflict_list if c.department is not None}
    load = {p.id: 0 for p in pool}
    teams: list[Team] = []
    unstaffed: list[str] = []
    for d in selected:
        eligible = [
            (draw_key(seed, "inspector", d.id, p.id), p)
            for p in pool
            if (p.id, d.id) not in blocked_inspector and (p.department, d.id) not in blocked_department
        ]
        members: list[Inspector] = []
        departments: set[str] = set()
        remaining = eligible
        while len(members) < team_size:
            if distinct_departments:
                remaining = [(k, p) for k, p in remaining if p.department not in departments]
            if not remaining:
                break
            if balance:
                best = min(remaining, key=lambda kp: (load[kp[1].id], kp[0], kp[1].id))
            else:
                best = min(remaining, key=lambda kp: (kp[0], kp[1].id))
            members.append(best[1])
            departments.add(best[1].department)
            remaining = [kp for kp in remaining if kp[1].id != best[1].id]
        if len(members) < team_size:
            unstaffed.append(d.id)
            continue
        for p in members:
            load[p.id] += 1
        teams.append(Team(d.id, tuple(p.id for p in members)))

    return DrawResult(
        algorithm=ALGORITHM,
        seed=seed,
        team_size=team_size,
        balance=balance,
        distinct_departments=distinct_departments,
        population_digest=_digest("population", (f"{e.id}\t{e.stratum}" for e in enterprises)),
        inspectors_digest=_digest("inspectors", (f"{p.id}\t{p.department}" for p in pool)),
        conflicts_digest=_digest("conflicts", (f"{c.kind}\t{c.who}\t{c.enterprise}" for c in conflict_list)),
        strata=tuple(summaries),
        selected=tuple(selected),
        teams=tuple(teams),
        unstaffed=tuple(unstaffed),
        undrawn_strata=undrawn,
    )


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class DrawVerification:
    ok: bool
    differences: tuple[str, ...]
    rerun: DrawResult | None


def verify_draw(
    published: DrawResult | Mapping[str, Any],
    population: Iterable[Any],
    inspectors: Iterable[Any],
    conflicts: Iterable[Any] = (),
) -> DrawVerification:
    """Re-run a published draw on the given snapshot and compare everything.

    ``published`` is a :class:`DrawResult` or its :meth:`DrawResult.to_record`
    mapping (e.g. loaded from the published JSON). Differences are listed in
    plain words (digests, strata counts, drawn enterprises, teams, unstaffed).
    """
    record = published.to_record() if isinstance(published, DrawResult) else published
    if not isinstance(record, Mapping):
        raise VerificationError("the published draw must be a DrawResult or its record mapping")
    try:
        algorithm = record["algorithm"]
        seed = record["seed"]
        team_size = record["team_size"]
        strata = record["strata"]
    except KeyError as exc:
        raise VerificationError(f"the published record lacks {exc.args[0]!r}") from None
    if algorithm != ALGORITHM:
        raise VerificationError(f"unsupported algorithm {algorithm!r}; this module implements {ALGORITHM!r}")
    ratios: dict[str, Any] = {}
    for s in strata:
        if s.get("count") is not None:
            ratios[s["stratum"]] = {"count": s["count"], "minimum": s.get("minimum", 0)}
        else:
            ratios[s["stratum"]] = {"ratio": s["ratio"], "minimum": s.get("minimum", 0)}
    rerun = draw(
        population,
        inspectors,
        ratios,
        seed=seed,
        team_size=team_size,
        conflicts=conflicts,
        balance=record.get("balance", True),
        distinct_departments=record.get("distinct_departments", False),
    )
    mine = rerun.to_record()
    diffs: list[str] = []
    for key, label in (
        ("population_digest", "population snapshot"),
        ("inspectors_digest", "inspector pool snapshot"),
        ("conflicts_digest", "conflict list"),
    ):
        if key in record and record[key] != mine[key]:
            diffs.append(f"{label} differs (digest {str(record[key])[:12]}… published, {mine[key][:12]}… given)")
    if "seed_commitment" in record and record["seed_commitment"] != mine["seed_commitment"]:
        diffs.append("the seed does not match the published seed commitment")
    pub_strata = {s["stratum"]: s for s in strata}
    for s in mine["strata"]:
        p = pub_strata.get(s["stratum"], {})
        for field_name in ("population", "drawn"):
            if field_name in p and p[field_name] != s[field_name]:
                diffs.append(f"stratum {s['stratum']!r}: {field_name} {p[field_name]} published, {s[field_name]} on re-run")
    pub_sel = [(e["id"], e.get("stratum")) for e in record.get("selected", [])]
    my_sel = [(e["id"], e["stratum"]) for e in mine["selected"]]
    if pub_sel != my_sel:
        missing = sorted({i for i, _ in my_sel} - {i for i, _ in pub_sel})
        extra = sorted({i for i, _ in pub_sel} - {i for i, _ in my_sel})
        detail = []
        if missing:
            detail.append(f"re-run draws {missing} not published")
        if extra:
            detail.append(f"published {extra} not drawn on re-run")
        if not detail:
            detail.append("same enterprises in a different order")
        diffs.append("drawn enterprises differ: " + "; ".join(detail))
    pub_teams = {t["enterprise"]: list(t["inspectors"]) for t in record.get("teams", [])}
    my_teams = {t["enterprise"]: t["inspectors"] for t in mine["teams"]}
    for eid in sorted(set(pub_teams) | set(my_teams)):
        if pub_teams.get(eid) != my_teams.get(eid):
            diffs.append(f"team for {eid!r}: {pub_teams.get(eid)} published, {my_teams.get(eid)} on re-run")
    if list(record.get("unstaffed", [])) != mine["unstaffed"]:
        diffs.append(f"unstaffed: {list(record.get('unstaffed', []))} published, {mine['unstaffed']} on re-run")
    return DrawVerification(ok=not diffs, differences=tuple(diffs), rerun=rerun)


__all__ = [
    "ALGORITHM",
    "Conflict",
    "DrawError",
    "DrawResult",
    "DrawVerification",
    "DrawnEnterprise",
    "Enterprise",
    "InsufficientInspectorsError",
    "Inspector",
    "StratumRule",
    "StratumSummary",
    "Team",
    "VerificationError",
    "conflicts_digest",
    "draw",
    "draw_key",
    "inspectors_digest",
    "new_seed",
    "parse_ratio",
    "population_digest",
    "seed_commitment",
    "verify_draw",
]
