"""Cross-boundary ecological compensation (跨界断面生态补偿) as configurable schemes.

There is no national formula. Each province or city issues its own scheme and revises it
every few years (water.md §4). A *scheme* is therefore data: a JSON file under
``qingshan/standards/data/eco_compensation/<id>.json``, or a mapping a deployment passes in.
This module is the engine that applies a scheme.

Packaged schemes (see docs/water.md for what is verified):

* ``heze_2014``: 菏泽市水环境质量生态补偿暂行办法 (from 2014-07-01). Linear and bidirectional:
  补偿金 = (30 − C_COD) × 2 + (1.5 − C_NH3N) × 30 万元. A positive amount is paid to the county.
* ``hebei_2016``: 冀政办字〔2016〕169号. Monthly steps on the exceedance multiple over the section
  target: COD 0.2× per step and 30万 per step, with no cap. The NH3-N and TP steps are UNVERIFIED.
  No deduction when the pollutant did not increase compared with the upstream inflow.
* ``zhoukou``: 周口市 county responsibility sections, targets with COD > 40 or NH3-N > 2.0.
  Tiers on the multiple, base × (1 + m), with no charge up to m = 0.1.
* ``jiangsu_zhenjiang_2013``: the Jiangsu 2013 flux formula as applied at Zhenjiang:
  (C − C_target) × monthly flow × yuan per tonne.

One scheme has:

* ``factors``: each has an item, a target and a rule. The rule kinds are:
  * ``linear``: per mg/L, bidirectional or deduction only;
  * ``step``: ceil(m / step) × amount, with an optional cap;
  * ``tiers``: the tier containing m, with a fixed amount or ``base × (1 + m)``;
  * ``flux``: (C − T) × flow × per tonne.

  The exceedance multiple is m = (C − T) / T, against the *target*, not class III.
* ``upstream``: ``exempt_if_not_increased``. There is no deduction when the outflow value
  is not above the inflow value.
* ``caps``: the largest deduction and reward per period.
* ``rewards``:
  * ``all_meet_target``: a fixed amount when every factor meets its target;
  * ``reached_target``: a fixed amount when the previous period missed the target and this one meets it;
  * ``class_improvement``: an amount per class gained over the previous period.

Sign convention: a positive amount is a reward (paid to the county); a negative amount
is a deduction (the county pays). Every computed amount carries the scheme id, so the
version that produced it is on record.

Pure: no Django, no I/O except reading the packaged schemes on request.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType
from typing import Any

from qingshan.standards import gb3838
from qingshan.standards.gb3838 import WaterClass, WaterQualityError

from qingshan.standards._data import packaged_ids, packaged_json

RULE_KINDS = ("linear", "step", "tiers", "flux")
REWARD_KINDS = ("all_meet_target", "reached_target", "class_improvement")
UPSTREAM_MODES = ("exempt_if_not_increased",)
AGGREGATIONS = ("mean", "max")
PERIODS = ("week", "month", "quarter", "year")
TIER_FORMULAS = ("fixed", "base_times_one_plus_m")
RULE_FIELDS = frozenset(
    {"kind", "per_unit", "step", "amount_per_step", "tiers", "per_tonne", "tolerance", "cap", "bidirectional", "target_above", "clause", "note"}
)
ROUNDINGS = {"ROUND_HALF_UP": ROUND_HALF_UP, "ROUND_HALF_EVEN": ROUND_HALF_EVEN}

ZERO = Decimal(0)
TONNES_PER_MG_L_M3 = Decimal("1e-6")  # mg/L × m³ = g; 10⁻⁶ t


class EcoCompensationError(WaterQualityError):
    """A scheme that is malformed, or input it cannot compute."""


def _dec(value: Any, where: str) -> Decimal:
    try:
        return gb3838.to_decimal(value, where)
    except WaterQualityError as exc:
        raise EcoCompensationError(str(exc)) from None


def _opt_dec(value: Any, where: str) -> Decimal | None:
    return None if value is None else _dec(value, where)


def _date(value: Any, where: str) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise EcoCompensationError(f"{where}: not an ISO date: {value!r}") from None


# --------------------------------------------------------------------------- scheme model


@dataclass(frozen=True)
class Tier:
    """A band of the exceedance multiple: ``above`` < m ≤ ``upto`` (``upto`` None = no upper bound)."""

    above: Decimal
    upto: Decimal | None
    amount: Decimal
    formula: str = "fixed"

    def contains(self, m: Decimal) -> bool:
        return m > self.above and (self.upto is None or m <= self.upto)


@dataclass(frozen=True)
class Rule:
    kind: str
    per_unit: Decimal | None = None  # linear: amount per mg/L
    step: Decimal | None = None  # step: multiple per step
    amount_per_step: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    per_tonne: Decimal | None = None  # flux: amount per tonne above target
    tolerance: Decimal = ZERO  # no charge while m ≤ tolerance (step, tiers)
    cap: Decimal | None = None  # largest deduction of this factor per period
    bidirectional: bool | None = None  # linear/flux: overrides the scheme default
    target_above: Decimal | None = None  # the rule applies only to targets above this value
    clause: str = ""


@dataclass(frozen=True)
class Target:
    """``value`` (fixed mg/L), or ``class_`` (a fixed GB 3838 class), or from the section (both None)."""

    value: Decimal | None = None
    class_: WaterClass | None = None

    @property
    def from_section(self) -> bool:
        return self.value is None and self.class_ is None


@dataclass(frozen=True)
class Factor:
    item: str
    target: Target
    rule: Rule


@dataclass(frozen=True)
class Reward:
    kind: str
    amount: Decimal
    clause: str = ""


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    region: str
    period: str
    unit: str
    bidirectional: bool
    factors: tuple[Factor, ...]
    aggregation: str = "mean"
    upstream: str | None = None
    deduction_cap: Decimal | None = None
    reward_cap: Decimal | None = None
    rewards: tuple[Reward, ...] = ()
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    amount_decimals: int = 2
    amount_rounding: str = ROUND_HALF_UP
    verification: str = ""
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _rule(data: Mapping[str, Any], where: str) -> Rule:
    if not isinstance(data, Mapping):
        raise EcoCompensationError(f"{where}: rule must be an object")
    kind = data.get("kind")
    if kind not in RULE_KINDS:
        raise EcoCompensationError(f"{where}: rule kind must be one of {', '.join(RULE_KINDS)}, got {kind!r}")
    extra = set(data) - RULE_FIELDS
    if extra:
        raise EcoCompensationError(f"{where}: unknown rule field(s) {', '.join(sorted(extra))}")
    tiers = []
    for i, t in enumerate(data.get("tiers") or ()):
        formula = t.get("formula", "fixed")
        if formula not in TIER_FORMULAS:
            raise EcoCompensationError(f"{where}.tiers[{i}]: formula must be one of {', '.join(TIER_FORMULAS)}")
        if "amount" not in t:
            raise EcoCompensationError(f"{where}.tiers[{i}]: missing amount")
        tiers.append(
            Tier(
                _dec(t.get("above", 0), f"{where}.tiers[{i}].above"),
                _opt_dec(t.get("upto"), f"{where}.tiers[{i}].upto"),
                _dec(t["amount"], f"{where}.tiers[{i}].amount"),
                formula,
            )
        )
    rule = Rule(
        kind=kind,
        per_unit=_opt_dec(data.get("per_unit"), f"{where}.per_unit"),
        step=_opt_dec(data.get("step"), f"{where}.step"),
        amount_per_step=_opt_dec(data.get("amount_per_step"), f"{where}.amount_per_step"),
        tiers=tuple(tiers),
        per_tonne=_opt_dec(data.get("per_tonne"), f"{where}.per_tonne"),
        tolerance=_dec(data.get("tolerance", 0), f"{where}.tolerance"),
        cap=_opt_dec(data.get("cap"), f"{where}.cap"),
        bidirectional=data.get("bidirectional"),
        target_above=_opt_dec(data.get("target_above"), f"{where}.target_above"),
        clause=str(data.get("clause", "")),
    )
    need = {"linear": ("per_unit",), "step": ("step", "amount_per_step"), "tiers": ("tiers",), "flux": ("per_tonne",)}[kind]
    for name in need:
        if not getattr(rule, name):
            raise EcoCompensationError(f"{where}: a {kind} rule needs {name}")
    if kind == "step" and rule.step == 0:
        raise EcoCompensationError(f"{where}: step must be > 0")
    for a, b in zip(rule.tiers, rule.tiers[1:], strict=False):
        if a.upto is None or a.upto != b.above:
            raise EcoCompensationError(f"{where}: tiers must be contiguous and ascending")
    return rule


def parse_scheme(data: Mapping[str, Any]) -> Scheme:
    """Validate a scheme mapping (the JSON format of the packaged files) and build a :class:`Scheme`."""
    if not isinstance(data, Mapping):
        raise EcoCompensationError("a scheme must be an object")
    for key in ("id", "name", "period", "factors"):
        if key not in data:
            raise EcoCompensationError(f"scheme: missing {key!r}")
    sid = str(data["id"])
    if data["period"] not in PERIODS:
        raise EcoCompensationError(f"{sid}: period must be one of {', '.join(PERIODS)}")
    aggregation = data.get("aggregation", "mean")
    if aggregation not in AGGREGATIONS:
        raise EcoCompensationError(f"{sid}: aggregation must be one of {', '.join(AGGREGATIONS)}")
    upstream = data.get("upstream")
    if upstream is not None and upstream not in UPSTREAM_MODES:
        raise EcoCompensationError(f"{sid}: upstream must be one of {', '.join(UPSTREAM_MODES)} or null")
    factors = []
    seen = set()
    for i, f in enumerate(data["factors"]):
        where = f"{sid}.factors[{i}]"
        key = f.get("item")
        if key not in gb3838.TABLE1:
            raise EcoCompensationError(f"{where}: unknown item {key!r}")
        if gb3838.TABLE1[key].direction != gb3838.LE:
            raise EcoCompensationError(f"{where}: {key} is not a pollutant concentration (only 'higher is worse' items can be factors)")
        if key in seen:
            raise EcoCompensationError(f"{where}: item {key} appears twice")
        seen.add(key)
        t = f.get("target") or {}
        if "value" in t:
            target = Target(value=_dec(t["value"], f"{where}.target.value"))
        elif "class" in t:
            try:
                target = Target(class_=WaterClass.parse(t["class"]))
            except WaterQualityError as exc:
                raise EcoCompensationError(f"{where}.target: {exc}") from None
        elif t.get("source", "section") == "section":
            target = Target()
        else:
            raise EcoCompensationError(f"{where}.target: give value, class or source=section")
        factors.append(Factor(key, target, _rule(f.get("rule"), f"{where}.rule")))
    if not factors:
        raise EcoCompensationError(f"{sid}: no factors")
    rewards = []
    for i, r in enumerate(data.get("rewards") or ()):
        if r.get("kind") not in REWARD_KINDS:
            raise EcoCompensationError(f"{sid}.rewards[{i}]: kind must be one of {', '.join(REWARD_KINDS)}")
        rewards.append(Reward(r["kind"], _dec(r.get("amount"), f"{sid}.rewards[{i}].amount"), str(r.get("clause", ""))))
    caps = data.get("caps") or {}
    rounding = data.get("amount_rounding", "ROUND_HALF_UP")
    if rounding not in ROUNDINGS:
        raise EcoCompensationError(f"{sid}: amount_rounding must be one of {', '.join(ROUNDINGS)}")
    return Scheme(
        id=sid,
        name=str(data["name"]),
        region=str(data.get("region", "")),
        period=data["period"],
        unit=str(data.get("unit", "万元")),
        bidirectional=bool(data.get("bidirectional", False)),
        factors=tuple(factors),
        aggregation=aggregation,
        upstream=upstream,
        deduction_cap=_opt_dec(caps.get("deduction"), f"{sid}.caps.deduction"),
        reward_cap=_opt_dec(caps.get("reward"), f"{sid}.caps.reward"),
        rewards=tuple(rewards),
        valid_from=_date(data.get("valid_from"), f"{sid}.valid_from"),
        valid_to=_date(data.get("valid_to"), f"{sid}.valid_to"),
        amount_decimals=int(data.get("amount_decimals", 2)),
        amount_rounding=rounding,
        verification=str(data.get("verification", "")),
        sources=tuple(data.get("sources") or ()),
        notes=tuple(data.get("notes") or ()),
    )


def available_schemes() -> list[str]:
    """Ids of the packaged schemes."""
    return packaged_ids("eco_compensation")


@functools.cache
def _packaged(scheme_id: str) -> Scheme:
    if scheme_id not in available_schemes():
        raise EcoCompensationError(f"unknown scheme {scheme_id!r}; packaged: {', '.join(available_schemes())}")
    return parse_scheme(packaged_json("eco_compensation", scheme_id))


def load_scheme(scheme: str | Mapping[str, Any] | Scheme) -> Scheme:
    """A packaged scheme by id, or a deployment's own scheme (mapping), validated."""
    if isinstance(scheme, Scheme):
        return scheme
    if isinstance(scheme, str):
        return _packaged(scheme)
    return parse_scheme(scheme)


# --------------------------------------------------------------------------- computation


@dataclass(frozen=True)
class ItemAmount:
    """One factor's line of the breakdown.

    * ``difference`` = measured − target.
    * ``exceedance_multiple`` = m = (measured − target) / target.
    * ``amount``: signed, + reward, − deduction; not rounded.
    * ``applied``: False when the scheme has no rule for this case; the line then
      carries a warning in ``note``.
    """

    item: str
    name: str
    measured: Decimal
    target: Decimal
    difference: Decimal
    exceedance_multiple: Decimal
    rule: str
    amount: Decimal
    kind: str
    steps: int | None = None
    inflow: Decimal | None = None
    share: Decimal = Decimal(1)
    applied: bool = True
    note: str = ""


@dataclass(frozen=True)
class RewardAmount:
    kind: str
    amount: Decimal
    rule: str


@dataclass(frozen=True)
class CompensationResult:
    """One county's deduction or reward for one section and period."""

    scheme_id: str
    scheme_name: str
    unit: str
    period: str
    section: str | None
    county: str | None
    items: tuple[ItemAmount, ...]
    rewards: tuple[RewardAmount, ...]
    subtotal: Decimal
    total: Decimal
    cap_applied: str | None = None
    warnings: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())

    @property
    def direction(self) -> str:
        """``"reward"`` (the county receives), ``"deduction"`` (the county pays) or ``"none"``."""
        return "reward" if self.total > 0 else "deduction" if self.total < 0 else "none"

    @property
    def complete(self) -> bool:
        """True when every factor of the scheme was measured and computed by a transcribed rule."""
        return not self.skipped and all(i.applied for i in self.items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme_id,
            "scheme_name": self.scheme_name,
            "unit": self.unit,
            "period": self.period,
            "section": self.section,
            "county": self.county,
            "items": [
                {
                    "item": i.item,
                    "name": i.name,
                    "measured": i.measured,
                    "target": i.target,
                    "difference": i.difference,
                    "exceedance_multiple": i.exceedance_multiple,
                    "inflow": i.inflow,
                    "rule": i.rule,
                    "steps": i.steps,
                    "share": i.share,
                    "amount": i.amount,
                    "applied": i.applied,
                    "note": i.note,
                }
                for i in self.items
            ],
            "rewards": [{"kind": r.kind, "amount": r.amount, "rule": r.rule} for r in self.rewards],
            "subtotal": self.subtotal,
            "cap_applied": self.cap_applied,
            "total": self.total,
            "direction": self.direction,
            "complete": self.complete,
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
        }


def _fmt(d: Decimal) -> str:
    """Plain decimal text for rule descriptions (no exponent, no trailing zeros)."""
    return f"{d.normalize():f}"


def _measured(scheme: Scheme, key: str, value: Any) -> Decimal:
    if isinstance(value, (list, tuple)):
        vals = [_dec(v, key) for v in value if v is not None]
        if not vals:
            raise EcoCompensationError(f"{key}: no value")
        if scheme.aggregation == "max":
            return max(vals)
        with localcontext() as ctx:
            ctx.prec = 28
            return sum(vals, ZERO) / len(vals)
    return _dec(value, key)


def _target(factor: Factor, targets: Mapping[str, Any], target_class: WaterClass | None, waterbody: str) -> tuple[Decimal, str]:
    t = factor.target
    if t.value is not None:
        return t.value, f"fixed target {_fmt(t.value)}"
    if factor.item in targets and targets[factor.item] is not None:
        v = _dec(targets[factor.item], f"target {factor.item}")
        return v, f"section target {_fmt(v)}"
    wc = t.class_ or target_class
    if wc is None:
        raise EcoCompensationError(f"{factor.item}: the scheme takes the section's target; pass target_class or targets")
    try:
        v = gb3838.limit(factor.item, wc, waterbody)
    except WaterQualityError as exc:
        raise EcoCompensationError(f"{factor.item}: {exc}") from None
    return v, f"class {wc.label} limit {_fmt(v)}"


def _item_amount(
    scheme: Scheme, factor: Factor, c: Decimal, target: Decimal, target_text: str, inflow: Decimal | None, flow_m3: Decimal | None, share: Decimal
) -> ItemAmount:
    rule = factor.rule
    name = gb3838.TABLE1[factor.item].name
    if target == 0:
        raise EcoCompensationError(f"{factor.item}: target is 0")
    with localcontext() as ctx:
        ctx.prec = 28
        diff = c - target
        m = diff / target
    base = dict(
        item=factor.item, name=name, measured=c, target=target, difference=diff,
        exceedance_multiple=m, kind=rule.kind, inflow=inflow, share=share,
    )  # fmt: skip
    bidirectional = scheme.bidirectional if rule.bidirectional is None else rule.bidirectional

    if rule.target_above is not None and not target > rule.target_above:
        return ItemAmount(
            **base,
            rule=f"{target_text}: not covered (the transcribed rule applies to targets above {_fmt(rule.target_above)})",
            amount=ZERO,
            applied=False,
            note="scheme has no transcribed rule for this target; amount not computed",
        )
    if scheme.upstream == "exempt_if_not_increased" and inflow is not None and c > target and c <= inflow:
        text = f"{target_text}; measured {_fmt(c)} ≤ inflow {_fmt(inflow)}: exempt (not increased over upstream)"
        return ItemAmount(**base, rule=text, amount=ZERO)

    steps = None
    with localcontext() as ctx:
        ctx.prec = 28
        if rule.kind == "linear":
            amount = -diff * rule.per_unit
            text = f"({_fmt(target)} − {_fmt(c)}) × {_fmt(rule.per_unit)}"
            if amount > 0 and not bidirectional:
                amount, text = ZERO, text + "; rewards not paid (deduction only)"
        elif rule.kind == "flux":
            if flow_m3 is None:
                raise EcoCompensationError(f"{factor.item}: a flux rule needs the period flow (flow_m3)")
            tonnes = diff * flow_m3 * TONNES_PER_MG_L_M3
            amount = -tonnes * rule.per_tonne
            text = f"({_fmt(c)} − {_fmt(target)}) mg/L × {_fmt(flow_m3)} m³ × 10⁻⁶ = {_fmt(tonnes)} t × {_fmt(rule.per_tonne)}/t"
            if amount > 0 and not bidirectional:
                amount, text = ZERO, text + "; below target: nothing paid (deduction only)"
        elif m <= rule.tolerance:
            amount = ZERO
            text = f"m = {_fmt(m)} ≤ {_fmt(rule.tolerance)}: no deduction"
        elif rule.kind == "step":
            steps = math.ceil(m / rule.step)
            amount = -steps * rule.amount_per_step
            text = f"m = {_fmt(m)}; ceil(m / {_fmt(rule.step)}) = {steps} step(s) × {_fmt(rule.amount_per_step)}"
        else:  # tiers
            tier = next((t for t in rule.tiers if t.contains(m)), None)
            if tier is None:
                return ItemAmount(**base, rule=f"m = {_fmt(m)} is in no tier", amount=ZERO, applied=False, note="no tier for this multiple")
            upto = "∞" if tier.upto is None else _fmt(tier.upto)
            if tier.formula == "fixed":
                amount = -tier.amount
                text = f"m = {_fmt(m)} in ({_fmt(tier.above)}, {upto}]: {_fmt(tier.amount)}"
            else:
                amount = -tier.amount * (1 + m)
                text = f"m = {_fmt(m)} in ({_fmt(tier.above)}, {upto}]: {_fmt(tier.amount)} × (1 + {_fmt(m)})"
        if rule.cap is not None and amount < -rule.cap:
            amount = -rule.cap
            text += f"; capped at {_fmt(rule.cap)}"
        if share != 1:
            amount = amount * share
            text += f"; × share {_fmt(share)}"
    if inflow is not None and scheme.upstream == "exempt_if_not_increased" and amount < 0:
        text += f"; inflow {_fmt(inflow)} < measured"
    text += f" → {'+' if amount > 0 else ''}{_fmt(amount)}"
    return ItemAmount(**base, rule=f"{target_text}; {text}", amount=amount, steps=steps)


def compensation(
    scheme: str | Mapping[str, Any] | Scheme,
    measured: Mapping[str, Any],
    *,
    target_class: WaterClass | str | None = None,
    targets: Mapping[str, Any] | None = None,
    inflow: Mapping[str, Any] | None = None,
    flow_m3: Any = None,
    waterbody: str = gb3838.RIVER,
    shares: Mapping[str, Any] | None = None,
    previous: Mapping[str, Any] | None = None,
    current_class: WaterClass | str | None = None,
    period_date: datetime.date | str | None = None,
    section: str | None = None,
    county: str | None = None,
) -> CompensationResult:
    """One county's compensation for one cross-boundary section and one period.

    ``measured`` maps each scheme factor to its period value. A list of values is first
    averaged, or maximised if the scheme's aggregation is "max". The target of a factor
    is found in this order:

    1. the scheme's fixed target;
    2. ``targets[item]`` in mg/L;
    3. the GB 3838 limit of ``target_class``, the section's target class, for ``waterbody``.

    Optional inputs:

    * ``inflow``: the upstream inflow section's values, for the upstream exemption.
    * ``flow_m3``: the period flow in m³, for flux rules.
    * ``shares``: the county's responsibility share per item (default 1).
    * ``previous`` and ``current_class``: inputs for the reward rules. ``previous`` is
      ``{"met": bool, "class": "IV"}`` for the previous period.
    * ``period_date``: checked against the scheme's validity dates.

    Returns the itemised breakdown, the rewards, the capped total and warnings. The total
    is rounded to the scheme's ``amount_decimals``.
    """
    s = load_scheme(scheme)
    if not isinstance(measured, Mapping):
        raise EcoCompensationError("measured must map items to values")
    wb = gb3838.waterbody_of(waterbody)
    day = _date(period_date, "period_date") if isinstance(period_date, str) else period_date
    if day is not None and ((s.valid_from and day < s.valid_from) or (s.valid_to and day > s.valid_to)):
        raise EcoCompensationError(f"scheme {s.id} is valid {s.valid_from or '…'} to {s.valid_to or '…'}, not on {day}")
    tc = None if target_class is None else WaterClass.parse(target_class)
    targets = targets or {}
    inflow = inflow or {}
    shares = shares or {}
    unknown = [k for k in measured if k not in {f.item for f in s.factors}]
    if unknown:
        raise EcoCompensationError(f"scheme {s.id} does not assess {', '.join(map(repr, unknown))}; factors: {', '.join(f.item for f in s.factors)}")
    flow = _opt_dec(flow_m3, "flow_m3")
    items: list[ItemAmount] = []
    warnings: list[str] = []
    skipped: list[str] = []
    for f in s.factors:
        if measured.get(f.item) is None:
            warnings.append(f"{f.item}: no measured value; factor skipped")
            skipped.append(f.item)
            continue
        c = _measured(s, f.item, measured[f.item])
        t, t_text = _target(f, targets, tc, wb)
        inf = _opt_dec(inflow.get(f.item), f"inflow {f.item}")
        share = _dec(shares.get(f.item, 1), f"share {f.item}")
        line = _item_amount(s, f, c, t, t_text, inf, flow, share)
        if not line.applied:
            warnings.append(f"{f.item}: {line.note}")
        items.append(line)
    if not items:
        raise EcoCompensationError("no measured value for any factor of the scheme")

    rewards: list[RewardAmount] = []
    all_met = len(items) == len(s.factors) and all(i.measured <= i.target for i in items)
    prev = previous or {}
    for r in s.rewards:
        if r.kind == "all_meet_target" and all_met:
            rewards.append(RewardAmount(r.kind, r.amount, "every factor meets its target"))
        elif r.kind == "reached_target" and all_met and prev.get("met") is False:
            rewards.append(RewardAmount(r.kind, r.amount, "missed the target last period, meets it now"))
        elif r.kind == "class_improvement" and current_class is not None and prev.get("class") is not None:
            gained = int(WaterClass.parse(prev["class"])) - int(WaterClass.parse(current_class))
            if gained > 0:
                rewards.append(RewardAmount(r.kind, r.amount * gained, f"{gained} class(es) better than last period × {_fmt(r.amount)}"))

    subtotal = sum((i.amount for i in items), ZERO) + sum((r.amount for r in rewards), ZERO)
    total, cap = subtotal, None
    if s.deduction_cap is not None and total < -s.deduction_cap:
        total, cap = -s.deduction_cap, f"deduction capped at {_fmt(s.deduction_cap)}"
    if s.reward_cap is not None and total > s.reward_cap:
        total, cap = s.reward_cap, f"reward capped at {_fmt(s.reward_cap)}"
    total = total.quantize(Decimal(1).scaleb(-s.amount_decimals), rounding=ROUNDINGS[s.amount_rounding]) + ZERO
    return CompensationResult(
        s.id, s.name, s.unit, s.period, section, county, tuple(items), tuple(rewards), subtotal, total, cap, tuple(warnings), tuple(skipped)
    )


def total_by_county(results: Iterable[CompensationResult]) -> dict[str | None, Decimal]:
    """Sum of the totals per county ("同一县（市、区）范围内，对所有超标断面累计扣缴")."""
    out: dict[str | None, Decimal] = {}
    for r in results:
        out[r.county] = out.get(r.county, ZERO) + r.total
    return out


def scheme_summary(scheme: str | Mapping[str, Any] | Scheme) -> Mapping[str, Any]:
    """Plain description of a scheme for display (factors, targets, rules, validity)."""
    s = load_scheme(scheme)
    return MappingProxyType(
        {
            "id": s.id,
            "name": s.name,
            "region": s.region,
            "period": s.period,
            "unit": s.unit,
            "bidirectional": s.bidirectional,
            "valid_from": s.valid_from,
            "valid_to": s.valid_to,
            "factors": [f.item for f in s.factors],
            "verification": s.verification,
            "sources": list(s.sources),
        }
    )
