"""Periodic jobs of the monitoring app (run by ``qingshan jobs``, see :mod:`qingshan.core.jobs`).

Offline, flat-line and zero alarms are swept by the HJ 212 server itself every
minute (``--sweep-interval``); a deployment without the server runs
``qingshan monitoring_sweep --loop`` instead.
"""

from qingshan.core.jobs import DAY, Job, days_ago

JOBS = [
    Job("monitoring_rollup", "monitoring_rollup", interval=DAY, offset=1 * 3600 + 10 * 60,
        args=lambda when: ["--start", days_ago(2)(when)],
        help="hourly values from minute data and daily values from hourly data where loggers did not send them "
             "(the last two days, so late backfills are included)"),
]
