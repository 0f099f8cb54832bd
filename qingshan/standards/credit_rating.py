"""Enterprise environmental credit rating (企业环境信用评价) as configurable rule sets.

A *rule set* is data (``qingshan/standards/data/credit_rating/<id>.json``):
levels (best first, each a colour with a minimum score), a base score,
metric indicators (tiers of a measured value → points or a weighted score),
event deductions and bonuses (per event, per unit or once, with caps, group
caps and validity windows), one-vote vetoes (否决项 → a fixed level),
downgrades (e.g. a general incident → one level down), ceilings (best level
reachable while a condition holds) and the credit repair (信用修复) rule.

Packaged rule sets (see docs/credit.md for what is verified):

* ``national_2013`` — 《企业环境信用评价办法（试行）》 环发〔2013〕150号: four
  levels 环保诚信/良好/警示/不良 = green/blue/yellow/red (Art. 9 as quoted by
  provincial restatements), the seven confirmed veto items, annex indicator
  weights as applied in Guangdong; several items are UNVERIFIED and marked so.
* ``jiangsu_2019`` — 《江苏省企业环保信用评价暂行办法》 dynamic 12-point model,
  five colours green/blue/yellow/red/black.

The input is an enterprise's record for the assessment period as plain data::

    {"enterprise": "9132…", "period": {"start": "2025-01-01", "end": "2025-12-31"},
     "as_of": "2025-12-31", "opening_score": 9,
     "metrics": {"effective_transmission_rate": 0.93, "monitoring_pass_rate": 0.88},
     "events": [{"id": "case-17", "type": "case", "date": "2025-03-10",
                 "category": "exceedance", "penalty_amount": 200000,
                 "measures": ["fine", "order_to_correct"]}, …]}

The output (:class:`CreditResult`) gives the colour, the score and a finding
for every indicator, deduction, bonus, veto, downgrade and ceiling applied,
with the rule id, its clause and the ids of the events behind it.

Pure: no Django, no I/O except reading the packaged rule sets on request.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from qingshan.standards._data import packaged_ids, packaged_json

ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: ``where`` operators understood by event filters and metric conditions
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "exists")


class CreditRatingError(ValueError):
    """A rule set or an enterprise record that cannot be evaluated."""


# --------------------------------------------------------------------------- helpers


def _dec(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise CreditRatingError(f"{what} must be a number, got {value!r}")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise CreditRatingError(f"{what} must be finite, got {value!r}")
            return Decimal(repr(value))
        d = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(str(value).strip())
    except InvalidOperation:
        raise CreditRatingError(f"{what} must be a number, got {value!r}") from None
    if not d.is_finite():
        raise CreditRatingError(f"{what} must be finite, got {value!r}")
    return d


def _date(value: Any, what: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise CreditRatingError(f"{what} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` shifted by whole months, clamped to the month's last day (Jan 31 + 1 → Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "exists":
        return (actual is not None) == bool(expected)
    if op == "contains":
        if isinstance(actual, (list, tuple, set, frozenset)):
            return expected in actual
        return isinstance(actual, str) and isinstance(expected, str) and expected in actual
    if op in ("in", "not_in"):
        if not isinstance(expected, (list, tuple)):
            raise CreditRatingError(f"operator {op} needs a list, got {expected!r}")
        inside = actual in expected
        return inside if op == "in" else (actual is not None and not inside)
    if op == "eq":
        if _is_number(actual) and _is_number(expected):
            return _dec(actual, "value") == _dec(expected, "value")
        return actual == expected
    if op == "ne":
        return actual is not None and not _compare(actual, "eq", expected)
    if op in ("gt", "gte", "lt", "lte"):
        if not _is_number(actual):
            return False
        a, e = _dec(actual, "value"), _dec(expected, op)
        return {"gt": a > e, "gte": a >= e, "lt": a < e, "lte": a <= e}[op]
    raise CreditRatingError(f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")


def _where_ok(obj: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    for key, test in (where or {}).items():
        actual = obj.get(key)
        if isinstance(test, Mapping):
            if not all(_compare(actual, op, expected) for op, expected in test.items()):
                return False
        elif not _compare(actual, "eq", test):
            return False
    return True


# --------------------------------------------------------------------------- rule set


@dataclass(frozen=True)
class Level:
    id: str  # the colour: green, blue, yellow, red, black
    name: str
    label: str
    min_score: Decimal | None
    treatment: str = ""


@dataclass(frozen=True)
class RuleSet:
    """A credit rating method as data. Build with :func:`load_ruleset`."""

    id: str
    title: str
    basis: str
    levels: tuple[Level, ...]
    base_score: Decimal
    max_score: Decimal | None
    min_score: Decimal | None
    data: Mapping[str, Any]

    def level(self, level_id: str) -> Level:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise CreditRatingError(f"rule set {self.id} has no level {level_id!r}")

    def index(self, level_id: str) -> int:
        """0 = best."""
        return self.levels.index(self.level(level_id))

    def level_for_score(self, score: Decimal) -> Level:
        for lv in self.levels:
            if lv.min_score is None or score >= lv.min_score:
                return lv
        return self.levels[-1]

    def rules(self, kind: str) -> list[Mapping[str, Any]]:
        return list(self.data.get(kind, []))


RULE_KINDS = ("indicators", "deductions", "bonuses", "vetoes", "downgrades", "ceilings")


def parse_ruleset(data: Mapping[str, Any]) -> RuleSet:
    """Validate a rule-set mapping (the JSON shape in data/credit_rating/) and build a :class:`RuleSet`."""
    if not isinstance(data, Mapping):
        raise CreditRatingError("a rule set must be an object")
    for key in ("id", "levels"):
        if key not in data:
            raise CreditRatingError(f"rule set lacks {key!r}")
    levels = []
    for i, lv in enumerate(data["levels"]):
        try:
            min_score = None if lv.get("min_score") is None else _dec(lv["min_score"], f"level {lv['id']} min_score")
            levels.append(Level(lv["id"], lv.get("name", lv["id"]), lv.get("label", ""), min_score, lv.get("treatment", "")))
        except (KeyError, TypeError, AttributeError):
            raise CreditRatingError(f"rule set {data['id']}: level #{i + 1} needs an id") from None
    if len(levels) < 2:
        raise CreditRatingError(f"rule set {data['id']}: at least two levels are needed")
    if levels[-1].min_score is not None:
        raise CreditRatingError(f"rule set {data['id']}: the last level must have min_score null (catch-all)")
    mins = [lv.min_score for lv in levels[:-1]]
    if any(m is None for m in mins) or mins != sorted(mins, reverse=True):
        raise CreditRatingError(f"rule set {data['id']}: level min_score must decrease from the best level")
    scoring = data.get("scoring", {})
    rs = RuleSet(
        id=str(data["id"]),
        title=str(data.get("title", data["id"])),
        basis=str(data.get("basis", "")),
        levels=tuple(levels),
        base_score=_dec(scoring.get("base", 100), "scoring.base"),
        max_score=None if scoring.get("max") is None else _dec(scoring["max"], "scoring.max"),
        min_score=None if scoring.get("min") is None else _dec(scoring["min"], "scoring.min"),
        data=data,
    )
    ids: set[str] = set()
    level_ids = {lv.id for lv in levels}
    for kind in RULE_KINDS:
        for rule in data.get(kind, []):
            rid = rule.get("id")
            if not rid:
                raise CreditRatingError(f"rule set {rs.id}: a rule in {kind} has no id")
            if rid in ids:
                raise CreditRatingError(f"rule set {rs.id}: duplicate rule id {rid}")
            ids.add(rid)
            if kind in ("vetoes", "ceilings") and rule.get("level") not in level_ids:
                raise CreditRatingError(f"rule {rid}: level {rule.get('level')!r} is not a level of {rs.id}")
            if kind in ("deductions", "bonuses"):
                if rule.get("per", "event") not in ("event", "once", "unit"):
                    raise CreditRatingError(f"rule {rid}: per must be event, once or unit")
                _dec(rule.get("points"), f"rule {rid} points")
                if not _alternatives(rule):
                    raise CreditRatingError(f"rule {rid}: needs event (or match)")
            if kind == "indicators" and not rule.get("tiers"):
                raise CreditRatingError(f"rule {rid}: an indicator needs tiers")
    repair = data.get("repair")
    if repair:
        for lv in [*repair.get("eligible_levels", []), repair.get("best_level")]:
            if lv is not None and lv not in level_ids:
                raise CreditRatingError(f"repair: {lv!r} is not a level of {rs.id}")
    return rs


def available_rulesets() -> list[str]:
    """Ids of the packaged rule sets."""
    return packaged_ids("credit_rating")


@functools.cache
def _packaged(ruleset_id: str) -> RuleSet:
    if ruleset_id not in available_rulesets():
        raise CreditRatingError(f"unknown rule set {ruleset_id!r}; packaged: {', '.join(available_rulesets())}")
    return parse_ruleset(packaged_json("credit_rating", ruleset_id))


def load_ruleset(ruleset: str | Mapping[str, Any] | RuleSet) -> RuleSet:
    """A packaged rule set by id, or a deployment's own (mapping), validated."""
    if isinstance(ruleset, RuleSet):
        return ruleset
    if isinstance(ruleset, str):
        return _packaged(ruleset)
    return parse_ruleset(ruleset)


# --------------------------------------------------------------------------- record


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    date: datetime.date | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Record:
    enterprise: str | None
    start: datetime.date | None
    end: datetime.date | None
    as_of: datetime.date | None
    opening_score: Decimal | None
    metrics: Mapping[str, Any]
    events: tuple[Event, ...]


def parse_record(record: Mapping[str, Any] | Record) -> Record:
    """Validate an enterprise record (see the module docstring)."""
    if isinstance(record, Record):
        return record
    if not isinstance(record, Mapping):
        raise CreditRatingError("the record must be an object")
    allowed = {"enterprise", "period", "as_of", "opening_score", "metrics", "events"}
    unknown = sorted(set(record) - allowed)
    if unknown:
        raise CreditRatingError(f"unknown record field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    period = record.get("period") or {}
    if not isinstance(period, Mapping):
        raise CreditRatingError("period must be an object with start and end")
    start = _date(period["start"], "period.start") if period.get("start") else None
    end = _date(period["end"], "period.end") if period.get("end") else None
    if start and end and end < start:
        raise CreditRatingError("period.end is before period.start")
    as_of = _date(record["as_of"], "as_of") if record.get("as_of") else end
    metrics = record.get("metrics") or {}
    if not isinstance(metrics, Mapping):
        raise CreditRatingError("metrics must be an object")
    raw_events = record.get("events") or []
    if not isinstance(raw_events, (list, tuple)):
        raise CreditRatingError("events must be a list")
    events = []
    seen: set[str] = set()
    for i, e in enumerate(raw_events):
        if not isinstance(e, Mapping) or not isinstance(e.get("type"), str) or not e["type"]:
            raise CreditRatingError(f"event #{i + 1} must be an object with a 'type'")
        eid = str(e.get("id") or f"{e['type']}#{i + 1}")
        if eid in seen:
            raise CreditRatingError(f"duplicate event id {eid!r}")
        seen.add(eid)
        day = _date(e["date"], f"event {eid} date") if e.get("date") else None
        events.append(Event(eid, e["type"], day, e))
    opening = record.get("opening_score")
    return Record(
        enterprise=record.get("enterprise"),
        start=start,
        end=end,
        as_of=as_of,
        opening_score=None if opening is None else _dec(opening, "opening_score"),
        metrics=metrics,
        events=tuple(events),
    )


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Finding:
    """One line of the explanation."""

    kind: str  # indicator | deduction | bonus | veto | downgrade | ceiling | cap | clamp
    rule_id: str
    name: str
    points: Decimal | None
    events: tuple[str, ...]
    clause: str
    detail: str
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rule_id": self.rule_id,
            "name": self.name,
            "points": None if self.points is None else _plain(self.points),
            "events": list(self.events),
            "clause": self.clause,
            "detail": self.detail,
            "status": self.status,
        }


@dataclass(frozen=True)
class CreditResult:
    ruleset: str
    enterprise: str | None
    colour: str
    level_name: str
    label: str
    score: Decimal
    score_level: str
    vetoed: bool
    findings: tuple[Finding, ...]
    ignored_events: tuple[str, ...] = ()
    treatment: str = ""

    @property
    def level(self) -> str:
        return self.colour

    def rule_ids(self, kind: str | None = None) -> list[str]:
        return [f.rule_id for f in self.findings if kind is None or f.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "enterprise": self.enterprise,
            "colour": self.colour,
            "level_name": self.level_name,
            "label": self.label,
            "score": _plain(self.score),
            "score_level": self.score_level,
            "vetoed": self.vetoed,
            "treatment": self.treatment,
            "findings": [f.as_dict() for f in self.findings],
            "ignored_events": list(self.ignored_events),
        }


def _alternatives(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A rule's event filters: ``match`` (any of a list) or the shorthand ``event`` + ``where``."""
    if rule.get("match"):
        return list(rule["match"])
    if rule.get("event"):
        return [{"event": rule["event"], "where": rule.get("where")}]
    return []


class _Context:
    def __init__(self, rs: RuleSet, rec: Record, dates: Mapping[str, datetime.date | None] | None = None):
        self.rs = rs
        self.rec = rec
        self.dates = {"period_start": rec.start, "as_of": rec.as_of, **(dates or {})}
        ignored = []
        self.events = []
        for e in rec.events:
            if e.date is not None and ((rec.start and e.date < rec.start) or (rec.as_of and e.date > rec.as_of)):
                ignored.append(e.id)
            else:
                self.events.append(e)
        self.ignored = tuple(ignored)

    def matching(self, spec: Mapping[str, Any], *, valid_months: int | None = None, pool: Iterable[Event] | None = None) -> list[Event]:
        """Events matching any alternative of ``spec`` (a rule or condition), inside its windows."""
        out = []
        since = spec.get("since")
        since_day = None
        if since:
            since_day = self.dates.get(since) if since in self.dates else _date(since, "since")
            if since_day is None:
                raise CreditRatingError(f"condition needs the date {since!r}")
        window_start = None
        if valid_months is not None and self.rec.as_of is not None:
            window_start = add_months(self.rec.as_of, -int(valid_months))
        for e in self.events if pool is None else pool:
            if since_day is not None and (e.date is None or e.date <= since_day):
                continue
            if window_start is not None and e.date is not None and e.date <= window_start:
                continue
            for alt in _alternatives(spec):
                types = alt["event"] if isinstance(alt["event"], list) else [alt["event"]]
                if e.type in types and _where_ok(e.data, alt.get("where")):
                    out.append(e)
                    break
        return out

    def all_events(self) -> list[Event]:
        """Every event of the record, including those outside the period (for repair checks)."""
        return list(self.rec.events)

    def condition(self, cond: Mapping[str, Any], *, pool: Iterable[Event] | None = None) -> tuple[bool, str, tuple[str, ...]]:
        """Evaluate a condition → (holds, explanation, event ids)."""
        if "all" in cond or "any" in cond:
            parts = [self.condition(c, pool=pool) for c in cond.get("all", cond.get("any", []))]
            ok = all(p[0] for p in parts) if "all" in cond else any(p[0] for p in parts)
            return ok, "; ".join(p[1] for p in parts), tuple(i for p in parts for i in p[2])
        if "not" in cond:
            ok, text, ids = self.condition(cond["not"], pool=pool)
            return not ok, f"not ({text})", ids
        if "metric" in cond:
            name = cond["metric"]
            value = self.rec.metrics.get(name)
            if value is None:
                return bool(cond.get("missing", False)), f"metric {name} not given", ()
            tests = {op: v for op, v in cond.items() if op in OPERATORS}
            ok = all(_compare(value, op, v) for op, v in tests.items())
            return ok, f"{name} = {value}", ()
        if "event" in cond or "match" in cond:
            found = self.matching(cond, valid_months=cond.get("valid_months"), pool=pool)
            n = len(found)
            ok = True
            if "min_count" in cond or "max_count" not in cond:
                ok = n >= int(cond.get("min_count", 1))
            if "max_count" in cond:
                ok = ok and n <= int(cond["max_count"])
            return ok, f"{n} matching event(s)", tuple(e.id for e in found)
        raise CreditRatingError(f"cannot read condition {dict(cond)!r}")


def _tier(rule: Mapping[str, Any], value: Any) -> Mapping[str, Any] | None:
    for tier in rule["tiers"]:
        tests = {op: v for op, v in tier.items() if op in OPERATORS}
        if all(_compare(value, op, v) for op, v in tests.items()):
            return tier
    return None


def evaluate(ruleset: str | Mapping[str, Any] | RuleSet, record: Mapping[str, Any] | Record) -> CreditResult:
    """Rate one enterprise for one assessment period.

    Order: score = opening score (or the rule set's base) + indicator points +
    deductions + bonuses (caps per rule and per group, then the score clamp);
    level by score; downgrades; ceilings; vetoes (the worse level wins).
    """
    rs = load_ruleset(ruleset)
    rec = parse_record(record)
    ctx = _Context(rs, rec)
    findings: list[Finding] = []
    score = rec.opening_score if rec.opening_score is not None else rs.base_score
    groups: dict[str, Decimal] = {}
    group_caps = {k: _dec(v.get("cap"), f"group {k} cap") for k, v in rs.data.get("groups", {}).items() if v.get("cap") is not None}

    def add(kind: str, rule: Mapping[str, Any], points: Decimal | None, events: Sequence[str], detail: str) -> None:
        nonlocal score
        group = rule.get("group")
        if points is not None and group in group_caps and points < 0:
            used = groups.get(group, ZERO)
            room = group_caps[group] - used
            if -points > room:
                detail += f"; group {group} capped at {_plain(group_caps[group])} points"
                points = ZERO - max(room, ZERO)
            groups[group] = used - points
        if points is not None:
            score += points
        findings.append(
            Finding(kind, rule["id"], rule.get("name", rule["id"]), points, tuple(events), rule.get("clause", ""), detail, rule.get("status", ""))
        )

    # metric indicators
    for rule in rs.rules("indicators"):
        metric = rule.get("metric")
        value = rec.metrics.get(metric)
        if value is None:
            missing = rule.get("missing", "skip")
            if missing == "skip":
                continue
            if missing != "worst":
                raise CreditRatingError(f"rule {rule['id']}: missing must be skip or worst")
            tier = rule["tiers"][-1]
            shown = "not given (worst tier)"
        else:
            tier = _tier(rule, value)
            shown = str(value)
            if tier is None:
                raise CreditRatingError(f"rule {rule['id']}: no tier for {metric} = {value!r}")
        if "score" in tier:
            weight = _dec(rule.get("weight"), f"rule {rule['id']} weight")
            points = -(weight * (HUNDRED - _dec(tier["score"], "tier score")) / HUNDRED)
            detail = f"{metric} = {shown} → tier score {tier['score']} × weight {_plain(weight)}%"
        else:
            points = _dec(tier.get("points", 0), f"rule {rule['id']} tier points")
            detail = f"{metric} = {shown} → {_plain(points)} points"
        if points != 0:
            add("indicator", rule, points, (), detail)

    # event deductions and bonuses
    for kind, sign in (("deductions", -1), ("bonuses", 1)):
        for rule in rs.rules(kind):
            found = ctx.matching(rule, valid_months=rule.get("valid_months"))
            if not found:
                continue
            unit = _dec(rule["points"], f"rule {rule['id']} points")
            per = rule.get("per", "event")
            if per == "once":
                raw, how = unit, f"once ({len(found)} matching event(s))"
            elif per == "event":
                raw, how = unit * len(found), f"{len(found)} × {_plain(unit)}"
            else:
                field = rule.get("unit_field")
                if not field:
                    raise CreditRatingError(f"rule {rule['id']}: per unit needs unit_field")
                units = sum((_dec(e.data.get(field, 0), f"event {e.id} {field}") for e in found), ZERO)
                raw, how = unit * units, f"{_plain(units)} {field} × {_plain(unit)}"
            if raw == 0:
                continue
            detail = how
            if rule.get("cap") is not None:
                cap = _dec(rule["cap"], f"rule {rule['id']} cap")
                if raw > cap:
                    raw = cap
                    detail += f", capped at {_plain(cap)}"
            if rule.get("valid_months") is not None:
                detail += f" (events within {rule['valid_months']} months before {rec.as_of})"
            add(kind[:-1] if kind == "deductions" else "bonus", rule, sign * raw, [e.id for e in found], detail)

    if rs.max_score is not None and score > rs.max_score:
        findings.append(Finding("clamp", "score.max", "maximum score", None, (), "", f"score {_plain(score)} limited to {_plain(rs.max_score)}"))
        score = rs.max_score
    if rs.min_score is not None and score < rs.min_score:
        findings.append(Finding("clamp", "score.min", "minimum score", None, (), "", f"score {_plain(score)} limited to {_plain(rs.min_score)}"))
        score = rs.min_score

    score_level = rs.level_for_score(score)
    index = rs.index(score_level.id)
    last = len(rs.levels) - 1

    for rule in rs.rules("downgrades"):
        found = ctx.matching(rule, valid_months=rule.get("valid_months"))
        if found:
            steps = int(rule.get("steps", 1))
            before = rs.levels[index].id
            index = min(index + steps, last)
            add("downgrade", rule, None, [e.id for e in found], f"{before} → {rs.levels[index].id} ({steps} level(s))")

    for rule in rs.rules("ceilings"):
        ok, text, ids = ctx.condition(rule["condition"])
        if ok:
            ceiling = rs.index(rule["level"])
            if index < ceiling:
                add("ceiling", rule, None, ids, f"{text}: best reachable level is {rule['level']}, {rs.levels[index].id} → {rule['level']}")
                index = ceiling

    vetoed = False
    for rule in rs.rules("vetoes"):
        if "condition" in rule:
            ok, text, ids = ctx.condition(rule["condition"])
        else:
            found = ctx.matching(rule, valid_months=rule.get("valid_months"))
            ok, text, ids = bool(found), f"{len(found)} matching event(s)", tuple(e.id for e in found)
        if ok:
            vetoed = True
            target = rs.index(rule["level"])
            detail = f"one-vote veto: rated {rule['level']} ({text})"
            if index < target:
                index = target
            else:
                detail += f"; level already {rs.levels[index].id}"
            add("veto", rule, None, ids, detail)

    level = rs.levels[index]
    return CreditResult(
        ruleset=rs.id,
        enterprise=rec.enterprise,
        colour=level.id,
        level_name=level.name,
        label=level.label,
        score=score,
        score_level=score_level.id,
        vetoed=vetoed,
        findings=tuple(findings),
        ignored_events=ctx.ignored,
        treatment=level.treatment,
    )


# --------------------------------------------------------------------------- repair


@dataclass(frozen=True)
class RepairCheck:
    id: str
    name: str
    ok: bool
    detail: str
    events: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "ok": self.ok, "detail": self.detail, "events": list(self.events)}


@dataclass(frozen=True)
class RepairDecision:
    eligible: bool
    current_level: str
    new_level: str | None
    checks: tuple[RepairCheck, ...]
    clause: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "current_level": self.current_level,
            "new_level": self.new_level,
            "clause": self.clause,
            "checks": [c.as_dict() for c in self.checks],
        }


def repair_eligibility(
    ruleset: str | Mapping[str, Any] | RuleSet,
    result: CreditResult,
    record: Mapping[str, Any] | Record,
    *,
    published_on: Any,
    applied_on: Any,
) -> RepairDecision:
    """Whether a rated enterprise may have its credit repaired (信用修复) and to which level.

    ``record`` is the enterprise's record up to ``applied_on`` (events after
    the rating included, so that "no new violation since publication" can be
    checked). The rule set's ``repair`` section gives the eligible levels, the
    application window after publication, rules whose findings exclude repair,
    the requirements (conditions) and the upgrade.
    """
    rs = load_ruleset(ruleset)
    spec = rs.data.get("repair")
    if not spec:
        raise CreditRatingError(f"rule set {rs.id} has no repair rule")
    if result.ruleset != rs.id:
        raise CreditRatingError(f"result is from rule set {result.ruleset}, not {rs.id}")
    rec = parse_record(record)
    published = _date(published_on, "published_on")
    applied = _date(applied_on, "applied_on")
    if applied < published:
        raise CreditRatingError("applied_on is before published_on")
    ctx = _Context(rs, rec, {"published_on": published, "applied_on": applied})
    checks: list[RepairCheck] = []

    eligible_levels = spec.get("eligible_levels", [])
    checks.append(
        RepairCheck(
            "level",
            "level may be repaired",
            result.colour in eligible_levels,
            f"level {result.colour}; repairable: {', '.join(eligible_levels)}",
        )
    )
    window = spec.get("window_months")
    if window is not None:
        deadline = add_months(published, int(window))
        checks.append(
            RepairCheck("window", "applied within the window", applied <= deadline, f"applied {applied}, deadline {deadline} ({window} months after {published})")
        )
    excluded = set(spec.get("excluded_rules", []))
    hit = [f for f in result.findings if f.rule_id in excluded]
    checks.append(
        RepairCheck(
            "excluded_rules",
            "no finding that excludes repair",
            not hit,
            ", ".join(f"{f.rule_id} ({f.name})" for f in hit) or "none",
            tuple(i for f in hit for i in f.events),
        )
    )
    for req in spec.get("requirements", []):
        ok, text, ids = ctx.condition(req["condition"], pool=ctx.all_events())
        checks.append(RepairCheck(req["id"], req.get("name", req["id"]), ok, text, ids))

    eligible = all(c.ok for c in checks)
    new_level = None
    if eligible:
        index = max(rs.index(result.colour) - int(spec.get("upgrade_steps", 1)), 0)
        if spec.get("best_level"):
            index = max(index, rs.index(spec["best_level"]))
        new_level = rs.levels[index].id
    return RepairDecision(eligible, result.colour, new_level, tuple(checks), spec.get("clause", ""))
