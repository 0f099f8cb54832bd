"""HJ 633 ambient air quality index (AQI): HJ 633—2012 and HJ 633—2026 rule sets.

HJ 633—2026 (with GB 3095—2026 and HJ 663—2026) replaced HJ 633—2012 on
**2026-03-01**. Both rule sets are implemented; :func:`rules_for` picks the one
in force on the date of the data (history before 2026-03-01 keeps the 2012
rules, so old bulletins are reproduced as published).

Formula (HJ 633—2012 §4.2 式1-2; HJ 633—2026 §4.2.4 式1-2)::

    IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo
    AQI    = max(IAQI_1, …, IAQI_n)

with BP_Lo ≤ C_P ≤ BP_Hi bracketing breakpoints of Table 1 (2012) / Table 3
(2026). The table is continuous, so at a breakpoint both segments agree.

Rounding:

* IAQI and AQI are rounded **up** to integers ("全部进位取整数", 2012 §6.2;
  "全部向上进位取整数", 2026 §4.2.6). Arithmetic is exact integer arithmetic:
  PM2.5 75 µg/m³ gives exactly 100 under 2012, never 101.
* 2026 only: concentrations are first rounded per GB/T 8170 (µg/m³ to
  integers, CO mg/m³ to 0.1; round half to even on an exact 5), §4.2.2-4.2.3:
  a daily PM2.5 mean of 60.5 → 60 → IAQI 100 (良). HJ 633—2012 has no such
  clause, so the 2012 rule set indexes the value as given (data, see
  :attr:`RuleSet.round_concentrations`).

Reports (2012 §5.1.2-5.1.3, Tables 3-4; 2026 §4.2.2-4.2.3, Tables 4-5):

* daily 2012: SO2, NO2, PM10, CO, PM2.5 24-h means, O3 daily max 1-h, O3 daily
  max 8-h (7 indicators); daily 2026: the same without O3 1-h (6 indicators).
* hourly (real-time): SO2, NO2, CO, O3, PM10, PM2.5 1-h values; PM 1-h values
  are indexed with the daily (24-h) breakpoints (2026 §4.2.4). HJ 633—2012
  Table 4 literally indexes the PM 24-h moving averages and O3 8-h, but the
  national platform has always published the 1-h practice (air.md §1.4:
  145-147/147 stations reproduced); the 2012 rule set follows the practice.

Special rules: SO2 1-h > 800 µg/m³ — 2012: report the SO2 IAQI of the 24-h
value (Table 1 note 2), 2026: IAQI = 200 (Table 3 note b). O3 8-h > 800 — 2012:
report the O3 IAQI of the 1-h value (note 3), 2026: IAQI = 300 (note c).

Primary pollutant (首要污染物): when AQI > 50, the pollutant(s) with the
largest IAQI; ties give several (2012 §3.3, §4.4.2; 2026 §3.3, §4.3.1).
Exceeding pollutant (超标污染物, IAQI > 100): 2012 §3.4 only (deleted in 2026).

Above the table: neither edition defines an IAQI above 500. A concentration
above the top breakpoint is reported as IAQI **500** and listed in
:attr:`AQIResult.above_table` (platform policy, air.md §1.8); never extrapolated.

Missing data (2026 §5.3, Tables 4-5 notes): a missing/invalid indicator is
``None``/``"NA"`` (NaN too); an indicator not in the monitoring plan is ``"/"``.
With missing indicators the AQI of the rest is published only if it is > 100
(§5.3.1), otherwise AQI, level, category and primary pollutant are NA
(``None``). ``"/"`` does not affect publication when the pollutant passed the
3-year history test of §5.3.2 (the caller's knowledge: ``history_clear``).
HJ 633—2012 is silent; the 2012 rule set blanks the AQI whenever an indicator
is missing (CNEMC practice in 2022, air.md §1.6) — data, see
:attr:`RuleSet.publish_with_missing_above`.

Pure: no Django, no I/O. All tables are module-level data; a deployment can
derive its own :class:`RuleSet` with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

# --------------------------------------------------------------------------- names

STANDARD_2012 = "2012"
STANDARD_2026 = "2026"
STANDARDS = (STANDARD_2012, STANDARD_2026)
#: first day of HJ 633—2026 / GB 3095—2026 / HJ 663—2026 (2026 cover pages)
SWITCH_DATE = datetime.date(2026, 3, 1)

DAILY = "daily"
HOURLY = "hourly"
REPORTS = (DAILY, HOURLY)

#: HJ 633 Table 1 column order; also the order of several primary pollutants
POLLUTANTS = ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")

POLLUTANT_NAMES_ZH = MappingProxyType(
    {
        "SO2": "二氧化硫",
        "NO2": "二氧化氮",
        "PM10": "颗粒物(PM10)",
        "CO": "一氧化碳",
        "O3": "臭氧",
        "PM2.5": "细颗粒物(PM2.5)",
    }
)

#: reporting precision (decimals) per GB/T 8170, HJ 633—2026 §4.2.2: µg/m³ → 0, CO mg/m³ → 1
DECIMALS = MappingProxyType({"SO2": 0, "NO2": 0, "PM10": 0, "CO": 1, "O3": 0, "PM2.5": 0})

#: indicator key -> (pollutant, averaging)
INDICATORS = MappingProxyType(
    {
        "SO2_24h": ("SO2", "24h"),
        "SO2_1h": ("SO2", "1h"),
        "NO2_24h": ("NO2", "24h"),
        "NO2_1h": ("NO2", "1h"),
        "PM10_24h": ("PM10", "24h"),
        "PM10_1h": ("PM10", "1h"),
        "CO_24h": ("CO", "24h"),
        "CO_1h": ("CO", "1h"),
        "O3_1h": ("O3", "1h"),
        "O3_8h": ("O3", "8h"),
        "PM2.5_24h": ("PM2.5", "24h"),
        "PM2.5_1h": ("PM2.5", "1h"),
    }
)

#: markers of HJ 633—2026 Tables 4-5 notes
NA = "NA"  # missing or invalid
NOT_MONITORED = "/"  # not in the monitoring plan

# --------------------------------------------------------------------------- tables

#: IAQI at the breakpoints (HJ 633—2012 Table 1, HJ 633—2026 Table 3, first column)
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)

#: HJ 633—2012 Table 1: concentration at each IAQI step (µg/m³; CO mg/m³).
#: SO2 1-h ends at 800 (note 2) and O3 8-h at 800 (note 3).
BREAKPOINTS_2012 = MappingProxyType(
    {
        "SO2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
        "SO2_1h": (0, 150, 500, 650, 800),
        "NO2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
        "NO2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
        "PM10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
        "CO_24h": (0, 2, 4, 14, 24, 36, 48, 60),
        "CO_1h": (0, 5, 10, 35, 60, 90, 120, 150),
        "O3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
        "O3_8h": (0, 100, 160, 215, 265, 800),
        "PM2.5_24h": (0, 35, 75, 115, 150, 250, 350, 500),
    }
)

#: HJ 633—2026 Table 3 (only PM10 and PM2.5 at IAQI 100 changed: 150→120, 75→60).
BREAKPOINTS_2026 = MappingProxyType(
    {
        **BREAKPOINTS_2012,
        "PM10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
        "PM2.5_24h": (0, 35, 60, 115, 150, 250, 350, 500),
    }
)


@dataclass(frozen=True)
class Level:
    """One row of HJ 633—2012 Table 2 / HJ 633—2026 Table 1 and Appendix A Table A.1."""

    level: int
    upper: int | None  # highest AQI of the level; None = no upper bound
    label_zh: str  # 级别
    category: str  # 类别
    category_en: str
    colour_zh: str
    rgb: tuple[int, int, int]
    cmyk: tuple[int, int, int, int]

    @property
    def hex(self) -> str:
        return "#%02X%02X%02X" % self.rgb


LEVELS: tuple[Level, ...] = (
    Level(1, 50, "一级", "优", "excellent", "绿色", (0, 228, 0), (40, 0, 100, 0)),
    Level(2, 100, "二级", "良", "good", "黄色", (255, 255, 0), (0, 0, 100, 0)),
    Level(3, 150, "三级", "轻度污染", "lightly polluted", "橙色", (255, 126, 0), (0, 52, 100, 0)),
    Level(4, 200, "四级", "中度污染", "moderately polluted", "红色", (255, 0, 0), (0, 100, 100, 0)),
    Level(5, 300, "五级", "重度污染", "heavily polluted", "紫色", (153, 0, 76), (10, 100, 40, 30)),
    Level(6, None, "六级", "严重污染", "severely polluted", "褐红色", (126, 0, 35), (30, 100, 100, 30)),
)
CATEGORIES = tuple(lv.category for lv in LEVELS)

#: HJ 633—2012 Table 2: health effects and advice per level (对健康影响情况, 建议采取的措施)
HEALTH_2012 = MappingProxyType(
    {
        1: ("空气质量令人满意，基本无空气污染", "各类人群可正常活动"),
        2: ("空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响", "极少数异常敏感人群应减少户外活动"),
        3: (
            "易感人群症状有轻度加剧，健康人群出现刺激症状",
            "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        ),
        4: (
            "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
            "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
        ),
        5: (
            "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
            "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        ),
        6: (
            "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
            "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
        ),
    }
)

#: HJ 633—2026 Table 1 health text. UNVERIFIED: the 2026 wording was not transcribed
#: (air.md §1.7 only says it now names 敏感人群 and 青少年儿童、老年人及心血管系统疾病、
#: 呼吸系统疾病患者); the 2012 text is used until a deployment supplies the 2026 text.
HEALTH_2026 = HEALTH_2012

#: HJ 633—2026 Table 2: sensitive groups of a pollutant whose IAQI > 100
SENSITIVE_GROUPS_2026 = MappingProxyType(
    {
        "SO2": "患有哮喘的人、青少年儿童以及老年人",
        "NO2": "患有呼吸系统疾病（如哮喘）的人、青少年儿童以及老年人",
        "CO": "患有心血管系统疾病的人",
        "O3": "患有呼吸系统疾病（如哮喘）的人、青少年儿童、户外活动频繁的人以及老年人",
        "PM10": "患有心血管系统疾病或呼吸系统疾病（如哮喘）的人、青少年儿童、户外活动频繁的人以及老年人",
        "PM2.5": "患有心血管系统疾病或呼吸系统疾病（如哮喘）的人、青少年儿童、户外活动频繁的人以及老年人",
    }
)


# --------------------------------------------------------------------------- errors


class AQIError(ValueError):
    """Input HJ 633 cannot index (the message says what and why)."""


class InvalidConcentration(AQIError):
    """A concentration that is not a finite, non-negative number."""


class UnknownIndicator(AQIError):
    """An indicator key that the rule set and report do not know."""


# --------------------------------------------------------------------------- exact numbers


def _ratio(value: Any, what: str = "concentration") -> tuple[int, int]:
    """Exact ``(numerator, denominator)`` of a concentration, read as the decimal it prints as.

    A float is taken at its shortest decimal representation (``2.45`` is
    2.45, not the binary 2.4500000000000001776…), which is what the user typed
    and what GB/T 8170 rounds. Raises :class:`InvalidConcentration`.
    """
    t = type(value)
    if t is int:
        if value < 0:
            raise InvalidConcentration(f"{what} must not be negative, got {value!r}")
        return value, 1
    if t is float or (isinstance(value, float) and t is not bool):
        value = float(value)
        if not math.isfinite(value):
            raise InvalidConcentration(f"{what} must be a finite number, got {value!r}")
        if value < 0:
            raise InvalidConcentration(f"{what} must not be negative, got {value!r}")
        if value.is_integer():
            return int(value), 1
        for scale in (10, 100, 1000):  # fast path for up to 3 decimals
            r = round(value * scale)
            if r / scale == value:
                return r, scale
        return Decimal(repr(value)).as_integer_ratio()
    if t is bool or value is None:
        raise InvalidConcentration(f"{what} must be a number, got {value!r}")
    if isinstance(value, int):
        return _ratio(int(value), what)
    if isinstance(value, Fraction):
        n, d = value.numerator, value.denominator
    elif isinstance(value, (Decimal, str)):
        try:
            dec = Decimal(value.strip()) if isinstance(value, str) else value
        except InvalidOperation:
            raise InvalidConcentration(f"{what} must be a number, got {value!r}") from None
        if not dec.is_finite():
            raise InvalidConcentration(f"{what} must be a finite number, got {value!r}")
        n, d = dec.as_integer_ratio()
    else:
        try:
            n, d = Fraction(value).as_integer_ratio()
        except (TypeError, ValueError):
            raise InvalidConcentration(f"{what} must be a number, got {type(value).__name__} {value!r}") from None
    if n < 0:
        raise InvalidConcentration(f"{what} must not be negative, got {value!r}")
    return n, d


def _half_even(n: int, d: int) -> int:
    """GB/T 8170 rounding of n/d (n ≥ 0, d > 0) to an integer: exact 5 → even."""
    q, r = divmod(n, d)
    twice = 2 * r
    if twice > d or (twice == d and q & 1):
        return q + 1
    return q


def round_gbt8170(value: Any, decimals: int = 0) -> Decimal:
    """Round per GB/T 8170-2008 §3.3 ("四舍六入五成双"): an exact 5 rounds to even.

    ``round_gbt8170(60.5) == 60``, ``round_gbt8170(61.5) == 62``,
    ``round_gbt8170(60.51) == 61``, ``round_gbt8170(2.45, 1) == Decimal("2.4")``.
    Negative values round symmetrically.
    """
    neg = False
    if isinstance(value, (int, float, Decimal, Fraction)) and not isinstance(value, bool) and value < 0:
        neg, value = True, -value
    n, d = _ratio(value, "value")
    q = _half_even(n * 10**decimals, d)
    out = Decimal(q).scaleb(-decimals)
    return -out if neg else out


# --------------------------------------------------------------------------- segments


class _Segments:
    """Precomputed breakpoints of one indicator, scaled to integers (CO in 0.1 mg/m³)."""

    __slots__ = ("indicator", "pollutant", "scale", "bps", "steps", "top", "_table")

    def __init__(self, indicator: str, breakpoints: tuple[int, ...]):
        pollutant = INDICATORS[indicator][0]
        self.indicator = indicator
        self.pollutant = pollutant
        self.scale = 10 ** DECIMALS[pollutant]
        self.bps = tuple(b * self.scale for b in breakpoints)
        self.steps = IAQI_STEPS[: len(breakpoints)]
        if list(self.bps) != sorted(set(self.bps)) or self.bps[0] != 0:
            raise ValueError(f"breakpoints of {indicator} must start at 0 and increase: {breakpoints}")
        self.top = self.bps[-1]
        self._table: list[int] | None = None

    def exact(self, n: int, d: int) -> Fraction | None:
        """Unrounded IAQI of the scaled concentration n/d; None above the top."""
        bps, steps = self.bps, self.steps
        for i in range(1, len(bps)):
            if n <= bps[i] * d:
                lo, hi = bps[i - 1], bps[i]
                return steps[i - 1] + Fraction((steps[i] - steps[i - 1]) * (n - lo * d), (hi - lo) * d)
        return None

    def ceil(self, n: int, d: int) -> int:
        """IAQI rounded up of the scaled concentration n/d; -1 above the top."""
        if d == 1:
            if n <= self.top:
                table = self._table
                if table is None:
                    table = self._table = [self._ceil(c, 1) for c in range(self.top + 1)]
                return table[n]
            return -1
        return self._ceil(n, d)

    def _ceil(self, n: int, d: int) -> int:
        bps, steps = self.bps, self.steps
        for i in range(1, len(bps)):
            if n <= bps[i] * d:
                lo = bps[i - 1]
                return steps[i - 1] - (-(steps[i] - steps[i - 1]) * (n - lo * d) // ((bps[i] - lo) * d))
        return -1


# --------------------------------------------------------------------------- rule sets


@dataclass(frozen=True)
class SpecialRule:
    """What to do when an indicator exceeds ``threshold`` (HJ 633 Table 1/3 notes)."""

    threshold: int
    iaqi: int | None = None  # fixed IAQI (2026)
    use: str | None = None  # substitute indicator (2012)
    clause: str = ""


@dataclass(frozen=True, eq=False)  # identity: holds mappings
class RuleSet:
    """Everything that differs between HJ 633 editions; tables are data.

    ``ignored`` maps (report, indicator) to the reason an indicator that
    belongs to the other edition's report is accepted but not indexed, so the
    same input works under both editions (e.g. O3 1-h in a 2026 daily report).
    """

    code: str
    title: str
    effective_from: datetime.date | None
    effective_until: datetime.date | None  # inclusive
    breakpoints: Mapping[str, tuple[int, ...]]
    #: indicator key -> table used (PM 1-h values use the 24-h columns)
    table_of: Mapping[str, str]
    daily_indicators: tuple[str, ...]
    hourly_indicators: tuple[str, ...]
    auxiliary: Mapping[str, tuple[str, ...]]  # report -> accepted helper inputs (not indexed themselves)
    ignored: Mapping[tuple[str, str], str]
    special: Mapping[str, SpecialRule]
    round_concentrations: bool
    exceeding_pollutants: bool
    #: with a missing (NA) indicator, publish the AQI of the rest only if above this; None = never
    publish_with_missing_above: int | None
    aqi_min: int  # lowest AQI reported (2026 states the range 1～500; 0 kept, air.md §1.7)
    level_one_range: str
    health: Mapping[int, tuple[str, str]]
    sensitive_groups: Mapping[str, str] | None
    clauses: Mapping[str, str] = field(default_factory=dict)
    _segments: Mapping[str, _Segments] = field(init=False, repr=False, compare=False)
    _plans: dict[str, dict[str, tuple[str, _Segments, SpecialRule | None]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self):
        # an indicator whose table is another's (PM 1-h) is indexed on that table
        segs = {key: _Segments(key, self.breakpoints[table]) for key, table in self.table_of.items()}
        object.__setattr__(self, "_segments", MappingProxyType(segs))
        plans = {
            report: {k: (k, segs[k], self.special.get(k)) for k in self.indicators(report)} for report in REPORTS
        }
        object.__setattr__(self, "_plans", plans)

    def __repr__(self) -> str:
        return f"RuleSet({self.code!r}, {self.title!r})"

    def indicators(self, report: str) -> tuple[str, ...]:
        if report == DAILY:
            return self.daily_indicators
        if report == HOURLY:
            return self.hourly_indicators
        raise AQIError(f"report must be 'daily' or 'hourly', got {report!r}")

    def segments(self, indicator: str) -> _Segments:
        try:
            return self._segments[indicator]
        except KeyError:
            raise UnknownIndicator(f"{self.title} has no breakpoints for {indicator!r}") from None

    def applies_to(self, day: datetime.date) -> bool:
        return (self.effective_from is None or day >= self.effective_from) and (
            self.effective_until is None or day <= self.effective_until
        )


_TABLE_OF = MappingProxyType(
    {
        "SO2_24h": "SO2_24h",
        "SO2_1h": "SO2_1h",
        "NO2_24h": "NO2_24h",
        "NO2_1h": "NO2_1h",
        "PM10_24h": "PM10_24h",
        "PM10_1h": "PM10_24h",
        "CO_24h": "CO_24h",
        "CO_1h": "CO_1h",
        "O3_1h": "O3_1h",
        "O3_8h": "O3_8h",
        "PM2.5_24h": "PM2.5_24h",
        "PM2.5_1h": "PM2.5_24h",
    }
)

RULES_2012 = RuleSet(
    code=STANDARD_2012,
    title="HJ 633—2012",
    effective_from=None,
    effective_until=SWITCH_DATE - datetime.timedelta(days=1),
    breakpoints=BREAKPOINTS_2012,
    table_of=_TABLE_OF,
    daily_indicators=("SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_1h", "O3_8h", "PM2.5_24h"),
    hourly_indicators=("SO2_1h", "NO2_1h", "PM10_1h", "CO_1h", "O3_1h", "PM2.5_1h"),
    auxiliary=MappingProxyType({HOURLY: ("SO2_24h",), DAILY: ()}),
    ignored=MappingProxyType(
        {
            (HOURLY, "O3_8h"): "not part of the published hourly AQI (HJ 633—2012 Table 4 as practised, air.md §1.4)",
            (HOURLY, "PM10_24h"): "hourly AQI indexes PM10 1-h (national practice, air.md §1.4)",
            (HOURLY, "PM2.5_24h"): "hourly AQI indexes PM2.5 1-h (national practice, air.md §1.4)",
        }
    ),
    special=MappingProxyType(
        {
            "SO2_1h": SpecialRule(800, use="SO2_24h", clause="HJ 633—2012 Table 1 note (2)"),
            "O3_8h": SpecialRule(800, use="O3_1h", clause="HJ 633—2012 Table 1 note (3)"),
        }
    ),
    round_concentrations=False,
    exceeding_pollutants=True,
    publish_with_missing_above=None,
    aqi_min=0,
    level_one_range="0～50",
    health=HEALTH_2012,
    sensitive_groups=None,
    clauses=MappingProxyType(
        {
            "formula": "HJ 633—2012 §4.2 (式1), §4.4.1 (式2)",
            "table": "HJ 633—2012 Table 1",
            "levels": "HJ 633—2012 Table 2, Appendix A",
            "rounding": "HJ 633—2012 §6.2",
            "primary": "HJ 633—2012 §3.3, §4.4.2",
            "exceeding": "HJ 633—2012 §3.4, §4.4.2",
            "daily": "HJ 633—2012 §5.1.2, Table 3",
            "hourly": "HJ 633—2012 §5.1.3, Table 4 (1-h PM as practised)",
        }
    ),
)

RULES_2026 = RuleSet(
    code=STANDARD_2026,
    title="HJ 633—2026",
    effective_from=SWITCH_DATE,
    effective_until=None,
    breakpoints=BREAKPOINTS_2026,
    table_of=_TABLE_OF,
    daily_indicators=("SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_8h", "PM2.5_24h"),
    hourly_indicators=("SO2_1h", "NO2_1h", "PM10_1h", "CO_1h", "O3_1h", "PM2.5_1h"),
    auxiliary=MappingProxyType({HOURLY: (), DAILY: ()}),
    ignored=MappingProxyType(
        {
            (DAILY, "O3_1h"): "HJ 633—2026 §4.2.2: the daily report has 6 indicators, no O3 1-h",
            (HOURLY, "SO2_24h"): "HJ 633—2026 Table 3 note b: SO2 1-h > 800 counts as IAQI 200, no 24-h substitute",
            (HOURLY, "O3_8h"): "HJ 633—2026 §4.2.3: the hourly report has 6 one-hour indicators",
            (HOURLY, "PM10_24h"): "HJ 633—2026 §4.2.3: the hourly report indexes PM10 1-h",
            (HOURLY, "PM2.5_24h"): "HJ 633—2026 §4.2.3: the hourly report indexes PM2.5 1-h",
        }
    ),
    special=MappingProxyType(
        {
            "SO2_1h": SpecialRule(800, iaqi=200, clause="HJ 633—2026 Table 3 note b"),
            "O3_8h": SpecialRule(800, iaqi=300, clause="HJ 633—2026 Table 3 note c"),
        }
    ),
    round_concentrations=True,
    exceeding_pollutants=False,
    publish_with_missing_above=100,
    aqi_min=0,
    level_one_range="1～50",
    health=HEALTH_2026,
    sensitive_groups=SENSITIVE_GROUPS_2026,
    clauses=MappingProxyType(
        {
            "formula": "HJ 633—2026 §4.2.4 (式1, 式2)",
            "table": "HJ 633—2026 Table 3",
            "levels": "HJ 633—2026 Table 1, Appendix A",
            "rounding": "HJ 633—2026 §4.2.6; concentrations GB/T 8170 per §4.2.2-4.2.3",
            "primary": "HJ 633—2026 §3.3, §4.3.1",
            "missing": "HJ 633—2026 §5.3, Tables 4-5 notes",
            "daily": "HJ 633—2026 §4.2.2, Table 4",
            "hourly": "HJ 633—2026 §4.2.3-4.2.4, Table 5",
        }
    ),
)

RULE_SETS = MappingProxyType({STANDARD_2012: RULES_2012, STANDARD_2026: RULES_2026})


def rules_for(day: datetime.date | datetime.datetime | str | RuleSet | None = None) -> RuleSet:
    """The rule set for a date of data (or a standard code "2012"/"2026", or a RuleSet).

    ``None`` gives the current rules (2026). A ``datetime`` uses its date: pass
    the *start* of an hour, or use :func:`rules_for_hour_ending` for the
    hour-ending timestamps of HJ 212 / CNEMC data (the hour ending 2026-03-01
    00:00 belongs to 2026-02-28).
    """
    if day is None:
        return RULES_2026
    if isinstance(day, RuleSet):
        return day
    if isinstance(day, str):
        try:
            return RULE_SETS[day.strip().removeprefix("HJ633-").removeprefix("HJ 633-")]
        except KeyError:
            raise AQIError(f"unknown standard {day!r}; use one of {', '.join(STANDARDS)} or a date") from None
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not isinstance(day, datetime.date):
        raise AQIError(f"expected a date, a standard code or a RuleSet, got {day!r}")
    return RULES_2012 if day < SWITCH_DATE else RULES_2026


def rules_for_hour_ending(end: datetime.datetime) -> RuleSet:
    """Rule set of the hour that *ends* at ``end`` (hour-ending timestamps)."""
    return rules_for(end - datetime.timedelta(hours=1))


# --------------------------------------------------------------------------- levels


def level_of(aqi: int) -> Level:
    """The level row (1…6) of an AQI value (HJ 633—2012 Table 2; HJ 633—2026 Table 1)."""
    if isinstance(aqi, bool) or not isinstance(aqi, int) or aqi < 0:
        raise AQIError(f"AQI must be a non-negative integer, got {aqi!r}")
    for lv in LEVELS:
        if lv.upper is None or aqi <= lv.upper:
            return lv
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- sub-index


@dataclass(frozen=True, slots=True)
class SubIndex:
    """The IAQI of one indicator, with the concentration used and the rule applied."""

    indicator: str
    concentration: Decimal  # as indexed (after GB/T 8170 rounding for 2026)
    iaqi: int  # rounded up
    exact: Fraction | None  # unrounded IAQI; None when a special rule or the table top decided
    above_table: bool
    note: str | None


def _scaled(rules: RuleSet, seg: _Segments, value: Any, indicator: str) -> tuple[int, int]:
    n, d = _ratio(value, indicator)
    if seg.scale != 1:
        n *= seg.scale
    if rules.round_concentrations and d != 1:
        return _half_even(n, d), 1
    return n, d


DECIMALS_OF_SCALE = {10**k: k for k in range(4)}


def _to_decimal(n: int, d: int, scale: int) -> Decimal:
    if d == 1:
        return Decimal(n) if scale == 1 else Decimal(n).scaleb(-DECIMALS_OF_SCALE[scale])
    q = Fraction(n, d * scale)
    return Decimal(q.numerator) / Decimal(q.denominator)


def sub_index(
    indicator: str,
    concentration: Any,
    standard: Any = None,
    *,
    substitute: Any = None,
) -> SubIndex:
    """IAQI of one indicator with details (exact value, flags, special rule).

    ``standard``: "2012", "2026", a date of data, or a :class:`RuleSet`
    (default 2026). ``substitute`` is the value a 2012 special rule falls back
    to (SO2 24-h for SO2 1-h > 800, O3 1-h for O3 8-h > 800); without it such a
    value raises :class:`AQIError`.
    """
    rules = rules_for(standard)
    key = _resolve(indicator)
    seg = rules.segments(key)
    n, d = _scaled(rules, seg, concentration, key)
    conc = _to_decimal(n, d, seg.scale)
    special = rules.special.get(key)
    if special is not None and n > special.threshold * seg.scale * d:
        if special.iaqi is not None:
            return SubIndex(key, conc, special.iaqi, None, False, f"{key} > {special.threshold}: IAQI {special.iaqi} ({special.clause})")
        if substitute is None:
            raise AQIError(f"{key} > {special.threshold} needs {special.use} ({special.clause})")
        sub = sub_index(special.use, substitute, rules)
        note = f"{key} > {special.threshold}: IAQI of {special.use} reported ({special.clause})"
        return SubIndex(key, conc, sub.iaqi, sub.exact, sub.above_table, note)
    exact = seg.exact(n, d)
    if exact is None:
        return SubIndex(key, conc, 500, None, True, f"{key} above the table top {_to_decimal(seg.top, 1, seg.scale)}: reported as 500")
    return SubIndex(key, conc, math.ceil(exact), exact, False, None)


def iaqi(indicator: str, concentration: Any, standard: Any = None, *, substitute: Any = None) -> int:
    """IAQI (rounded up) of one indicator; see :func:`sub_index`. 500 above the table top."""
    rules = rules_for(standard)
    key = _resolve(indicator)
    seg = rules.segments(key)
    n, d = _scaled(rules, seg, concentration, key)
    special = rules.special.get(key)
    if special is not None and n > special.threshold * seg.scale * d:
        return sub_index(key, concentration, rules, substitute=substitute).iaqi
    v = seg.ceil(n, d)
    return 500 if v < 0 else v


# --------------------------------------------------------------------------- AQI


_ALIASES: dict[str, str] = {}
for _k in INDICATORS:
    for _v in {_k, _k.lower(), _k.upper(), _k.replace(".", ""), _k.replace(".", "").lower(), _k.replace(".", "").upper()}:
        _ALIASES[_v] = _k
    _ALIASES[_k.replace("PM2.5", "PM2_5")] = _k
    _ALIASES[_k.replace("PM2.5", "pm2_5").lower()] = _k
del _k, _v


def _resolve(key: str) -> str:
    try:
        return _ALIASES[key]
    except (KeyError, TypeError):
        pass
    if isinstance(key, str):
        k = key.strip().replace(" ", "").replace("-", "_")
        if k in _ALIASES:
            return _ALIASES[k]
        if k.lower() in _ALIASES:
            return _ALIASES[k.lower()]
    raise UnknownIndicator(f"unknown indicator {key!r}; known: {', '.join(INDICATORS)}")


class AQIResult(NamedTuple):
    """One AQI report (daily or hourly) of a station, county or city.

    ``aqi`` is ``None`` when it must be published as "NA" (missing data,
    HJ 633—2026 §5.3.1); ``aqi_available`` is then the AQI of the indicators
    that were available. ``iaqi`` holds every computed sub-index (published
    even when the AQI is NA); treat it as read-only. ``ratios`` are the exact
    indexed concentrations as (numerator, denominator) in units of
    10^-decimals (CO in 0.1 mg/m³); use :attr:`concentrations`.

    A named tuple (immutable, cheap to build: a year of hourly AQI for 300
    stations is 2.6 million of them).
    """

    rules: RuleSet
    report: str
    aqi: int | None
    aqi_available: int | None
    iaqi: Mapping[str, int]  # do not mutate
    ratios: Mapping[str, tuple[int, int]]
    primary_indicators: tuple[str, ...]
    primary_pollutants: tuple[str, ...]
    exceeding_pollutants: tuple[str, ...] | None  # None under HJ 633—2026
    missing: tuple[str, ...]
    not_monitored: tuple[str, ...]
    above_table: tuple[str, ...]
    ignored: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def standard(self) -> str:
        return self.rules.code

    @property
    def concentrations(self) -> dict[str, Decimal]:
        """Concentrations as indexed (2026: after GB/T 8170 rounding), in report order."""
        segs = self.rules._segments
        order = self.rules.indicators(self.report)
        return {k: _to_decimal(*self.ratios[k], segs[k].scale) for k in order if k in self.ratios}

    @property
    def published(self) -> bool:
        return self.aqi is not None

    @property
    def level(self) -> int | None:
        return None if self.aqi is None else level_of(self.aqi).level

    @property
    def level_info(self) -> Level | None:
        return None if self.aqi is None else level_of(self.aqi)

    @property
    def category(self) -> str | None:
        return None if self.aqi is None else level_of(self.aqi).category

    @property
    def colour(self) -> str | None:
        """RGB hex colour of the level (HJ 633 Appendix A Table A.1)."""
        return None if self.aqi is None else level_of(self.aqi).hex

    @property
    def health_effect(self) -> str | None:
        return None if self.aqi is None else self.rules.health[self.level][0]

    @property
    def advice(self) -> str | None:
        return None if self.aqi is None else self.rules.health[self.level][1]

    @property
    def sensitive_groups(self) -> Mapping[str, str]:
        """HJ 633—2026 Table 2: pollutant -> sensitive groups, for each pollutant with IAQI > 100."""
        table = self.rules.sensitive_groups
        if not table:
            return {}
        out: dict[str, str] = {}
        for key, v in self.iaqi.items():
            p = INDICATORS[key][0]
            if v > 100 and p not in out:
                out[p] = table[p]
        return {p: out[p] for p in POLLUTANTS if p in out}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``qingshan calc aqi`` output): NA markers as in HJ 633—2026 Tables 4-5."""
        na = self.aqi is None
        iaqi: dict[str, Any] = dict(self.iaqi)
        for k in self.missing:
            iaqi[k] = NA
        for k in self.not_monitored:
            iaqi[k] = NOT_MONITORED
        out: dict[str, Any] = {
            "standard": self.rules.code,
            "report": self.report,
            "aqi": NA if na else self.aqi,
            "iaqi": iaqi,
            "primary_pollutants": NA if na else list(self.primary_pollutants),
        }
        if self.exceeding_pollutants is not None:
            out["exceeding_pollutants"] = list(self.exceeding_pollutants)
        lv = self.level_info
        out["level"] = NA if lv is None else lv.level
        out["category"] = NA if lv is None else lv.category
        out["colour"] = NA if lv is None else lv.hex
        out["concentrations"] = {k: _json_number(v) for k, v in self.concentrations.items()}
        if self.missing or self.not_monitored:
            out["aqi_available"] = self.aqi_available
        for name in ("missing", "not_monitored", "above_table", "ignored", "notes"):
            value = getattr(self, name)
            if value:
                out[name] = list(value)
        return out


def _json_number(v: Decimal) -> int | float:
    if v == v.to_integral_value():
        return int(v)
    return float(v)


def _marker(value: Any) -> str | None:
    """NA for missing/invalid, "/" for not monitored, None for a value."""
    if value is None:
        return NA
    t = type(value)
    if t is float:
        return NA if value != value else None
    if t is str:
        s = value.strip()
        if s == NOT_MONITORED:
            return NOT_MONITORED
        if s.upper() in ("NA", "N/A", "") or s in ("—", "-"):
            return NA
        return None
    if t is Decimal and value.is_nan():
        return NA
    return None


def _unplanned(rules: RuleSet, report: str, plan: Mapping[str, Any], raw_key: Any) -> tuple[str, Any]:
    """Classify a key that is not an indicator of the report: ("aux"|"ignored", key) or raise."""
    key = _resolve(raw_key)
    if key in plan:
        return "alias", key
    if key in rules.auxiliary.get(report, ()):
        return "aux", key
    if (report, key) in rules.ignored:
        return "ignored", key
    wanted = rules.indicators(report)
    hint = ""
    if report == DAILY and key.endswith("_1h"):
        hint = " (use the hourly report)"
    elif report == HOURLY and key.endswith(("_24h", "_8h")):
        hint = " (use the daily report)"
    raise UnknownIndicator(
        f"{key} is not an indicator of the {rules.title} {report} report{hint}; expected: {', '.join(wanted)}"
    )


def aqi(
    values: Mapping[str, Any],
    standard: Any = None,
    report: str = DAILY,
    *,
    absent: str = "ignore",
    history_clear: bool | Collection[str] = True,
) -> AQIResult:
    """AQI report from indicator values (HJ 633—2012 §4-5; HJ 633—2026 §4-5).

    ``values`` maps indicator keys (``"PM2.5_24h"``, ``"SO2_1h"``, … see
    :data:`INDICATORS`; case and ``PM25`` spellings are accepted) to
    concentrations in µg/m³ (CO mg/m³) — int, float (read as the decimal it
    prints as), Decimal, Fraction or numeric string — or to ``None``/``"NA"``/NaN
    (missing or invalid) or ``"/"`` (not in the monitoring plan).

    ``standard``: "2012", "2026", a date of data, or a :class:`RuleSet`
    (default 2026). ``report``: ``"daily"`` or ``"hourly"``.

    ``absent``: what an indicator of the report that is not a key of
    ``values`` means — ``"ignore"`` (default: only the given indicators are
    indexed) or ``"missing"`` (NA, for a complete bulletin row).

    ``history_clear``: HJ 633—2026 §5.3.2 — ``True`` if every not-monitored
    ("/") pollutant was never primary at 轻度污染 or worse in the last 3 years
    (then "/" does not affect publication), ``False`` if none was, or the
    collection of pollutants that pass the test.

    Raises :class:`AQIError` (a ``ValueError``) for unknown indicators and
    values that are not finite non-negative numbers.
    """
    rules = standard if type(standard) is RuleSet else rules_for(standard)
    plan = rules._plans.get(report)
    if plan is None:
        raise AQIError(f"report must be 'daily' or 'hourly', got {report!r}")
    round_c = rules.round_concentrations

    parsed: dict[str, tuple[int, int]] = {}
    sub: dict[str, int] = {}
    missing: list[str] = []
    not_monitored: list[str] = []
    ignored: list[str] = []
    notes: list[str] = []
    above: list[str] = []
    deferred: list[str] = []
    aux_values: dict[str, Any] = {}
    for raw_key, value in values.items():
        entry = plan.get(raw_key)
        if entry is None:
            kind, key = _unplanned(rules, report, plan, raw_key)
            if kind == "aux":
                aux_values[key] = value
                continue
            if kind == "ignored":
                ignored.append(key)
                notes.append(f"{key} ignored: {rules.ignored[(report, key)]}")
                continue
            entry = plan[key]
        key, seg, special = entry
        if key in parsed or key in missing or key in not_monitored:
            raise AQIError(f"indicator {key} given twice (as {raw_key!r})")
        t = type(value)
        if t is int and value >= 0:
            n, d = value * seg.scale, 1
        elif t is float and round_c and 0.0 <= value < 1e12:
            # GB/T 8170 of the printed decimal == round-half-even of the binary value when
            # the tie is exactly representable (scale 1); CO (scale 10) falls back near a tie
            if seg.scale == 1:
                n, d = round(value), 1
            else:
                y = value * seg.scale
                if abs(y - math.floor(y) - 0.5) > 1e-6:
                    n, d = round(y), 1
                else:
                    n, d = _ratio(value, key)
                    n = _half_even(n * seg.scale, d)
                    d = 1
        else:
            mark = _marker(value)
            if mark is not None:
                (missing if mark is NA else not_monitored).append(key)
                continue
            n, d = _ratio(value, key)
            if seg.scale != 1:
                n *= seg.scale
            if d != 1 and round_c:
                n, d = _half_even(n, d), 1
        parsed[key] = (n, d)
        if special is not None and n > special.threshold * seg.scale * d:
            if special.iaqi is not None:
                sub[key] = special.iaqi
                notes.append(f"{key} > {special.threshold}: IAQI counted as {special.iaqi} ({special.clause})")
            else:
                deferred.append(key)  # needs the substitute indicator, which may come later
            continue
        v = seg.ceil(n, d)
        if v < 0:
            v = 500
            above.append(key)
            notes.append(f"{key} above the table top: IAQI reported as 500 (air.md §1.8)")
        sub[key] = v

    segs = rules._segments
    for key in deferred:  # HJ 633—2012 Table 1 notes (2)/(3): report the substitute's IAQI
        special = rules.special[key]
        use = special.use
        src = parsed.get(use)
        if src is None and use in aux_values and _marker(aux_values[use]) is None:
            src = _scaled(rules, segs[use], aux_values[use], use)
        if src is None:
            del parsed[key]
            missing.append(key)
            notes.append(f"{key} > {special.threshold}: needs {use}, which is not available ({special.clause})")
            continue
        v = segs[use].ceil(*src)
        if v < 0:
            v = 500
            above.append(key)
        sub[key] = v
        notes.append(f"{key} > {special.threshold}: IAQI of {use} reported ({special.clause})")

    if not parsed and not missing and not not_monitored and absent != "missing":
        given = ", ".join(map(str, values)) or "nothing"
        hint = ""
        if ignored and report == HOURLY and all(k.endswith(("_24h", "_8h")) for k in ignored):
            hint = " (use the daily report)"
        raise AQIError(
            f"no indicator of the {rules.title} {report} report given ({given}){hint}; "
            f"expected: {', '.join(rules.indicators(report))}"
        )
    if absent != "ignore":
        if absent != "missing":
            raise AQIError(f"absent must be 'ignore' or 'missing', got {absent!r}")
        for key in plan:
            if key not in parsed and key not in missing and key not in not_monitored:
                missing.append(key)

    if len(sub) > 1:
        wanted = rules.indicators(report)
        sub = {k: sub[k] for k in wanted if k in sub}
    available = max(sub.values()) if sub else None
    if available is not None and available < rules.aqi_min:
        available = rules.aqi_min

    published = available
    if (missing or not_monitored) and available is not None:
        blocking = list(missing)
        if not_monitored and history_clear is not True:
            if history_clear is False:
                blocking.extend(not_monitored)
            else:
                clear = set(history_clear)
                blocking.extend(k for k in not_monitored if INDICATORS[k][0] not in clear)
        limit = rules.publish_with_missing_above
        if blocking and (limit is None or available <= limit):
            published = None
            why = (
                f"AQI of the rest {available} ≤ {limit} ({rules.clauses.get('missing', '')})"
                if limit is not None
                else f"{rules.title}: any missing indicator blanks the AQI (practice, air.md §1.6)"
            )
            notes.append(f"AQI published as NA: {', '.join(blocking)} missing; {why}")

    primary_ind: tuple[str, ...] = ()
    primary: tuple[str, ...] = ()
    if published is not None and published > 50:
        primary_ind = tuple(k for k, v in sub.items() if v == published)
        if len(primary_ind) == 1:
            primary = (INDICATORS[primary_ind[0]][0],)
        else:
            ps = {INDICATORS[k][0] for k in primary_ind}
            primary = tuple(p for p in POLLUTANTS if p in ps)
    exceeding = None
    if rules.exceeding_pollutants:
        ex = {INDICATORS[k][0] for k, v in sub.items() if v > 100}
        exceeding = tuple(p for p in POLLUTANTS if p in ex) if ex else ()

    if len(missing) > 1 or len(not_monitored) > 1:
        wanted = rules.indicators(report)
        missing = [k for k in wanted if k in missing]
        not_monitored = [k for k in wanted if k in not_monitored]
    return AQIResult(
        rules,
        report,
        published,
        available,
        sub,
        parsed,
        primary_ind,
        primary,
        exceeding,
        tuple(missing),
        tuple(not_monitored),
        tuple(above),
        tuple(ignored),
        tuple(notes),
    )


def daily_aqi(values: Mapping[str, Any], standard: Any = None, **kwargs: Any) -> AQIResult:
    """Daily report (日报) AQI: see :func:`aqi`."""
    return aqi(values, standard, DAILY, **kwargs)


def hourly_aqi(values: Mapping[str, Any], standard: Any = None, **kwargs: Any) -> AQIResult:
    """Hourly / real-time report (实时报) AQI: see :func:`aqi`."""
    return aqi(values, standard, HOURLY, **kwargs)


def aqi_value(values: Mapping[str, Any], standard: Any = None, report: str = DAILY) -> int | None:
    """Just the published AQI (``None`` = NA); same rules as :func:`aqi`, ``absent="ignore"``."""
    return aqi(values, standard, report).aqi


def indicator_key(pollutant: str, report: str, *, o3: str = "8h") -> str:
    """Indicator key of a pollutant in a report: ``("PM2.5", "daily") -> "PM2.5_24h"``.

    For O3 in the daily report pass ``o3="8h"`` (default) or ``"1h"`` (2012 only).
    """
    p = {"PM25": "PM2.5", "pm25": "PM2.5", "pm2.5": "PM2.5"}.get(pollutant, pollutant)
    p = {x.lower(): x for x in POLLUTANTS}.get(p.lower(), p)
    if p not in POLLUTANTS:
        raise UnknownIndicator(f"unknown pollutant {pollutant!r}; known: {', '.join(POLLUTANTS)}")
    if report == HOURLY:
        return f"{p}_1h"
    if report != DAILY:
        raise AQIError(f"report must be 'daily' or 'hourly', got {report!r}")
    if p == "O3":
        if o3 not in ("8h", "1h"):
            raise AQIError(f"o3 must be '8h' or '1h', got {o3!r}")
        return f"O3_{o3}"
    return f"{p}_24h"


def replace_rules(rules: RuleSet, **changes: Any) -> RuleSet:
    """A deployment variant of a rule set (e.g. ``aqi_min=1`` or other health text)."""
    return dataclasses.replace(rules, **changes)


__all__ = [
    "AQIError",
    "AQIResult",
    "BREAKPOINTS_2012",
    "BREAKPOINTS_2026",
    "CATEGORIES",
    "DAILY",
    "HOURLY",
    "IAQI_STEPS",
    "INDICATORS",
    "InvalidConcentration",
    "LEVELS",
    "Level",
    "NA",
    "NOT_MONITORED",
    "POLLUTANTS",
    "RULES_2012",
    "RULES_2026",
    "RuleSet",
    "SWITCH_DATE",
    "SubIndex",
    "UnknownIndicator",
    "aqi",
    "aqi_value",
    "daily_aqi",
    "hourly_aqi",
    "iaqi",
    "indicator_key",
    "level_of",
    "replace_rules",
    "round_gbt8170",
    "rules_for",
    "rules_for_hour_ending",
    "sub_index",
]

