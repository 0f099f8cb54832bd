"""Heavy-pollution weather alerts (重污染天气预警) and county rankings (排名).

Alerts (air.md §4): the level follows from a series of daily AQI values —
forecast (the usual trigger) or observed — by rule sets that are **data**
(:data:`RULE_SETS`); a region picks one (the Django ``AlertRule.rule_set``),
and a deployment can add its local plan's stricter triggers.

* ``"2018"`` — unified criteria of 2017-2018 (环境保护部 2017-09-20 briefing;
  环办大气函〔2018〕875号 plans), four levels:
  blue: daily AQI > 200 (1 day); yellow: > 200 for 2 days;
  orange: > 200 for 3 days and > 300 (1 day); red: > 200 for 4 days and > 300
  for 2 days, or AQI reaching 500.
* ``"2024"`` — 关于进一步优化重污染天气应对机制的指导意见 (环大气〔2024〕6号),
  three levels: yellow: > 200 (1 day) or > 150 for 2 days (48 h); orange:
  > 200 for 2 days or > 150 for 3 days; red: > 200 for 3 days and > 300 for
  1 day (24 h).

"Lasting N days" is read as N *consecutive* days; the extra conditions of a
level (e.g. "and > 300 for 2 days") must hold within the same run (the same
pollution episode). A missing day (``None``) breaks a run. The 2017 text
says the daily AQI may be any rolling 24 h ("可以跨自然日"): pass such values if
the local plan uses them. Two episodes separated by fewer days than needed to
lift the alert count as one (2017 text); ``merge_gap_days`` (default 0) is the
data for that.

Rankings (air.md §3, 环办监测〔2018〕19号 and the 2017 change-ranking scheme):
areas ranked ascending by composite index (smaller is better), by change rate
(most negative = most improved first), or by any value (PM2.5 ascending, good
days ratio descending); equal *published* values share a rank (并列, competition
ranking 1, 2, 2, 4); areas without a valid value are listed as unranked with
the reason. In the "worsened" list, areas whose pollutants all meet the
secondary standard are left out.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from qingshan.standards.hj633 import round_gbt8170
from qingshan.standards.hj663 import ChangeRate, CompositeIndex, Statistic

LEVEL_ORDER = ("blue", "yellow", "orange", "red")
LEVEL_NAMES_ZH = MappingProxyType({"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"})


class AlertError(ValueError):
    """An alert series or rule set that cannot be evaluated."""


class RankingError(ValueError):
    """Ranking input that cannot be ranked."""


# --------------------------------------------------------------------------- rules as data


@dataclass(frozen=True)
class Clause:
    """Daily AQI above ``threshold`` (``at_least``: ≥ instead of >) on ``days`` consecutive days."""

    threshold: int
    days: int = 1
    at_least: bool = False

    def holds(self, aqi: int) -> bool:
        return aqi >= self.threshold if self.at_least else aqi > self.threshold

    def describe(self) -> str:
        op = "≥" if self.at_least else ">"
        return f"AQI {op} {self.threshold} for {self.days} day{'s' if self.days != 1 else ''}"

    def describe_zh(self) -> str:
        op = "达到" if self.at_least else ">"
        return f"日均AQI{op}{self.threshold}持续{self.days * 24}小时"


@dataclass(frozen=True)
class LevelRule:
    """A level is reached when any alternative holds; an alternative is clauses that all hold.

    The first clause of an alternative defines the episode (its run of days);
    the other clauses must hold on consecutive days inside that run.
    """

    level: str
    alternatives: tuple[tuple[Clause, ...], ...]


@dataclass(frozen=True)
class AlertRuleSet:
    code: str
    title: str
    source: str
    levels: tuple[LevelRule, ...]  # highest first
    merge_gap_days: int = 0
    verified: bool = True

    def __post_init__(self):
        for lr in self.levels:
            if lr.level not in LEVEL_ORDER:
                raise AlertError(f"unknown alert level {lr.level!r}; known: {', '.join(LEVEL_ORDER)}")
            if not lr.alternatives or any(not alt for alt in lr.alternatives):
                raise AlertError(f"level {lr.level} needs at least one non-empty alternative")
        ranks = [LEVEL_ORDER.index(lr.level) for lr in self.levels]
        if ranks != sorted(ranks, reverse=True):
            raise AlertError("levels must be listed highest first")


RULE_SETS: Mapping[str, AlertRuleSet] = MappingProxyType(
    {
        "2018": AlertRuleSet(
            "2018",
            "2017-2018 unified heavy-pollution alert criteria (four levels)",
            "环境保护部 2017-09-20 briefing; 环办大气函〔2018〕875号 (air.md §4)",
            (
                LevelRule("red", ((Clause(200, 4), Clause(300, 2)), (Clause(500, 1, at_least=True),))),
                LevelRule("orange", ((Clause(200, 3), Clause(300, 1)),)),
                LevelRule("yellow", ((Clause(200, 2),),)),
                LevelRule("blue", ((Clause(200, 1),),)),
            ),
        ),
        "2024": AlertRuleSet(
            "2024",
            "环大气〔2024〕6号 guidance (three levels)",
            "关于进一步优化重污染天气应对机制的指导意见, 2024-01-23 (air.md §4)",
            (
                LevelRule("red", ((Clause(200, 3), Clause(300, 1)),)),
                LevelRule("orange", ((Clause(200, 2),), (Clause(150, 3),))),
                LevelRule("yellow", ((Clause(200, 1),), (Clause(150, 2),))),
            ),
        ),
    }
)
DEFAULT_RULE_SET = "2024"


def rule_set(code: str | AlertRuleSet) -> AlertRuleSet:
    if isinstance(code, AlertRuleSet):
        return code
    try:
        return RULE_SETS[code]
    except (KeyError, TypeError):
        raise AlertError(f"unknown alert rule set {code!r}; known: {', '.join(RULE_SETS)}") from None


# --------------------------------------------------------------------------- evaluation


class Episode(NamedTuple):
    start: int  # index in the series
    days: int


class AlertDecision(NamedTuple):
    """The alert level a series calls for, and why."""

    level: str | None  # "blue" … "red", or None
    rule_set: str
    basis: str  # "forecast" | "observed"
    reason: str
    reason_zh: str
    episode: Episode | None  # the run that triggered the level
    start_date: datetime.date | None
    max_aqi: int | None
    clauses: tuple[Clause, ...]  # the alternative that matched

    @property
    def level_zh(self) -> str | None:
        return None if self.level is None else LEVEL_NAMES_ZH[self.level]


def _runs(series: Sequence[int | None], clause: Clause, lo: int, hi: int, gap: int) -> list[Episode]:
    """Runs of consecutive days in [lo, hi) on which the clause holds (gaps ≤ ``gap`` bridged)."""
    runs: list[Episode] = []
    start = None
    last = None
    for i in range(lo, hi):
        v = series[i]
        if v is not None and clause.holds(v):
            if start is None:
                start = i
            elif last is not None and i - last - 1 > gap:
                runs.append(Episode(start, last - start + 1))
                start = i
            last = i
    if start is not None and last is not None:
        runs.append(Episode(start, last - start + 1))
    return runs


def _match(series: Sequence[int | None], alt: tuple[Clause, ...], gap: int) -> Episode | None:
    base, rest = alt[0], alt[1:]
    for run in _runs(series, base, 0, len(series), gap):
        if run.days < base.days:
            continue
        if all(any(r.days >= c.days for r in _runs(series, c, run.start, run.start + run.days, 0)) for c in rest):
            return run
    return None


def _check_series(series: Iterable[Any]) -> list[int | None]:
    out: list[int | None] = []
    for i, v in enumerate(series):
        if v is None:
            out.append(None)
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise AlertError(f"daily AQI #{i} must be a non-negative integer or None, got {v!r}")
        out.append(v)
    return out


def evaluate_alert(
    series: Iterable[int | None],
    rules: str | AlertRuleSet = DEFAULT_RULE_SET,
    *,
    basis: str = "forecast",
    start: datetime.date | None = None,
) -> AlertDecision:
    """Alert level for a daily AQI series (day 0 first), highest level that matches.

    ``series``: forecast (or observed) daily AQI, one value per consecutive
    day; ``None`` for a day without a value. ``start``: the date of day 0
    (only used for ``start_date`` and the reason text).
    """
    rs = rule_set(rules)
    if basis not in ("forecast", "observed"):
        raise AlertError(f"basis must be 'forecast' or 'observed', got {basis!r}")
    values = _check_series(series)
    known = [v for v in values if v is not None]
    top = max(known) if known else None
    word = "forecast" if basis == "forecast" else "observed"
    word_zh = "预测" if basis == "forecast" else "实测"
    for lr in rs.levels:
        for alt in lr.alternatives:
            ep = _match(values, alt, rs.merge_gap_days)
            if ep is None:
                continue
            when = start + datetime.timedelta(days=ep.start) if start else None
            span = f"from {when}" if when else f"from day {ep.start}"
            conds = " and ".join(c.describe() for c in alt)
            conds_zh = "且".join(c.describe_zh() for c in alt)
            reason = (
                f"{lr.level} ({rs.code} rules): {word} daily AQI meets '{conds}' "
                f"over {ep.days} consecutive day{'s' if ep.days != 1 else ''} {span}, max AQI {top}"
            )
            reason_zh = (
                f"{word_zh}日均AQI满足“{conds_zh}”（连续{ep.days}天"
                + (f"，自{when:%Y年%m月%d日}起" if when else "")
                + f"，最高{top}），启动{LEVEL_NAMES_ZH[lr.level]}预警（{rs.code}规则）"
            )
            return AlertDecision(lr.level, rs.code, basis, reason, reason_zh, ep, when, top, alt)
    lowest = rs.levels[-1]
    need = " or ".join(" and ".join(c.describe() for c in alt) for alt in lowest.alternatives)
    reason = f"no alert ({rs.code} rules): {word} daily AQI does not meet the {lowest.level} criteria ({need})"
    if top is not None:
        reason += f"; max AQI {top}"
    reason_zh = f"{word_zh}日均AQI未达到{LEVEL_NAMES_ZH[lowest.level]}预警条件，无需预警"
    return AlertDecision(None, rs.code, basis, reason, reason_zh, None, None, top, ())


def daily_levels(
    series: Iterable[int | None], rules: str | AlertRuleSet = DEFAULT_RULE_SET, *, horizon: int = 3
) -> list[str | None]:
    """For each day i, the level of the next ``horizon`` days of the series from day i

    (e.g. an observed series replayed as if each day had a perfect 3-day
    forecast: a review of when alerts should have been issued and lifted).
    """
    values = _check_series(series)
    if horizon < 1:
        raise AlertError("horizon must be at least 1 day")
    return [evaluate_alert(values[i : i + horizon], rules).level for i in range(len(values))]


class AlertEpisode(NamedTuple):
    """A past heavy-pollution episode found in an observed daily AQI history."""

    start: datetime.date
    end: datetime.date  # last day of the run
    level: str
    rule_set: str
    reason: str
    reason_zh: str
    max_aqi: int


def episodes(
    history: Iterable[tuple[datetime.date, int | None]] | Mapping[datetime.date, int | None],
    rules: str | AlertRuleSet = DEFAULT_RULE_SET,
    *,
    basis: str = "observed",
) -> list[AlertEpisode]:
    """Episodes of an AQI history and the level each called for (review of observed data).

    ``history``: (date, daily AQI) pairs or a date -> AQI mapping; missing
    dates count as missing days. An episode is a maximal run of days above
    the lowest threshold of the rule set (e.g. 150 for "2024", 200 for
    "2018"); its level is :func:`evaluate_alert` of the run. Runs that reach
    no level are dropped.
    """
    rs = rule_set(rules)
    pairs = sorted(history.items() if isinstance(history, Mapping) else history, key=lambda p: p[0])
    if not pairs:
        return []
    first = pairs[0][0]
    if not isinstance(first, datetime.date):
        raise AlertError(f"history dates must be dates, got {first!r}")
    span = (pairs[-1][0] - first).days + 1
    values: list[int | None] = [None] * span
    for day, v in pairs:
        values[(day - first).days] = v
    values = _check_series(values)
    lowest = min(c.threshold for lr in rs.levels for alt in lr.alternatives for c in alt)
    trigger = Clause(lowest)
    out = []
    for run in _runs(values, trigger, 0, len(values), rs.merge_gap_days):
        chunk = values[run.start : run.start + run.days]
        start = first + datetime.timedelta(days=run.start)
        d = evaluate_alert(chunk, rs, basis=basis, start=start)
        if d.level is None:
            continue
        out.append(
            AlertEpisode(start, start + datetime.timedelta(days=run.days - 1), d.level, rs.code, d.reason, d.reason_zh, d.max_aqi)
        )
    return out


# --------------------------------------------------------------------------- rankings


class Ranked(NamedTuple):
    key: Hashable  # the area (county code, station …)
    rank: int  # 1 = best; equal published values share a rank
    tied: bool
    value: Decimal  # the published value that was compared
    exact: Fraction  # the exact value


class Ranking(NamedTuple):
    ranked: tuple[Ranked, ...]
    unranked: tuple[tuple[Hashable, str], ...]  # (key, reason)

    def rank_of(self, key: Hashable) -> int | None:
        for r in self.ranked:
            if r.key == key:
                return r.rank
        return None


def _published(value: Any, decimals: int | None) -> tuple[Decimal, Fraction]:
    """(published value, exact value) of a ranking input."""
    if isinstance(value, CompositeIndex):
        return (value.reported if decimals is None else round_gbt8170(value.total, decimals)), value.total
    if isinstance(value, ChangeRate):
        if value.rate is None:
            raise RankingError("change rate without a previous value")
        pct = value.rate * 100
        return (value.percent if decimals is None else round_gbt8170(pct, decimals)), pct
    if isinstance(value, Statistic):
        if value.value is None:
            raise RankingError("no value")
        return (value.reported if decimals is None else round_gbt8170(value.value, decimals)), Fraction(value.value)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, Fraction)):
        raise RankingError(f"cannot rank {value!r}")
    exact = Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)
    if decimals is not None:
        return round_gbt8170(exact, decimals), exact
    if exact.denominator == 1:
        return Decimal(exact.numerator), exact
    return Decimal(exact.numerator) / Decimal(exact.denominator), exact


def rank(
    values: Mapping[Hashable, Any] | Iterable[tuple[Hashable, Any]],
    *,
    descending: bool = False,
    decimals: int | None = None,
    exclude: Mapping[Hashable, str] | None = None,
) -> Ranking:
    """Competition ranking (1, 2, 2, 4) of areas by a value; equal published values tie (并列).

    ``values``: key -> value, where a value is a :class:`CompositeIndex`
    (compared at its published 2 decimals), a :class:`ChangeRate` (its
    published percent), a :class:`Statistic` (its reported value), a number,
    or ``None`` (unranked: no valid value). ``decimals`` overrides the
    comparison precision. ``exclude``: key -> reason, left out of the ranking.
    Areas with equal values are listed in key order.
    """
    items = values.items() if isinstance(values, Mapping) else values
    rows = []
    unranked: list[tuple[Hashable, str]] = []
    excl = dict(exclude or {})
    seen = set()
    for key, v in items:
        if key in seen:
            raise RankingError(f"area {key!r} given twice")
        seen.add(key)
        if key in excl:
            unranked.append((key, excl[key]))
            continue
        if v is None:
            unranked.append((key, "no valid value"))
            continue
        if isinstance(v, Statistic) and not v.valid:
            unranked.append((key, v.note or f"invalid: {v.count} of {v.required} required values"))
            continue
        try:
            pub, exact = _published(v, decimals)
        except RankingError as exc:
            unranked.append((key, str(exc)))
            continue
        rows.append((pub, str(key), key, exact))
    rows.sort(key=lambda r: (-r[0] if descending else r[0], r[1]))
    ranked = []
    counts: dict[Decimal, int] = {}
    for r in rows:
        counts[r[0]] = counts.get(r[0], 0) + 1
    prev = None
    current_rank = 0
    for i, (pub, _, key, exact) in enumerate(rows, start=1):
        if pub != prev:
            current_rank = i
            prev = pub
        ranked.append(Ranked(key, current_rank, counts[pub] > 1, pub, exact))
    return Ranking(tuple(ranked), tuple(unranked))


def rank_by_composite_index(indices: Mapping[Hashable, CompositeIndex | None], **kwargs: Any) -> Ranking:
    """Rank areas by composite index, ascending (1 = cleanest), ties at 2 decimals (air.md §3)."""
    bases = {v.basis.code for v in indices.values() if isinstance(v, CompositeIndex)}
    if len(bases) > 1:
        raise RankingError(f"composite indices on different bases cannot be ranked together: {sorted(bases)}")
    return rank(indices, **kwargs)


class ChangeRanking(NamedTuple):
    improved: Ranking  # ascending change rate: most improved (most negative) first
    worsened: Ranking  # descending change rate among areas that got worse, minus those meeting the standard


def rank_by_change_rate(
    changes: Mapping[Hashable, ChangeRate | None],
    *,
    meets_standard: Mapping[Hashable, bool] | None = None,
) -> ChangeRanking:
    """Rank by composite-index change rate versus the same period last year (2017 scheme).

    ``improved`` ranks every area with a change rate ascending (the most
    improved first). ``worsened`` ranks, descending, the areas whose index
    rose (rate > 0), leaving out those whose pollutants all meet the
    secondary standard in the period (``meets_standard[key]`` True).
    """
    improved = rank(changes)
    meets = meets_standard or {}
    worse: dict[Hashable, Any] = {}
    excluded: dict[Hashable, str] = {}
    for key, ch in changes.items():
        if ch is None or ch.rate is None or ch.rate <= 0:
            continue
        if meets.get(key):
            excluded[key] = "all pollutants meet the secondary standard"
        worse[key] = ch
    return ChangeRanking(improved, rank(worse, descending=True, exclude=excluded))


__all__ = [
    "AlertDecision",
    "AlertEpisode",
    "AlertError",
    "AlertRuleSet",
    "ChangeRanking",
    "Clause",
    "DEFAULT_RULE_SET",
    "Episode",
    "LevelRule",
    "RULE_SETS",
    "Ranked",
    "Ranking",
    "RankingError",
    "daily_levels",
    "episodes",
    "evaluate_alert",
    "rank",
    "rank_by_change_rate",
    "rank_by_composite_index",
    "rule_set",
]

