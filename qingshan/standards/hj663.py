"""HJ 663 ambient air quality evaluation: data validity, statistics, composite index.

What this module implements, and from where (``/work/shared/reference/air.md``
§2-3; HJ 663—2026 itself was not available, so every rule below that is not in
GB 3095 Table 4 is **data** in :class:`EvaluationRules` /
:data:`COMPOSITE_BASES` that a deployment can override):

* **Validity** (GB 3095-2012 Table 4 = GB 3095—2026 Table 4): a daily mean
  needs ≥ 20 valid hourly values; an O3 8-h moving average needs ≥ 6 valid
  hours in its 8; a monthly statistic ≥ 27 valid days (February ≥ 25); an
  annual statistic ≥ 324 valid days.
* **O3 daily maximum 8-h** (GB 3095—2026 §3.9-3.10; HJ 663—2013 practice): the
  largest of the 17 8-h moving averages lying inside the natural day (windows
  ending 08:00 … 24:00); valid with ≥ 14 valid windows, or with fewer when the
  maximum exceeds the limit (160 µg/m³) — an exceedance is never discarded.
* **Statistics**: daily means, monthly/annual means of daily means,
  percentiles by HJ 663 Appendix A (k = 1 + (n−1)·p/100, linear interpolation
  between the ordered values X(s) and X(s+1)): CO 24-h mean 95th percentile,
  O3 daily max 8-h 90th percentile, SO2/NO2 98th and PM 95th for the annual
  evaluation.
* **Days ratio** (优良天数比例 / 达标天数比例): days with AQI ≤ 100 over valid
  days; counts per level; heavy-or-worse (AQI > 200) days.
* **Composite index** (环境空气质量综合指数, 环办监测〔2018〕19号 城市环境空气质量排名
  技术规定): I_sum = Σ w_i·C_i/S_i over SO2, NO2, PM10, PM2.5 (period means),
  CO (95th percentile of daily means), O3 (90th percentile of daily max 8-h);
  S_i = annual secondary limits (CO 24-h, O3 8-h). Change rate versus the same
  period last year = (I_now − I_last)/I_last × 100 %, always on the *same*
  basis (S_i, weights), because the 2026 limits changed S_i.

Arithmetic is exact (:class:`fractions.Fraction`); published values are rounded
per GB/T 8170 (:func:`qingshan.standards.hj633.round_gbt8170`): concentrations
to µg/m³ integers and CO to 0.1 mg/m³, the composite index to 2 decimals,
percentages to 1 decimal.

Hourly series are lists of 24 values for one natural day, index 0 = the hour
ending 01:00, index 23 = the hour ending 24:00; ``None`` or NaN marks a missing
or invalid hour (flagged data are the caller's to blank out).

Pure: no Django, no I/O.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from qingshan.standards import gb3095
from qingshan.standards.hj633 import DECIMALS, LEVELS, POLLUTANTS, InvalidConcentration, _ratio, round_gbt8170

# --------------------------------------------------------------------------- errors


class EvaluationError(ValueError):
    """Input the HJ 663 evaluation cannot compute (the message says why)."""


# --------------------------------------------------------------------------- rules as data


@dataclass(frozen=True)
class EvaluationRules:
    """Validity thresholds and statistic conventions.

    GB 3095 Table 4 values are verified; fields marked UNVERIFIED come from
    HJ 663—2013 practice as recalled in air.md §2.3 and are meant to be
    overridden when the HJ 663—2026 text is in hand.
    """

    hours_per_day: int = gb3095.VALIDITY["hours_per_day"]
    hours_per_8h: int = gb3095.VALIDITY["hours_per_8h"]
    days_per_month: int = gb3095.VALIDITY["days_per_month"]
    days_per_february: int = gb3095.VALIDITY["days_per_february"]
    days_per_year: int = gb3095.VALIDITY["days_per_year"]
    #: O3 daily max 8-h: windows inside the natural day end at hour 8 … 24 (17 windows)
    o3_first_window_end: int = 8
    o3_windows_per_day: int = 14  # of 17 (air.md §2.3: medium-high confidence)
    #: an O3 daily max 8-h above this (µg/m³) is valid even with fewer windows
    o3_exceedance_limit: int = 160
    #: UNVERIFIED: valid hours for the O3 daily max 1-h (HJ 633—2012 daily report)
    o3_1h_hours_per_day: int = 20
    #: UNVERIFIED: an annual statistic also needs every month valid
    annual_requires_each_month: bool = False
    #: UNVERIFIED: round daily values per GB/T 8170 (as published) before period statistics
    round_daily: bool = True
    clause: str = "GB 3095 Table 4; HJ 663—2013 §6 and Appendix A (practice); air.md §2.2-2.3"


DEFAULT_RULES = EvaluationRules()


def _pollutant(name: str) -> str:
    key = str(name).strip()
    p = _POLLUTANT_ALIASES.get(key) or _POLLUTANT_ALIASES.get(key.lower())
    if p is None:
        raise EvaluationError(f"unknown pollutant {name!r}; known: {', '.join(POLLUTANTS)}")
    return p


_POLLUTANT_ALIASES: dict[str, str] = {}
for _p in POLLUTANTS:
    _POLLUTANT_ALIASES[_p] = _p
    _POLLUTANT_ALIASES[_p.lower()] = _p
    _POLLUTANT_ALIASES[_p.replace(".", "").lower()] = _p
_POLLUTANT_ALIASES.update({"pm2_5": "PM2.5", "o3_8h": "O3", "co_24h": "CO"})
for _p in ("SO2", "NO2", "PM10", "PM2.5"):
    _POLLUTANT_ALIASES[f"{_p}_24h".lower()] = _p
    _POLLUTANT_ALIASES[f"{_p}_24h".replace(".", "").lower()] = _p
del _p


# --------------------------------------------------------------------------- exact sums

_MILLI = 1000


def _exact(value: Any, what: str) -> Fraction | int | None:
    """Exact value of a concentration (None for missing); ints stay ints."""
    if value is None:
        return None
    t = type(value)
    if t is int:
        if value < 0:
            raise EvaluationError(f"{what} must not be negative, got {value!r}")
        return value
    if t is float:
        if value != value:
            return None
        if value.is_integer() and value >= 0:
            return int(value)
    if t is str and value.strip().upper() in ("NA", "/", ""):
        return None
    try:
        n, d = _ratio(value, what)
    except InvalidConcentration as exc:
        raise EvaluationError(str(exc)) from None
    return n if d == 1 else Fraction(n, d)


def _valid_values(values: Iterable[Any], what: str) -> list[Fraction | int]:
    out = []
    for v in values:
        x = _exact(v, what)
        if x is not None:
            out.append(x)
    return out


def _exact_ratio(value: Any, what: str) -> tuple[int, int] | None:
    """(numerator, denominator) of a concentration, None for missing; the fast path of hourly data."""
    t = type(value)
    if t is int:
        if value < 0:
            raise EvaluationError(f"{what} must not be negative, got {value!r}")
        return value, 1
    if value is None or (t is float and value != value):
        return None
    if t is str and value.strip().upper() in ("NA", "/", ""):
        return None
    try:
        return _ratio(value, what)
    except InvalidConcentration as exc:
        raise EvaluationError(str(exc)) from None


def _valid_ratios(values: Iterable[Any], what: str) -> list[tuple[int, int]]:
    out = []
    append = out.append
    for v in values:
        if type(v) is int and v >= 0:
            append((v, 1))
            continue
        r = _exact_ratio(v, what)
        if r is not None:
            append(r)
    return out


def _mean_ratios(pairs: Sequence[tuple[int, int]]) -> Fraction | None:
    """Exact mean of (n, d) pairs with integer arithmetic (denominators are mostly powers of 10)."""
    if not pairs:
        return None
    num, den = 0, 1
    for n, d in pairs:
        if d == den:
            num += n
        elif den % d == 0:
            num += n * (den // d)
        else:
            new = den * d // math.gcd(den, d)
            num = num * (new // den) + n * (new // d)
            den = new
    return Fraction(num, den * len(pairs))


def _max_ratio(pairs: Sequence[tuple[int, int]]) -> Fraction | None:
    if not pairs:
        return None
    if all(d == 1 for _, d in pairs):
        return Fraction(max(n for n, _ in pairs))
    return max(Fraction(n, d) for n, d in pairs)


def _mean(values: Sequence[Fraction | int]) -> Fraction | None:
    if not values:
        return None
    ints = True
    for v in values:
        if type(v) is not int:
            ints = False
            break
    if ints:
        return Fraction(sum(values), len(values))
    return Fraction(sum(values)) / len(values)


# --------------------------------------------------------------------------- statistic


class Statistic(NamedTuple):
    """One statistic with its data coverage (OpenAQ-style ``coverage``, air.md §5.5).

    ``value`` is exact (``None`` without any valid input) and is kept even
    when ``valid`` is False, so pages can show "invalid: 17/24 h" next to it.
    """

    value: Fraction | None
    valid: bool
    count: int  # valid inputs used
    required: int  # minimum for validity
    expected: int  # inputs in the period (24 hours, 17 windows, days)
    decimals: int = 0  # GB/T 8170 reporting precision (CO 1)
    note: str | None = None

    @property
    def reported(self) -> Decimal | None:
        """The value rounded per GB/T 8170 as published (µg/m³ integer, CO 0.1 mg/m³)."""
        return None if self.value is None else round_gbt8170(self.value, self.decimals)

    @property
    def coverage(self) -> Fraction:
        return Fraction(self.count, self.expected) if self.expected else Fraction(0)

    @property
    def usable(self) -> Fraction | None:
        """The value if valid, else None (what a report or the AQI takes)."""
        return self.value if self.valid else None


def _stat(value, valid, count, required, expected, pollutant, note=None) -> Statistic:
    return Statistic(value, valid, count, required, expected, DECIMALS.get(pollutant, 0), note)


# --------------------------------------------------------------------------- hourly → daily


def hour_is_valid(sampling_minutes: int | float, rules: EvaluationRules = DEFAULT_RULES) -> bool:
    """GB 3095 Table 4: an hourly mean needs ≥ 45 minutes of sampling."""
    if isinstance(sampling_minutes, bool) or not isinstance(sampling_minutes, (int, float)):
        raise EvaluationError(f"sampling minutes must be a number, got {sampling_minutes!r}")
    return sampling_minutes >= gb3095.VALIDITY["minutes_per_hour"]


def _day_hours(hours: Sequence[Any], what: str) -> Sequence[Any]:
    if isinstance(hours, (str, bytes)) or not isinstance(hours, Sequence):
        raise EvaluationError(f"{what}: expected a sequence of 24 hourly values, got {type(hours).__name__}")
    if len(hours) != 24:
        raise EvaluationError(f"{what}: expected 24 hourly values (hour ending 01:00 … 24:00), got {len(hours)}")
    return hours


def daily_mean(hours: Sequence[Any], pollutant: str = "PM2.5", rules: EvaluationRules = DEFAULT_RULES) -> Statistic:
    """Daily (24-h) mean of a natural day: valid with ≥ 20 valid hours (GB 3095 Table 4)."""
    p = _pollutant(pollutant)
    vals = _valid_ratios(_day_hours(hours, f"{p} daily mean"), p)
    n = len(vals)
    return _stat(_mean_ratios(vals), n >= rules.hours_per_day, n, rules.hours_per_day, 24, p)


def moving_8h(hours: Sequence[Any], rules: EvaluationRules = DEFAULT_RULES) -> list[Fraction | None]:
    """8-h moving averages (GB 3095—2026 §3.8): item i averages hours i-7 … i.

    ``None`` for the first 7 positions and for windows with fewer than 6 valid
    hours (GB 3095 Table 4). Pass the previous day's last 7 hours in front to
    get windows ending early in the day.
    """
    vals = [_exact_ratio(v, "O3") for v in hours]
    out: list[Fraction | None] = [None] * len(vals)
    need = rules.hours_per_8h
    for i in range(7, len(vals)):
        window = [v for v in vals[i - 7 : i + 1] if v is not None]
        if len(window) >= need:
            out[i] = _mean_ratios(window)
    return out


def o3_daily_max_8h(hours: Sequence[Any], rules: EvaluationRules = DEFAULT_RULES) -> Statistic:
    """O3 daily maximum 8-h average (日最大8小时平均, GB 3095—2026 §3.10).

    The 17 windows ending 08:00 … 24:00 of the natural day; valid with ≥ 14
    valid windows, or with fewer if the maximum exceeds
    ``rules.o3_exceedance_limit`` (HJ 663 practice, air.md §2.3).
    """
    ma = moving_8h(_day_hours(hours, "O3 daily max 8-h"), rules)
    first = rules.o3_first_window_end - 1
    windows = [w for w in ma[first:] if w is not None]
    expected = 24 - first
    count = len(windows)
    best = max(windows) if windows else None
    valid = count >= rules.o3_windows_per_day
    note = None
    if not valid and best is not None and best > rules.o3_exceedance_limit:
        valid = True
        note = f"only {count} of {expected} 8-h windows, but the maximum exceeds {rules.o3_exceedance_limit}: valid"
    return _stat(best, valid, count, rules.o3_windows_per_day, expected, "O3", note)


def o3_daily_max_1h(hours: Sequence[Any], rules: EvaluationRules = DEFAULT_RULES) -> Statistic:
    """O3 daily maximum 1-h value (HJ 633—2012 daily report); validity UNVERIFIED (≥ 20 h)."""
    vals = _valid_ratios(_day_hours(hours, "O3 daily max 1-h"), "O3")
    n = len(vals)
    return _stat(_max_ratio(vals), n >= rules.o3_1h_hours_per_day, n, rules.o3_1h_hours_per_day, 24, "O3")


DAILY_KEYS = MappingProxyType(
    {"SO2": "SO2_24h", "NO2": "NO2_24h", "PM10": "PM10_24h", "CO": "CO_24h", "PM2.5": "PM2.5_24h"}
)


def daily_values(hours: Mapping[str, Sequence[Any]], rules: EvaluationRules = DEFAULT_RULES) -> dict[str, Statistic]:
    """All daily statistics of one natural day from its 24 hourly values per pollutant.

    ``hours`` maps pollutant names (``"SO2"``, ``"PM2.5"``/``"pm25"`` …) to 24
    hourly values. Returns indicator key -> :class:`Statistic` for
    ``SO2_24h, NO2_24h, PM10_24h, CO_24h, PM2.5_24h`` and, from O3,
    ``O3_8h`` (daily max 8-h) and ``O3_1h`` (daily max 1-h). Feed
    :func:`aqi_input` of it to :func:`qingshan.standards.hj633.daily_aqi`.
    """
    out: dict[str, Statistic] = {}
    for name, series in hours.items():
        p = _pollutant(name)
        if p == "O3":
            out["O3_8h"] = o3_daily_max_8h(series, rules)
            out["O3_1h"] = o3_daily_max_1h(series, rules)
        else:
            out[DAILY_KEYS[p]] = daily_mean(series, p, rules)
    order = ("SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_1h", "O3_8h", "PM2.5_24h")
    return {k: out[k] for k in order if k in out}


def aqi_input(stats: Mapping[str, Statistic], *, include_o3_1h: bool = True) -> dict[str, Fraction | None]:
    """Indicator values for :func:`hj633.daily_aqi`: the exact value if valid, else None (NA).

    Drop ``O3_1h`` (``include_o3_1h=False``) for HJ 633—2026 or let the 2026
    rules ignore it.
    """
    return {k: s.usable for k, s in stats.items() if include_o3_1h or k != "O3_1h"}


# --------------------------------------------------------------------------- spatial means


def spatial_mean(values: Iterable[Mapping[str, Any]], *, min_count: int = 1) -> dict[str, Fraction | None]:
    """County/city value of each key: the arithmetic mean of the valid station values.

    ``values``: one mapping per station (e.g. its daily values
    ``{"so2": …, "pm25": …}``), ``None``/NaN for an invalid value. A key with
    fewer than ``min_count`` valid stations gives ``None``. (HJ 663 practice,
    air.md §2.3, medium confidence: all evaluation points of the area; the
    minimum share of valid points is not in the notes, so it is a parameter.)

    For O3 the notes say the city 8-h value comes from the *city hourly
    series*: average the stations' hours with :func:`spatial_hourly_mean`
    and then take :func:`o3_daily_max_8h`, rather than averaging the stations'
    daily maxima.
    """
    if min_count < 1:
        raise EvaluationError("min_count must be at least 1")
    pools: dict[str, list[tuple[int, int]]] = {}
    for i, row in enumerate(values):
        if not isinstance(row, Mapping):
            raise EvaluationError(f"station #{i}: expected a mapping of values, got {type(row).__name__}")
        for key, v in row.items():
            pool = pools.setdefault(key, [])
            r = _exact_ratio(v, f"{key} of station #{i}")
            if r is not None:
                pool.append(r)
    return {k: (_mean_ratios(pool) if len(pool) >= min_count else None) for k, pool in pools.items()}


def spatial_hourly_mean(stations: Iterable[Sequence[Any]], *, min_count: int = 1) -> list[Fraction | None]:
    """Hour by hour mean over stations (each a sequence of the same length); None below ``min_count``."""
    series = [list(s) for s in stations]
    if not series:
        return []
    n = len(series[0])
    if any(len(s) != n for s in series):
        raise EvaluationError("station hourly series must have the same length")
    return list(spatial_mean(({i: v for i, v in enumerate(s)} for s in series), min_count=min_count).values()) if n else []


# --------------------------------------------------------------------------- percentiles


def percentile(values: Iterable[Any], p: Any) -> Fraction:
    """p-th percentile per HJ 663 Appendix A (air.md §2.3, method as practised):

    order ascending X(1) … X(n); k = 1 + (n − 1)·p/100; s = integer part of k;
    m_p = X(s) + (X(s+1) − X(s))·(k − s)   (equal to numpy's "linear" method).
    Missing values (None/NaN) are skipped. Exact.
    """
    xs = sorted(_valid_values(values, "value"))
    if not xs:
        raise EvaluationError("percentile of no valid values")
    pf = Fraction(p) if not isinstance(p, float) else Fraction(Decimal(repr(p)))
    if not 0 <= pf <= 100:
        raise EvaluationError(f"percentile must be between 0 and 100, got {p!r}")
    n = len(xs)
    k = 1 + (n - 1) * pf / 100
    s = math.floor(k)
    if s >= n:
        return Fraction(xs[-1])
    return xs[s - 1] + (xs[s] - xs[s - 1]) * (k - s)


# --------------------------------------------------------------------------- periods


def month_days_required(year: int, month: int, rules: EvaluationRules = DEFAULT_RULES) -> int:
    """Valid daily values needed for a monthly statistic (GB 3095 Table 4): 27, February 25."""
    return rules.days_per_february if month == 2 else rules.days_per_month


def _months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def last_whole_month_end(day: datetime.date) -> datetime.date:
    """The last day of the last calendar month that is complete on ``day`` (``day`` itself when it ends
    its month). Period statistics cover whole calendar months, so a period "up to today" ends here."""
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return day
    return day.replace(day=1) - datetime.timedelta(days=1)


def _check_period(start: datetime.date, end: datetime.date) -> None:
    if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
        raise EvaluationError("period start and end must be dates")
    if end < start:
        raise EvaluationError(f"period end {end} is before its start {start}")
    if start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1]:
        raise EvaluationError(f"periods are whole calendar months (got {start} … {end})")


def _series(daily: Mapping[datetime.date, Any] | Sequence[Any], start: datetime.date, end: datetime.date, what: str):
    """(date, value) pairs of a period from a date mapping or a date-aligned sequence."""
    ndays = (end - start).days + 1
    if isinstance(daily, Mapping):
        out = []
        for day, v in daily.items():
            if isinstance(day, datetime.datetime):
                day = day.date()
            if not isinstance(day, datetime.date):
                raise EvaluationError(f"{what}: keys must be dates, got {day!r}")
            if start <= day <= end:
                out.append((day, v))
        return out
    if isinstance(daily, (str, bytes)) or not isinstance(daily, Sequence):
        raise EvaluationError(f"{what}: expected a date->value mapping or a list aligned with the period")
    if len(daily) != ndays:
        raise EvaluationError(f"{what}: {len(daily)} daily values for a period of {ndays} days")
    return [(start + datetime.timedelta(days=i), v) for i, v in enumerate(daily)]


def period_validity(
    days: Iterable[datetime.date], start: datetime.date, end: datetime.date, rules: EvaluationRules = DEFAULT_RULES
) -> tuple[bool, int, int, str | None]:
    """(valid, count, required, note) for valid days of a whole-month period (GB 3095 Table 4).

    One month: ≥ 27 days (February 25). A calendar year: ≥ 324 days (and
    every month if ``rules.annual_requires_each_month``). Other spans
    (quarter, half-year, year to date): every month meets its monthly minimum.
    """
    _check_period(start, end)
    per_month: dict[tuple[int, int], int] = {}
    count = 0
    for d in days:
        per_month[(d.year, d.month)] = per_month.get((d.year, d.month), 0) + 1
        count += 1
    months = _months(start, end)
    short = [f"{y}-{m:02d}" for y, m in months if per_month.get((y, m), 0) < month_days_required(y, m, rules)]
    if len(months) == 12 and start.month == 1:
        required = rules.days_per_year
        valid = count >= required and not (rules.annual_requires_each_month and short)
        note = None if valid else f"{count} valid days (need {required})" + (f"; short months {', '.join(short)}" if short and rules.annual_requires_each_month else "")
        return valid, count, required, note
    required = sum(month_days_required(y, m, rules) for y, m in months)
    valid = not short
    return valid, count, required, None if valid else f"months with too few valid days: {', '.join(short)}"


#: which statistic of the daily series is a pollutant's period value in the composite index
#: (环办监测〔2018〕19号; CNEMC monthly reports): mean, or percentile p
PERIOD_STATISTIC = MappingProxyType(
    {"SO2": ("mean", None), "NO2": ("mean", None), "PM10": ("mean", None), "PM2.5": ("mean", None), "CO": ("percentile", 95), "O3": ("percentile", 90)}
)


def period_statistic(
    daily: Mapping[datetime.date, Any] | Sequence[Any],
    pollutant: str,
    start: datetime.date,
    end: datetime.date,
    *,
    statistic: str | None = None,
    p: Any = None,
    rules: EvaluationRules = DEFAULT_RULES,
) -> Statistic:
    """One pollutant's statistic over a whole-month period from its daily values.

    ``daily``: valid daily values (24-h means; O3: daily max 8-h) as a
    date -> value mapping or a list aligned with start … end (None = invalid
    day). Default statistic per :data:`PERIOD_STATISTIC`: the mean for SO2,
    NO2, PM10, PM2.5; the 95th percentile for CO; the 90th for O3.
    """
    pol = _pollutant(pollutant)
    kind, default_p = PERIOD_STATISTIC[pol]
    kind = statistic or kind
    if kind == "percentile":
        p = default_p if p is None else p
        if p is None:
            raise EvaluationError("percentile statistic needs p")
    elif kind != "mean":
        raise EvaluationError(f"statistic must be 'mean' or 'percentile', got {statistic!r}")
    pairs = _series(daily, start, end, pol)
    dec = DECIMALS[pol]
    days, vals = [], []
    for day, v in pairs:
        x = _exact(v, f"{pol} on {day}")
        if x is None:
            continue
        if rules.round_daily:
            r = round_gbt8170(x, dec)
            x = int(r) if dec == 0 else Fraction(r)
        days.append(day)
        vals.append(x)
    valid, count, required, note = period_validity(days, start, end, rules)
    expected = (end - start).days + 1
    if not vals:
        value = None
    elif kind == "mean":
        value = _mean(vals)
    else:
        value = percentile(vals, p)
    return _stat(value, valid, count, required, expected, pol, note)


def period_statistics(
    daily: Mapping[str, Mapping[datetime.date, Any] | Sequence[Any]],
    start: datetime.date,
    end: datetime.date,
    rules: EvaluationRules = DEFAULT_RULES,
) -> dict[str, Statistic]:
    """Period values of the six pollutants (the composite index inputs).

    ``daily`` maps pollutant names to their daily series (CO: 24-h means,
    O3: daily max 8-h; keys like ``"O3_8h"``, ``"PM2.5_24h"`` are accepted).
    """
    out = {}
    for name, series in daily.items():
        pol = _pollutant(name)
        out[pol] = period_statistic(series, pol, start, end, rules=rules)
    return {p: out[p] for p in POLLUTANTS if p in out}


# --------------------------------------------------------------------------- annual evaluation

#: HJ 663 annual evaluation items: (pollutant, statistic, percentile, GB 3095 averaging of the limit)
ANNUAL_ITEMS: tuple[tuple[str, str, int | None, str], ...] = (
    ("SO2", "mean", None, gb3095.ANNUAL),
    ("SO2", "percentile", 98, gb3095.DAILY),
    ("NO2", "mean", None, gb3095.ANNUAL),
    ("NO2", "percentile", 98, gb3095.DAILY),
    ("PM10", "mean", None, gb3095.ANNUAL),
    ("PM10", "percentile", 95, gb3095.DAILY),
    ("PM2.5", "mean", None, gb3095.ANNUAL),
    ("PM2.5", "percentile", 95, gb3095.DAILY),
    ("CO", "percentile", 95, gb3095.DAILY),
    ("O3", "percentile", 90, gb3095.MAX_8H),
)


class EvaluationItem(NamedTuple):
    pollutant: str
    statistic: str  # "mean" or "p95" …
    value: Statistic
    limit: Decimal
    meets: bool | None  # None when the statistic is invalid
    exceedance_multiple: Fraction | None  # (C − S)/S of the reported value when it exceeds


class AnnualEvaluation(NamedTuple):
    year: int
    edition: str  # GB 3095 edition code of the limits
    items: tuple[EvaluationItem, ...]

    @property
    def meets_standard(self) -> bool | None:
        """达标: every item valid and meeting its limit; None if an item is invalid."""
        if any(i.meets is None for i in self.items):
            return None
        return all(i.meets for i in self.items)

    @property
    def exceeding(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.pollutant for i in self.items if i.meets is False))


def annual_evaluation(
    daily: Mapping[str, Mapping[datetime.date, Any] | Sequence[Any]],
    year: int,
    *,
    zone_class: int = 2,
    edition: Any = None,
    rules: EvaluationRules = DEFAULT_RULES,
) -> AnnualEvaluation:
    """HJ 663 annual evaluation of a station or city against GB 3095 limits.

    Annual means of SO2, NO2, PM10, PM2.5 and the 24-h percentiles (SO2, NO2
    98th; PM10, PM2.5, CO 95th; O3 daily max 8-h 90th) compared with the
    limits in force at the end of the year (or ``edition``: a GB 3095 edition
    code or date). Reported values (GB/T 8170) are compared, a value equal to
    the limit meets it.
    """
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    ed = gb3095.edition_for(edition if edition is not None else end)
    series = {_pollutant(k): v for k, v in daily.items()}
    items = []
    for pol, stat, p, averaging in ANNUAL_ITEMS:
        if pol not in series:
            continue
        st = period_statistic(series[pol], pol, start, end, statistic=stat, p=p, rules=rules)
        lim = ed.limit(pol, averaging, zone_class)
        meets = mult = None
        if st.valid and st.value is not None:
            rep = st.reported
            meets = rep <= lim
            if not meets:
                mult = gb3095.exceedance_multiple(rep, lim)
        items.append(EvaluationItem(pol, "mean" if stat == "mean" else f"p{p}", st, lim, meets, mult))
    return AnnualEvaluation(year, ed.code, tuple(items))


def meets_standard(
    values: Mapping[str, Any], day: Any, *, zone_class: int = 2
) -> dict[str, bool]:
    """Per pollutant: does a period value meet the GB 3095 limit in force on ``day``?

    Period means of SO2, NO2, PM10, PM2.5 against the annual limits, CO (95th
    percentile) against the 24-h limit, O3 (90th percentile of daily max 8-h)
    against the 8-h limit: the comparison of the ranking rules (a city whose
    pollutants all meet the secondary standard is left out of the "worsened"
    list, air.md §3). Values are rounded per GB/T 8170 first.
    """
    ed = gb3095.edition_for(day)
    out = {}
    for name, v in values.items():
        pol = _pollutant(name)
        x = v.value if isinstance(v, Statistic) else _exact(v, pol)
        if x is None:
            raise EvaluationError(f"{pol}: no value")
        averaging = {"CO": gb3095.DAILY, "O3": gb3095.MAX_8H}.get(pol, gb3095.ANNUAL)
        out[pol] = round_gbt8170(x, DECIMALS[pol]) <= ed.limit(pol, averaging, zone_class)
    return out


# --------------------------------------------------------------------------- days ratio


class DaysSummary(NamedTuple):
    """Days by AQI level over a period (valid days only)."""

    valid_days: int
    invalid_days: int
    by_level: Mapping[int, int]  # level 1…6 -> days

    @property
    def good_days(self) -> int:
        """优良天数: AQI ≤ 100 (levels 1-2)."""
        return self.by_level[1] + self.by_level[2]

    @property
    def heavy_days(self) -> int:
        """重度及以上污染天数: AQI > 200 (levels 5-6)."""
        return self.by_level[5] + self.by_level[6]

    @property
    def good_ratio(self) -> Fraction | None:
        """优良天数比例 (= 空气质量达标天数比例 in MEE releases), exact fraction of 1."""
        return Fraction(self.good_days, self.valid_days) if self.valid_days else None

    @property
    def good_percent(self) -> Decimal | None:
        """优良天数比例 in %, 1 decimal (GB/T 8170)."""
        r = self.good_ratio
        return None if r is None else round_gbt8170(r * 100, 1)

    @property
    def heavy_percent(self) -> Decimal | None:
        return None if not self.valid_days else round_gbt8170(Fraction(self.heavy_days * 100, self.valid_days), 1)


def days_summary(aqis: Iterable[int | None]) -> DaysSummary:
    """Count days by level from daily AQIs (None = no valid AQI that day).

    The ratio uses valid days as denominator (达标天数比例 = 达标天数 / 有效天数,
    air.md §2.3). Dust days are *kept* here (CNEMC practice).
    """
    by = {lv.level: 0 for lv in LEVELS}
    valid = invalid = 0
    bounds = [(lv.upper, lv.level) for lv in LEVELS]
    for a in aqis:
        if a is None:
            invalid += 1
            continue
        if isinstance(a, bool) or not isinstance(a, int) or a < 0:
            raise EvaluationError(f"daily AQI must be a non-negative integer or None, got {a!r}")
        valid += 1
        for upper, level in bounds:
            if upper is None or a <= upper:
                by[level] += 1
                break
    return DaysSummary(valid, invalid, MappingProxyType(by))


# --------------------------------------------------------------------------- composite index


@dataclass(frozen=True, eq=False)  # identity: holds mappings
class CompositeBasis:
    """S_i (and weights) of the composite index: data, because 2026 changed them.

    ``limits``: S_i in µg/m³ (CO mg/m³). ``weights``: w_i (1 = unweighted).
    ``round_concentrations``: C_i rounded per GB/T 8170 before dividing (the
    published concentrations). ``decimals``: the published index precision.
    """

    code: str
    title: str
    limits: Mapping[str, Decimal]
    weights: Mapping[str, Decimal]
    verified: bool
    source: str
    round_concentrations: bool = True
    decimals: int = 2

    def __post_init__(self):
        for p in POLLUTANTS:
            if p not in self.limits or self.limits[p] <= 0:
                raise EvaluationError(f"composite basis {self.code}: S for {p} must be positive")


def _basis_limits(edition: gb3095.Edition) -> Mapping[str, Decimal]:
    return MappingProxyType(
        {
            p: edition.limit(p, {"CO": gb3095.DAILY, "O3": gb3095.MAX_8H}.get(p, gb3095.ANNUAL), 2)
            for p in POLLUTANTS
        }
    )


_ONES = MappingProxyType({p: Decimal(1) for p in POLLUTANTS})

COMPOSITE_BASES = MappingProxyType(
    {
        b.code: b
        for b in (
            CompositeBasis(
                "2018",
                "环办监测〔2018〕19号 with GB 3095-2012 secondary limits (60, 40, 70, 35, CO 4, O3 160)",
                _basis_limits(gb3095.EDITIONS_BY_CODE["2012"]),
                _ONES,
                True,
                "air.md §3 (2018 ranking rule; provincial releases)",
            ),
            CompositeBasis(
                "2026-transitional",
                "UNVERIFIED: 2018 method with GB 3095—2026 transitional secondary limits (60, 40, 60, 30, 4, 160)",
                _basis_limits(gb3095.EDITIONS_BY_CODE["2026-transitional"]),
                _ONES,
                False,
                "air.md §3 open question: no ranking notice for GB 3095—2026 seen",
            ),
            CompositeBasis(
                "2031-final",
                "UNVERIFIED: 2018 method with GB 3095—2026 final secondary limits (20, 30, 50, 25, 4, 160)",
                _basis_limits(gb3095.EDITIONS_BY_CODE["2026-final"]),
                _ONES,
                False,
                "air.md §3 open question",
            ),
            CompositeBasis(
                "2026-weighted-hypothesis",
                "UNVERIFIED hypothesis: transitional limits, weights PM2.5 ×3, NO2 ×2, O3 ×2",
                _basis_limits(gb3095.EDITIONS_BY_CODE["2026-transitional"]),
                MappingProxyType({**_ONES, "PM2.5": Decimal(3), "NO2": Decimal(2), "O3": Decimal(2)}),
                False,
                "air.md §3/§7: one third-party code base; not in any official text seen",
            ),
        )
    }
)


def composite_basis_for(day: Any) -> CompositeBasis:
    """Default basis for a period ending on ``day`` (or a basis code / CompositeBasis).

    Before 2026-03-01: "2018"; 2026-03-01 … 2030-12-31: "2026-transitional";
    from 2031: "2031-final" (the latter two UNVERIFIED).
    """
    if isinstance(day, CompositeBasis):
        return day
    if isinstance(day, str):
        try:
            return COMPOSITE_BASES[day]
        except KeyError:
            raise EvaluationError(f"unknown composite basis {day!r}; known: {', '.join(COMPOSITE_BASES)}") from None
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not isinstance(day, datetime.date):
        raise EvaluationError(f"expected a date, a basis code or a CompositeBasis, got {day!r}")
    if day < datetime.date(2026, 3, 1):
        return COMPOSITE_BASES["2018"]
    if day < datetime.date(2031, 1, 1):
        return COMPOSITE_BASES["2026-transitional"]
    return COMPOSITE_BASES["2031-final"]


class CompositeItem(NamedTuple):
    pollutant: str
    concentration: Fraction  # C_i as used
    limit: Decimal  # S_i
    weight: Decimal
    index: Fraction  # I_i = C_i / S_i (unweighted)

    @property
    def weighted(self) -> Fraction:
        return self.index * Fraction(self.weight)


class CompositeIndex(NamedTuple):
    """环境空气质量综合指数 of one area and period, with its provenance per pollutant."""

    basis: CompositeBasis
    total: Fraction  # Σ w_i·I_i, exact
    items: Mapping[str, CompositeItem]
    primary: tuple[str, ...]  # pollutant(s) with the largest I_i

    @property
    def reported(self) -> Decimal:
        """The index as published: GB/T 8170 to ``basis.decimals`` (2)."""
        return round_gbt8170(self.total, self.basis.decimals)

    @property
    def max_index(self) -> Fraction:
        return max(i.index for i in self.items.values())


def composite_index(
    concentrations: Mapping[str, Any], basis: Any = "2018", *, allow_invalid: bool = False
) -> CompositeIndex:
    """Composite index I_sum = Σ w_i·C_i/S_i over the six pollutants (环办监测〔2018〕19号).

    ``concentrations``: pollutant -> period value (SO2, NO2, PM10, PM2.5
    means; CO 95th percentile of daily means, mg/m³; O3 90th percentile of
    daily max 8-h), numbers or :class:`Statistic`. ``basis``: a basis code,
    a :class:`CompositeBasis` or a date (:func:`composite_basis_for`).
    All six are required; an invalid :class:`Statistic` (too few valid days)
    is refused unless ``allow_invalid`` (rankings list such areas apart).
    """
    b = composite_basis_for(basis)
    given: dict[str, Fraction] = {}
    for name, v in concentrations.items():
        pol = _pollutant(name)
        if isinstance(v, Statistic) and not v.valid and not allow_invalid:
            raise EvaluationError(f"composite index: {pol} is not valid ({v.note or f'{v.count} of {v.required} values'})")
        x = v.value if isinstance(v, Statistic) else _exact(v, pol)
        if x is None:
            raise EvaluationError(f"composite index: {pol} has no value")
        given[pol] = Fraction(x)
    lacking = [p for p in POLLUTANTS if p not in given]
    if lacking:
        raise EvaluationError(f"composite index needs all six pollutants; missing: {', '.join(lacking)}")
    items = {}
    total = Fraction(0)
    for p in POLLUTANTS:
        c = given[p]
        if b.round_concentrations:
            c = Fraction(round_gbt8170(c, DECIMALS[p]))
        s = b.limits[p]
        w = b.weights.get(p, Decimal(1))
        i = c / Fraction(s)
        items[p] = CompositeItem(p, c, s, w, i)
        total += i * Fraction(w)
    top = max(it.index for it in items.values())
    primary = tuple(p for p in POLLUTANTS if items[p].index == top)
    return CompositeIndex(b, total, MappingProxyType(items), primary)


class ChangeRate(NamedTuple):
    """Change versus the same period last year: (now − before)/before × 100 %."""

    current: Fraction
    previous: Fraction
    rate: Fraction | None  # fraction of 1; None when previous is 0
    percent: Decimal | None  # GB/T 8170, 1 decimal; < 0 = improved

    @property
    def improved(self) -> bool | None:
        return None if self.rate is None else self.rate < 0


def change_rate(current: Any, previous: Any, *, decimals: int = 1, from_reported: bool = True) -> ChangeRate:
    """综合指数变化率 (城市环境空气质量变化程度排名方案, 2017): (I_now − I_last)/I_last × 100 %.

    ``current``/``previous``: :class:`CompositeIndex` (must share the same
    basis: compare like with like across the 2026 switch; recompute last year
    with this year's basis) or plain numbers (e.g. PM2.5 means).
    ``from_reported``: use the published (rounded) indices, as releases do.
    """
    vals = []
    for what, x in (("current", current), ("previous", previous)):
        if isinstance(x, CompositeIndex):
            vals.append(Fraction(x.reported) if from_reported else x.total)
        elif isinstance(x, Statistic):
            if x.value is None:
                raise EvaluationError(f"change rate: {what} has no value")
            vals.append(Fraction(x.value))
        else:
            v = _exact(x, what)
            if v is None:
                raise EvaluationError(f"change rate: {what} has no value")
            vals.append(Fraction(v))
    if isinstance(current, CompositeIndex) and isinstance(previous, CompositeIndex):
        if current.basis.code != previous.basis.code:
            raise EvaluationError(
                f"change rate across bases {current.basis.code!r} and {previous.basis.code!r}: "
                "recompute the previous period with the current basis (same-basis comparison)"
            )
    now, before = vals
    if before == 0:
        return ChangeRate(now, before, None, None)
    rate = (now - before) / before
    return ChangeRate(now, before, rate, round_gbt8170(rate * 100, decimals))


def composite_change(
    current: Mapping[str, Any], previous: Mapping[str, Any], basis: Any
) -> tuple[CompositeIndex, CompositeIndex, ChangeRate]:
    """Both periods' composite indices on one basis, and the change rate."""
    now = composite_index(current, basis)
    before = composite_index(previous, now.basis)
    return now, before, change_rate(now, before)


def replace_rules(rules: EvaluationRules = DEFAULT_RULES, **changes: Any) -> EvaluationRules:
    """A deployment variant of the evaluation rules."""
    return dataclasses.replace(rules, **changes)
