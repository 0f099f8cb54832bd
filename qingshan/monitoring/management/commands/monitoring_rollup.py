"""Compute hourly values from minute data and daily values from hourly data for a period."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qingshan.core.actor import acting_as


class Command(BaseCommand):
    help = "Roll up minute → hourly and hourly → daily values where loggers did not send them (and check alarms)."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--end", help="last day (YYYY-MM-DD), default: yesterday")
        parser.add_argument("--mn", action="append", help="only these loggers (MN); repeatable")
        parser.add_argument("--no-alarms", action="store_true", help="do not evaluate exceedances of the rolled-up values")

    def handle(self, *args, **opts):
        from qingshan.monitoring import alarms, rollups
        from qingshan.registry.models import DataLogger

        try:
            start = datetime.date.fromisoformat(opts["start"])
            end = datetime.date.fromisoformat(opts["end"]) if opts["end"] else timezone.localdate() - datetime.timedelta(days=1)
        except ValueError as exc:
            raise CommandError(f"bad date: {exc}")
        if end < start:
            raise CommandError("--end is before --start")
        tz = timezone.get_current_timezone()
        t0 = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
        t1 = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
        qs = DataLogger.objects.filter(active=True).select_related("outlet")
        if opts["mn"]:
            qs = qs.filter(mn__in=opts["mn"])
        loggers = list(qs)
        with acting_as(name="monitoring-rollup"):
            hours = rollups.rollup(loggers, "hour", t0, t1)
            days = rollups.rollup(loggers, "day", t0, t1)
            opened = [] if opts["no_alarms"] else alarms.check(hours + days)
        self.stdout.write(f"{len(loggers)} loggers: {len(hours)} hourly and {len(days)} daily values, "
                          f"{len(opened)} alarms opened or updated")
