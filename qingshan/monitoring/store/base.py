"""Store interface, the Measurement record and backend selection."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from typing import Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import import_string

#: kinds of values, in increasing interval: real-time, minute, hourly, daily
KINDS = ("rtd", "min", "hour", "day")
UTC = datetime.timezone.utc


@dataclass(frozen=True, slots=True)
class Measurement:
    """One value of one factor of one logger at one time.

    ``value`` is the real-time value (Rtd) for ``kind="rtd"`` and the average
    (Avg) for minute, hourly and daily values; ``zs`` is the converted
    (折算) value (ZsRtd / ZsAvg) where the logger sends one. ``time`` is
    timezone-aware (the store returns it in UTC).
    """

    logger_id: int
    factor: str
    kind: str
    time: datetime.datetime
    value: float | None = None
    min: float | None = None
    max: float | None = None
    cou: float | None = None
    flag: str = "N"
    zs: float | None = None
    source: str = "hj212"

    @property
    def key(self) -> tuple:
        return (self.logger_id, self.kind, self.factor, self.time)


class StoreError(ValueError):
    """A measurement the store cannot accept (e.g. a naive time or an unknown kind)."""


def _check(m: Measurement):
    if m.kind not in KINDS:
        raise StoreError(f"unknown kind {m.kind!r}")
    if m.time.tzinfo is None or m.time.utcoffset() is None:
        raise StoreError(f"naive time {m.time!r}: measurements need timezone-aware times")
    if not m.factor or len(m.factor) > 20:
        raise StoreError(f"bad factor code {m.factor!r}")


def dedupe(measurements: Iterable[Measurement]) -> list[Measurement]:
    """Keep the last measurement of each key (a batch may repeat a packet).

    The values of one packet share one ``time`` object: its check and UTC
    normalisation are done once per object (zone-aware datetime arithmetic is
    the costliest part of a write in Python).
    """
    out: dict[tuple, Measurement] = {}
    times: dict[int, tuple] = {}
    for m in measurements:
        t = m.time
        seen = times.get(id(t))
        if seen is None or seen[0] is not t:
            _check(m)
            seen = times[id(t)] = (t, t.astimezone(UTC).replace(microsecond=0))
        elif m.kind not in KINDS or not m.factor or len(m.factor) > 20:
            _check(m)
        out[(m.logger_id, m.kind, m.factor, seen[1])] = m
    return list(out.values())


def unix_seconds(rows: list[Measurement]) -> list[int]:
    """``int(m.time.timestamp())`` of each row, computed once per distinct ``time`` object."""
    cache: dict[int, tuple] = {}
    out = []
    for m in rows:
        t = m.time
        hit = cache.get(id(t))
        if hit is None or hit[0] is not t:
            hit = cache[id(t)] = (t, int(t.timestamp()))
        out.append(hit[1])
    return out


def latest_of(measurements: list[Measurement]) -> dict[tuple, Measurement]:
    """The newest measurement per (logger, kind, factor) of a batch."""
    out: dict[tuple, Measurement] = {}
    for m in measurements:
        k = (m.logger_id, m.kind, m.factor)
        cur = out.get(k)
        if cur is None or m.time >= cur.time:
            out[k] = m
    return out


class MeasurementStore:
    """The interface every backend implements (SQLite, PostgreSQL, later ClickHouse)."""

    vendor = ""
    #: rows per statement
    batch_size = 5000

    def __init__(self, alias: str = DEFAULT_DB_ALIAS):
        self.alias = alias

    @property
    def connection(self):
        # Django connections are per thread: a worker thread gets its own.
        return connections[self.alias]

    # -- schema -------------------------------------------------------
    def create_schema(self, schema_editor=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def drop_schema(self, schema_editor=None):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- data ---------------------------------------------------------
    def write(self, measurements: list[Measurement]) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def read(self, logger_ids, factor=None, kind="hour", start=None, end=None) -> list[Measurement]:  # pragma: no cover
        raise NotImplementedError

    def latest(self, logger_ids, kind="rtd") -> dict[tuple[int, str], Measurement]:  # pragma: no cover
        raise NotImplementedError

    def counts(self, logger_ids, kind="hour", start=None, end=None, factors=None, valid_flags=("N",)) -> dict:
        """``{(logger_id, factor): (received, valid)}``: rows received and rows with a valid flag and a value."""
        raise NotImplementedError  # pragma: no cover

    def delete(self, logger_ids, kind=None, start=None, end=None) -> int:  # pragma: no cover
        raise NotImplementedError

    def close(self):
        """Close this thread's connection (a worker thread calls it when it stops)."""
        self.connection.close()


def _ids(logger_ids) -> list[int]:
    if isinstance(logger_ids, int):
        return [logger_ids]
    return sorted({int(i) for i in logger_ids})


def _factors(factor) -> list[str] | None:
    if factor is None:
        return None
    if isinstance(factor, str):
        return [factor]
    return list(factor)


_lock = threading.Lock()
_stores: dict[str, MeasurementStore] = {}


def backend_class(alias: str = DEFAULT_DB_ALIAS):
    name = getattr(settings, "QINGSHAN_MEASUREMENT_STORE", None)
    if name:
        return import_string(name)
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        from .postgres import PostgresStore

        return PostgresStore
    if vendor == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore
    raise NotImplementedError(f"no measurement store for database vendor {vendor!r}")


def get_store(alias: str = DEFAULT_DB_ALIAS) -> MeasurementStore:
    """The measurement store of a database (one instance per alias and process)."""
    store = _stores.get(alias)
    if store is None:
        with _lock:
            store = _stores.get(alias)
            if store is None:
                store = _stores[alias] = backend_class(alias)(alias)
    return store


def reset_stores():
    """Forget the cached store instances (tests that change settings)."""
    with _lock:
        _stores.clear()
