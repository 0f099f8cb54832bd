"""Periodic jobs of the public portal (run by ``qingshan jobs``)."""

from qingshan.core.jobs import Job

JOBS = [
    Job("notify_subscribers", "notify_subscribers", interval=15 * 60,
        help="messages to subscribers about newly published violations"),
    Job("send_outbox", "send_outbox", interval=5 * 60, offset=60,
        help="deliver the subscribers' messages (e-mail, SMS gateway)"),
]
