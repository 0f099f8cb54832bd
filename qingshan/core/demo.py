"""The demo-city framework used by ``qingshan demo``.

Each app may provide ``<app>/demo.py`` with ``seed(ctx: DemoContext)``; the
hooks run in the order of ``settings.QINGSHAN_APPS`` (registry first, so every
later app finds the city, its enterprises and users). A hook must be
deterministic given ``ctx.seed``, ``ctx.size`` and ``ctx.today``, and should use
bulk inserts for volume data. Completed hooks are recorded in
:class:`~qingshan.core.models.DemoRun`, which makes the command idempotent.

An app may also provide ``demo_services(ctx) -> list[list[str]]``: extra ``qingshan``
sub-commands (e.g. the HJ 212 server and the logger simulator) that
``qingshan demo`` runs beside the web server.
"""

from __future__ import annotations

import datetime
import random
import zlib
from dataclasses import dataclass, field

from django.utils import timezone

#: documented password of every demo user (README "Demo users")
DEMO_PASSWORD = "Qingshan@2026"

SIZES = {
    # counties, towns per county, grids per town, enterprises, data loggers, days of monitoring history
    "full": dict(counties=6, towns=10, grids=5, enterprises=1000, loggers=50, monitoring_days=365),
    "small": dict(counties=2, towns=3, grids=2, enterprises=60, loggers=8, monitoring_days=30),
}


@dataclass
class DemoContext:
    seed: int
    size: str
    today: datetime.date
    stdout: object = None
    extras: dict = field(default_factory=dict)

    @property
    def dims(self) -> dict:
        return SIZES[self.size]

    def rng(self, label: str) -> random.Random:
        """A random generator private to one app, stable across Python runs."""
        return random.Random(self.seed * 1_000_003 + zlib.crc32(label.encode()))

    def log(self, message: str):
        if self.stdout is not None:
            self.stdout.write(message)

    def aware(self, dt: datetime.datetime) -> datetime.datetime:
        return timezone.make_aware(dt) if timezone.is_naive(dt) else dt
