"""Periodic jobs of the public portal (run by ``qingshan jobs``)."""

from qingshan.core.jobs import Job

JOBS = [
    Job("notify_subscribers", "notify_subscribers", interval=15 * 60,
        help="messages to subscribers about newly published violations"),
]
