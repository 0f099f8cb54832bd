"""Reports generated on a schedule and archived (run by ``qingshan jobs``).

They are generated with the region scope of the user named by the setting
``QINGSHAN_REPORTS_USER`` (default ``admin``: create that account, or set the
variable to the bureau's report account), so the archive holds the city-wide
versions; staff generate scoped ones from the reports page.
"""

from django.conf import settings

from qingshan.core.jobs import DAY, Job, last_month, yesterday


def _user() -> list[str]:
    return ["--user", getattr(settings, "QINGSHAN_REPORTS_USER", "admin")]


def _last_month(when) -> list[str]:
    year, month = last_month(when)
    return [f"year={year}", f"month={month}"]


JOBS = [
    Job("report_air_bulletin", "report", interval=DAY, offset=8 * 3600 + 30 * 60,
        args=lambda when: ["air_bulletin", f"day={yesterday(when)}", *_user()],
        help="daily air quality bulletin of yesterday (PDF, Word, Excel), archived"),
    Job("report_county_ranking", "report", interval=DAY, offset=7 * 3600, day_of_month=3,
        args=lambda when: ["county_ranking", *_last_month(when), *_user()],
        help="monthly county ranking of last month"),
    Job("report_enforcement_monthly", "report", interval=DAY, offset=7 * 3600 + 10 * 60, day_of_month=3,
        args=lambda when: ["enforcement_monthly", *_last_month(when), *_user()],
        help="monthly enforcement statistics of last month"),
]
