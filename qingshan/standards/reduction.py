"""Emission reduction (总量减排) helpers: completion of a target and a year-end forecast.

A reduction target (目标责任书) for a pollutant (COD, NH3-N, SO2, NOx …) is
stated against a baseline year's total, either as an amount to cut
(``target_reduction``) or as a fraction of the baseline (``target_rate``,
e.g. ``0.08`` for "−8 % on 2020"). Then::

    required   = target_reduction            or  baseline × target_rate
    achieved   = baseline − actual (or forecast) total
    completion = achieved ÷ required          (1 = target exactly met)

The year-end forecast extrapolates the months reported so far:

* ``seasonal`` (used when last year's 12 monthly totals are given and the
  same months of last year are not zero): this year's total so far scaled by
  last year's share of the year in those months,
  ``forecast = observed × Σ last_year / Σ last_year[:k]``; the remaining months
  follow last year's profile;
* ``linear``: the run-rate, ``forecast = observed × 12 / k``.

The risk level compares the expected completion with configurable
thresholds (:data:`DEFAULT_RISK_THRESHOLDS`, best first). Amounts are
Decimal; output rates are rounded half-up to 4 decimals and totals to 3
decimals (the unit is the caller's, usually tonnes).

Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MONTHS = 12
RATE_PLACES = Decimal("0.0001")
TOTAL_PLACES = Decimal("0.001")

#: expected completion → risk level, best first; the last entry catches the rest.
#: A deployment passes its own list (same shape) to :func:`assess_target`.
DEFAULT_RISK_THRESHOLDS: tuple[Mapping[str, Any], ...] = (
    {"min_completion": "1.10", "risk": "low", "meaning": "forecast beats the target with a 10 % margin"},
    {"min_completion": "1.00", "risk": "medium", "meaning": "forecast meets the target with little margin"},
    {"min_completion": "0.90", "risk": "high", "meaning": "forecast misses the target by up to 10 %"},
    {"min_completion": None, "risk": "critical", "meaning": "forecast misses the target by more than 10 %"},
)


class ReductionError(ValueError):
    """Input the reduction helpers cannot compute."""


def _dec(value: Any, what: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ReductionError(f"{what} must be a number, got {value!r}")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ReductionError(f"{what} must be finite, got {value!r}")
            d = Decimal(repr(value))
        elif isinstance(value, (int, Decimal)):
            d = Decimal(value)
        elif isinstance(value, str):
            d = Decimal(value.strip())
        else:
            raise ReductionError(f"{what} must be a number, got {type(value).__name__}")
    except InvalidOperation:
        raise ReductionError(f"{what} must be a number, got {value!r}") from None
    if not d.is_finite():
        raise ReductionError(f"{what} must be finite, got {value!r}")
    if d < 0 or (positive and d == 0):
        raise ReductionError(f"{what} must be {'positive' if positive else 'non-negative'}, got {value!r}")
    return d


def _q(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def required_reduction(baseline: Any, *, target_reduction: Any = None, target_rate: Any = None) -> Decimal:
    """The amount to cut: ``target_reduction``, or ``baseline × target_rate`` (give exactly one)."""
    base = _dec(baseline, "baseline", positive=True)
    if (target_reduction is None) == (target_rate is None):
        raise ReductionError("give exactly one of target_reduction and target_rate")
    if target_reduction is not None:
        required = _dec(target_reduction, "target_reduction", positive=True)
    else:
        rate = _dec(target_rate, "target_rate", positive=True)
        if rate > 1:
            raise ReductionError(f"target_rate is a fraction of the baseline (0.08 = 8 %), got {target_rate!r}")
        required = base * rate
    if required > base:
        raise ReductionError(f"required reduction {required} exceeds the baseline {base}")
    return required


@dataclass(frozen=True)
class Completion:
    """Completion of a reduction target for one total (actual or forecast)."""

    baseline: Decimal
    total: Decimal
    required: Decimal
    achieved: Decimal
    rate: Decimal  # achieved ÷ required, 4 decimals; negative when emissions grew
    met: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "baseline": str(self.baseline),
            "total": str(self.total),
            "required": str(self.required),
            "achieved": str(self.achieved),
            "rate": str(self.rate),
            "met": self.met,
        }


def completion_rate(baseline: Any, actual: Any, *, target_reduction: Any = None, target_rate: Any = None) -> Completion:
    """Completion of a reduction target: (baseline − actual) ÷ required reduction."""
    base = _dec(baseline, "baseline", positive=True)
    total = _dec(actual, "actual")
    required = required_reduction(base, target_reduction=target_reduction, target_rate=target_rate)
    achieved = base - total
    return Completion(base, total, required, achieved, _q(achieved / required, RATE_PLACES), achieved >= required)


@dataclass(frozen=True)
class Forecast:
    """Year-end total forecast from the months reported so far."""

    total: Decimal  # 3 decimals
    method: str  # seasonal | linear | actual
    months_observed: int
    observed_total: Decimal
    monthly: tuple[Decimal, ...]  # 12 values: observed months, then forecast months (3 decimals)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": str(self.total),
            "method": self.method,
            "months_observed": self.months_observed,
            "observed_total": str(self.observed_total),
            "monthly": [str(m) for m in self.monthly],
            "note": self.note,
        }


def _months(values: Sequence[Any], what: str, *, exact: int | None = None) -> list[Decimal]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
        raise ReductionError(f"{what} must be a list of monthly totals")
    if exact is not None and len(values) != exact:
        raise ReductionError(f"{what} must have {exact} monthly totals, got {len(values)}")
    if not 1 <= len(values) <= MONTHS:
        raise ReductionError(f"{what} must have 1 to 12 monthly totals (January first), got {len(values)}")
    return [_dec(v, f"{what}[{i + 1}]") for i, v in enumerate(values)]


def forecast_year_end(monthly_so_far: Sequence[Any], last_year: Sequence[Any] | None = None, *, method: str = "auto") -> Forecast:
    """Forecast the calendar-year total from January…month k of this year.

    ``method``: ``auto`` (seasonal when ``last_year`` is usable, else linear),
    ``seasonal`` (requires ``last_year``) or ``linear``.
    """
    if method not in ("auto", "seasonal", "linear"):
        raise ReductionError(f"method must be auto, seasonal or linear, got {method!r}")
    observed = _months(monthly_so_far, "monthly_so_far")
    k = len(observed)
    so_far = sum(observed, Decimal(0))
    profile = None if last_year is None else _months(last_year, "last_year", exact=MONTHS)
    if k == MONTHS:
        return Forecast(_q(so_far, TOTAL_PLACES), "actual", k, so_far, tuple(_q(m, TOTAL_PLACES) for m in observed), "all 12 months reported")
    note = ""
    use = method
    if method in ("auto", "seasonal"):
        usable = profile is not None and sum(profile[:k], Decimal(0)) > 0
        if not usable:
            if method == "seasonal":
                raise ReductionError("seasonal forecast needs last year's 12 monthly totals, not all zero in the months observed")
            use = "linear"
            note = "no usable profile from last year: linear run-rate"
        else:
            use = "seasonal"
    if use == "seasonal":
        assert profile is not None
        ly_so_far = sum(profile[:k], Decimal(0))
        factor = so_far / ly_so_far
        rest = [p * factor for p in profile[k:]]
        note = note or f"last year's months 1-{k} were {_q(ly_so_far / sum(profile, Decimal(0)) * 100, Decimal('0.01'))}% of its total"
    else:
        rate = so_far / k
        rest = [rate] * (MONTHS - k)
        note = note or f"run-rate {_q(rate, TOTAL_PLACES)} per month"
    total = so_far + sum(rest, Decimal(0))
    monthly = tuple(_q(m, TOTAL_PLACES) for m in [*observed, *rest])
    return Forecast(_q(total, TOTAL_PLACES), use, k, so_far, monthly, note)


def _thresholds(thresholds: Sequence[Mapping[str, Any]]) -> list[tuple[Decimal | None, str]]:
    out = []
    for i, t in enumerate(thresholds):
        if not isinstance(t, Mapping) or "risk" not in t:
            raise ReductionError(f"threshold #{i + 1} needs a risk level")
        m = t.get("min_completion")
        out.append((None if m is None else _dec(m, f"threshold #{i + 1} min_completion"), str(t["risk"])))
    if not out or out[-1][0] is not None:
        raise ReductionError("the last risk threshold must have min_completion null (catch-all)")
    mins = [m for m, _ in out[:-1]]
    if any(m is None for m in mins) or mins != sorted(mins, reverse=True):
        raise ReductionError("risk thresholds must be ordered from the highest min_completion down")
    return out


def risk_level(expected_completion: Any, thresholds: Sequence[Mapping[str, Any]] = DEFAULT_RISK_THRESHOLDS) -> str:
    """The risk level whose ``min_completion`` the expected completion reaches (best first)."""
    value = Decimal(str(expected_completion)) if not isinstance(expected_completion, Decimal) else expected_completion
    for minimum, risk in _thresholds(thresholds):
        if minimum is None or value >= minimum:
            return risk
    raise AssertionError("unreachable: the last threshold is a catch-all")


@dataclass(frozen=True)
class Outlook:
    """Year-end outlook of one target: forecast, expected completion and risk."""

    forecast: Forecast
    expected: Completion
    risk: str

    def as_dict(self) -> dict[str, Any]:
        return {"forecast": self.forecast.as_dict(), "expected": self.expected.as_dict(), "risk": self.risk}


def assess_target(
    baseline: Any,
    monthly_so_far: Sequence[Any],
    *,
    target_reduction: Any = None,
    target_rate: Any = None,
    last_year: Sequence[Any] | None = None,
    method: str = "auto",
    thresholds: Sequence[Mapping[str, Any]] = DEFAULT_RISK_THRESHOLDS,
) -> Outlook:
    """Forecast the year-end total, its expected completion of the target, and the risk level."""
    forecast = forecast_year_end(monthly_so_far, last_year, method=method)
    expected = completion_rate(baseline, forecast.total, target_reduction=target_reduction, target_rate=target_rate)
    return Outlook(forecast, expected, risk_level(expected.rate, thresholds))
