import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from qingshan.core.actor import acting_as


class Command(BaseCommand):
    help = "Copy air station hourly values from the HJ 212 measurement store and recompute daily AQI."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=48, help="how far back to copy (default 48 hours)")

    def handle(self, *args, hours, **options):
        from qingshan.air.sync import sync_from_store

        end = timezone.now()
        with acting_as(name="air_sync"):
            counts = sync_from_store(end - datetime.timedelta(hours=hours), end)
        self.stdout.write(f"{counts['stations']} station(s), {counts['hours']} station-hours, {counts['days']} day(s) recomputed")
