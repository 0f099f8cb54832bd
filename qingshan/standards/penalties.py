"""EPL enforcement measures: daily continuous penalty, late-payment surcharge, time limits.

Legal basis (every reference is data in ``data/legal_basis.json``; see
docs/enforcement-rules.md for what is verified):

* 《环境保护法》(2014) Art. 59 and 环境保护部令第28号《环境保护主管部门实施按日
  连续处罚办法》: **daily continuous penalty** (按日连续处罚). Art. 17 of the
  measures: the days counted run *from the day after* the order to correct
  (责令改正违法行为决定书) is served *up to and including* the day the
  re-inspection finds the illegal discharge continuing; further re-inspections
  that find continued refusal accumulate days. Art. 19: total = original fine
  × days. Art. 18: a violation corrected and later repeated restarts the count
  with a new order (a new computation here).
* 《行政处罚法》(2021) Art. 72(1)(1): **late-payment surcharge** (加处罚款) of 3 %
  of the fine per day after the due date, never more than the fine; Art. 67:
  pay within 15 days of receiving the decision; Art. 73 ¶3 [U]: days while
  administrative reconsideration or litigation is pending are not counted.
* 《行政强制法》 Art. 25: **seizure** (查封、扣押) at most 30 days, extendable once
  by at most 30 days, testing/appraisal time excluded; 环境保护部令第30号:
  **production limit** (限制生产) generally at most 3 months, extendable by at
  most 3 months [U].
* The **five categories** of EPL enforcement measures reported in MEE
  statistics (五类案件): :class:`EnforcementMeasure`.

Money is :class:`decimal.Decimal` in yuan with at most two decimals (fen);
floats are converted through ``repr``. Pure: no Django, no I/O except reading
the packaged legal-basis table on first use.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from typing import Any

from qingshan.standards.workdays import (
    WorkdayCalendar,
    WorkdayError,
    add_months,
    default_calendar,
    to_date,
)

LEGAL_BASIS_FORMAT = "qingshan.legal_basis/1"
DATA_FILE = "legal_basis.json"
CENT = Decimal("0.01")
ZERO = Decimal(0)

STATUSES = ("V", "S", "U")
TIME_UNITS = ("calendar_days", "workdays", "months", "hours")


# --------------------------------------------------------------------------- errors


class PenaltyError(ValueError):
    """Input the penalty rules cannot compute (bad amount, dates out of order, …)."""


class LegalBasisError(PenaltyError):
    """A legal-basis table that does not follow the format, or an unknown id."""


# --------------------------------------------------------------------------- enums


class EnforcementMeasure(str, enum.Enum):
    """The five categories of EPL enforcement measures (五类案件, rules.md §3.3)."""

    DAILY_PENALTY = "daily_penalty"  #: 按日连续处罚 (EPL Art. 59)
    SEIZURE = "seizure"  #: 查封、扣押 (EPL Art. 25)
    PRODUCTION_LIMIT = "production_limit"  #: 限制生产、停产整治 (EPL Art. 60)
    DETENTION_REFERRAL = "detention_referral"  #: 移送行政拘留 (EPL Art. 63)
    CRIMINAL_REFERRAL = "criminal_referral"  #: 移送涉嫌环境污染犯罪


class CaseType(str, enum.Enum):
    """Case type for statistics: the five categories plus ordinary and no penalty."""

    GENERAL_PENALTY = "general_penalty"  #: 一般行政处罚
    NO_PENALTY = "no_penalty"  #: 不予行政处罚
    DAILY_PENALTY = "daily_penalty"
    SEIZURE = "seizure"
    PRODUCTION_LIMIT = "production_limit"
    DETENTION_REFERRAL = "detention_referral"
    CRIMINAL_REFERRAL = "criminal_referral"

    @property
    def is_five_categories(self) -> bool:
        return self.value in FIVE_CATEGORIES


FIVE_CATEGORIES: tuple[str, ...] = tuple(m.value for m in EnforcementMeasure)


# --------------------------------------------------------------------------- numbers and dates


def to_money(value: Any, what: str, *, allow_zero: bool = False) -> Decimal:
    """A non-negative amount in yuan with at most 2 decimals, as Decimal, or PenaltyError."""
    if value is None or isinstance(value, bool):
        raise PenaltyError(f"{what} must be an amount in yuan, got {value!r}")
    try:
        if isinstance(value, Decimal):
            dec = value
        elif isinstance(value, int):
            dec = Decimal(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise PenaltyError(f"{what} must be finite, got {value!r}")
            dec = Decimal(repr(value))
        elif isinstance(value, str):
            dec = Decimal(value.strip().replace(",", ""))
        else:
            raise PenaltyError(f"{what} must be an amount in yuan, got {type(value).__name__}")
    except InvalidOperation:
        raise PenaltyError(f"{what} must be an amount in yuan, got {value!r}") from None
    if not dec.is_finite():
        raise PenaltyError(f"{what} must be finite, got {value!r}")
    if dec < 0 or (dec == 0 and not allow_zero):
        raise PenaltyError(f"{what} must be {'zero or more' if allow_zero else 'more than zero'}, got {value!r}")
    if dec != dec.quantize(CENT):
        raise PenaltyError(f"{what} has more than two decimals (fen): {value!r}")
    return dec.quantize(CENT)


def to_rate(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise PenaltyError(f"{what} must be a number, got {value!r}")
    try:
        dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise PenaltyError(f"{what} must be a number, got {value!r}") from None
    if not dec.is_finite() or dec <= 0 or dec > 1:
        raise PenaltyError(f"{what} must be in (0, 1], got {value!r}")
    return dec


def _date(value: Any, what: str) -> datetime.date:
    try:
        return to_date(value, what)
    except WorkdayError as exc:
        raise PenaltyError(str(exc)) from None


def _int(value: Any, what: str, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PenaltyError(f"{what} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise PenaltyError(f"{what} must be at least {minimum}, got {value}")
    return value


def _merge_periods(periods: Iterable[Any], what: str) -> list[tuple[datetime.date, datetime.date]]:
    """Inclusive ``(start, end)`` date pairs (or mappings with start/end), merged and sorted."""
    pairs: list[tuple[datetime.date, datetime.date]] = []
    for i, p in enumerate(periods or ()):
        if isinstance(p, Mapping):
            start, end = p.get("start"), p.get("end")
        else:
            try:
                start, end = p
            except (TypeError, ValueError):
                raise PenaltyError(f"{what}[{i}] must be a (start, end) pair") from None
        a, b = _date(start, f"{what}[{i}].start"), _date(end, f"{what}[{i}].end")
        if b < a:
            raise PenaltyError(f"{what}[{i}] ends ({b}) before it starts ({a})")
        pairs.append((a, b))
    pairs.sort()
    merged: list[tuple[datetime.date, datetime.date]] = []
    for a, b in pairs:
        if merged and a <= merged[-1][1] + datetime.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _days_in(periods: list[tuple[datetime.date, datetime.date]], first: datetime.date, last: datetime.date) -> int:
    """Days of the merged ``periods`` that fall in ``[first, last]``."""
    total = 0
    for a, b in periods:
        lo, hi = max(a, first), min(b, last)
        if hi >= lo:
            total += (hi - lo).days + 1
    return total


# --------------------------------------------------------------------------- legal basis table


@dataclass(frozen=True)
class LegalBasis:
    """One article of one instrument that a measure or rule relies on."""

    id: str
    subject: str
    instrument: str
    law: str
    law_en: str
    article: str
    summary: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    status: str  #: V verified / S secondary sources / U unverified

    def is_valid_on(self, date: Any) -> bool:
        d = _date(date, "date")
        return (self.valid_from is None or self.valid_from <= d) and (self.valid_to is None or d <= self.valid_to)

    @property
    def citation(self) -> str:
        return f"《{self.law}》{self.article}" if not self.law.startswith("《") else f"{self.law}{self.article}"


@dataclass(frozen=True)
class TimeLimit:
    """A statutory time limit as data (``time_limits`` in the legal-basis table)."""

    id: str
    subject: str
    amount: int
    unit: str
    start_event: str
    basis: tuple[str, ...]
    status: str
    extension_amount: int = 0
    extension_unit: str | None = None
    extension_max_times: int = 0
    roll_forward: bool = False
    excludes: str = ""
    note: str = ""

    @property
    def max_extension(self) -> int:
        return self.extension_amount * self.extension_max_times


def _opt_date(value: Any, what: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise LegalBasisError(f"{what} must be an ISO date or null, got {value!r}") from None


class LegalBasisTable:
    """The legal-basis table: subjects, instruments, article entries, time limits, parameters."""

    def __init__(
        self,
        subjects: Mapping[str, Mapping[str, Any]],
        basis: Sequence[LegalBasis],
        time_limits: Mapping[str, TimeLimit],
        parameters: Mapping[str, Mapping[str, Any]],
    ):
        self.subjects = dict(subjects)
        self.basis = tuple(basis)
        self._by_id = {b.id: b for b in self.basis}
        self.time_limits = dict(time_limits)
        self.parameters = dict(parameters)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> LegalBasisTable:
        if not isinstance(data, Mapping):
            raise LegalBasisError("legal-basis table must be an object")
        if data.get("format") != LEGAL_BASIS_FORMAT:
            raise LegalBasisError(f"unsupported legal-basis format {data.get('format')!r}, expected {LEGAL_BASIS_FORMAT!r}")
        subjects = data.get("subjects") or {}
        instruments = data.get("instruments") or {}
        if not isinstance(subjects, Mapping) or not isinstance(instruments, Mapping):
            raise LegalBasisError("'subjects' and 'instruments' must be objects")
        entries: list[LegalBasis] = []
        seen: set[str] = set()
        for i, row in enumerate(data.get("basis") or ()):
            if not isinstance(row, Mapping):
                raise LegalBasisError(f"basis[{i}] must be an object")
            try:
                bid, subject, inst_id = str(row["id"]), str(row["subject"]), str(row["instrument"])
            except KeyError as exc:
                raise LegalBasisError(f"basis[{i}] lacks {exc.args[0]!r}") from None
            if bid in seen:
                raise LegalBasisError(f"duplicate basis id {bid!r}")
            seen.add(bid)
            if subject not in subjects:
                raise LegalBasisError(f"basis {bid!r}: unknown subject {subject!r}")
            inst = instruments.get(inst_id)
            if not isinstance(inst, Mapping):
                raise LegalBasisError(f"basis {bid!r}: unknown instrument {inst_id!r}")
            status = row.get("status", "U")
            if status not in STATUSES:
                raise LegalBasisError(f"basis {bid!r}: status must be one of {STATUSES}, got {status!r}")
            entries.append(
                LegalBasis(
                    id=bid,
                    subject=subject,
                    instrument=inst_id,
                    law=str(inst.get("title", inst_id)),
                    law_en=str(inst.get("title_en", "")),
                    article=str(row.get("article", "")),
                    summary=str(row.get("summary", "")),
                    valid_from=_opt_date(row.get("valid_from", inst.get("valid_from")), f"basis {bid!r}.valid_from"),
                    valid_to=_opt_date(row.get("valid_to", inst.get("valid_to")), f"basis {bid!r}.valid_to"),
                    status=status,
                )
            )
        limits: dict[str, TimeLimit] = {}
        for lid, row in (data.get("time_limits") or {}).items():
            if not isinstance(row, Mapping):
                raise LegalBasisError(f"time_limits.{lid} must be an object")
            unit = row.get("unit")
            if unit not in TIME_UNITS:
                raise LegalBasisError(f"time_limits.{lid}.unit must be one of {TIME_UNITS}, got {unit!r}")
            amount = row.get("amount")
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise LegalBasisError(f"time_limits.{lid}.amount must be an integer")
            refs = tuple(row.get("basis") or ())
            missing = [r for r in refs if r not in seen]
            if missing:
                raise LegalBasisError(f"time_limits.{lid}: unknown basis ids {missing}")
            ext = row.get("extension") or {}
            ext_unit = ext.get("unit") if ext else None
            if ext and ext_unit != unit:
                raise LegalBasisError(f"time_limits.{lid}: the extension unit must equal the limit unit")
            limits[lid] = TimeLimit(
                id=str(lid),
                subject=str(row.get("subject", "")),
                amount=amount,
                unit=unit,
                start_event=str(row.get("start_event", "")),
                basis=refs,
                status=row.get("status", "U"),
                extension_amount=int(ext.get("amount", 0)) if ext else 0,
                extension_unit=ext_unit,
                extension_max_times=int(ext.get("max_times", 1)) if ext else 0,
                roll_forward=bool(row.get("roll_forward", False)),
                excludes=str(row.get("excludes", "")),
                note=str(row.get("note", "")),
            )
        parameters = data.get("parameters") or {}
        return cls(subjects, entries, limits, parameters)

    @classmethod
    def from_json(cls, text: str | bytes) -> LegalBasisTable:
        try:
            return cls.from_mapping(json.loads(text))
        except (ValueError, TypeError) as exc:
            if isinstance(exc, LegalBasisError):
                raise
            raise LegalBasisError(f"legal-basis table is not valid JSON: {exc}") from None

    # ------------------------------------------------------------------ queries

    def get(self, basis_id: str) -> LegalBasis:
        try:
            return self._by_id[basis_id]
        except KeyError:
            raise LegalBasisError(f"unknown legal basis id {basis_id!r}") from None

    def for_subject(self, subject: str | enum.Enum, on: Any = None) -> tuple[LegalBasis, ...]:
        """Entries for a measure or rule (e.g. ``"daily_penalty"``), valid on ``on`` if given."""
        key = subject.value if isinstance(subject, enum.Enum) else str(subject)
        if key not in self.subjects:
            raise LegalBasisError(f"unknown subject {key!r}; known: {', '.join(sorted(self.subjects))}")
        rows = [b for b in self.basis if b.subject == key]
        if on is not None:
            rows = [b for b in rows if b.is_valid_on(on)]
        return tuple(rows)

    def time_limit(self, limit_id: str) -> TimeLimit:
        try:
            return self.time_limits[limit_id]
        except KeyError:
            raise LegalBasisError(
                f"unknown time limit {limit_id!r}; known: {', '.join(sorted(self.time_limits))}"
            ) from None

    def parameter(self, group: str, name: str) -> Any:
        try:
            return self.parameters[group][name]
        except (KeyError, TypeError):
            raise LegalBasisError(f"the legal-basis table has no parameter {group}.{name}") from None

    def label(self, subject: str | enum.Enum, lang: str = "zh") -> str:
        key = subject.value if isinstance(subject, enum.Enum) else str(subject)
        row = self.subjects.get(key) or {}
        return str(row.get(f"name_{lang}") or key)


@functools.lru_cache(maxsize=1)
def packaged_legal_basis() -> LegalBasisTable:
    """The table shipped in ``qingshan/standards/data/legal_basis.json``."""
    text = resources.files("qingshan.standards").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return LegalBasisTable.from_json(text)


def legal_basis(subject: str | enum.Enum, on: Any = None, *, table: LegalBasisTable | None = None) -> tuple[LegalBasis, ...]:
    """The legal basis of a measure (an :class:`EnforcementMeasure` or a subject id) valid on ``on``."""
    return (table or packaged_legal_basis()).for_subject(subject, on)


# --------------------------------------------------------------------------- daily continuous penalty


@dataclass(frozen=True)
class Recheck:
    """A re-inspection (复查) after an order to correct.

    ``new_order_served_on``: when the violation continues a new order to
    correct is served; by default on the re-inspection day itself.
    """

    date: datetime.date
    violation_continuing: bool = True
    new_order_served_on: datetime.date | None = None

    @classmethod
    def coerce(cls, value: Any, i: int) -> Recheck:
        if isinstance(value, Recheck):
            return value
        if isinstance(value, (datetime.date, str)):
            return cls(_date(value, f"rechecks[{i}]"))
        if isinstance(value, Mapping):
            continuing = value.get("violation_continuing", value.get("continuing", True))
            if not isinstance(continuing, bool):
                raise PenaltyError(f"rechecks[{i}].violation_continuing must be true or false")
            new = value.get("new_order_served_on")
            return cls(
                _date(value.get("date"), f"rechecks[{i}].date"),
                continuing,
                _date(new, f"rechecks[{i}].new_order_served_on") if new is not None else None,
            )
        raise PenaltyError(f"rechecks[{i}] must be a date, a Recheck or a mapping, got {type(value).__name__}")


@dataclass(frozen=True)
class PenaltyPeriod:
    """One counted stretch: from an order to correct to the re-inspection that found the violation."""

    index: int
    order_served_on: datetime.date
    recheck_on: datetime.date
    first_day: datetime.date | None  #: first day counted (None when 0 days)
    last_day: datetime.date | None
    days: int
    daily_amount: Decimal
    amount: Decimal

    @property
    def formula(self) -> str:
        return f"{self.daily_amount:.2f} × {self.days} = {self.amount:.2f}"


@dataclass(frozen=True)
class DailyPenaltyResult:
    original_fine: Decimal
    order_served_on: datetime.date
    periods: tuple[PenaltyPeriod, ...]
    total_days: int
    total_amount: Decimal
    corrected_on: datetime.date | None
    count_service_day: bool
    count_recheck_day: bool
    warnings: tuple[str, ...] = ()
    basis: tuple[str, ...] = ("epl2014-59", "mep28-17", "mep28-19")

    @property
    def formula(self) -> str:
        return f"{self.original_fine:.2f} × {self.total_days} = {self.total_amount:.2f}"

    def breakdown(self) -> list[dict[str, Any]]:
        """Rows for display or a decision document (dates as ISO strings, amounts as strings)."""
        return [
            {
                "period": p.index,
                "order_served_on": p.order_served_on.isoformat(),
                "recheck_on": p.recheck_on.isoformat(),
                "first_day": p.first_day.isoformat() if p.first_day else None,
                "last_day": p.last_day.isoformat() if p.last_day else None,
                "days": p.days,
                "daily_amount": f"{p.daily_amount:.2f}",
                "amount": f"{p.amount:.2f}",
                "formula": p.formula,
            }
            for p in self.periods
        ]


def daily_penalty_days(
    order_served_on: Any,
    recheck_on: Any,
    *,
    count_service_day: bool = False,
    count_recheck_day: bool = True,
) -> int:
    """Days counted between an order to correct and a re-inspection.

    Default (部令第28号 Art. 17): from the day after service up to and
    including the re-inspection day, i.e. ``(recheck_on − order_served_on).days``.
    Example: served 2015-03-01, re-inspected 2015-03-21 → 20 days.
    """
    served, recheck = _date(order_served_on, "order_served_on"), _date(recheck_on, "recheck_on")
    if recheck < served:
        raise PenaltyError(f"re-inspection {recheck} is before the order to correct was served ({served})")
    first = served if count_service_day else served + datetime.timedelta(days=1)
    last = recheck if count_recheck_day else recheck - datetime.timedelta(days=1)
    return max(0, (last - first).days + 1)


def recheck_due_date(order_served_on: Any, *, table: LegalBasisTable | None = None) -> datetime.date:
    """Last day for the covert re-inspection (within 30 days of service, [U]; see ``daily_penalty_recheck``)."""
    limit = (table or packaged_legal_basis()).time_limit("daily_penalty_recheck")
    return _date(order_served_on, "order_served_on") + datetime.timedelta(days=limit.amount)


def daily_penalty(
    original_fine: Any,
    order_served_on: Any,
    rechecks: Sequence[Any] | Any,
    *,
    count_service_day: bool | None = None,
    count_recheck_day: bool | None = None,
    table: LegalBasisTable | None = None,
) -> DailyPenaltyResult:
    """Daily continuous penalty (按日连续处罚), EPL Art. 59, 部令第28号 Art. 17–19.

    ``rechecks``: re-inspections in any order (dates, :class:`Recheck` or
    mappings ``{"date", "violation_continuing", "new_order_served_on"}``).
    Each re-inspection that finds the violation continuing closes a period
    that began with the latest order to correct; the next period begins with
    the new order (by default served on that re-inspection day), so days
    accumulate without overlap (Art. 17 ¶2). A re-inspection that finds the
    violation corrected ends the computation; later re-inspections are refused
    because a repeated violation needs a new order and a new count (Art. 18).

    The counting convention defaults to the table's ``parameters.daily_penalty``
    (day after service … re-inspection day inclusive). If a convention would
    count a day twice across periods, the later period starts the day after
    the earlier one ended.
    """
    tbl = table or packaged_legal_basis()
    fine = to_money(original_fine, "original_fine")
    served = _date(order_served_on, "order_served_on")
    if count_service_day is None:
        count_service_day = bool(tbl.parameter("daily_penalty", "count_service_day"))
    if count_recheck_day is None:
        count_recheck_day = bool(tbl.parameter("daily_penalty", "count_recheck_day"))
    if isinstance(rechecks, (datetime.date, str, Mapping, Recheck)):
        rechecks = [rechecks]
    items = [Recheck.coerce(r, i) for i, r in enumerate(rechecks or ())]
    items.sort(key=lambda r: r.date)
    for a, b in zip(items, items[1:]):
        if a.date == b.date:
            raise PenaltyError(f"two re-inspections on {a.date}")
    window = tbl.time_limit("daily_penalty_recheck").amount

    periods: list[PenaltyPeriod] = []
    warnings: list[str] = []
    current_order = served
    last_counted: datetime.date | None = None
    corrected_on: datetime.date | None = None
    for i, r in enumerate(items):
        if corrected_on is not None:
            raise PenaltyError(
                f"re-inspection on {r.date} follows the correction found on {corrected_on}: a repeated violation "
                "needs a new order to correct and a new computation (部令第28号 Art. 18)"
            )
        if r.date < current_order:
            raise PenaltyError(f"re-inspection on {r.date} is before the order to correct served on {current_order}")
        if (r.date - current_order).days > window:
            warnings.append(
                f"re-inspection on {r.date} is more than {window} days after the order served on {current_order} "
                "(部令第28号: re-inspect within 30 days; status U)"
            )
        if not r.violation_continuing:
            corrected_on = r.date
            continue
        first = current_order if count_service_day else current_order + datetime.timedelta(days=1)
        last = r.date if count_recheck_day else r.date - datetime.timedelta(days=1)
        if last_counted is not None and first <= last_counted:
            first = last_counted + datetime.timedelta(days=1)
        days = max(0, (last - first).days + 1)
        if days == 0:
            warnings.append(f"re-inspection on {r.date} counts no day (same day as the order served on {current_order})")
        periods.append(
            PenaltyPeriod(
                index=len(periods) + 1,
                order_served_on=current_order,
                recheck_on=r.date,
                first_day=first if days else None,
                last_day=last if days else None,
                days=days,
                daily_amount=fine,
                amount=fine * days,
            )
        )
        if days:
            last_counted = last
        new_order = r.new_order_served_on or r.date
        if new_order < r.date:
            raise PenaltyError(f"the new order after the re-inspection on {r.date} cannot be served before it ({new_order})")
        current_order = new_order
    total_days = sum(p.days for p in periods)
    return DailyPenaltyResult(
        original_fine=fine,
        order_served_on=served,
        periods=tuple(periods),
        total_days=total_days,
        total_amount=fine * total_days,
        corrected_on=corrected_on,
        count_service_day=count_service_day,
        count_recheck_day=count_recheck_day,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- late-payment surcharge


@dataclass(frozen=True)
class SurchargeResult:
    fine: Decimal
    due_date: datetime.date
    as_of: datetime.date
    days_overdue: int  #: calendar days in (due_date, as_of]
    excluded_days: int  #: of those, days in excluded periods (reconsideration / litigation)
    days_charged: int
    rate: Decimal
    daily_amount: Decimal
    uncapped_amount: Decimal
    amount: Decimal  #: the surcharge, ≤ fine, rounded half-up to the fen
    capped: bool
    cap_reached_on: datetime.date | None  #: the day the cap was reached, if it was
    basis: tuple[str, ...] = ("apl2021-72",)

    @property
    def total_payable(self) -> Decimal:
        return self.fine + self.amount

    @property
    def formula(self) -> str:
        text = f"{self.fine:.2f} × {self.rate} × {self.days_charged} = {self.uncapped_amount:.2f}"
        return text + (f" → capped at {self.fine:.2f}" if self.capped else "")


def payment_due_date(
    decision_received_on: Any,
    *,
    calendar: WorkdayCalendar | None = None,
    table: LegalBasisTable | None = None,
) -> datetime.date:
    """Last day to pay a fine: 15 days after receiving the decision (行政处罚法 Art. 67).

    Time limit ``fine_payment`` in the table: calendar days, the receipt day
    not counted, a last day on a rest day rolled to the next working day
    (status S/U, see the table's note).
    """
    return compute_time_limit("fine_payment", decision_received_on, calendar=calendar, table=table).due


def late_payment_surcharge(
    fine: Any,
    due_date: Any,
    as_of: Any,
    *,
    excluded_periods: Iterable[Any] = (),
    rate: Any = None,
    table: LegalBasisTable | None = None,
) -> SurchargeResult:
    """Late-payment surcharge (加处罚款), 行政处罚法 Art. 72(1)(1).

    Every day after ``due_date`` up to and including ``as_of`` (the payment
    day, or today while unpaid) adds ``rate`` (3 %) of the fine, except days in
    ``excluded_periods`` (inclusive ``(start, end)`` pairs: reconsideration or
    litigation pending, Art. 73 ¶3 [U]). The total is rounded half-up to the
    fen and capped at the fine; ``cap_reached_on`` is the first day the
    uncapped total reaches the fine (the 34th charged day at 3 %).
    """
    tbl = table or packaged_legal_basis()
    amount_fine = to_money(fine, "fine")
    due = _date(due_date, "due_date")
    now = _date(as_of, "as_of")
    r = to_rate(rate if rate is not None else tbl.parameter("late_payment_surcharge", "rate_per_day"), "rate")
    excluded = _merge_periods(excluded_periods, "excluded_periods")
    days_overdue = max(0, (now - due).days)
    excluded_days = _days_in(excluded, due + datetime.timedelta(days=1), now) if days_overdue else 0
    charged = days_overdue - excluded_days
    daily = amount_fine * r
    uncapped = (daily * charged).quantize(CENT, rounding=ROUND_HALF_UP)  # exact: fine has 2 decimals
    capped = uncapped > amount_fine
    cap_day: datetime.date | None = None
    needed = math.ceil(Fraction(1) / Fraction(r))  # charged days for the surcharge to reach the fine
    if charged >= needed:
        count = 0
        day = due
        while count < needed:
            day += datetime.timedelta(days=1)
            if _days_in(excluded, day, day) == 0:
                count += 1
        cap_day = day
    return SurchargeResult(
        fine=amount_fine,
        due_date=due,
        as_of=now,
        days_overdue=days_overdue,
        excluded_days=excluded_days,
        days_charged=charged,
        rate=r,
        daily_amount=daily,
        uncapped_amount=uncapped,
        amount=min(uncapped, amount_fine),
        capped=capped,
        cap_reached_on=cap_day,
    )


# --------------------------------------------------------------------------- time limits of measures


@dataclass(frozen=True)
class TimeLimitResult:
    limit: TimeLimit
    start: datetime.date | datetime.datetime
    base_due: datetime.date | datetime.datetime  #: without extension or excluded time
    due: datetime.date | datetime.datetime  #: with the granted extension and excluded time
    max_due: datetime.date | datetime.datetime  #: with the maximum extension allowed
    extended_by: int
    excluded_days: int
    estimated: bool = False
    basis: tuple[LegalBasis, ...] = field(default=())

    @property
    def status(self) -> str:
        return self.limit.status


def _limit_end(
    limit: TimeLimit,
    start: datetime.date | datetime.datetime,
    amount: int,
    excluded_days: int,
    cal: WorkdayCalendar,
) -> datetime.date | datetime.datetime:
    if limit.unit == "hours":
        return start + datetime.timedelta(hours=amount)
    assert isinstance(start, datetime.date)
    if limit.unit == "workdays":
        end = cal.add_workdays(start, amount)
        return cal.add_workdays(end, excluded_days) if excluded_days else end
    if limit.unit == "months":
        end = add_months(start, amount)
    else:
        end = start + datetime.timedelta(days=amount)
    end = end + datetime.timedelta(days=excluded_days)
    if limit.roll_forward and amount >= 0:
        end = cal.next_workday(end)
    return end


def compute_time_limit(
    limit_id: str,
    start: Any,
    *,
    extended_by: int = 0,
    excluded_periods: Iterable[Any] = (),
    calendar: WorkdayCalendar | None = None,
    table: LegalBasisTable | None = None,
) -> TimeLimitResult:
    """Due date of a time limit from the table (e.g. ``"seizure"``, ``"case_decision"``).

    The start day is not counted. ``extended_by`` (in the limit's unit) may
    not exceed the extension allowed; ``excluded_periods`` (inclusive date
    pairs, e.g. testing or appraisal time for a seizure, 行政强制法 Art. 25 ¶3)
    push the end back by their number of days (working days for a working-day
    limit). Hour limits need a datetime ``start`` and return a datetime.
    """
    tbl = table or packaged_legal_basis()
    limit = tbl.time_limit(limit_id)
    cal = calendar if calendar is not None else default_calendar()
    ext = _int(extended_by, "extended_by")
    if ext > limit.max_extension:
        allowed = (
            f"at most {limit.extension_amount} {limit.unit} × {limit.extension_max_times}"
            if limit.max_extension
            else "no extension"
        )
        raise PenaltyError(f"time limit {limit_id!r} allows {allowed}; got extended_by={ext}")
    if limit.unit == "hours":
        if not isinstance(start, datetime.datetime):
            raise PenaltyError(f"time limit {limit_id!r} is in hours: start must be a datetime")
        s: datetime.date | datetime.datetime = start
        if excluded_periods:
            raise PenaltyError("excluded periods are not supported for hour limits")
        excluded = 0
    else:
        s = _date(start, "start")
        periods = _merge_periods(excluded_periods, "excluded_periods")
        if limit.unit == "workdays":
            excluded = sum(max(0, cal.workdays_between(a - datetime.timedelta(days=1), b)) for a, b in periods)
        else:
            excluded = sum((b - a).days + 1 for a, b in periods)
    # UnknownYearError (a WorkdayError) propagates for working-day limits in unknown years
    base = _limit_end(limit, s, limit.amount, 0, cal)
    due = _limit_end(limit, s, limit.amount + ext, excluded, cal)
    max_due = _limit_end(limit, s, limit.amount + limit.max_extension, excluded, cal)
    # the calendar is consulted only for working days and for a rest-day roll-forward
    estimated = False
    if limit.unit == "workdays" or limit.roll_forward:
        estimated = cal.is_estimated(s, max_due)  # type: ignore[arg-type]
    return TimeLimitResult(
        limit=limit,
        start=s,
        base_due=base,
        due=due,
        max_due=max_due,
        extended_by=ext,
        excluded_days=excluded,
        estimated=estimated,
        basis=tuple(tbl.get(b) for b in limit.basis),
    )


def seizure_period(
    started_on: Any,
    *,
    extended_by: int = 0,
    excluded_periods: Iterable[Any] = (),
    table: LegalBasisTable | None = None,
) -> TimeLimitResult:
    """Last day of a seizure (查封、扣押): 30 days, +≤30 on approval, testing time excluded (行政强制法 Art. 25)."""
    return compute_time_limit(
        "seizure", started_on, extended_by=extended_by, excluded_periods=excluded_periods, table=table
    )


def production_limit_period(
    started_on: Any,
    *,
    extended_by: int = 0,
    table: LegalBasisTable | None = None,
) -> TimeLimitResult:
    """Last day of a production limit (限制生产): 3 months, +≤3 months (部令第30号, status U)."""
    return compute_time_limit("production_limit", started_on, extended_by=extended_by, table=table)
