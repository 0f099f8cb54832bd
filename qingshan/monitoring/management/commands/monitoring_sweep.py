"""Periodic monitoring checks: recent rollups, offline / flat-line / zero alarms.

The HJ 212 server runs the same sweep every minute; run this from cron when
the server is not running, or with ``--loop`` as a small service.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from qingshan.core.actor import acting_as


class Command(BaseCommand):
    help = "Run the periodic monitoring checks (rollups, offline, flat line, zero values) once or every minute."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="evaluate as of this time (ISO 8601), default: now")
        parser.add_argument("--loop", action="store_true", help="repeat every --interval seconds")
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--no-rollup", action="store_true", help="skip the hourly/daily rollups")

    def handle(self, *args, **opts):
        from qingshan.monitoring import alarms

        now = None
        if opts["now"]:
            now = parse_datetime(opts["now"])
            if now is None:
                raise CommandError(f"--now: not an ISO 8601 date-time: {opts['now']!r}")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        while True:
            with acting_as(name="monitoring-sweep"):
                result = alarms.sweep(now, rollup=not opts["no_rollup"])
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
            if not opts["loop"]:
                return
            time.sleep(max(1, opts["interval"]))
