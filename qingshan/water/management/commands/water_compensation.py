"""``qingshan water_compensation``: compute the ecological compensation ledger for months."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from qingshan.core.actor import acting_as
from qingshan.water import services


def _month(text: str) -> tuple[int, int]:
    try:
        y, m = (int(p) for p in text.split("-"))
        services.month_bounds(y, m)
        return y, m
    except ValueError:
        raise CommandError(f"not a month (YYYY-MM): {text!r}") from None


class Command(BaseCommand):
    help = "Compute each county's deduction or reward for the given months (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--to", help="last month YYYY-MM of a range starting at --month")

    def handle(self, *args, **opts):
        if opts["month"]:
            start = _month(opts["month"])
        else:
            first = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
            start = (first.year, first.month)
        end = _month(opts["to"]) if opts["to"] else start
        if end < start:
            raise CommandError("--to is before --month")
        y, m = start
        with acting_as(name="water_compensation"):
            while (y, m) <= end:
                entries = services.compute_compensation(y, m)
                ledger = services.compensation_ledger(y, m)
                totals = ", ".join(f"{t['county'].name} {t['total']}" for t in ledger["totals"]) or "nothing booked"
                self.stdout.write(f"{y}-{m:02d}: {len(entries)} entries; {totals}")
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
