"""Periodic jobs: what a deployment runs on a schedule, declared by the apps.

Each app may provide ``<app>/jobs.py`` with ``JOBS = [Job(...), ...]``. A job
is a ``qingshan`` management command with its arguments, run every
``interval`` seconds at ``offset`` seconds past a boundary aligned to local
midnight (``interval=3600, offset=600``: every hour at :10;
``interval=86400, offset=2*3600``: every day at 02:00 local time; with
``day_of_month=2``: on the 2nd of every month).

``qingshan jobs`` (a long-running management command, like the HJ 212
server) runs them in one process, one at a time, records every run in
:class:`~qingshan.core.models.JobRun` (start, end, outcome, the tail of the
output) and never stops on a failing job. ``qingshan jobs --list`` prints the
schedule with the next run times; ``qingshan jobs --run NAME`` runs one job
now. Deployments that prefer cron run the listed commands themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Job:
    """One periodic ``qingshan`` command.

    ``args`` is a list of strings or a function of the run time (an aware
    datetime) returning one, e.g. to pass "yesterday" as a date.
    """

    name: str
    command: str
    interval: int
    offset: int = 0
    args: Sequence[str] | Callable[[datetime.datetime], Sequence[str]] = field(default_factory=tuple)
    help: str = ""
    #: daily jobs only: run on this day of the month (1–28), e.g. monthly reports on the 2nd
    day_of_month: int | None = None

    def __post_init__(self):
        if self.interval <= 0 or not 0 <= self.offset < max(self.interval, DAY):
            raise ValueError(f"job {self.name}: interval must be > 0 and 0 ≤ offset < interval")
        if self.day_of_month is not None and (self.interval != DAY or not 1 <= self.day_of_month <= 28):
            raise ValueError(f"job {self.name}: day_of_month needs interval=DAY and a day 1–28")

    def argv(self, when: datetime.datetime) -> list[str]:
        args = self.args(when) if callable(self.args) else self.args
        return [str(a) for a in args]

    def next_run(self, after: datetime.datetime) -> datetime.datetime:
        """The first scheduled time strictly after ``after`` (aware), in local time."""
        local = timezone.localtime(after)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        # whole days contain whole intervals for the usual divisors of a day; otherwise count from midnight anyway
        elapsed = (local - midnight).total_seconds() - self.offset
        k = int(elapsed // self.interval) + 1 if elapsed >= 0 else 0
        candidate = timezone.localtime(midnight + datetime.timedelta(seconds=self.offset + k * self.interval))
        if self.day_of_month is not None:
            while candidate.day != self.day_of_month:
                day = candidate.date() + datetime.timedelta(days=1)
                candidate = timezone.localtime(timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=self.offset)))
        return candidate


def all_jobs() -> list[Job]:
    """The jobs of every installed Qingshan app, in app order; names are unique."""
    from .navigation import app_modules

    jobs: list[Job] = []
    seen: set[str] = set()
    for label, module in app_modules("jobs"):
        for job in getattr(module, "JOBS", ()):
            if job.name in seen:
                raise ValueError(f"duplicate job name {job.name!r} (app {label})")
            seen.add(job.name)
            jobs.append(job)
    return jobs


def days_ago(n: int) -> Callable[[datetime.datetime], str]:
    """``args`` helper: the local date ``n`` days before the run, ISO format."""
    def date(when: datetime.datetime) -> str:
        return (timezone.localtime(when).date() - datetime.timedelta(days=n)).isoformat()

    return date


yesterday = days_ago(1)


def last_month(when: datetime.datetime) -> tuple[int, int]:
    first = timezone.localtime(when).date().replace(day=1)
    prev = first - datetime.timedelta(days=1)
    return prev.year, prev.month
