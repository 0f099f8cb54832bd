"""Surface water assessment per 《地表水环境质量评价办法（试行）》 (环办〔2011〕22号).

This module builds on the single-sample classes of :mod:`qingshan.standards.gb3838`.

* **Period values** (办法 §一(二) 数据统计). Samples of a week, ten days, month,
  quarter or year are averaged item by item, arithmetic mean (:func:`aggregate`).
  * pH is averaged through the hydrogen-ion concentration by default:
    pH̄ = −log10(mean(10^−pH)). This is the rule of the 2020 统计规定 (环办监测函〔2020〕82号,
    water.md §2.2). ``ph_mean="arithmetic"`` gives the older plain mean.
  * Values below the detection limit (``"0.05L"``) count as ``nd_factor`` × DL, ½ by default.
    UNVERIFIED (water.md §2.2).
  * Lakes and reservoirs: average over time per point first, then over the points (:func:`aggregate_lake`).
  * Minimum sample counts per period are reported as ``insufficient``, never enforced:
    :data:`MIN_SAMPLES` is UNVERIFIED.
* **Section class per period**: :func:`assess_period` = period values → GB 3838 class.
* **Shares** of sections in classes I–III (水质优良) and 劣V (:func:`class_shares`). Sections that are
  dry (断流) or frozen (冰冻) in the period are passed as ``None`` and left out of the count.
  * Percentages are shown with 1 decimal, rounded half to even (GB/T 8170). Example: 34/58 = 58.6 %.
  * Targets are compared with the **exact** fraction (:func:`check_targets`).
* **River and basin status** (河流、流域（水系）水质评价, 办法 §二(二)), :func:`assess_river`.
  * Fewer than 5 sections: average the item concentrations over the sections, then apply the
    single-factor rule.
  * 5 or more sections: the class-proportion table (:data:`PROPORTION_RULES`). Its 重度污染 row
    differs between sources; see the rule names there.
  * The river's main pollutants are the items with the highest share of sections worse than class III.
* **Drinking-water sources** (集中式生活饮用水地表水源地), :func:`assess_drinking_water_source`.
  * A source complies only if every item meets its limit: class III for the basic items,
    Table 2, and the caller's Table 3 limits.
  * :func:`drinking_water_compliance` gives the 水源达标率 and the 水量达标率.
* **Change** (办法 §三 水质变化趋势分析):
  * period against period by class proportions, ΔG − ΔD (:func:`compare_shares`);
  * by status level (:func:`compare_status`);
  * multi-period trend by Spearman rank correlation (:func:`spearman_trend`).
  * The thresholds and the critical values are UNVERIFIED data.
* **Trophic state** of lakes (综合营养状态指数 TLI, 中国环境监测总站 2004, which the 办法 adopts),
  :func:`trophic_state`.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from qingshan.standards import gb3838
from qingshan.standards.gb3838 import (
    RIVER,
    ROUTINE_ITEMS,
    TABLE1,
    TABLE2,
    LimitCheck,
    SectionResult,
    Status,
    WaterClass,
    WaterQualityError,
)


class AssessmentError(WaterQualityError):
    """Input the 2011 evaluation method cannot assess."""


# --------------------------------------------------------------------------- measurements

#: Non-detects are averaged as this fraction of the detection limit. UNVERIFIED (water.md §2.2).
ND_FACTOR = Decimal("0.5")

PH_MEAN_HYDROGEN = "hydrogen"
PH_MEAN_ARITHMETIC = "arithmetic"

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)

#: Minimum samples per period (办法 §一(二)). UNVERIFIED [M]: quarter ≥ 2; year ≥ 6 for
#: non-national sections (national sections sample monthly, 12 a year). Only reported.
MIN_SAMPLES: Mapping[str, int] = MappingProxyType({MONTH: 1, QUARTER: 2, YEAR: 6})


@dataclass(frozen=True)
class BelowDetection:
    """A result below the detection limit (未检出), written e.g. ``0.05L``."""

    detection_limit: Decimal

    def __str__(self) -> str:
        return f"{self.detection_limit}L"


_ND_PATTERNS = (
    re.compile(r"^(?P<dl>[0-9.]+(?:[eE][-+]?\d+)?)\s*[Ll]$"),
    re.compile(r"^[<＜]\s*(?P<dl>[0-9.]+(?:[eE][-+]?\d+)?)$"),
    re.compile(r"^(?:ND|nd|未检出)\s*[(（]\s*(?P<dl>[0-9.]+(?:[eE][-+]?\d+)?)\s*[)）]$"),
)
_MISSING_TEXT = {"", "/", "-", "—", "--", "NA", "N/A", "na", "null", "None"}


def parse_measurement(value: Any, key: str = "value") -> Decimal | BelowDetection | None:
    """Read one reported result.

    Accepted forms:
    * a number;
    * ``"0.05L"``, ``"<0.05"`` or ``"ND(0.05)"`` for a result below the detection limit;
    * ``None``, ``""`` or ``"/"`` for not measured, which returns ``None``.

    A bare ``"ND"`` without its detection limit is rejected.
    """
    if value is None or isinstance(value, BelowDetection):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text in _MISSING_TEXT:
            return None
        for pattern in _ND_PATTERNS:
            m = pattern.match(text)
            if m:
                return BelowDetection(gb3838.to_decimal(m.group("dl"), key))
        if text.upper() in {"ND", "未检出"}:
            raise AssessmentError(f"{key}: {value!r} has no detection limit; write it as e.g. '0.05L'")
        return gb3838.to_decimal(text, key)
    return gb3838.to_decimal(value, key)


def _numeric(key: str, v: Decimal | BelowDetection, nd_factor: Decimal) -> Decimal:
    return v.detection_limit * nd_factor if isinstance(v, BelowDetection) else v


def mean(key: str, values: Iterable[Any], *, ph_mean: str = PH_MEAN_HYDROGEN, nd_factor: Decimal = ND_FACTOR) -> Decimal:
    """Mean of one item's values (arithmetic; pH through [H⁺] unless ``ph_mean="arithmetic"``).

    ``None`` entries (not measured) are skipped. Non-detects count as ``nd_factor`` × DL.
    """
    nums = []
    for v in values:
        parsed = parse_measurement(v, key)
        if parsed is not None:
            nums.append(_numeric(key, parsed, nd_factor))
    if not nums:
        raise AssessmentError(f"{key}: no value to average")
    with localcontext() as ctx:
        ctx.prec = 28
        if key == "pH" and ph_mean == PH_MEAN_HYDROGEN:
            h = sum((Decimal(10) ** -v for v in nums), Decimal(0)) / len(nums)
            return -h.log10()
        if key == "pH" and ph_mean != PH_MEAN_ARITHMETIC:
            raise AssessmentError(f"ph_mean must be {PH_MEAN_HYDROGEN!r} or {PH_MEAN_ARITHMETIC!r}")
        return sum(nums, Decimal(0)) / len(nums)


@dataclass(frozen=True)
class PeriodValues:
    """Item values of a section over one period.

    * ``counts``: the number of values behind each mean.
    * ``below_detection``: how many of those values were non-detects.
    * ``insufficient``: items with fewer values than :data:`MIN_SAMPLES` requires for the period.
    """

    values: Mapping[str, Decimal]
    counts: Mapping[str, int]
    samples: int
    period: str | None = None
    below_detection: Mapping[str, int] = field(default_factory=dict)
    insufficient: tuple[str, ...] = ()


def _known(key: str) -> None:
    if key not in TABLE1 and key not in TABLE2:
        raise AssessmentError(f"unknown item {key!r}; known: {', '.join([*TABLE1, *TABLE2])}")


def aggregate(
    samples: Iterable[Mapping[str, Any]],
    *,
    period: str | None = None,
    ph_mean: str = PH_MEAN_HYDROGEN,
    nd_factor: Decimal = ND_FACTOR,
    min_samples: Mapping[str, int] | None = None,
    extra_items: Iterable[str] = (),
) -> PeriodValues:
    """Period value of each item: the mean of the samples that measured it (办法 §一(二)).

    ``samples`` holds one mapping per sampling, item key → value. Values may be numbers,
    ``"0.05L"`` style non-detects, or ``None``. ``period`` (month, quarter or year)
    only serves the sample-count check. ``extra_items`` allows keys beyond Tables 1 and 2,
    such as Table 3 items or chlorophyll a.
    """
    allowed_extra = set(extra_items)
    columns: dict[str, list] = {}
    n = 0
    for sample in samples:
        if not isinstance(sample, Mapping):
            raise AssessmentError("each sample must be a mapping of item key to value")
        n += 1
        for k, v in sample.items():
            if k not in allowed_extra:
                _known(k)
            parsed = parse_measurement(v, k)
            if parsed is not None:
                columns.setdefault(k, []).append(parsed)
    if n == 0:
        raise AssessmentError("no samples")
    values = {k: mean(k, vs, ph_mean=ph_mean, nd_factor=nd_factor) for k, vs in columns.items()}
    counts = {k: len(vs) for k, vs in columns.items()}
    nd = {k: sum(isinstance(v, BelowDetection) for v in vs) for k, vs in columns.items()}
    insufficient: tuple[str, ...] = ()
    if period is not None:
        if period not in PERIODS:
            raise AssessmentError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
        need = (MIN_SAMPLES if min_samples is None else min_samples).get(period, 1)
        insufficient = tuple(k for k, c in counts.items() if c < need)
    return PeriodValues(MappingProxyType(values), MappingProxyType(counts), n, period, MappingProxyType(nd), insufficient)


def aggregate_lake(points: Mapping[str, Iterable[Mapping[str, Any]]] | Iterable[Iterable[Mapping[str, Any]]], **kwargs) -> PeriodValues:
    """A lake or reservoir with several points: the time mean per point, then the mean over points (办法 §二(三)).

    ``points`` maps each point to its samples, or is a list of sample lists. The
    keyword arguments go to :func:`aggregate`. In the result, ``counts`` gives the number
    of points behind each value.
    """
    groups = list(points.values()) if isinstance(points, Mapping) else list(points)
    if not groups:
        raise AssessmentError("a lake needs at least one point")
    per_point = [aggregate(g, **kwargs) for g in groups]
    spatial = aggregate(
        [p.values for p in per_point],
        ph_mean=kwargs.get("ph_mean", PH_MEAN_HYDROGEN),
        extra_items=kwargs.get("extra_items", ()),
    )
    insufficient = tuple(sorted({k for p in per_point for k in p.insufficient}))
    nd = {k: sum(p.below_detection.get(k, 0) for p in per_point) for k in spatial.values}
    return PeriodValues(spatial.values, spatial.counts, sum(p.samples for p in per_point), kwargs.get("period"), MappingProxyType(nd), insufficient)


def period_key(day: datetime.date, period: str) -> tuple[int, ...]:
    """``(year,)``, ``(year, quarter)`` or ``(year, month)`` of a sampling date."""
    if period == YEAR:
        return (day.year,)
    if period == QUARTER:
        return (day.year, (day.month - 1) // 3 + 1)
    if period == MONTH:
        return (day.year, day.month)
    raise AssessmentError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")


def group_by_period(dated_samples: Iterable[tuple[datetime.date, Mapping[str, Any]]], period: str) -> dict[tuple[int, ...], list]:
    """Group ``(date, sample)`` pairs by :func:`period_key`, keys in time order."""
    out: dict[tuple[int, ...], list] = {}
    for day, sample in dated_samples:
        out.setdefault(period_key(day, period), []).append(sample)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class PeriodAssessment:
    period_values: PeriodValues
    section: SectionResult

    @property
    def water_class(self) -> WaterClass:
        return self.section.water_class

    @property
    def status(self) -> Status:
        return self.section.status


def assess_period(
    samples: Iterable[Mapping[str, Any]],
    waterbody: str = RIVER,
    *,
    period: str | None = None,
    ph_mean: str = PH_MEAN_HYDROGEN,
    nd_factor: Decimal = ND_FACTOR,
    rounding: bool = True,
    items: Iterable[str] | None = None,
    rule: gb3838.MainPollutantRule = gb3838.DEFAULT_MAIN_POLLUTANT_RULE,
) -> PeriodAssessment:
    """Section class over a period: averages the samples, then classes the means by the
    single-factor rule (办法 §一(二) and §二(一)1). The means are rounded before classing."""
    pv = aggregate(samples, period=period, ph_mean=ph_mean, nd_factor=nd_factor)
    table1 = {k: v for k, v in pv.values.items() if k in TABLE1}
    section = gb3838.classify(table1, waterbody, rounding=rounding, items=items, rule=rule)
    return PeriodAssessment(pv, section)


# --------------------------------------------------------------------------- shares and targets

#: decimals of published percentages (e.g. "58.6%"), rounded half to even
PERCENT_DECIMALS = 1


def percent(part: int | Fraction, whole: int | Fraction, decimals: int = PERCENT_DECIMALS) -> Decimal:
    """100 × part / whole, rounded half to even to ``decimals`` places, computed exactly."""
    if whole == 0:
        raise AssessmentError("percentage of zero")
    return fraction_to_decimal(Fraction(part) * 100 / Fraction(whole), decimals)


def fraction_to_decimal(value: Fraction, decimals: int) -> Decimal:
    """Exact half-to-even rounding of a fraction (no intermediate float or decimal)."""
    scaled = round(value * 10**decimals)  # Fraction.__round__ rounds half to even
    return Decimal(scaled).scaleb(-decimals)


@dataclass(frozen=True)
class ClassShares:
    """Section counts by class for one period.

    ``excluded`` counts the dry or frozen sections, which are left out of ``total``.
    """

    counts: Mapping[WaterClass, int]
    total: int
    excluded: int = 0

    @property
    def good(self) -> int:
        """Sections in classes I–III (水质优良)."""
        return sum(c for wc, c in self.counts.items() if wc <= WaterClass.III)

    @property
    def v_plus(self) -> int:
        """Sections in 劣V."""
        return self.counts.get(WaterClass.V_PLUS, 0)

    @property
    def good_ratio(self) -> Fraction:
        return Fraction(self.good, self.total) if self.total else Fraction(0)

    @property
    def v_plus_ratio(self) -> Fraction:
        return Fraction(self.v_plus, self.total) if self.total else Fraction(0)

    def good_percent(self, decimals: int = PERCENT_DECIMALS) -> Decimal:
        return percent(self.good, self.total, decimals)

    def v_plus_percent(self, decimals: int = PERCENT_DECIMALS) -> Decimal:
        return percent(self.v_plus, self.total, decimals)

    def class_percent(self, water_class: WaterClass | str, decimals: int = PERCENT_DECIMALS) -> Decimal:
        return percent(self.counts.get(WaterClass.parse(water_class), 0), self.total, decimals)

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": {wc.label: self.counts.get(wc, 0) for wc in WaterClass},
            "total": self.total,
            "excluded": self.excluded,
            "good": self.good,
            "v_plus": self.v_plus,
            "good_percent": self.good_percent() if self.total else None,
            "v_plus_percent": self.v_plus_percent() if self.total else None,
        }


def class_shares(classes: Iterable[WaterClass | str | int | None]) -> ClassShares:
    """Count sections by class. ``None`` marks a dry or frozen section, which is excluded."""
    counts = {wc: 0 for wc in WaterClass}
    excluded = 0
    for c in classes:
        if c is None:
            excluded += 1
        else:
            counts[WaterClass.parse(c)] += 1
    total = sum(counts.values())
    return ClassShares(MappingProxyType(counts), total, excluded)


@dataclass(frozen=True)
class TargetCheck:
    """Shares against targets.

    * ``good_shortfall``: how many more sections must reach I–III to meet the target.
    * ``v_plus_excess``: how many 劣V sections must improve to meet the target.
    """

    good_target: Decimal | None
    v_plus_target: Decimal | None
    good_met: bool | None
    v_plus_met: bool | None
    good_shortfall: int
    v_plus_excess: int

    @property
    def met(self) -> bool:
        return self.good_met is not False and self.v_plus_met is not False


def check_targets(shares: ClassShares, *, good_min: Any = None, v_plus_max: Any = None, compare: str = "exact") -> TargetCheck:
    """Compare the I–III share (≥ ``good_min`` %) and the 劣V share (≤ ``v_plus_max`` %) with targets.

    ``compare="exact"`` (the default) uses the exact fraction. ``"rounded"`` uses the
    published 1-decimal percentage instead, so 79.96 % counts as 80.0 %.
    """
    if shares.total == 0:
        raise AssessmentError("no assessed section")
    if compare not in ("exact", "rounded"):
        raise AssessmentError('compare must be "exact" or "rounded"')

    def pct(count: int) -> Fraction:
        return Fraction(percent(count, shares.total)) if compare == "rounded" else Fraction(count * 100, shares.total)

    g_t = None if good_min is None else gb3838.to_decimal(good_min, "good_min")
    v_t = None if v_plus_max is None else gb3838.to_decimal(v_plus_max, "v_plus_max")
    good_met = None if g_t is None else pct(shares.good) >= Fraction(g_t)
    v_met = None if v_t is None else pct(shares.v_plus) <= Fraction(v_t)
    shortfall = 0
    if g_t is not None:
        while shares.good + shortfall < shares.total and pct(shares.good + shortfall) < Fraction(g_t):
            shortfall += 1
    excess = 0
    if v_t is not None:
        while shares.v_plus - excess > 0 and pct(shares.v_plus - excess) > Fraction(v_t):
            excess += 1
    return TargetCheck(g_t, v_t, good_met, v_met, shortfall, excess)


# --------------------------------------------------------------------------- river / basin status


@dataclass(frozen=True)
class ProportionBand:
    """One row of the class-proportion table. Bounds in percent: ``*_min`` inclusive, ``*_below`` exclusive."""

    status: Status
    good_min: Fraction | None = None
    good_below: Fraction | None = None
    v_plus_min: Fraction | None = None
    v_plus_below: Fraction | None = None

    def matches(self, good: Fraction, v_plus: Fraction) -> bool:
        return (
            (self.good_min is None or good >= self.good_min)
            and (self.good_below is None or good < self.good_below)
            and (self.v_plus_min is None or v_plus >= self.v_plus_min)
            and (self.v_plus_below is None or v_plus < self.v_plus_below)
        )


@dataclass(frozen=True)
class ProportionRule:
    """The class-proportion table (断面水质类别比例法). The first matching band wins;
    if no band matches, ``fallback`` applies."""

    name: str
    bands: tuple[ProportionBand, ...]
    fallback: Status
    source: str = ""


def _band(status, good_min=None, good_below=None, v_plus_min=None, v_plus_below=None) -> ProportionBand:
    f = lambda x: None if x is None else Fraction(x)  # noqa: E731
    return ProportionBand(status, f(good_min), f(good_below), f(v_plus_min), f(v_plus_below))


#: The two readings of the 办法's table (water.md §2.4).
#:
#: * ``2011_lt75`` (default) — 重度污染 when I–III < 75 % and 劣V ≥ 40 %. This is the wording
#:   quoted by the Shenzhen EEB; it covers every case.
#: * ``2011_lt60`` — 重度污染 when I–III < 60 % and 劣V ≥ 40 %. This leaves exactly one case
#:   undefined: 60 % I–III with 40 % 劣V. It falls to ``fallback`` (重度污染).
#:
#: Since I–III + 劣V ≤ 100 %, the two readings differ only in that one case, and the fallback
#: makes them agree. A deployment can register a different rule.
PROPORTION_RULES: dict[str, ProportionRule] = {
    "2011_lt75": ProportionRule(
        "2011_lt75",
        (
            _band(Status.EXCELLENT, good_min=90),
            _band(Status.GOOD, good_min=75, good_below=90),
            _band(Status.SLIGHTLY_POLLUTED, good_below=75, v_plus_below=20),
            _band(Status.MODERATELY_POLLUTED, good_below=75, v_plus_min=20, v_plus_below=40),
            _band(Status.HEAVILY_POLLUTED, good_below=75, v_plus_min=40),
        ),
        Status.HEAVILY_POLLUTED,
        "环办〔2011〕22号 §二(二)2 as quoted by https://meeb.sz.gov.cn/hdjl/ywzsk/ggfwl/content/post_2027052.html",
    ),
    "2011_lt60": ProportionRule(
        "2011_lt60",
        (
            _band(Status.EXCELLENT, good_min=90),
            _band(Status.GOOD, good_min=75, good_below=90),
            _band(Status.SLIGHTLY_POLLUTED, good_below=75, v_plus_below=20),
            _band(Status.MODERATELY_POLLUTED, good_below=75, v_plus_min=20, v_plus_below=40),
            _band(Status.HEAVILY_POLLUTED, good_below=60, v_plus_min=40),
        ),
        Status.HEAVILY_POLLUTED,
        "环办〔2011〕22号 §二(二)2 as recalled in water.md §2.4 (UNVERIFIED)",
    ),
}
DEFAULT_PROPORTION_RULE = "2011_lt75"

#: the proportion method applies from this many sections ("5个（含5个）以上", water.md §2.4)
MIN_SECTIONS_FOR_PROPORTION = 5


def _rule(rule: str | ProportionRule) -> ProportionRule:
    if isinstance(rule, ProportionRule):
        return rule
    if rule not in PROPORTION_RULES:
        raise AssessmentError(f"unknown proportion rule {rule!r}; known: {', '.join(PROPORTION_RULES)}")
    return PROPORTION_RULES[rule]


def status_by_proportion(shares: ClassShares, rule: str | ProportionRule = DEFAULT_PROPORTION_RULE) -> Status:
    """Qualitative status of a river, basin or region from its class shares (办法 §二(二)2)."""
    if shares.total == 0:
        raise AssessmentError("no assessed section")
    r = _rule(rule)
    good, v_plus = shares.good_ratio * 100, shares.v_plus_ratio * 100
    for band in r.bands:
        if band.matches(good, v_plus):
            return band.status
    return r.fallback


@dataclass(frozen=True)
class RiverPollutant:
    """A main pollutant of a river: an item and the share of sections worse than class III."""

    item: str
    name: str
    exceeding_sections: int
    assessed_sections: int

    @property
    def exceedance_rate(self) -> Fraction:
        return Fraction(self.exceeding_sections, self.assessed_sections)

    def rate_percent(self, decimals: int = PERCENT_DECIMALS) -> Decimal:
        return percent(self.exceeding_sections, self.assessed_sections, decimals)


@dataclass(frozen=True)
class RiverAssessment:
    """Status of a river, basin or region over one period.

    * ``method``: ``"mean"`` (fewer than 5 sections) or ``"proportion"``.
    * ``water_class`` and ``mean_section``: set only by the mean method.
    * ``main_pollutants``:
      * mean method: the main pollutants of the mean values, one :class:`~gb3838.MainPollutant` each.
        Each section's own main pollutants are in ``sections``.
      * proportion method: :class:`RiverPollutant` entries, ranked by the share of
        sections worse than class III.
    """

    method: str
    status: Status
    shares: ClassShares
    sections: Mapping[str, SectionResult]
    water_class: WaterClass | None = None
    mean_section: SectionResult | None = None
    main_pollutants: tuple = ()
    rule: str | None = None


def river_main_pollutants(sections: Iterable[SectionResult], max_count: int = 3) -> tuple[RiverPollutant, ...]:
    """Items ranked by the share of sections worse than class III (断面超标率), 办法 §二(二)3.

    Only items that exceed somewhere are listed. Equal rates keep Table 1 order.
    """
    results = list(sections)
    order = {k: i for i, k in enumerate(TABLE1)}
    tally: dict[str, list[int]] = {}
    for s in results:
        for k, r in s.items.items():
            if not r.assessed or r.water_class is None:
                continue
            t = tally.setdefault(k, [0, 0])
            t[1] += 1
            if r.water_class > WaterClass.III:
                t[0] += 1
    found = [RiverPollutant(k, TABLE1[k].name, e, n) for k, (e, n) in tally.items() if e > 0]
    found.sort(key=lambda p: (-p.exceedance_rate, order[p.item]))
    return tuple(found[:max_count])


def assess_river(
    sections: Mapping[str, Mapping[str, Any] | None],
    waterbody: str = RIVER,
    *,
    rule: str | ProportionRule = DEFAULT_PROPORTION_RULE,
    min_sections: int = MIN_SECTIONS_FOR_PROPORTION,
    rounding: bool = True,
    ph_mean: str = PH_MEAN_HYDROGEN,
    max_main_pollutants: int = 3,
) -> RiverAssessment:
    """Water status of a river, basin (水系) or region, 办法 §二(二).

    ``sections`` maps each section name to its period values, item → value. ``None`` marks a
    section that was dry or frozen; it is excluded.

    * With fewer than ``min_sections`` sections, the item means over the sections are classed
      by the single-factor rule, and the status follows from that class.
    * Otherwise the class-proportion ``rule`` gives the status. Main pollutants are listed only
      when the status is worse than 良好, mirroring the section rule (an assumption, documented
      in docs/water.md).
    """
    wb = gb3838.waterbody_of(waterbody)
    results = {name: gb3838.classify(v, wb, rounding=rounding) for name, v in sections.items() if v is not None}
    excluded = sum(1 for v in sections.values() if v is None)
    if not results:
        raise AssessmentError("no section with data")
    shares = class_shares([r.water_class for r in results.values()] + [None] * excluded)
    if len(results) < min_sections:
        keys = [k for k in TABLE1 if any(v is not None and v.get(k) is not None for v in sections.values())]
        means = {k: mean(k, [v.get(k) for v in sections.values() if v is not None], ph_mean=ph_mean) for k in keys}
        mean_section = gb3838.classify(means, wb, rounding=rounding)
        return RiverAssessment(
            "mean", mean_section.status, shares, MappingProxyType(results), mean_section.water_class, mean_section, mean_section.main_pollutants
        )
    r = _rule(rule)
    status = status_by_proportion(shares, r)
    mains = river_main_pollutants(results.values(), max_main_pollutants) if status > Status.GOOD else ()
    return RiverAssessment("proportion", status, shares, MappingProxyType(results), main_pollutants=mains, rule=r.name)


# --------------------------------------------------------------------------- drinking water sources

#: Basic items evaluated for drinking-water sources: the 21 routine items without COD
#: ("按照20项基本指标进行水质类别评价", Hunan monthly report, water.md §2.7).
DRINKING_WATER_ITEMS: tuple[str, ...] = tuple(k for k in ROUTINE_ITEMS if k != "COD")


@dataclass(frozen=True)
class DrinkingWaterAssessment:
    """Compliance of one drinking-water source.

    * ``compliant``: True only if every evaluated item meets its limit.
    * ``exceedances``: the items that fail, each with its value, limit and multiple
      (超标指标及超标倍数).
    * ``section``: the class of the basic items, or None if no basic item was given.
    """

    compliant: bool
    exceedances: tuple[LimitCheck, ...]
    checks: tuple[LimitCheck, ...]
    section: SectionResult | None


def assess_drinking_water_source(
    values: Mapping[str, Any],
    waterbody: str = RIVER,
    *,
    extra_limits: Mapping[str, Any] | None = None,
    basic_items: Iterable[str] = DRINKING_WATER_ITEMS,
    rounding: bool = True,
) -> DrinkingWaterAssessment:
    """Compliance of a centralised drinking-water source (集中式生活饮用水地表水源地, water.md §2.7).

    * Basic items (Table 1, without COD by default) must meet class III. Water temperature,
      TN and fecal coliform are reference items only.
    * Table 2 items must meet their single limit.
    * Other items (Table 3 特定项目) must meet the limit given for them in ``extra_limits``.

    A key that has none of these limits is an error, so no item is silently left unassessed.
    """
    extra = {k: gb3838.to_decimal(v, k) for k, v in (extra_limits or {}).items()}
    basic = tuple(basic_items)
    t1 = {k: v for k, v in values.items() if k in TABLE1 and v is not None}
    t2 = {k: v for k, v in values.items() if k in TABLE2 and k not in extra}
    t3 = {k: v for k, v in values.items() if k not in TABLE1 and (k not in TABLE2 or k in extra)}
    unknown = [k for k in t3 if k not in extra]
    if unknown:
        raise AssessmentError(f"no limit for item(s) {', '.join(map(repr, unknown))}: pass them in extra_limits")
    checks: list[LimitCheck] = []
    section = None
    if any(k in basic for k in t1):
        section = gb3838.classify(t1, waterbody, rounding=rounding, items=basic)
        s3_wb = gb3838.waterbody_of(waterbody)
        for k, r in section.items.items():
            if not r.assessed:
                continue
            it = TABLE1[k]
            lim = None if it.direction == gb3838.RANGE else gb3838.limit(k, WaterClass.III, s3_wb)
            checks.append(LimitCheck(k, it.name, r.value, lim, r.water_class <= WaterClass.III, r.exceedance_multiple))
    checks.extend(gb3838.check_supplementary(t2))
    for k, raw in t3.items():
        if raw is None:
            continue
        v, s = gb3838.to_decimal(raw, k), extra[k]
        mult = None
        if v > s:
            with localcontext() as ctx:
                ctx.prec = 28
                mult = (v - s) / s
        checks.append(LimitCheck(k, TABLE2[k].name if k in TABLE2 else k, v, s, v <= s, mult))
    if not checks:
        raise AssessmentError("no item to assess")
    exceed = tuple(c for c in checks if not c.compliant)
    return DrinkingWaterAssessment(not exceed, exceed, tuple(checks), section)


@dataclass(frozen=True)
class DrinkingWaterRate:
    """水源达标率 (compliant sources / sources) and 水量达标率 (compliant volume / total volume)."""

    sources: int
    compliant_sources: int
    volume: Decimal | None
    compliant_volume: Decimal | None

    def source_rate(self, decimals: int = PERCENT_DECIMALS) -> Decimal:
        return percent(self.compliant_sources, self.sources, decimals)

    def volume_rate(self, decimals: int = PERCENT_DECIMALS) -> Decimal | None:
        if not self.volume:
            return None
        return percent(Fraction(self.compliant_volume), Fraction(self.volume), decimals)


def drinking_water_compliance(sources: Iterable[tuple[bool, Any] | bool | DrinkingWaterAssessment]) -> DrinkingWaterRate:
    """Compliance rates over sources. Each entry is one of:

    * ``(compliant, volume)``, where volume is the abstraction in any one unit (e.g. 万吨) or None;
    * a plain bool;
    * a :class:`DrinkingWaterAssessment`.

    The volume rate is given only when every source has a volume.
    """
    n = ok = 0
    vol = ok_vol = Decimal(0)
    all_volumes = True
    for entry in sources:
        if isinstance(entry, DrinkingWaterAssessment):
            compliant, volume = entry.compliant, None
        elif isinstance(entry, bool):
            compliant, volume = entry, None
        else:
            compliant, volume = entry
            if not isinstance(compliant, bool):
                raise AssessmentError("compliant must be True or False")
        n += 1
        ok += compliant
        if volume is None:
            all_volumes = False
        else:
            v = gb3838.to_decimal(volume, "volume")
            vol += v
            ok_vol += v if compliant else 0
    if n == 0:
        raise AssessmentError("no source")
    return DrinkingWaterRate(n, ok, vol if all_volumes else None, ok_vol if all_volumes else None)


# --------------------------------------------------------------------------- change and trend


class Change(enum.Enum):
    """Verdict of a change between two periods (办法 §三)."""

    NO_CHANGE = "no_significant_change"
    SLIGHTLY_BETTER = "slightly_better"
    SIGNIFICANTLY_BETTER = "significantly_better"
    SLIGHTLY_WORSE = "slightly_worse"
    SIGNIFICANTLY_WORSE = "significantly_worse"

    @property
    def label(self) -> str:
        return {
            "no_significant_change": "无明显变化",
            "slightly_better": "有所好转",
            "significantly_better": "明显好转",
            "slightly_worse": "有所变差",
            "significantly_worse": "明显变差",
        }[self.value]


#: |ΔG − ΔD| thresholds in percentage points: ≤ 10 no change, ≤ 20 有所, above 明显.
#: UNVERIFIED (water.md §2.8 [M]).
SHARE_CHANGE_THRESHOLDS = (Decimal(10), Decimal(20))


def _verdict(score: Fraction | int, slight: Fraction | int, significant: Fraction | int, *, strict: bool) -> Change:
    a = abs(score)
    if (a <= slight) if strict else (a < slight):
        return Change.NO_CHANGE
    better = score > 0
    if (a <= significant) if strict else (a < significant):
        return Change.SLIGHTLY_BETTER if better else Change.SLIGHTLY_WORSE
    return Change.SIGNIFICANTLY_BETTER if better else Change.SIGNIFICANTLY_WORSE


@dataclass(frozen=True)
class ShareChange:
    """Change of class proportions between two periods.

    * ``delta_good`` = ΔG, the change of the I–III share in percentage points.
    * ``delta_v_plus`` = ΔD, the change of the 劣V share in percentage points.
    * ``score`` = ΔG − ΔD. A positive score means the water improved.
    """

    delta_good: Fraction
    delta_v_plus: Fraction
    score: Fraction
    change: Change

    def points(self, value: Fraction, decimals: int = PERCENT_DECIMALS) -> Decimal:
        return fraction_to_decimal(value, decimals)


def compare_shares(before: ClassShares, after: ClassShares, thresholds: tuple[Any, Any] = SHARE_CHANGE_THRESHOLDS) -> ShareChange:
    """Period-to-period change by the class-proportion method, 办法 §三.

    Compares |ΔG − ΔD| with the thresholds: ≤ 10 → 无明显变化, ≤ 20 → 有所好转/变差,
    > 20 → 明显好转/变差. The sign of ΔG − ΔD gives the direction.
    """
    if before.total == 0 or after.total == 0:
        raise AssessmentError("both periods need assessed sections")
    dg = (after.good_ratio - before.good_ratio) * 100
    dd = (after.v_plus_ratio - before.v_plus_ratio) * 100
    score = dg - dd
    slight, significant = (Fraction(gb3838.to_decimal(t, "threshold")) for t in thresholds)
    return ShareChange(dg, dd, score, _verdict(score, slight, significant, strict=True))


def compare_status(before: Status | WaterClass | str, after: Status | WaterClass | str) -> Change:
    """Change by status level (办法 §三): same level → 无明显变化; one level → 有所好转/变差;
    two or more levels → 明显好转/变差. A section's class is first turned into its status."""

    def level(x) -> Status:
        if isinstance(x, Status):
            return x
        if isinstance(x, WaterClass):
            return x.status
        try:
            return Status.parse(x)
        except WaterQualityError:
            return WaterClass.parse(x).status

    diff = int(level(before)) - int(level(after))  # positive = better
    return _verdict(diff, 0, 1, strict=True)


#: Critical values W_p of Spearman's rank correlation (one-sided α = 0.05), by number of periods.
#: UNVERIFIED: the usual table of the monitoring handbooks. A count between two rows uses
#: the smaller row, which is the more conservative choice.
SPEARMAN_CRITICAL: Mapping[int, Decimal] = MappingProxyType(
    {
        4: Decimal("1.000"),
        5: Decimal("0.900"),
        6: Decimal("0.829"),
        7: Decimal("0.714"),
        8: Decimal("0.643"),
        9: Decimal("0.600"),
        10: Decimal("0.564"),
        12: Decimal("0.506"),
        14: Decimal("0.456"),
        16: Decimal("0.425"),
        18: Decimal("0.399"),
        20: Decimal("0.377"),
        22: Decimal("0.359"),
        24: Decimal("0.343"),
        26: Decimal("0.329"),
        28: Decimal("0.317"),
        30: Decimal("0.306"),
    }
)


@dataclass(frozen=True)
class SpearmanTrend:
    """Spearman trend of a series in time order.

    * ``rs``: the rank correlation between time and value.
    * ``direction``: ``"up"``, ``"down"`` or ``"none"`` when not significant.

    Whether "up" is better depends on the series: I–III shares rise when water improves,
    concentrations rise when it worsens.
    """

    rs: Decimal
    n: int
    critical: Decimal
    direction: str

    @property
    def significant(self) -> bool:
        return self.direction != "none"


def _ranks(values: Sequence[Fraction]) -> list[Fraction]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [Fraction(0)] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        avg = Fraction(i + j + 2, 2)
        for k in range(i, j + 1):
            ranks[order[k]] = avg
        i = j + 1
    return ranks


def spearman_trend(values: Sequence[Any], *, critical: Mapping[int, Any] = SPEARMAN_CRITICAL) -> SpearmanTrend:
    """Spearman rank correlation between period order and value (办法 §三; water.md §2.8).

    rs = 1 − 6 Σd² / (n(n² − 1)) when no two values tie. With ties, the Pearson correlation
    of the mid-ranks is used, which reduces to that formula without ties. The trend is
    significant when |rs| ≥ W_p.
    """
    nums = [Fraction(gb3838.to_decimal(v, "value")) for v in values]
    n = len(nums)
    table = {int(k): gb3838.to_decimal(v, "critical") for k, v in critical.items()}
    eligible = [k for k in table if k <= n]
    if not eligible:
        raise AssessmentError(f"Spearman trend needs at least {min(table)} periods, got {n}")
    wp = table[max(eligible)]
    ry = _ranks(nums)
    rx = [Fraction(i + 1) for i in range(n)]
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if syy == 0:
        rs = Decimal(0)
    else:
        with localcontext() as ctx:
            ctx.prec = 28
            num = Decimal(sxy.numerator) / Decimal(sxy.denominator)
            den = (Decimal(sxx.numerator) / Decimal(sxx.denominator) * Decimal(syy.numerator) / Decimal(syy.denominator)).sqrt()
            rs = num / den
    direction = "none"
    if abs(rs) >= wp:
        direction = "up" if rs > 0 else "down"
    return SpearmanTrend(rs, n, wp, direction)


# --------------------------------------------------------------------------- trophic state

#: Correlation r_ij of each parameter with chlorophyll a, used for the TLI weights (总站 2004)
TLI_CORRELATION: Mapping[str, Decimal] = MappingProxyType(
    {"chla": Decimal("1"), "TP": Decimal("0.84"), "TN": Decimal("0.82"), "SD": Decimal("-0.83"), "CODMn": Decimal("0.83")}
)
#: TLI(j) = 10 (a + b ln x); chla in mg/m³, SD in m, the others in mg/L
TLI_COEFFICIENTS: Mapping[str, tuple[Decimal, Decimal]] = MappingProxyType(
    {
        "chla": (Decimal("2.5"), Decimal("1.086")),
        "TP": (Decimal("9.436"), Decimal("1.624")),
        "TN": (Decimal("5.453"), Decimal("1.694")),
        "SD": (Decimal("5.118"), Decimal("-1.94")),
        "CODMn": (Decimal("0.109"), Decimal("2.661")),
    }
)
#: (upper bound inclusive, state); above the last bound: 重度富营养. < 30 is 贫营养 (strict).
TLI_STATES = (
    (Decimal(30), "贫营养", "oligotrophic"),
    (Decimal(50), "中营养", "mesotrophic"),
    (Decimal(60), "轻度富营养", "light_eutrophic"),
    (Decimal(70), "中度富营养", "middle_eutrophic"),
)


@dataclass(frozen=True)
class TrophicState:
    tli: Decimal
    components: Mapping[str, Decimal]
    weights: Mapping[str, Decimal]
    state: str
    state_en: str

    @property
    def eutrophic(self) -> bool:
        return self.tli > 50


def trophic_state(*, chla: Any, TP: Any, TN: Any, SD: Any, CODMn: Any) -> TrophicState:
    """Comprehensive trophic level index TLI(Σ) = Σ W_j · TLI(j) (《湖泊（水库）富营养化评价方法及
    分级技术规定》, 中国环境监测总站 2004; adopted by 办法 §一(一)2).

    The state bands use the rule text's bounds: < 30 贫营养; 30–50 中营养, both ends inclusive;
    (50, 60] 轻度富营养; (60, 70] 中度富营养; > 70 重度富营养.
    """
    raw = {"chla": chla, "TP": TP, "TN": TN, "SD": SD, "CODMn": CODMn}
    with localcontext() as ctx:
        ctx.prec = 28
        r2 = {k: r * r for k, r in TLI_CORRELATION.items()}
        total_r2 = sum(r2.values(), Decimal(0))
        weights = {k: v / total_r2 for k, v in r2.items()}
        comps = {}
        for k, v in raw.items():
            x = gb3838.to_decimal(v, k)
            if x == 0:
                raise AssessmentError(f"{k}: TLI needs a positive value (ln 0 is undefined)")
            a, b = TLI_COEFFICIENTS[k]
            comps[k] = 10 * (a + b * x.ln())
        tli = sum((weights[k] * comps[k] for k in comps), Decimal(0))
    state, state_en = trophic_state_label(tli)
    return TrophicState(tli, MappingProxyType(comps), MappingProxyType(weights), state, state_en)


def trophic_state_label(tli: Any) -> tuple[str, str]:
    """(Chinese, English) trophic state of a TLI(Σ) value; bands as in :data:`TLI_STATES`."""
    value = gb3838.to_decimal(tli, "TLI")
    if value < TLI_STATES[0][0]:
        return TLI_STATES[0][1], TLI_STATES[0][2]
    for bound, zh, en in TLI_STATES[1:]:
        if value <= bound:
            return zh, en
    return "重度富营养", "hyper_eutrophic"
