"""The measurement store: real-time, minute, hourly and daily values.

One interface, several backends (see ``docs/monitoring.md``)::

    from qingshan.monitoring.store import get_store, Measurement
    store = get_store()
    store.write([Measurement(logger_id=1, factor="a21026", kind="hour", time=t, value=12.3)])
    store.read([1], factor="a21026", kind="hour", start=t0, end=t1)   # start <= time < end
    store.latest([1], kind="rtd")  # {(logger_id, factor): Measurement}

Measurements are machine data: they are not Django models. Each backend owns
its SQL and creates its tables itself (the migration calls
``create_schema``; ``write`` also creates PostgreSQL monthly partitions on
demand). ``write`` is idempotent on ``(logger_id, kind, factor, time)``: a
duplicate replaces the stored values, which is how backfilled history (补传)
and corrected data are accepted. ``write`` is durable when it returns (outside
an enclosing transaction) and safe to call from a worker thread: it uses the
calling thread's own Django connection.

A deployment may name another backend class with the setting
``QINGSHAN_MEASUREMENT_STORE = "dotted.path.Class"`` (e.g. a ClickHouse store
implementing :class:`~qingshan.monitoring.store.base.MeasurementStore`).
"""

from __future__ import annotations

from .base import KINDS, Measurement, MeasurementStore, get_store, reset_stores

__all__ = ["KINDS", "Measurement", "MeasurementStore", "get_store", "reset_stores"]
