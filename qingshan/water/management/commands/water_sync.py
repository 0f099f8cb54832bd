"""``qingshan water_sync``: daily values of automatic water stations (HJ 212 ST=21) → samples."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from qingshan.core.actor import acting_as
from qingshan.water import services


class Command(BaseCommand):
    help = "Copy daily values of the water-station loggers linked to sections from the measurement store into samples."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=datetime.date.fromisoformat, help="first day (default: 7 days ago)")
        parser.add_argument("--end", type=datetime.date.fromisoformat, help="last day (default: yesterday)")

    def handle(self, *args, **opts):
        today = datetime.date.today()
        end = opts["end"] or today - datetime.timedelta(days=1)
        start = opts["start"] or end - datetime.timedelta(days=6)
        if end < start:
            raise CommandError("--end is before --start")
        with acting_as(name="water_sync"):
            counts = services.sync_automatic(start, end)
        self.stdout.write(f"{start} – {end}: {counts['sections']} sections, {counts['created']} samples created, "
                          f"{counts['updated']} updated, {counts['skipped']} flagged values skipped")
