"""Periodic jobs of the water app (run by ``qingshan jobs``)."""

from qingshan.core.jobs import DAY, Job

JOBS = [
    Job("water_sync", "water_sync", interval=DAY, offset=2 * 3600 + 30 * 60,
        help="daily values of the automatic water stations → samples (last 7 days)"),
    Job("water_assess", "water_assess", interval=DAY, offset=3 * 3600,
        help="section classes per month, quarter and year to date"),
    Job("water_compensation", "water_compensation", interval=DAY, offset=3 * 3600 + 30 * 60,
        help="ecological compensation ledger of last month"),
]
