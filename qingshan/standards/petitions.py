"""Complaint and petition (信访 / 12369) time limits, rates and duplicate detection.

Legal basis (rules.md §6; status per rule in :data:`DEFAULT_PETITION_RULES`):

* 《信访工作条例》 (中共中央、国务院, in force 2022-05-01) [V]:
  Art. 22–23 register and, within **15 days**, accept / forward / assign and
  tell the petitioner; items outside the receiving body's remit: object within
  **5 working days**; Art. 34 handle within **60 days** of acceptance, the
  agency head may extend by **≤ 30 days** and tells the petitioner why;
  Art. 35 review (复查): request within **30 days** of the written reply,
  answer within **30 days**; Art. 36 re-review (复核): 30 + 30 days, hearing
  time excluded.
* 《环保举报热线工作管理办法》 (环境保护部令第15号, 2011-03-01) [S]: 12369
  reports; tell the reporter within 15 days if acceptance cannot be decided on
  the spot; finish within 60 days of acceptance, extendable by ≤ 30 days.

Whether the statutory "日" are calendar days or working days is not stated
in the texts for the 15/60/30-day limits: the default rules count **calendar
days**, the day of the triggering event not counted, and move a last day that
is a rest day to the next working day (民法典 Art. 201, 203 by analogy). This
counting convention is UNVERIFIED (``counting_status: "U"``) and is data: a
deployment whose province counts working days, or uses stricter local SLAs
(e.g. Fujian 12369: 2 working days to accept, 30 days to finish), passes its
own rules (:meth:`PetitionRules.from_mapping`).

Pure: no Django, no I/O. Dates as ``date`` / ISO strings (see
:mod:`qingshan.standards.workdays`).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import functools
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from qingshan.standards.workdays import (
    DeadlineState,
    WorkdayCalendar,
    WorkdayError,
    default_calendar,
    to_date,
)

RULES_FORMAT = "qingshan.petition_rules/1"

#: mean Earth radius (IUGG), metres, for :func:`haversine_m`
EARTH_RADIUS_M = 6_371_008.8

UNITS = ("calendar_days", "workdays")
ACTORS = ("agency", "petitioner")
STATUSES = ("V", "S", "U")


class PetitionError(ValueError):
    """Petition rules or events that cannot be evaluated."""


class PetitionRulesError(PetitionError):
    """A rule table that does not follow the format."""


class PetitionInputError(PetitionError):
    """Events, dates or complaint records that are inconsistent or malformed."""


# --------------------------------------------------------------------------- rules as data


_XINFANG = "《信访工作条例》(2022)"
_HOTLINE = "《环保举报热线工作管理办法》(环境保护部令第15号)"

#: Default rules. JSON-compatible: a deployment copies, edits and passes its own
#: mapping to :meth:`PetitionRules.from_mapping`. ``status`` is the verification
#: status of the amount, ``counting_status`` that of the counting convention
#: (unit and roll-forward): V verified, S secondary sources, U unverified.
DEFAULT_PETITION_RULES: dict[str, Any] = {
    "format": RULES_FORMAT,
    "due_soon_workdays": 3,
    "channels": {
        "letter": "xinfang_2022",
        "visit": "xinfang_2022",
        "web": "xinfang_2022",
        "fax": "xinfang_2022",
        "phone": "hotline_12369",
        "hotline_12369": "hotline_12369",
        "wechat": "hotline_12369",
    },
    "procedures": {
        "xinfang_2022": {
            "title": _XINFANG,
            "stages": [
                {
                    "id": "intake",
                    "label_zh": "受理告知（转送、交办）",
                    "label_en": "accept, forward or assign and tell the petitioner",
                    "actor": "agency",
                    "start": "received",
                    "end": ["accepted", "not_accepted", "routed"],
                    "amount": 15,
                    "unit": "calendar_days",
                    "roll_forward": True,
                    "basis": f"{_XINFANG} Art. 22–23",
                    "status": "V",
                    "counting_status": "U",
                },
                {
                    "id": "remit_objection",
                    "label_zh": "不属职权范围的异议",
                    "label_en": "object to an assigned item outside the remit",
                    "actor": "agency",
                    "start": "assigned",
                    "end": ["objected", "accepted", "not_accepted", "routed"],
                    "amount": 5,
                    "unit": "workdays",
                    "basis": f"{_XINFANG} Art. 23",
                    "status": "V",
                    "counting_status": "V",
                },
                {
                    "id": "handle",
                    "label_zh": "办理答复",
                    "label_en": "handle and reply in writing",
                    "actor": "agency",
                    "start": "accepted",
                    "end": ["replied"],
                    "amount": 60,
                    "unit": "calendar_days",
                    "roll_forward": True,
                    "extension": {"event": "extended", "max": 30},
                    "basis": f"{_XINFANG} Art. 34",
                    "status": "V",
                    "counting_status": "U",
                },
                {
                    "id": "review_request",
                    "label_zh": "申请复查期限",
                    "label_en": "petitioner may request a review",
                    "actor": "petitioner",
                    "start": "replied",
                    "end": ["review_requested"],
                    "amount": 30,
                    "unit": "calendar_days",
                    "roll_forward": True,
                    "basis": f"{_XINFANG} Art. 35",
                    "status": "V",
                    "counting_status": "U",
                },
                {
                    "id": "review",
                    "label_zh": "复查",
                    "label_en": "review",
                    "actor": "agency",
                    "start": "review_requested",
                    "end": ["review_replied"],
                    "amount": 30,
                    "unit": "calendar_days",
                    "roll_forward": True,
                    "basis": f"{_XINFANG} Art. 35",
                    "status": "V",
                    "counting_status": "U",
                },
                {
                    "id": "re_review_request",
                    "label_zh": "申请复核期限",
                    "label_en": "petitioner may request a re-review",
                    "actor": "petitioner",
                    "start": "review_replied",
                    "end": ["re_review_requested"],
                    "amount": 30,
                    "unit": "calendar_days",
                    "roll_forward": True,
                    "basis": f"{_XINFANG} Art. 36",
                    "status": "V",
                    "counting_status": "U",
                },
                {
                    "id": "re_review",
                    "label_zh": "复核",
                    "label_en": "re-review",
                    "actor": "agency",
                    "start": "re_review_requested",
                    "end": ["re_review_replied"],
                    "amount": 30,
                    "unit": "calendar_days",
                    "roll_forward": True,
                    "exclude_event": "hearing",
                    "basis": f"{_XINFANG} Art. 36 (hearing time excluded)",
                    "status": "V",
                    "counting_status": "U",
                },
            ],
        },
        "hotline_12369": {
            "title": _HOTLINE,
            "inherit": "xinfang_2022",
            "stages": [
                {
                    "id": "intake",
                    "label_zh": "受理告知",
                    "label_en": "decide acceptance and tell the reporter",
                    "basis": f"{_HOTLINE} (national rule as restated by Fujian 2015)",
                    "status": "S",
                },
                {
                    "id": "handle",
                    "label_zh": "办结反馈",
                    "label_en": "finish and tell the reporter",
                    "basis": f"{_HOTLINE} (national rule as restated by Fujian 2015)",
                    "status": "S",
                },
            ],
        },
    },
}


@dataclass(frozen=True)
class StageRule:
    id: str
    label_zh: str
    label_en: str
    actor: str
    start: str
    end: tuple[str, ...]
    amount: int
    unit: str
    roll_forward: bool
    extension_event: str | None
    extension_max: int
    exclude_event: str | None
    basis: str
    status: str
    counting_status: str
    note: str = ""


@dataclass(frozen=True)
class Procedure:
    id: str
    title: str
    stages: tuple[StageRule, ...]

    @property
    def event_kinds(self) -> frozenset[str]:
        kinds: set[str] = {"received"}
        for s in self.stages:
            kinds.add(s.start)
            kinds.update(s.end)
            if s.extension_event:
                kinds.add(s.extension_event)
            if s.exclude_event:
                kinds.add(s.exclude_event)
        return frozenset(kinds)

    def stage(self, stage_id: str) -> StageRule:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise PetitionRulesError(f"procedure {self.id!r} has no stage {stage_id!r}")


def _stage_from(row: Mapping[str, Any], where: str) -> StageRule:
    def req(key: str) -> Any:
        if key not in row:
            raise PetitionRulesError(f"{where}: missing {key!r}")
        return row[key]

    amount = req("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PetitionRulesError(f"{where}.amount must be a positive integer")
    unit = req("unit")
    if unit not in UNITS:
        raise PetitionRulesError(f"{where}.unit must be one of {UNITS}, got {unit!r}")
    actor = row.get("actor", "agency")
    if actor not in ACTORS:
        raise PetitionRulesError(f"{where}.actor must be one of {ACTORS}, got {actor!r}")
    end = req("end")
    if isinstance(end, str):
        end = [end]
    if not end or not all(isinstance(e, str) and e for e in end):
        raise PetitionRulesError(f"{where}.end must be a non-empty list of event kinds")
    ext = row.get("extension") or {}
    ext_max = ext.get("max", 0) if ext else 0
    if isinstance(ext_max, bool) or not isinstance(ext_max, int) or ext_max < 0:
        raise PetitionRulesError(f"{where}.extension.max must be a non-negative integer")
    for key in ("status", "counting_status"):
        if row.get(key, "U") not in STATUSES:
            raise PetitionRulesError(f"{where}.{key} must be one of {STATUSES}")
    return StageRule(
        id=str(req("id")),
        label_zh=str(row.get("label_zh", row["id"])),
        label_en=str(row.get("label_en", row["id"])),
        actor=actor,
        start=str(req("start")),
        end=tuple(end),
        amount=amount,
        unit=unit,
        roll_forward=bool(row.get("roll_forward", False)) and unit == "calendar_days",
        extension_event=str(ext["event"]) if ext else None,
        extension_max=ext_max,
        exclude_event=str(row["exclude_event"]) if row.get("exclude_event") else None,
        basis=str(row.get("basis", "")),
        status=row.get("status", "U"),
        counting_status=row.get("counting_status", "U"),
        note=str(row.get("note", "")),
    )


class PetitionRules:
    """Channels → procedures → stages, built from a JSON-compatible mapping."""

    def __init__(self, procedures: Mapping[str, Procedure], channels: Mapping[str, str], due_soon_workdays: int):
        self.procedures = dict(procedures)
        self.channels = dict(channels)
        self.due_soon_workdays = due_soon_workdays

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PetitionRules:
        if not isinstance(data, Mapping) or data.get("format") != RULES_FORMAT:
            raise PetitionRulesError(f"petition rules must be an object with format {RULES_FORMAT!r}")
        raw = data.get("procedures")
        if not isinstance(raw, Mapping) or not raw:
            raise PetitionRulesError("'procedures' must be a non-empty object")
        resolved: dict[str, list[dict[str, Any]]] = {}

        def resolve(pid: str, chain: tuple[str, ...] = ()) -> list[dict[str, Any]]:
            if pid in resolved:
                return resolved[pid]
            if pid in chain:
                raise PetitionRulesError(f"procedure inheritance loop: {' → '.join(chain + (pid,))}")
            spec = raw.get(pid)
            if not isinstance(spec, Mapping):
                raise PetitionRulesError(f"unknown procedure {pid!r}")
            rows = spec.get("stages") or []
            if not isinstance(rows, list) or not all(isinstance(r, Mapping) and "id" in r for r in rows):
                raise PetitionRulesError(f"procedures.{pid}.stages must be a list of objects with an 'id'")
            if spec.get("inherit"):
                stages = copy.deepcopy(resolve(str(spec["inherit"]), chain + (pid,)))
                index = {s["id"]: i for i, s in enumerate(stages)}
                for row in rows:
                    if row["id"] in index:
                        stages[index[row["id"]]].update(copy.deepcopy(dict(row)))
                    else:
                        stages.append(copy.deepcopy(dict(row)))
            else:
                stages = [copy.deepcopy(dict(r)) for r in rows]
            resolved[pid] = stages
            return stages

        procedures: dict[str, Procedure] = {}
        for pid, spec in raw.items():
            rows = resolve(pid)
            stages = tuple(_stage_from(r, f"procedures.{pid}.stages[{r.get('id')}]") for r in rows)
            ids = [s.id for s in stages]
            if len(ids) != len(set(ids)):
                raise PetitionRulesError(f"procedures.{pid}: duplicate stage ids")
            procedures[pid] = Procedure(str(pid), str(spec.get("title", pid)), stages)
        channels = data.get("channels") or {}
        if not isinstance(channels, Mapping):
            raise PetitionRulesError("'channels' must be an object channel → procedure")
        for ch, pid in channels.items():
            if pid not in procedures:
                raise PetitionRulesError(f"channel {ch!r} maps to unknown procedure {pid!r}")
        soon = data.get("due_soon_workdays", 3)
        if isinstance(soon, bool) or not isinstance(soon, int) or soon < 0:
            raise PetitionRulesError("'due_soon_workdays' must be a non-negative integer")
        return cls(procedures, channels, soon)

    @classmethod
    @functools.lru_cache(maxsize=1)
    def default(cls) -> PetitionRules:
        return cls.from_mapping(DEFAULT_PETITION_RULES)

    def procedure_for(self, channel: str) -> Procedure:
        """The procedure for a channel, or for a procedure id given directly."""
        if channel in self.channels:
            return self.procedures[self.channels[channel]]
        if channel in self.procedures:
            return self.procedures[channel]
        raise PetitionInputError(
            f"unknown channel {channel!r}; known channels: {', '.join(sorted(self.channels))}"
        )


# --------------------------------------------------------------------------- events and timeline


@dataclass(frozen=True)
class PetitionEvent:
    """Something that happened to a petition: ``accepted``, ``extended`` (``days``), ``replied``, …

    ``end`` is the last day of a period event (e.g. a ``hearing`` whose time
    is excluded from the re-review limit).
    """

    kind: str
    date: datetime.date
    days: int | None = None
    end: datetime.date | None = None

    @classmethod
    def coerce(cls, value: Any, i: int) -> PetitionEvent:
        if isinstance(value, PetitionEvent):
            return value
        if not isinstance(value, Mapping):
            raise PetitionInputError(f"events[{i}] must be a PetitionEvent or a mapping, got {type(value).__name__}")
        kind = value.get("kind")
        if not isinstance(kind, str) or not kind:
            raise PetitionInputError(f"events[{i}].kind must be a non-empty string")
        days = value.get("days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days <= 0):
            raise PetitionInputError(f"events[{i}].days must be a positive integer")
        end = value.get("end")
        return cls(kind, _date(value.get("date"), f"events[{i}].date"), days, _date(end, f"events[{i}].end") if end else None)


def _date(value: Any, what: str) -> datetime.date:
    if value is None:
        raise PetitionInputError(f"{what} is required")
    try:
        return to_date(value, what)
    except WorkdayError as exc:
        raise PetitionInputError(str(exc)) from None


@dataclass(frozen=True)
class StageStatus:
    """One stage of a petition's timeline as of a date."""

    stage: str
    label_zh: str
    label_en: str
    actor: str
    started_on: datetime.date
    base_due: datetime.date  #: without extension or excluded time
    due: datetime.date
    extension_days: int
    excluded_days: int
    completed_on: datetime.date | None
    completed_by: str | None  #: the event kind that completed the stage
    state: DeadlineState
    remaining_days: int
    remaining_workdays: int
    overdue_days: int
    overdue_workdays: int
    unit: str
    amount: int
    basis: str
    status: str
    counting_status: str
    estimated: bool = False

    @property
    def is_open(self) -> bool:
        return self.completed_on is None


_SEVERITY = {DeadlineState.OVERDUE: 3, DeadlineState.DUE_SOON: 2, DeadlineState.ON_TIME: 1}


@dataclass(frozen=True)
class PetitionTimeline:
    received_on: datetime.date
    channel: str
    procedure: str
    as_of: datetime.date
    stages: tuple[StageStatus, ...]
    warnings: tuple[str, ...] = ()

    def stage(self, stage_id: str) -> StageStatus | None:
        for s in self.stages:
            if s.stage == stage_id:
                return s
        return None

    @property
    def estimated(self) -> bool:
        return any(s.estimated for s in self.stages)

    @property
    def open_agency_stages(self) -> tuple[StageStatus, ...]:
        return tuple(s for s in self.stages if s.actor == "agency" and s.is_open)

    @property
    def current_stage(self) -> StageStatus | None:
        """The open agency stage with the earliest due date, if any."""
        open_ = sorted(self.open_agency_stages, key=lambda s: (s.due, s.stage))
        return open_[0] if open_ else None

    @property
    def state(self) -> str:
        """Worst state of the open agency stages (overdue > due_soon > on_time), or ``"closed"``."""
        open_ = self.open_agency_stages
        if not open_:
            return "closed"
        return max(open_, key=lambda s: _SEVERITY[s.state]).state.value


def petition_timeline(
    received_on: Any,
    channel: str,
    events: Iterable[Any] = (),
    *,
    as_of: Any,
    rules: PetitionRules | Mapping[str, Any] | None = None,
    calendar: WorkdayCalendar | None = None,
) -> PetitionTimeline:
    """Due date and status of every started stage of a petition as of ``as_of``.

    A stage starts on the date of its ``start`` event (``received`` is
    ``received_on``) and is completed by the first of its ``end`` events on or
    after that date. The due date is ``amount`` days after the start (start
    day not counted) in the stage's unit, plus granted extensions (events of
    the stage's extension kind with ``days``, default the maximum; total ≤ the
    maximum) and excluded periods (events of the stage's ``exclude_event``
    kind from ``date`` to ``end`` inclusive). A calendar-day stage with
    ``roll_forward`` moves a last day that is a rest day to the next working
    day; this is applied once, to the final due date.

    Refused (:class:`PetitionInputError`): an unknown channel or event kind,
    an event before ``received_on`` or after ``as_of``, an event whose stage
    never started (e.g. ``replied`` without ``accepted``), extensions beyond
    the maximum. A date in a year the calendar does not know raises
    :class:`~qingshan.standards.workdays.UnknownYearError` unless the calendar
    has ``weekend_fallback=True`` (then ``estimated`` is set).
    """
    if rules is None:
        rules = PetitionRules.default()
    elif not isinstance(rules, PetitionRules):
        rules = PetitionRules.from_mapping(rules)
    cal = calendar if calendar is not None else default_calendar()
    received = _date(received_on, "received_on")
    now = _date(as_of, "as_of")
    if now < received:
        raise PetitionInputError(f"as_of {now} is before the petition was received ({received})")
    procedure = rules.procedure_for(channel)
    known = procedure.event_kinds
    evs = sorted((PetitionEvent.coerce(e, i) for i, e in enumerate(events or ())), key=lambda e: (e.date, e.kind))
    for e in evs:
        if e.kind not in known:
            raise PetitionInputError(
                f"unknown event kind {e.kind!r} for procedure {procedure.id!r}; known: {', '.join(sorted(known))}"
            )
        if e.date < received:
            raise PetitionInputError(f"event {e.kind!r} on {e.date} is before the petition was received ({received})")
        if e.date > now:
            raise PetitionInputError(f"event {e.kind!r} on {e.date} is after as_of ({now})")
        if e.end is not None and e.end < e.date:
            raise PetitionInputError(f"event {e.kind!r} ends ({e.end}) before it starts ({e.date})")
    warnings: list[str] = []
    stages: list[StageStatus] = []
    for rule in procedure.stages:  # UnknownYearError (a WorkdayError) propagates: see weekend_fallback
        status = _evaluate_stage(rule, received, evs, now, cal, rules.due_soon_workdays, warnings)
        if status is not None:
            stages.append(status)
    started = {s.stage for s in stages}
    for e in evs:
        # an event that ends, extends or pauses a stage needs one such stage to have started
        owners = [s for s in procedure.stages if e.kind in s.end or e.kind in (s.extension_event, s.exclude_event)]
        if owners and not any(s.id in started for s in owners):
            starts = " or ".join(sorted({repr(s.start) for s in owners}))
            raise PetitionInputError(
                f"event {e.kind!r} on {e.date} belongs to a stage that never started (missing {starts})"
            )
    return PetitionTimeline(received, channel, procedure.id, now, tuple(stages), tuple(warnings))


def _evaluate_stage(
    rule: StageRule,
    received: datetime.date,
    evs: Sequence[PetitionEvent],
    now: datetime.date,
    cal: WorkdayCalendar,
    due_soon: int,
    warnings: list[str],
) -> StageStatus | None:
    if rule.start == "received":
        start: datetime.date | None = received
    else:
        starts = [e for e in evs if e.kind == rule.start]
        if len(starts) > 1:
            warnings.append(f"{rule.id}: several {rule.start!r} events; the first ({starts[0].date}) starts the stage")
        start = starts[0].date if starts else None
    if start is None:
        return None
    ends = [e for e in evs if e.kind in rule.end and e.date >= start]
    done = ends[0] if ends else None
    horizon = done.date if done else now
    ext_days = 0
    if rule.extension_event:
        for e in evs:
            if e.kind != rule.extension_event:
                continue
            if start <= e.date <= horizon:
                ext_days += e.days if e.days is not None else rule.extension_max
            else:
                warnings.append(f"{rule.id}: extension on {e.date} is outside the stage ({start}..{horizon}); ignored")
        if ext_days > rule.extension_max:
            raise PetitionInputError(
                f"{rule.id}: extensions total {ext_days} days, more than the {rule.extension_max} allowed ({rule.basis})"
            )
    excluded = 0
    if rule.exclude_event:
        for e in evs:
            if e.kind == rule.exclude_event and e.date >= start:
                last = e.end or e.date
                excluded += (
                    cal.workdays_between(e.date - datetime.timedelta(days=1), last)
                    if rule.unit == "workdays"
                    else (last - e.date).days + 1
                )
    base_due = _due(rule, start, rule.amount, cal)
    due = _due(rule, start, rule.amount + ext_days + excluded, cal)
    if rule.extension_event and ext_days:
        late_ext = [e for e in evs if e.kind == rule.extension_event and e.date > base_due and e.date <= horizon]
        for e in late_ext:
            warnings.append(f"{rule.id}: extension on {e.date} was granted after the original due date {base_due}")
    st = cal.status(due, now, completed_on=done.date if done else None, due_soon_workdays=due_soon)
    return StageStatus(
        stage=rule.id,
        label_zh=rule.label_zh,
        label_en=rule.label_en,
        actor=rule.actor,
        started_on=start,
        base_due=base_due,
        due=due,
        extension_days=ext_days,
        excluded_days=excluded,
        completed_on=done.date if done else None,
        completed_by=done.kind if done else None,
        state=st.state,
        remaining_days=st.remaining_days,
        remaining_workdays=st.remaining_workdays,
        overdue_days=st.overdue_days,
        overdue_workdays=st.overdue_workdays,
        unit=rule.unit,
        amount=rule.amount,
        basis=rule.basis,
        status=rule.status,
        counting_status=rule.counting_status,
        estimated=st.estimated or cal.is_estimated(start, due),
    )


def _due(rule: StageRule, start: datetime.date, amount: int, cal: WorkdayCalendar) -> datetime.date:
    if rule.unit == "workdays":
        return cal.add_workdays(start, amount)
    return cal.add_calendar_days(start, amount, roll_forward=rule.roll_forward)


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    definition: str

    @property
    def value(self) -> Fraction | None:
        """Exact ratio, or None when the denominator is zero."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def percent(self, places: int = 2) -> Decimal | None:
        """Percentage rounded half-up to ``places`` decimals, or None when the denominator is zero."""
        if not self.denominator:
            return None
        exact = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def handled_rate(timelines: Iterable[PetitionTimeline], *, stage: str = "intake") -> Rate:
    """Share of received items with an intake decision.

    numerator: items whose ``stage`` (default ``intake``) is completed
    (accepted, not accepted or routed) by ``as_of``;
    denominator: all items given (every item has been received).
    """
    items = list(timelines)
    num = sum(1 for t in items if (s := t.stage(stage)) is not None and not s.is_open)
    return Rate(num, len(items), f"items with stage {stage!r} completed ÷ items received")


def closure_rate(timelines: Iterable[PetitionTimeline], *, stage: str = "handle") -> Rate:
    """办结率: numerator items whose ``stage`` (default ``handle``) is completed (replied) by
    ``as_of``; denominator items in which that stage started (accepted). Items not
    accepted or routed elsewhere are in neither."""
    started = [s for t in timelines if (s := t.stage(stage)) is not None]
    num = sum(1 for s in started if not s.is_open)
    return Rate(num, len(started), f"items with stage {stage!r} completed ÷ items with stage {stage!r} started")


def on_time_rate(
    timelines: Iterable[PetitionTimeline], *, stage: str = "handle", denominator: str = "due"
) -> Rate:
    """按时办结率 for ``stage`` (default ``handle``).

    numerator: items completed on or before their (extended) due date.
    denominator ``"due"`` (default): items whose timeliness is decided by
    ``as_of`` = completed (on time or late) + still open and overdue; open items
    not yet due are left out. denominator ``"closed"``: completed items only.
    """
    if denominator not in ("due", "closed"):
        raise PetitionInputError("denominator must be 'due' or 'closed'")
    rows = [s for t in timelines if (s := t.stage(stage)) is not None]
    num = sum(1 for s in rows if s.state is DeadlineState.DONE_ON_TIME)
    closed = sum(1 for s in rows if not s.is_open)
    if denominator == "closed":
        return Rate(num, closed, f"stage {stage!r} completed on time ÷ completed")
    overdue = sum(1 for s in rows if s.state is DeadlineState.OVERDUE)
    return Rate(num, closed + overdue, f"stage {stage!r} completed on time ÷ (completed + open overdue)")


# --------------------------------------------------------------------------- duplicate detection


@dataclass(frozen=True)
class ComplaintPoint:
    """What duplicate detection needs of a complaint."""

    id: str
    received_at: datetime.date | datetime.datetime
    lat: float | None = None
    lon: float | None = None
    text: str = ""
    category: str | None = None
    address: str = ""

    @classmethod
    def coerce(cls, value: Any) -> ComplaintPoint:
        if isinstance(value, ComplaintPoint):
            point = value
        elif isinstance(value, Mapping):
            received = value.get("received_at")
            if isinstance(received, str):
                try:
                    received = datetime.datetime.fromisoformat(received.strip())
                    if received.time() == datetime.time(0) and len(value["received_at"].strip()) == 10:
                        received = received.date()
                except ValueError:
                    raise PetitionInputError(f"received_at {value.get('received_at')!r} is not an ISO date") from None
            point = cls(
                id=str(value.get("id", "")),
                received_at=received,
                lat=value.get("lat"),
                lon=value.get("lon"),
                text=value.get("text") or "",
                category=value.get("category"),
                address=value.get("address") or "",
            )
        else:
            raise PetitionInputError(f"a complaint must be a ComplaintPoint or a mapping, got {type(value).__name__}")
        if not isinstance(point.received_at, datetime.date):
            raise PetitionInputError(f"complaint {point.id!r}: received_at must be a date or datetime")
        if (point.lat is None) != (point.lon is None):
            raise PetitionInputError(f"complaint {point.id!r}: give both lat and lon or neither")
        if point.lat is not None:
            coords = []
            for name, v, lim in (("lat", point.lat, 90), ("lon", point.lon, 180)):
                try:
                    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, str)):
                        raise ValueError
                    f = float(v)  # Decimal (e.g. a DecimalField) and numeric strings are accepted
                except ValueError:
                    f = math.nan
                if not math.isfinite(f) or abs(f) > lim:
                    raise PetitionInputError(f"complaint {point.id!r}: {name} must be a number in [-{lim}, {lim}], got {v!r}")
                coords.append(f)
            point = dataclasses.replace(point, lat=coords[0], lon=coords[1])
        if not isinstance(point.text, str) or not isinstance(point.address, str):
            raise PetitionInputError(f"complaint {point.id!r}: text and address must be strings")
        return point


@dataclass(frozen=True)
class DuplicateParams:
    """Configuration of duplicate scoring (defaults are engineering choices, not legal rules)."""

    radius_m: float = 200.0
    window_days: float = 30.0
    weight_place: float = 0.4
    weight_topic: float = 0.4
    weight_time: float = 0.2
    threshold: float = 0.6
    category_must_match: bool = True

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DuplicateParams:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise PetitionInputError(f"unknown duplicate parameters {sorted(unknown)}")
        params = cls(**data)
        params.validate()
        return params

    def validate(self) -> None:
        for name in ("radius_m", "window_days", "weight_place", "weight_topic", "weight_time", "threshold"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise PetitionInputError(f"duplicate parameter {name} must be a non-negative number, got {v!r}")
        if self.radius_m <= 0 or self.window_days <= 0:
            raise PetitionInputError("radius_m and window_days must be more than zero")
        if self.weight_place + self.weight_topic + self.weight_time <= 0:
            raise PetitionInputError("at least one weight must be more than zero")
        if self.threshold > 1:
            raise PetitionInputError("threshold must be in [0, 1]")


@dataclass(frozen=True)
class DuplicateMatch:
    a: str
    b: str
    score: float  #: 0..1, rounded to 4 decimals
    is_duplicate: bool
    distance_m: float | None
    days_apart: float
    place_score: float | None  #: None when neither coordinates nor addresses allow a comparison
    topic_score: float
    time_score: float
    reason: str


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of radius :data:`EARTH_RADIUS_M`.

    Use coordinates in the same datum (WGS-84 or GCJ-02 for both; mixing them
    shifts points by several hundred metres).
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _grams(text: str) -> set[str]:
    t = _normalise(text)
    if len(t) < 2:
        return {t} if t else set()
    return {t[i : i + 2] for i in range(len(t) - 1)}


def text_similarity(a: str, b: str) -> float:
    """Sørensen–Dice coefficient of character bigrams after NFKC, case folding and
    dropping everything but letters and digits (works for Chinese without word
    segmentation). 0 when either text is empty."""
    ga, gb = _grams(a or ""), _grams(b or "")
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def _days_apart(a: datetime.date, b: datetime.date) -> float:
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        # a plain date is midnight, in the time zone of the other value
        tz = a.tzinfo if isinstance(a, datetime.datetime) else b.tzinfo  # type: ignore[union-attr]
        da = a if isinstance(a, datetime.datetime) else datetime.datetime.combine(a, datetime.time(), tz)
        db = b if isinstance(b, datetime.datetime) else datetime.datetime.combine(b, datetime.time(), tz)
        if (da.tzinfo is None) != (db.tzinfo is None):
            raise PetitionInputError("cannot compare a timezone-aware and a naive received_at")
        return abs((da - db).total_seconds()) / 86400
    return float(abs((a - b).days))


def duplicate_score(a: Any, b: Any, params: DuplicateParams | Mapping[str, Any] | None = None) -> DuplicateMatch:
    """Score how likely two complaints report the same matter.

    Components, each in [0, 1]:

    * place = ``1 − distance / radius_m`` (haversine) when both have
      coordinates, 0 beyond the radius (gate: not a duplicate); otherwise
      address text similarity when both have an address; otherwise unknown
      (left out and the other weights renormalised);
    * topic = :func:`text_similarity` of the texts; 0 when both have a
      category, the categories differ and ``category_must_match`` (gate: a
      noise and an odour complaint about one factory are two matters);
    * time = ``1 − days_apart / window_days``, 0 beyond the window (gate).

    score = weighted mean; duplicate when no gate failed and
    ``score >= threshold``.
    """
    if params is None:
        params = DuplicateParams()
    elif not isinstance(params, DuplicateParams):
        params = DuplicateParams.from_mapping(params)
    else:
        params.validate()
    pa, pb = ComplaintPoint.coerce(a), ComplaintPoint.coerce(b)
    days = _days_apart(pa.received_at, pb.received_at)
    time_score = max(0.0, 1 - days / params.window_days)
    distance: float | None = None
    place: float | None = None
    reasons: list[str] = []
    if pa.lat is not None and pb.lat is not None:
        distance = haversine_m(pa.lat, pa.lon, pb.lat, pb.lon)  # type: ignore[arg-type]
        place = max(0.0, 1 - distance / params.radius_m)
        if distance > params.radius_m:
            reasons.append(f"{distance:.0f} m apart, beyond {params.radius_m:g} m")
    elif pa.address and pb.address:
        place = text_similarity(pa.address, pb.address)
    if days > params.window_days:
        reasons.append(f"{days:g} days apart, beyond {params.window_days:g} days")
    topic = text_similarity(pa.text, pb.text)
    category_differs = bool(pa.category and pb.category and pa.category != pb.category)
    if params.category_must_match and category_differs:
        topic = 0.0
        reasons.append(f"categories differ ({pa.category} / {pb.category})")
    weights = [(params.weight_topic, topic), (params.weight_time, time_score)]
    if place is not None:
        weights.append((params.weight_place, place))
    total_w = sum(w for w, _ in weights)
    score = round(sum(w * v for w, v in weights) / total_w, 4) if total_w else 0.0
    gated = (
        (distance is not None and distance > params.radius_m)
        or days > params.window_days
        or (params.category_must_match and category_differs)
    )
    is_dup = not gated and score >= params.threshold
    if not reasons:
        reasons.append("score at or above threshold" if is_dup else "score below threshold")
    if place is None:
        reasons.append("no location to compare")
    return DuplicateMatch(
        a=pa.id,
        b=pb.id,
        score=score,
        is_duplicate=is_dup,
        distance_m=round(distance, 1) if distance is not None else None,
        days_apart=round(days, 4),
        place_score=round(place, 4) if place is not None else None,
        topic_score=round(topic, 4),
        time_score=round(time_score, 4),
        reason="; ".join(reasons),
    )


def find_duplicates(
    complaint: Any,
    candidates: Iterable[Any],
    params: DuplicateParams | Mapping[str, Any] | None = None,
    *,
    include_all: bool = False,
) -> list[DuplicateMatch]:
    """Score ``complaint`` against ``candidates``; duplicates only (or all with ``include_all``),
    best first (ties by candidate id). A candidate with the same id is skipped."""
    if params is not None and not isinstance(params, DuplicateParams):
        params = DuplicateParams.from_mapping(params)
    new = ComplaintPoint.coerce(complaint)
    out = []
    for c in candidates:
        point = ComplaintPoint.coerce(c)
        if point.id == new.id and new.id:
            continue
        match = duplicate_score(new, point, params)
        if include_all or match.is_duplicate:
            out.append(match)
    out.sort(key=lambda m: (-m.score, m.b))
    return out


__all__ = [
    "DEFAULT_PETITION_RULES",
    "ComplaintPoint",
    "DuplicateMatch",
    "DuplicateParams",
    "PetitionError",
    "PetitionEvent",
    "PetitionInputError",
    "PetitionRules",
    "PetitionRulesError",
    "PetitionTimeline",
    "Procedure",
    "Rate",
    "StageRule",
    "StageStatus",
    "closure_rate",
    "duplicate_score",
    "find_duplicates",
    "handled_rate",
    "haversine_m",
    "on_time_rate",
    "petition_timeline",
    "text_similarity",
]
