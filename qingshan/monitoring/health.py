"""Monitoring figures for ``/healthz`` (see :mod:`qingshan.core.health`)."""

import datetime

from django.db.models import Max
from django.utils import timezone


def check() -> dict:
    from .models import LoggerStatus

    now = timezone.now()
    last = LoggerStatus.objects.aggregate(last=Max("last_seen"))["last"]
    return {
        "last_packet": last.isoformat(timespec="seconds") if last else None,
        "loggers_seen_last_hour": LoggerStatus.objects.filter(last_seen__gte=now - datetime.timedelta(hours=1)).count(),
    }
