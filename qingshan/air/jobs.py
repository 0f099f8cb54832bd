"""Periodic jobs of the air app (run by ``qingshan jobs``)."""

from qingshan.core.jobs import HOUR, Job

JOBS = [
    Job("air_sync", "air_sync", interval=HOUR, offset=15 * 60, args=["--hours", "6"],
        help="copy the stations' hourly values from the measurement store, recompute the daily AQI"),
]
