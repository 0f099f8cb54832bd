"""Demo data of the reports app: in the full city, the leader's half-year work summary is archived."""

from __future__ import annotations


def seed(ctx):
    if ctx.size != "full":  # the small city (test suite) generates reports in the tests themselves
        return
    from django.contrib.auth import get_user_model

    from . import services

    leader = get_user_model().objects.filter(username="leader").first()
    if leader is None:
        return
    # the last completed half-year (the demo city has a year of data before ctx.today)
    year, half = (ctx.today.year, "1") if ctx.today.month > 6 else (ctx.today.year - 1, "2")
    report = services.run(services.create("summary", {"year": year, "half": half}, leader))
    ctx.log(f"    reports: {report.title} ({report.status})")
