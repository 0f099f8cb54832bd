"""Shutdown declarations (停产/停运申报): which hours of which loggers are declared stopped, and who may do what.

A :class:`~qingshan.monitoring.models.ShutdownDeclaration` covers one data logger, or every
logger of an outlet when it names no logger. Only **approved** declarations count:

* :mod:`qingshan.monitoring.rates` takes their hours out of the expected hours (and the records
  sent during them out of the received ones) of the effective transmission rate;
* :func:`qingshan.monitoring.alarms.sweep` raises no offline, flat-line or zero alarm for a logger
  while a declared period runs, ends such an alarm that is running, ignores the hourly values of
  declared hours for flat lines and zeros, and counts "offline" from the end of the period.

Periods are half-open ``[start, end)`` of aware datetimes; an open end runs to :data:`OPEN_END`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from qingshan.core.scope import reach_of

UTC = datetime.timezone.utc
#: the end of an open-ended period (later than any real time, still safe for arithmetic)
OPEN_END = datetime.datetime(9000, 1, 1, tzinfo=UTC)
#: above this many loggers the query fetches every approved declaration of the period instead of listing ids
_ID_FILTER_MAX = 2000

Period = tuple[datetime.datetime, datetime.datetime]

VIEW_PERM = "monitoring.view_shutdowndeclaration"
ADD_PERM = "monitoring.add_shutdowndeclaration"
REVIEW_PERM = "monitoring.change_shutdowndeclaration"


# -- periods ----------------------------------------------------------------------

def merge(periods) -> list[Period]:
    """Sorted, non-overlapping periods covering the same time (touching periods are joined)."""
    out: list[list] = []
    for s, e in sorted(periods):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def clip(periods, start, end) -> list[Period]:
    """The parts of ``periods`` inside ``[start, end)``."""
    out = []
    for s, e in periods:
        s, e = max(s, start), min(e, end)
        if s < e:
            out.append((s, e))
    return out


def total_hours(periods) -> float:
    return sum((e - s).total_seconds() for s, e in periods) / 3600.0


def covers(periods, t) -> bool:
    return any(s <= t < e for s, e in periods)


def last_end_before(periods, t):
    """The latest end of a period that is over at ``t`` (``None`` if none)."""
    ends = [e for _s, e in periods if e <= t]
    return max(ends) if ends else None


def approved_periods(loggers, start, end) -> dict[int, list[Period]]:
    """Merged approved periods per logger that overlap ``[start, end)`` (not clipped; open ends run to OPEN_END).

    ``loggers`` are :class:`~qingshan.registry.models.DataLogger` rows (``pk`` and ``outlet_id`` are used).
    One query.
    """
    from .models import ShutdownDeclaration

    loggers = list(loggers)
    if not loggers:
        return {}
    ids = {lg.pk for lg in loggers}
    by_outlet: dict[int, list[int]] = defaultdict(list)
    for lg in loggers:
        if lg.outlet_id:
            by_outlet[lg.outlet_id].append(lg.pk)
    qs = (ShutdownDeclaration.objects.filter(status=ShutdownDeclaration.Status.APPROVED, start__lt=end)
          .filter(Q(end__isnull=True) | Q(end__gt=start)))
    if len(ids) <= _ID_FILTER_MAX:
        qs = qs.filter(Q(logger_id__in=ids) | Q(logger__isnull=True, outlet_id__in=list(by_outlet)))
    raw: dict[int, list[Period]] = defaultdict(list)
    for logger_id, outlet_id, s, e in qs.values_list("logger_id", "outlet_id", "start", "end"):
        period = (s, e or OPEN_END)
        if logger_id is not None:
            if logger_id in ids:
                raw[logger_id].append(period)
        else:
            for pk in by_outlet.get(outlet_id, ()):
                raw[pk].append(period)
    return {pk: merge(ps) for pk, ps in raw.items()}


def current(loggers, now=None) -> dict[int, object]:
    """The approved declaration running at ``now`` per logger (for status badges and the API)."""
    from .models import ShutdownDeclaration

    now = now or timezone.now()
    loggers = list(loggers)
    ids = {lg.pk for lg in loggers}
    outlets = {lg.outlet_id for lg in loggers if lg.outlet_id}
    if not ids:
        return {}
    out = {}
    qs = (ShutdownDeclaration.objects.filter(status=ShutdownDeclaration.Status.APPROVED, start__lte=now)
          .filter(Q(end__isnull=True) | Q(end__gt=now))
          .filter(Q(logger_id__in=ids) | Q(logger__isnull=True, outlet_id__in=outlets)).order_by("start"))
    for d in qs:
        for lg in loggers:
            if d.logger_id == lg.pk or (d.logger_id is None and d.outlet_id and d.outlet_id == lg.outlet_id):
                out.setdefault(lg.pk, d)
    return out


# -- who may do what ---------------------------------------------------------------

def is_enterprise_user(user) -> bool:
    return reach_of(user).enterprise_id is not None


def is_own(user, declaration) -> bool:
    reach = reach_of(user)
    return reach.enterprise_id is not None and declaration.enterprise_id == reach.enterprise_id


def can_review(user) -> bool:
    """Staff who may approve or reject (monitoring and county staff); never an enterprise's own users."""
    return user.has_perm(REVIEW_PERM) and not is_enterprise_user(user)


def can_declare(user) -> bool:
    """Staff with the add permission, and enterprise users (for their own enterprise's loggers)."""
    if is_enterprise_user(user):
        return user.has_perm(VIEW_PERM)
    return user.has_perm(ADD_PERM)


def can_edit(user, declaration) -> bool:
    live = declaration.status in declaration.LIVE_STATUSES
    if can_review(user):
        return live
    return is_own(user, declaration) and declaration.status == declaration.Status.PENDING


def allowed_actions(user, declaration) -> list[str]:
    """Workflow actions ``user`` may take on ``declaration`` (which is within the user's reach)."""
    status = declaration.status
    S = declaration.Status
    reviewer = can_review(user)
    own = is_own(user, declaration)
    declarant = declaration.declared_by_id is not None and declaration.declared_by_id == getattr(user, "pk", None)
    out = []
    if reviewer and status == S.PENDING:
        out.append("approve")
    if reviewer and status in (S.PENDING, S.APPROVED):
        out.append("reject")
    if status == S.PENDING and (own or reviewer or declarant):
        out.append("withdraw")
    if status in (S.PENDING, S.APPROVED) and (own or reviewer):
        out.append("end")
    return out


# -- notifications -------------------------------------------------------------------

def notify_filed(declaration):
    """Tell the reviewers (monitoring staff, county staff covering the region) a declaration awaits review."""
    from .alarms import recipients

    users = [u for u in recipients(declaration) if not getattr(getattr(u, "profile", None), "enterprise_id", None)
             and u.pk != declaration.declared_by_id]
    _notify(declaration, users, gettext("Shutdown declaration to review: %(what)s") % {"what": _where(declaration)})


def notify_reviewed(declaration):
    """Tell the declarant and the enterprise's users the decision."""
    from django.contrib.auth import get_user_model

    q = Q(pk=declaration.declared_by_id) if declaration.declared_by_id else Q(pk__in=[])
    if declaration.enterprise_id:
        q |= Q(profile__enterprise_id=declaration.enterprise_id)
    users = list(get_user_model().objects.filter(q, is_active=True).distinct())
    title = gettext("Shutdown declaration %(status)s: %(what)s") % {
        "status": declaration.get_status_display(), "what": _where(declaration)}
    _notify(declaration, users, title, level="success" if declaration.status == "approved" else "warning")


def _where(declaration) -> str:
    if declaration.enterprise_id:
        return declaration.enterprise.name
    return declaration.logger.mn if declaration.logger_id else str(declaration.outlet)


def _notify(declaration, users, title, level="info"):
    from qingshan.core.models import Notification

    body = str(declaration)
    if declaration.review_note:
        body = f"{body}\n{declaration.review_note}"
    Notification.objects.bulk_create([
        Notification(recipient=u, level=level, title=title[:200], body=body, url=declaration.get_absolute_url(),
                     time=timezone.now())
        for u in users
    ])
