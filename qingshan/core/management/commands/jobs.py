"""``qingshan jobs``: run the apps' periodic jobs (see :mod:`qingshan.core.jobs`).

Examples::

    qingshan jobs                 # run forever (systemd service), one job at a time
    qingshan jobs --list          # the schedule and the next run of each job
    qingshan jobs --run air_sync  # run one job now (recorded like a scheduled run)
"""

from __future__ import annotations

import datetime
import io
import logging
import signal
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from qingshan.core.jobs import Job, all_jobs
from qingshan.core.models import JobRun

log = logging.getLogger("qingshan.jobs")
OUTPUT_LINES = 40


def run_job(job: Job, when: datetime.datetime | None = None) -> JobRun:
    """Run one job in this process; record it; never raise for the job's own failure."""
    when = when or timezone.now()
    argv = job.argv(when)
    run = JobRun.objects.create(job=job.name, command=" ".join([job.command, *argv])[:300], started=timezone.now())
    out = io.StringIO()
    try:
        call_command(job.command, *argv, stdout=out, stderr=out)
        run.outcome = JobRun.Outcome.OK
    except BaseException as exc:  # a failing job is recorded, the scheduler goes on (SystemExit included)
        if isinstance(exc, KeyboardInterrupt):
            raise
        run.outcome = JobRun.Outcome.FAILED
        out.write(f"\n{type(exc).__name__}: {exc}\n")
        log.exception("job %s failed", job.name)
    run.finished = timezone.now()
    run.output = "\n".join(out.getvalue().rstrip().splitlines()[-OUTPUT_LINES:])
    run.save(update_fields=["outcome", "finished", "output"])
    return run


class Command(BaseCommand):
    help = "Run the periodic jobs of the Qingshan apps (rollups, data sync, water assessment, subscriber notices)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the schedule and exit")
        parser.add_argument("--run", action="append", metavar="NAME", help="run this job now and exit (repeatable)")
        parser.add_argument("--keep-days", type=int, default=90, help="delete job run records older than this (90)")

    def handle(self, *args, **opts):
        jobs = all_jobs()
        by_name = {j.name: j for j in jobs}
        now = timezone.now()
        if opts["list"]:
            width = max((len(j.name) for j in jobs), default=0)
            for j in jobs:
                nxt = j.next_run(now)
                every = f"monthly, day {j.day_of_month}" if j.day_of_month else f"every {_every(j.interval)}"
                argv = " ".join(j.argv(nxt))
                self.stdout.write(f"{j.name:{width}}  next {timezone.localtime(nxt):%Y-%m-%d %H:%M}  {every:16}"
                                  f"  qingshan {j.command} {argv}".rstrip())
            return
        if opts["run"]:
            unknown = [n for n in opts["run"] if n not in by_name]
            if unknown:
                raise CommandError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
            failed = 0
            for name in opts["run"]:
                run = run_job(by_name[name])
                self.stdout.write(f"{name}: {run.outcome} in {run.seconds:.1f} s")
                failed += run.outcome != JobRun.Outcome.OK
            if failed:
                raise CommandError(f"{failed} job(s) failed; see the job runs in the admin")
            return
        self._loop(jobs, opts["keep_days"])

    def _loop(self, jobs: list[Job], keep_days: int):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_a: stop.set())
        due = {j.name: j.next_run(timezone.now()) for j in jobs}
        self.stdout.write(f"qingshan jobs: {len(jobs)} jobs scheduled; Ctrl-C or SIGTERM stops after the running job")
        last_cleanup = 0.0
        while not stop.is_set():
            now = timezone.now()
            ready = sorted((t, j.name) for j in jobs if (t := due[j.name]) <= now)
            if not ready:
                wait = min(due.values()) - now
                stop.wait(min(max(wait.total_seconds(), 0.5), 60))
                continue
            _t, name = ready[0]
            job = next(j for j in jobs if j.name == name)
            close_old_connections()
            run = run_job(job, due[name])
            log.info("job %s: %s in %.1f s", name, run.outcome, run.seconds or 0)
            due[name] = job.next_run(max(timezone.now(), due[name]))  # a late run is not repeated
            if time.monotonic() - last_cleanup > 3600:
                JobRun.objects.filter(started__lt=timezone.now() - datetime.timedelta(days=keep_days)).delete()
                last_cleanup = time.monotonic()
        self.stdout.write("qingshan jobs: stopped")


def _every(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"
