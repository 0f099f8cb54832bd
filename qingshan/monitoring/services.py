"""Services of the monitoring app used by views, other apps and commands."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class WorkflowError(ValidationError):
    """An alarm action that is not allowed in the alarm's current state."""


_FACTOR_NAMES: dict[str, str] | None = None


def factor_name(code: str) -> str:
    """Chinese name of an HJ 212-2017 factor code (the code itself if unknown)."""
    global _FACTOR_NAMES
    if _FACTOR_NAMES is None:
        names = {}
        try:
            from qingshan.standards.hj212 import tables

            names = {c: f.name_zh for c, f in tables.FACTORS.items()}
        except Exception:  # codec not installed yet
            names = {}
        names.update(FALLBACK_NAMES)
        _FACTOR_NAMES = names
    return _FACTOR_NAMES.get(code, code)


FALLBACK_NAMES = {
    "a21026": "二氧化硫", "a21002": "氮氧化物", "a34013": "颗粒物", "a01012": "烟气温度", "a01013": "烟气压力",
    "a01014": "烟气湿度", "a19001": "氧气含量", "a00000": "废气流量", "w01018": "化学需氧量", "w21003": "氨氮",
    "w21011": "总磷", "w01001": "pH值", "w00000": "污水流量",
}


def _period(start, end):
    """Dates are inclusive days (``end`` included); datetimes are a half-open range."""
    import datetime

    if isinstance(end, datetime.date) and not isinstance(end, datetime.datetime):
        end = end + datetime.timedelta(days=1)
    return start, end


def _system_user():
    from types import SimpleNamespace

    from qingshan.core.scope import Reach

    user = SimpleNamespace(is_authenticated=True, is_superuser=True, pk=None)
    user._qingshan_reach = Reach(everything=True)
    return user


def county_effective_transmission_rate(county, start, end) -> float | None:
    """Effective transmission rate (%) of a county's outlet loggers, ``None`` when it has none."""
    from . import rates

    start, end = _period(start, end)
    loggers = rates.loggers_for(county=county)
    if not loggers:
        return None
    return rates.pooled(rates.logger_rates(loggers, start, end).values()).effective


def city_transmission_rate(user, start, end) -> float | None:
    """Effective transmission rate (%) of the loggers within ``user``'s reach (reports)."""
    from . import rates

    start, end = _period(start, end)
    loggers = rates.loggers_for(user)
    if not loggers:
        return None
    return rates.pooled(rates.logger_rates(loggers, start, end).values()).effective


def enterprise_transmission_rate(enterprise, start, end) -> float | None:
    from . import rates

    start, end = _period(start, end)
    loggers = rates.loggers_for(enterprise=enterprise)
    if not loggers:
        return None
    return rates.pooled(rates.logger_rates(loggers, start, end).values()).effective


def open_case_from_alarm(alarm, user):
    """Escalate an alarm to an enforcement case (enforcement calls ``alarm.mark_escalated``)."""
    from qingshan.enforcement.services import open_case

    if alarm.status not in alarm.ACTIVE_STATUSES:
        raise WorkflowError("This alarm is already closed or escalated.")
    case = open_case(alarm, user)
    alarm.refresh_from_db()
    if alarm.status != alarm.Status.ESCALATED:  # an enforcement version without the hook
        alarm.mark_escalated(case=case, user=user)
    return case
