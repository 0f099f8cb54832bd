"""``qingshan water_assess``: recompute the cached section assessments (month, quarter, year)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from qingshan.core.actor import acting_as
from qingshan.water import services
from qingshan.water.models import Section


class Command(BaseCommand):
    help = "Recompute section classes per month, quarter and year (January to date) from the samples."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="year to recompute (repeatable; default: this year)")
        parser.add_argument("--section", action="append", help="section code (repeatable; default: all)")

    def handle(self, *args, **opts):
        years = opts["year"] or [datetime.date.today().year]
        sections = Section.objects.all()
        if opts["section"]:
            sections = sections.filter(code__in=opts["section"])
            missing = set(opts["section"]) - set(sections.values_list("code", flat=True))
            if missing:
                raise CommandError(f"unknown section(s): {', '.join(sorted(missing))}")
        with acting_as(name="water_assess"):
            for year in years:
                n = services.assess_sections(sections, year)
                self.stdout.write(f"{year}: {n} assessments")
