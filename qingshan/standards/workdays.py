"""Working-day calendar for legal deadlines: Chinese public holidays and 调休.

Sources of the calendar, in order of precedence for a given date:

1. an **override table** (data; see :class:`OverrideTable` and
   ``qingshan/standards/data/workday_overrides.json``) that a deployment keeps
   for years the package does not know yet, or for corrections and local
   rest days. An override year marked ``"complete": true`` becomes a *known*
   year;
2. the ``chinesecalendar`` package (import name ``chinese_calendar``): the
   State Council's yearly notices 《国务院办公厅关于XXXX年部分节假日安排的通知》
   as published holidays (法定节假日 plus the adjoining weekend days of each
   holiday period) and make-up working days (调休上班日);
3. the weekday rule (Monday–Friday work, Saturday/Sunday rest) for any other
   date of a *known* year.

A date in a year that neither source knows raises :class:`UnknownYearError`,
unless the calendar was built with ``weekend_fallback=True``: then the weekday
rule is used and every result that touched such a date says ``estimated=True``.

Counting conventions (documented in docs/enforcement-rules.md):

* ``add_workdays(start, n)``: the start day is **not** counted, counting begins
  on the next day, and the result is the *n*-th working day after ``start``.
  This is how 信访工作条例 practice, 行政处罚法 Art. 85 (2021) and 行政强制法
  Art. 69 working-day limits are read, and how 民法典 Art. 201 treats periods
  in days ("开始的当日不计入，自下一日开始计算").
* ``add_calendar_days(start, n)`` is ``start + n`` days (again the start day is
  not counted); with ``roll_forward=True`` a last day that is a rest day moves
  to the next working day (民法典 Art. 203: "期间的最后一日是法定休假日的，
  以法定休假日结束的次日为期间的最后一日").
* ``add_months(start, n)``: 民法典 Art. 202, the corresponding day of the last
  month, or that month's last day if it has no such day.
* ``workdays_between(start, end)`` counts the working days in ``(start, end]``
  so that ``workdays_between(s, add_workdays(s, n)) == n``.

Dates may be given as :class:`datetime.date`, :class:`datetime.datetime`
(its own ``.date()``: convert aware datetimes to Asia/Shanghai first) or ISO
``YYYY-MM-DD`` strings. Pure: no Django, no I/O except reading the packaged
override table on first use of :func:`default_calendar`.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

OVERRIDE_FORMAT = "qingshan.workday_overrides/1"
DATA_FILE = "workday_overrides.json"

#: no computation walks further than this many days (about 100 years)
MAX_SPAN_DAYS = 36_600

SOURCE_PACKAGE = "chinesecalendar"
SOURCE_OVERRIDE = "override"
SOURCE_WEEKDAY = "weekday_rule"
SOURCE_FALLBACK = "weekday_fallback"


# --------------------------------------------------------------------------- errors


class WorkdayError(ValueError):
    """A date or a day count the calendar cannot work with."""


class UnknownYearError(WorkdayError):
    """The calendar has no holiday table for the year of ``date``."""

    def __init__(self, date: datetime.date, known_years: Iterable[int]):
        self.date = date
        self.year = date.year
        years = sorted(known_years)
        self.known_years = tuple(years)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        super().__init__(
            f"no holiday table for {date.year} (date {date.isoformat()}); known years: {span}. "
            "Add the year to the workday override table (docs/enforcement-rules.md, "
            "'Updating the holiday table') or build the calendar with weekend_fallback=True."
        )


class OverrideTableError(WorkdayError):
    """An override table that does not follow the documented format."""


# --------------------------------------------------------------------------- dates


def to_date(value: Any, what: str = "date") -> datetime.date:
    """Coerce a date, datetime or ISO ``YYYY-MM-DD`` string to a date, or raise WorkdayError."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) > 10 and text[10] in "T ":
                return datetime.datetime.fromisoformat(text).date()
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise WorkdayError(f"{what} must be an ISO date YYYY-MM-DD, got {value!r}") from None
    raise WorkdayError(f"{what} must be a date, got {type(value).__name__} {value!r}")


def to_int(value: Any, what: str) -> int:
    """An integer day count (booleans and floats with a fraction are refused)."""
    if isinstance(value, bool):
        raise WorkdayError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        result = int(value)
    else:
        raise WorkdayError(f"{what} must be an integer, got {value!r}")
    if abs(result) > MAX_SPAN_DAYS:
        raise WorkdayError(f"{what} = {result} is beyond the supported span of {MAX_SPAN_DAYS} days")
    return result


def _shift(date: datetime.date, days: int) -> datetime.date:
    try:
        return date + datetime.timedelta(days=days)
    except OverflowError:
        raise WorkdayError(f"{date.isoformat()} + {days} days is outside the supported date range") from None


def add_months(start: Any, n: Any) -> datetime.date:
    """``start`` plus ``n`` months (民法典 Art. 202).

    The last day is the day of the final month with the same number as
    ``start``; if that month is shorter, its last day (e.g. 2025-01-31 + 1
    month = 2025-02-28).
    """
    import calendar as _calendar

    start = to_date(start, "start")
    n = to_int(n, "months")
    index = start.year * 12 + (start.month - 1) + n
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise WorkdayError(f"{start.isoformat()} + {n} months is outside the supported date range")
    day = min(start.day, _calendar.monthrange(year, month0 + 1)[1])
    return datetime.date(year, month0 + 1, day)


# --------------------------------------------------------------------------- override table


_RANGE_RE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:/|\.\.)\s*(\d{4}-\d{2}-\d{2})\s*$")


def _expand_keys(entries: Any, year: int, what: str) -> dict[datetime.date, str]:
    """``{"2027-02-05/2027-02-11": "Spring Festival", "2027-01-01": "New Year's Day"}`` → per-day mapping."""
    if entries is None:
        return {}
    if isinstance(entries, list):
        entries = {str(item): "" for item in entries}
    if not isinstance(entries, Mapping):
        raise OverrideTableError(f"{year}.{what} must be an object of date → name, got {type(entries).__name__}")
    out: dict[datetime.date, str] = {}
    for key, name in entries.items():
        if name is not None and not isinstance(name, str):
            raise OverrideTableError(f"{year}.{what}[{key!r}]: the name must be a string")
        m = _RANGE_RE.match(str(key))
        try:
            if m:
                first = datetime.date.fromisoformat(m.group(1))
                last = datetime.date.fromisoformat(m.group(2))
            else:
                first = last = datetime.date.fromisoformat(str(key).strip())
        except ValueError:
            raise OverrideTableError(f"{year}.{what}: {key!r} is not a date or a range 'YYYY-MM-DD/YYYY-MM-DD'") from None
        if last < first:
            raise OverrideTableError(f"{year}.{what}: range {key!r} ends before it starts")
        if (last - first).days > 366:
            raise OverrideTableError(f"{year}.{what}: range {key!r} is longer than a year")
        day = first
        while day <= last:
            if day.year != year:
                raise OverrideTableError(f"{year}.{what}: {day.isoformat()} is not in {year}")
            out[day] = name or ""
            day += datetime.timedelta(days=1)
    return out


@dataclass(frozen=True)
class OverrideTable:
    """Extra rest days and extra working days, kept as data by a deployment.

    ``complete_years`` are years the table describes in full (every holiday
    and every make-up working day of the State Council notice); dates of those
    years that the table does not list follow the weekday rule.
    """

    holidays: Mapping[datetime.date, str] = field(default_factory=dict)
    workdays: Mapping[datetime.date, str] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()
    sources: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> OverrideTable:
        return cls()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> OverrideTable:
        """Build from the JSON structure documented in docs/enforcement-rules.md::

            {"format": "qingshan.workday_overrides/1",
             "years": {"2027": {"complete": true, "source": "国办发明电〔2026〕…号",
                                "holidays": {"2027-01-01": "New Year's Day",
                                             "2027-02-05/2027-02-11": "Spring Festival"},
                                "workdays": {"2027-02-14": "Spring Festival make-up day"}}}}
        """
        if not isinstance(data, Mapping):
            raise OverrideTableError(f"override table must be an object, got {type(data).__name__}")
        fmt = data.get("format", OVERRIDE_FORMAT)
        if fmt != OVERRIDE_FORMAT:
            raise OverrideTableError(f"unsupported override table format {fmt!r}, expected {OVERRIDE_FORMAT!r}")
        years = data.get("years", {})
        if not isinstance(years, Mapping):
            raise OverrideTableError("'years' must be an object keyed by year")
        holidays: dict[datetime.date, str] = {}
        workdays: dict[datetime.date, str] = {}
        complete: set[int] = set()
        sources: dict[int, str] = {}
        for year_key, block in years.items():
            if not re.fullmatch(r"\d{4}", str(year_key)):
                raise OverrideTableError(f"year key {year_key!r} must be four digits")
            year = int(year_key)
            if not isinstance(block, Mapping):
                raise OverrideTableError(f"years.{year} must be an object")
            unknown = set(block) - {"complete", "source", "holidays", "workdays", "note"}
            if unknown:
                raise OverrideTableError(f"years.{year}: unknown keys {sorted(unknown)}")
            is_complete = block.get("complete", False)
            if not isinstance(is_complete, bool):
                raise OverrideTableError(f"years.{year}.complete must be true or false")
            h = _expand_keys(block.get("holidays"), year, "holidays")
            w = _expand_keys(block.get("workdays"), year, "workdays")
            both = sorted(set(h) & set(w))
            if both:
                raise OverrideTableError(f"years.{year}: {both[0].isoformat()} is listed as both a holiday and a workday")
            holidays.update(h)
            workdays.update(w)
            if is_complete:
                complete.add(year)
            if block.get("source"):
                sources[year] = str(block["source"])
        return cls(holidays=holidays, workdays=workdays, complete_years=frozenset(complete), sources=sources)

    @classmethod
    def from_json(cls, text: str | bytes) -> OverrideTable:
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise OverrideTableError(f"override table is not valid JSON: {exc}") from None
        return cls.from_mapping(data)


def load_override_table(path: Any) -> OverrideTable:
    """Read an override table from a JSON file a deployment maintains (explicit I/O)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise OverrideTableError(f"cannot read override table {path}: {exc}") from None
    return OverrideTable.from_json(text)


@functools.lru_cache(maxsize=1)
def packaged_override_table() -> OverrideTable:
    """The override table shipped in ``qingshan/standards/data/workday_overrides.json``."""
    text = resources.files("qingshan.standards").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return OverrideTable.from_json(text)


# --------------------------------------------------------------------------- package tables


@dataclass(frozen=True)
class _PackageTables:
    holidays: Mapping[datetime.date, str]
    workdays: Mapping[datetime.date, str]
    years: frozenset[int]
    version: str


@functools.lru_cache(maxsize=1)
def _package_tables() -> _PackageTables:
    try:
        import chinese_calendar
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - the package is a declared dependency
        raise WorkdayError("the chinesecalendar package is not installed; use WorkdayCalendar(use_package=False)") from None
    holidays = {d: str(name or "") for d, name in constants.holidays.items()}
    workdays = {d: str(name or "") for d, name in constants.workdays.items()}
    years = frozenset(range(min(holidays).year, max(holidays).year + 1))
    return _PackageTables(holidays, workdays, years, getattr(chinese_calendar, "__version__", "?"))


# --------------------------------------------------------------------------- results


class DayKind(str, enum.Enum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class DayInfo:
    date: datetime.date
    is_workday: bool
    kind: DayKind
    name: str
    source: str
    estimated: bool = False


class DeadlineState(str, enum.Enum):
    """Status of a deadline as of a date."""

    ON_TIME = "on_time"  #: open, not yet in the due-soon window
    DUE_SOON = "due_soon"  #: open, at most ``due_soon_workdays`` working days left (or due today)
    OVERDUE = "overdue"  #: open after the due date
    DONE_ON_TIME = "done_on_time"  #: completed on or before the due date
    DONE_LATE = "done_late"  #: completed after the due date


@dataclass(frozen=True)
class Deadline:
    start: datetime.date
    amount: int
    unit: str
    due: datetime.date
    rolled_from: datetime.date | None = None  #: the raw last day before a rest-day roll-forward
    estimated: bool = False


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a deadline stands on ``as_of``.

    ``remaining_days`` / ``remaining_workdays`` count the days in
    ``(as_of, due]`` (0 when due today or past). ``overdue_days`` /
    ``overdue_workdays`` count the days in ``(due, as_of]`` while open, or
    ``(due, completed_on]`` once completed late.
    """

    due: datetime.date
    as_of: datetime.date
    state: DeadlineState
    completed_on: datetime.date | None
    remaining_days: int
    remaining_workdays: int
    overdue_days: int
    overdue_workdays: int
    estimated: bool = False

    @property
    def is_open(self) -> bool:
        return self.completed_on is None

    @property
    def is_late(self) -> bool:
        return self.state in (DeadlineState.OVERDUE, DeadlineState.DONE_LATE)


UNITS = ("workdays", "calendar_days", "months")


# --------------------------------------------------------------------------- calendar


class WorkdayCalendar:
    """Chinese working-day calendar with a data override table.

    ``WorkdayCalendar()`` uses the ``chinesecalendar`` package only;
    :func:`default_calendar` adds the packaged override table. Pass
    ``overrides`` (an :class:`OverrideTable` or its JSON mapping) for a
    deployment table, ``use_package=False`` to rely on the table alone, and
    ``weekend_fallback=True`` to treat unknown years by the weekday rule with
    ``estimated=True`` instead of raising :class:`UnknownYearError`.
    """

    def __init__(
        self,
        overrides: OverrideTable | Mapping[str, Any] | None = None,
        *,
        use_package: bool = True,
        weekend_fallback: bool = False,
    ):
        if overrides is None:
            overrides = OverrideTable.empty()
        elif not isinstance(overrides, OverrideTable):
            overrides = OverrideTable.from_mapping(overrides)
        self.overrides: OverrideTable = overrides
        self.use_package = use_package
        self.weekend_fallback = weekend_fallback
        if use_package:
            tables = _package_tables()
            self._pkg_holidays = tables.holidays
            self._pkg_workdays = tables.workdays
            self._pkg_years = tables.years
            self.package_version = tables.version
        else:
            self._pkg_holidays, self._pkg_workdays, self._pkg_years = {}, {}, frozenset()
            self.package_version = None
        self.known_years: frozenset[int] = frozenset(self._pkg_years | overrides.complete_years)

    def __repr__(self) -> str:
        years = sorted(self.known_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return (
            f"<WorkdayCalendar years={span} overrides={len(self.overrides.holidays)}h/"
            f"{len(self.overrides.workdays)}w fallback={self.weekend_fallback}>"
        )

    # ------------------------------------------------------------------ single days

    def is_known(self, date: Any) -> bool:
        """True when the calendar has a holiday table for the year of ``date``."""
        return to_date(date).year in self.known_years

    def day_info(self, date: Any) -> DayInfo:
        """Classify one date (see the module docstring for the precedence)."""
        d = to_date(date)
        weekend = d.weekday() >= 5
        if d in self.overrides.workdays:
            kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
            return DayInfo(d, True, kind, self.overrides.workdays[d], SOURCE_OVERRIDE)
        if d in self.overrides.holidays:
            return DayInfo(d, False, DayKind.HOLIDAY, self.overrides.holidays[d], SOURCE_OVERRIDE)
        if d.year in self._pkg_years:
            if d in self._pkg_workdays:
                kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
                return DayInfo(d, True, kind, self._pkg_workdays[d], SOURCE_PACKAGE)
            if d in self._pkg_holidays:
                return DayInfo(d, False, DayKind.HOLIDAY, self._pkg_holidays[d], SOURCE_PACKAGE)
        if d.year in self.known_years:
            return DayInfo(d, not weekend, DayKind.WEEKEND if weekend else DayKind.WORKDAY, "", SOURCE_WEEKDAY)
        if self.weekend_fallback:
            return DayInfo(d, not weekend, DayKind.WEEKEND if weekend else DayKind.WORKDAY, "", SOURCE_FALLBACK, True)
        raise UnknownYearError(d, self.known_years)

    def is_workday(self, date: Any) -> bool:
        """True on a working day (including a make-up working day 调休上班)."""
        return self.day_info(date).is_workday

    def is_rest_day(self, date: Any) -> bool:
        return not self.day_info(date).is_workday

    def is_estimated(self, first: Any, last: Any) -> bool:
        """True when any date between ``first`` and ``last`` lies in an unknown year."""
        a, b = sorted((to_date(first), to_date(last)))
        return any(y not in self.known_years for y in range(a.year, b.year + 1))

    # ------------------------------------------------------------------ stepping

    def next_workday(self, date: Any, *, include_start: bool = True) -> datetime.date:
        """The first working day on or after ``date`` (strictly after it if ``include_start`` is false)."""
        d = to_date(date)
        if not include_start:
            d = _shift(d, 1)
        for _ in range(MAX_SPAN_DAYS):
            if self.is_workday(d):
                return d
            d = _shift(d, 1)
        raise WorkdayError(f"no working day within {MAX_SPAN_DAYS} days after {date}")  # pragma: no cover

    def previous_workday(self, date: Any, *, include_start: bool = True) -> datetime.date:
        """The last working day on or before ``date`` (strictly before it if ``include_start`` is false)."""
        d = to_date(date)
        if not include_start:
            d = _shift(d, -1)
        for _ in range(MAX_SPAN_DAYS):
            if self.is_workday(d):
                return d
            d = _shift(d, -1)
        raise WorkdayError(f"no working day within {MAX_SPAN_DAYS} days before {date}")  # pragma: no cover

    def add_workdays(self, start: Any, n: Any) -> datetime.date:
        """The ``n``-th working day after ``start``; ``start`` itself is never counted.

        ``n = 0`` returns ``start`` unchanged; a negative ``n`` counts back
        (the ``|n|``-th working day before ``start``), e.g. for "notify 7
        working days before the hearing" (行政处罚法 Art. 64).
        """
        d = to_date(start, "start")
        n = to_int(n, "n")
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            d = _shift(d, step)
            if self.is_workday(d):
                remaining -= 1
        return d

    def add_calendar_days(self, start: Any, n: Any, *, roll_forward: bool = False) -> datetime.date:
        """``start + n`` days; with ``roll_forward`` a rest day moves to the next working day (民法典 Art. 203)."""
        d = _shift(to_date(start, "start"), to_int(n, "n"))
        return self.next_workday(d) if roll_forward else d

    def workdays_between(self, start: Any, end: Any) -> int:
        """Working days in ``(start, end]``; negative (minus the days in ``(end, start]``) if ``end < start``."""
        a, b = to_date(start, "start"), to_date(end, "end")
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        if (b - a).days > MAX_SPAN_DAYS:
            raise WorkdayError(f"span {a.isoformat()}..{b.isoformat()} is longer than {MAX_SPAN_DAYS} days")
        count = 0
        d = a
        while d < b:
            d = _shift(d, 1)
            if self.is_workday(d):
                count += 1
        return sign * count

    # ------------------------------------------------------------------ deadlines

    def deadline(self, start: Any, amount: Any, unit: str = "workdays", *, roll_forward: bool = False) -> Deadline:
        """The due date ``amount`` ``unit`` after ``start`` (start day not counted).

        ``unit`` is ``"workdays"``, ``"calendar_days"`` or ``"months"``.
        ``roll_forward`` (calendar days and months only) moves a last day that
        is a rest day to the next working day; a working-day deadline always
        ends on a working day. A negative ``amount`` gives a date before
        ``start`` (never rolled).
        """
        s = to_date(start, "start")
        n = to_int(amount, "amount")
        if unit == "workdays":
            due = self.add_workdays(s, n)
            raw = due
        elif unit == "calendar_days":
            raw = _shift(s, n)
            due = self.next_workday(raw) if roll_forward and n >= 0 else raw
        elif unit == "months":
            raw = add_months(s, n)
            due = self.next_workday(raw) if roll_forward and n >= 0 else raw
        else:
            raise WorkdayError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
        return Deadline(
            start=s,
            amount=n,
            unit=unit,
            due=due,
            rolled_from=raw if raw != due else None,
            estimated=self.is_estimated(s, due),
        )

    def status(
        self,
        due: Any,
        as_of: Any,
        *,
        completed_on: Any = None,
        due_soon_workdays: int = 3,
    ) -> DeadlineStatus:
        """Status of a deadline ``due`` on ``as_of`` (see :class:`DeadlineStatus`).

        Open and ``as_of <= due``: ``due_soon`` when at most
        ``due_soon_workdays`` working days remain in ``(as_of, due]`` or when
        due today, else ``on_time``. Open and ``as_of > due``: ``overdue``.
        Completed: ``done_on_time`` if ``completed_on <= due`` else ``done_late``.
        A completion date after ``as_of`` is refused.
        """
        due_d = to_date(due, "due")
        now = to_date(as_of, "as_of")
        done = to_date(completed_on, "completed_on") if completed_on is not None else None
        if done is not None and done > now:
            raise WorkdayError(f"completed_on {done.isoformat()} is after as_of {now.isoformat()}")
        soon = to_int(due_soon_workdays, "due_soon_workdays")
        if soon < 0:
            raise WorkdayError("due_soon_workdays must be zero or more")
        estimated = self.is_estimated(due_d, now)
        if done is not None:
            late = done > due_d
            return DeadlineStatus(
                due=due_d,
                as_of=now,
                state=DeadlineState.DONE_LATE if late else DeadlineState.DONE_ON_TIME,
                completed_on=done,
                remaining_days=0,
                remaining_workdays=0,
                overdue_days=(done - due_d).days if late else 0,
                overdue_workdays=self.workdays_between(due_d, done) if late else 0,
                estimated=estimated or self.is_estimated(due_d, done),
            )
        if now > due_d:
            return DeadlineStatus(
                due=due_d,
                as_of=now,
                state=DeadlineState.OVERDUE,
                completed_on=None,
                remaining_days=0,
                remaining_workdays=0,
                overdue_days=(now - due_d).days,
                overdue_workdays=self.workdays_between(due_d, now),
                estimated=estimated,
            )
        remaining_workdays = self.workdays_between(now, due_d)
        state = DeadlineState.DUE_SOON if (now == due_d or remaining_workdays <= soon) else DeadlineState.ON_TIME
        return DeadlineStatus(
            due=due_d,
            as_of=now,
            state=state,
            completed_on=None,
            remaining_days=(due_d - now).days,
            remaining_workdays=remaining_workdays,
            overdue_days=0,
            overdue_workdays=0,
            estimated=estimated,
        )


# --------------------------------------------------------------------------- module-level helpers


@functools.lru_cache(maxsize=2)
def default_calendar(*, weekend_fallback: bool = False) -> WorkdayCalendar:
    """The ``chinesecalendar`` tables plus the packaged override table.

    Unknown years raise :class:`UnknownYearError`, or with
    ``weekend_fallback=True`` follow the weekday rule and flag ``estimated``.
    """
    return WorkdayCalendar(packaged_override_table(), weekend_fallback=weekend_fallback)


def _cal(calendar: WorkdayCalendar | None) -> WorkdayCalendar:
    return calendar if calendar is not None else default_calendar()


def is_workday(date: Any, *, calendar: WorkdayCalendar | None = None) -> bool:
    return _cal(calendar).is_workday(date)


def add_workdays(start: Any, n: Any, *, calendar: WorkdayCalendar | None = None) -> datetime.date:
    return _cal(calendar).add_workdays(start, n)


def add_calendar_days(
    start: Any, n: Any, *, roll_forward: bool = False, calendar: WorkdayCalendar | None = None
) -> datetime.date:
    return _cal(calendar).add_calendar_days(start, n, roll_forward=roll_forward)


def workdays_between(start: Any, end: Any, *, calendar: WorkdayCalendar | None = None) -> int:
    return _cal(calendar).workdays_between(start, end)


def deadline(
    start: Any,
    amount: Any,
    unit: str = "workdays",
    *,
    roll_forward: bool = False,
    calendar: WorkdayCalendar | None = None,
) -> Deadline:
    return _cal(calendar).deadline(start, amount, unit, roll_forward=roll_forward)


def deadline_status(
    due: Any,
    as_of: Any,
    *,
    completed_on: Any = None,
    due_soon_workdays: int = 3,
    calendar: WorkdayCalendar | None = None,
) -> DeadlineStatus:
    return _cal(calendar).status(due, as_of, completed_on=completed_on, due_soon_workdays=due_soon_workdays)
