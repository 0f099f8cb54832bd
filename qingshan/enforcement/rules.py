"""The one adapter between enforcement/complaints and the pure rules in ``qingshan.standards``.

Every deadline of the two apps goes through :func:`add_workdays` /
:func:`status` (the working-day calendar of ``standards.workdays``); penalties,
petition time limits and random draws are computed by ``standards.penalties``,
``standards.petitions`` and ``standards.random_inspection``. Nothing here
re-implements a rule: it converts model values to the standards' inputs.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from qingshan.standards import workdays as _wd


@functools.lru_cache(maxsize=1)
def calendar() -> _wd.WorkdayCalendar:
    """The platform's calendar: chinesecalendar + the packaged override table.

    Dates in a year neither source knows yet (e.g. next year before the State
    Council notice is out) fall back to the weekday rule instead of failing, so
    a deadline is always shown; such results are ``estimated`` (see
    docs/enforcement.md, "Holiday table"). Add the year to
    ``qingshan/standards/data/workday_overrides.json`` when the notice appears.
    """
    return _wd.WorkdayCalendar(_wd.packaged_override_table(), weekend_fallback=True)


def add_workdays(start, n) -> datetime.date:
    return calendar().add_workdays(start, n)


def status(due, as_of, completed_on=None):
    if due is None:
        return None
    return calendar().status(due, as_of, completed_on=completed_on)


# -- penalties ------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyPenalty:
    days: int
    amount: Decimal
    first_day: datetime.date | None
    last_day: datetime.date | None
    formula: str
    warnings: tuple
    detail: object  # the standards result (periods, basis), for display


def daily_penalty(original_fine, order_served_on, reinspection_on) -> DailyPenalty:
    """Daily continuous penalty for one order to correct and one re-inspection finding it continuing."""
    from qingshan.standards import penalties

    try:
        r = penalties.daily_penalty(original_fine, order_served_on, [reinspection_on])
    except (penalties.PenaltyError, _wd.WorkdayError) as exc:
        raise ValueError(str(exc)) from None
    first = r.periods[0] if r.periods else None
    return DailyPenalty(days=r.total_days, amount=r.total_amount, first_day=first.first_day if first else None,
                        last_day=first.last_day if first else None, formula=r.formula, warnings=r.warnings, detail=r)


def late_surcharge(fine, due, until):
    """Late-payment surcharge (3 % a day, capped at the fine); None when not late."""
    from qingshan.standards import penalties

    try:
        r = penalties.late_payment_surcharge(fine, due, until)
    except (penalties.PenaltyError, _wd.WorkdayError):
        return None
    return r if r.days_charged > 0 else None


def payment_due_date(decision_received_on):
    from qingshan.standards import penalties

    return penalties.payment_due_date(decision_received_on, calendar=calendar())


def legal_basis_choices(subject: str | None = None):
    """(id, citation) of the legal-basis table entries, for one subject or all."""
    from qingshan.standards import penalties

    table = penalties.packaged_legal_basis()
    rows = table.for_subject(subject) if subject else table.basis
    return [(b.id, f"{b.citation} · {table.label(b.subject)}") for b in rows]


def legal_basis_label(basis_id: str) -> str:
    from qingshan.standards import penalties

    try:
        b = penalties.packaged_legal_basis().get(basis_id)
    except penalties.PenaltyError:
        return basis_id
    return b.citation


# -- petitions ------------------------------------------------------------------------


#: our complaint channels → the channel names of standards.petitions (which procedure applies)
PETITION_CHANNEL = {
    "phone_12369": "hotline_12369",
    "letter": "letter",
    "visit": "visit",
    "web": "web",
    "higher_level": "letter",
    "npc_cppcc": "letter",
}


def petition_events(c) -> list[dict]:
    """The events of a complaint as standards.petitions expects them."""
    ev = []
    if c.accepted_on:
        ev.append({"kind": "accepted", "date": c.accepted_on})
    elif c.status == "rejected" and c.closed_on:
        ev.append({"kind": "not_accepted", "date": c.closed_on})
    if c.accepted_on and c.extended_days:
        ev.append({"kind": "extended", "date": c.accepted_on, "days": int(c.extended_days)})
    replied = c.replied_on or (c.closed_on if c.status == "closed" else None)
    if c.accepted_on and replied:
        ev.append({"kind": "replied", "date": replied})
        if c.review_requested_on:
            ev.append({"kind": "review_requested", "date": c.review_requested_on})
    return ev


def petition_timeline(c, as_of=None):
    """The petition timeline (stages, due dates, states) of a complaint as of a date.

    ``as_of`` defaults to the latest event (enough for due dates); raises
    ValueError for inconsistent dates (e.g. a reply before acceptance).
    """
    from qingshan.standards import petitions

    events = petition_events(c)
    latest = max([c.received_on, *(e["date"] for e in events)])
    as_of = max(as_of or latest, latest)
    try:
        return petitions.petition_timeline(c.received_on, PETITION_CHANNEL.get(c.channel, "letter"), events,
                                           as_of=as_of, calendar=calendar())
    except (petitions.PetitionError, _wd.WorkdayError) as exc:
        raise ValueError(str(exc)) from None


def duplicate_matches(new: dict, candidates: list[dict]):
    """Duplicates of ``new`` among ``candidates`` (mappings of id, received_at, lat, lon, text, category, address)."""
    from qingshan.standards import petitions

    return petitions.find_duplicates(new, candidates)


# -- random inspection ---------------------------------------------------------------


def draw(seed: str, population: list, inspectors: list, ratio, team_size: int) -> dict:
    """Run a 双随机 draw; returns the standards' JSON audit record (seed, digests, selected, teams).

    ``population``: [uscc, stratum] pairs; ``inspectors``: [username, department] pairs;
    ``ratio``: the share of each stratum to draw.
    """
    from qingshan.standards import random_inspection as ri

    strata = sorted({p[1] for p in population})
    try:
        result = ri.draw([tuple(p) for p in population], [tuple(i) for i in inspectors],
                         {s: str(ratio) for s in strata}, seed=seed, team_size=int(team_size))
    except ri.DrawError as exc:
        raise ValueError(str(exc)) from None
    return result.to_record()


def verify_draw(record: dict, population: list, inspectors: list):
    """Re-run a recorded draw on its snapshot; returns (ok, differences)."""
    from qingshan.standards import random_inspection as ri

    try:
        v = ri.verify_draw(record, [tuple(p) for p in population], [tuple(i) for i in inspectors])
    except ri.DrawError as exc:
        return False, (str(exc),)
    return v.ok, v.differences
