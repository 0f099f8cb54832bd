"""In-memory counters of the ingest server, written to the database in batches.

Per packet the server only bumps dictionaries; every
``status_flush_interval`` seconds :meth:`Counters.take` hands the
accumulated figures to :func:`flush`, which runs in a worker thread and
writes :class:`~qingshan.monitoring.models.IngestEvent` (per MN and day),
:class:`~qingshan.monitoring.models.LoggerStatus` (last seen, last peer) and
a bounded sample of :class:`~qingshan.monitoring.models.IngestRejection`
rows (the rejected packets themselves, for diagnosis).
"""

from __future__ import annotations

import collections
import datetime
import logging
import re
from dataclasses import dataclass, field

log = logging.getLogger("qingshan.hj212.server")

#: rejected packets kept per MN and flush interval (the counters count them all)
REJECTIONS_PER_FLUSH = 5
#: distinct unregistered MNs / peers counted per day; beyond, they share one row (no table flooding)
UNKNOWN_KEYS_PER_DAY = 500
OTHER_UNKNOWN = "?other"

_PW = re.compile(rb"(PW=)[^;&]*")


def mask_password(raw: bytes) -> bytes:
    """The packet with its access password replaced by ``***`` (rejections are shown to staff)."""
    return _PW.sub(rb"\1***", raw)


@dataclass
class Snapshot:
    events: dict = field(default_factory=dict)  # (mn, day) -> {"logger_id":…, counter: n, "last_peer":…, "last_error":…}
    status: dict = field(default_factory=dict)  # logger_id -> {"last_seen":…, "last_peer":…, "last_data_time":…, "connected":…}
    rejections: list = field(default_factory=list)  # dicts for IngestRejection

    def __bool__(self):
        return bool(self.events or self.status or self.rejections)


class Counters:
    def __init__(self, tz):
        self.tz = tz
        self.totals: collections.Counter = collections.Counter()
        self._snap = Snapshot()
        self._rejected_per_mn: collections.Counter = collections.Counter()
        self._day = None
        self._day_until = 0.0
        self._unknown_keys: set = set()

    def _today(self, now: float) -> datetime.date:
        if now >= self._day_until:
            local = datetime.datetime.fromtimestamp(now, self.tz)
            self._day = local.date()
            midnight = datetime.datetime.combine(self._day + datetime.timedelta(days=1), datetime.time(), self.tz)
            self._day_until = midnight.timestamp()
            self._unknown_keys.clear()
        return self._day

    def count(self, now: float, mn: str | None, logger_id: int | None, name: str, n: int = 1,
              peer: str = "", error: str = ""):
        self.totals[name] += n
        key = (mn or "?", self._today(now))
        if logger_id is None and key not in self._unknown_keys:
            if len(self._unknown_keys) >= UNKNOWN_KEYS_PER_DAY:
                key = (OTHER_UNKNOWN, key[1])
            else:
                self._unknown_keys.add(key)
        row = self._snap.events.get(key)
        if row is None:
            row = self._snap.events[key] = {"logger_id": logger_id}
        row[name] = row.get(name, 0) + n
        if peer:
            row["last_peer"] = peer
        if error:
            row["last_error"] = error

    def seen(self, now: float, logger_id: int, peer: str, data_time=None, connected: bool = True):
        row = self._snap.status.get(logger_id)
        if row is None:
            row = self._snap.status[logger_id] = {}
        row["last_seen"] = now
        row["last_peer"] = peer
        row["connected"] = connected
        if data_time is not None and (row.get("last_data_time") is None or data_time > row["last_data_time"]):
            row["last_data_time"] = data_time

    def disconnected(self, logger_id: int):
        row = self._snap.status.get(logger_id)
        if row is None:
            row = self._snap.status[logger_id] = {}
        row["connected"] = False

    def reject(self, now: float, peer: str, mn: str, logger_id: int | None, reason: str, detail: str, raw: bytes):
        key = mn or peer
        self._rejected_per_mn[key] += 1
        if self._rejected_per_mn[key] > REJECTIONS_PER_FLUSH:
            return
        self._snap.rejections.append({
            "time": now, "peer": peer[:64], "mn": (mn or "")[:64], "logger_id": logger_id, "reason": reason[:40],
            "detail": (detail or "")[:300], "raw": mask_password(raw[:512]).decode("utf-8", "replace"),
        })

    def take(self) -> Snapshot:
        snap, self._snap = self._snap, Snapshot()
        self._rejected_per_mn.clear()
        return snap


def flush(snap: Snapshot) -> None:
    """Write a snapshot (sync; runs in a worker thread)."""
    from django.db import close_old_connections, transaction

    from qingshan.monitoring.models import IngestEvent, IngestRejection, LoggerStatus

    if not snap:
        return
    close_old_connections()
    utc = datetime.timezone.utc
    if snap.events:
        IngestEvent.record(snap.events)
    if snap.status:
        updates = {}
        for logger_id, row in snap.status.items():
            values = {}
            if "last_seen" in row:
                values["last_seen"] = datetime.datetime.fromtimestamp(row["last_seen"], utc)
                values["last_peer"] = row["last_peer"][:64]
            if row.get("last_data_time") is not None:
                values["last_data_time"] = row["last_data_time"]
            if "connected" in row:
                values["connected"] = row["connected"]
            if values:
                updates[logger_id] = values
        LoggerStatus.touch_many(updates)
    if snap.rejections:
        with transaction.atomic():
            IngestRejection.objects.bulk_create([
                IngestRejection(time=datetime.datetime.fromtimestamp(r.pop("time"), utc), **r) for r in snap.rejections
            ])
