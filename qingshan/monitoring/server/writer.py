"""The single writer thread: batches measurements, commits them, then acks.

The event loop hands over one :class:`Job` per data packet (its
measurements and who to answer). The writer takes whatever jobs are queued
(group commit: at most ``batch_max`` measurements, waiting at most
``batch_wait`` after the first job), calls ``store.write(batch)`` — durable
when it returns — and only then tells the event loop, with one
``call_soon_threadsafe`` per batch, which jobs are stored, so that the 9014
answers go out strictly after the commit. Then it hands the batch to the
:class:`AlarmChecker` thread, which runs ``alarms.check`` on everything
committed since its previous run (so a slow alarm evaluation neither delays
the answers nor the next commit, and under load it checks bigger batches).

A failed write is retried (the database may be locked or restarting); a batch
that still fails is split into its jobs so that one bad packet cannot lose
the others. Jobs that cannot be stored are reported as failed: the server
does not acknowledge them, so the logger sends them again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("qingshan.hj212.server")

_STOP = object()


@dataclass(slots=True, eq=False)
class Job:
    measurements: list
    conn: object = None  # the Connection to answer (None: nobody waits)
    packet: object = None  # the decoded packet (for the 9014 answer)
    ack: bool = False
    logger_id: int | None = None
    received: float = 0.0  # time.monotonic() when decoded
    error: str | None = None
    extra: dict = field(default_factory=dict)


class Writer(threading.Thread):
    def __init__(
        self,
        loop,
        on_done: Callable[[list[Job]], None],
        *,
        batch_max: int = 20000,
        batch_wait: float = 0.02,
        retries: int = 4,
        check_alarms: bool = True,
        store=None,
    ):
        super().__init__(name="hj212-writer", daemon=True)
        self.loop = loop
        self.on_done = on_done
        self.batch_max = batch_max
        self.batch_wait = batch_wait
        self.retries = retries
        self.alarm_checker = AlarmChecker() if check_alarms else None
        self._store = store
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        # figures read by the server's stats line (written only by this thread)
        self.batches = 0
        self.stored = 0
        self.failed_jobs = 0
        self.write_seconds = 0.0

    @property
    def alarm_seconds(self) -> float:
        return self.alarm_checker.seconds if self.alarm_checker else 0.0

    def start(self):
        if self.alarm_checker is not None:
            self.alarm_checker.start()
        super().start()

    # -- called from the event loop ---------------------------------------
    def submit(self, job: Job):
        self._q.put(job)

    def stop(self):
        self._q.put(_STOP)

    def join(self, timeout=None):
        t0 = time.monotonic()
        super().join(timeout)
        if self.alarm_checker is not None:
            self.alarm_checker.stop()
            self.alarm_checker.join(None if timeout is None else max(0.1, timeout - (time.monotonic() - t0)))

    # -- the thread ---------------------------------------------------------
    def _take(self) -> tuple[list[Job], bool]:
        first = self._q.get()
        if first is _STOP:
            return [], True
        jobs = [first]
        n = len(first.measurements)
        deadline = time.monotonic() + self.batch_wait
        stop = False
        while n < self.batch_max:
            try:
                job = self._q.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    job = self._q.get(timeout=remaining)
                except queue.Empty:
                    break
            if job is _STOP:
                stop = True
                break
            jobs.append(job)
            n += len(job.measurements)
        return jobs, stop

    def run(self):
        from django.db import connections

        from qingshan.core.actor import acting_as

        store = self._store
        if store is None:
            from qingshan.monitoring.store import get_store

            store = get_store()
            _tune_connection()
        try:
            with acting_as(name="hj212-server"):
                while True:
                    jobs, stop = self._take()
                    if jobs:
                        try:
                            self._process(store, jobs)
                        except Exception as exc:  # noqa: BLE001 - never leave packets waiting forever
                            log.exception("writer failed on a batch of %d packets (not acknowledged)", len(jobs))
                            for job in jobs:
                                job.error = job.error or f"writer error: {exc!r}"[:200]
                            try:
                                self.loop.call_soon_threadsafe(self.on_done, jobs)
                            except RuntimeError:
                                pass
                    if stop:
                        break
        finally:
            connections.close_all()

    def _process(self, store, jobs: list[Job]):
        measurements = [m for job in jobs for m in job.measurements]
        if measurements:
            t0 = time.perf_counter()
            try:
                self._write(store, measurements)
            except Exception as exc:  # noqa: BLE001 - any failure: find the jobs at fault, store the rest
                log.warning("writing a batch of %d measurements failed (%s); writing its %d packets one by one",
                            len(measurements), exc, len(jobs))
                for job in jobs:
                    if not job.measurements:
                        continue
                    try:
                        self._write(store, job.measurements, retries=1)
                    except Exception as exc2:  # noqa: BLE001
                        job.error = f"{type(exc2).__name__}: {exc2}"[:200]
                        self.failed_jobs += 1
                        log.error("packet from logger %s not stored (no ack sent): %s", job.logger_id, job.error)
                measurements = [m for job in jobs if job.error is None for m in job.measurements]
            self.write_seconds += time.perf_counter() - t0
            self.stored += len(measurements)
        self.batches += 1
        try:
            self.loop.call_soon_threadsafe(self.on_done, jobs)
        except RuntimeError:  # the loop is closed (shutdown after a crash): nothing left to answer
            pass
        if measurements and self.alarm_checker is not None:
            self.alarm_checker.submit(measurements)

    def _write(self, store, measurements, retries: int | None = None):
        from django.db import DatabaseError, InterfaceError, OperationalError

        attempts = (self.retries if retries is None else retries) + 1
        delay = 0.1
        for attempt in range(attempts):
            try:
                store.write(measurements)
                return
            except (OperationalError, InterfaceError) as exc:
                # locked, connection lost, server restarting: retry on a fresh connection
                _reset_connection()
                if attempt == attempts - 1:
                    raise
                log.warning("database write failed (%s), retrying in %.1f s", exc, delay)
                time.sleep(delay)
                delay = min(delay * 4, 5.0)
            except DatabaseError:
                _reset_connection()
                raise


def _tune_connection():
    """A big page cache for the writer's SQLite connection (inserts touch one page per logger and factor)."""
    from django.db import connection

    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as c:
                c.execute("PRAGMA cache_size = -131072")  # 128 MiB
    except Exception:  # noqa: BLE001
        pass


def _reset_connection():
    from django.db import connection

    try:
        if connection.in_atomic_block:
            return
        connection.close()
    except Exception:  # noqa: BLE001
        pass


class AlarmChecker(threading.Thread):
    """Runs ``alarms.check`` on committed measurements, coalescing what queued up meanwhile."""

    def __init__(self, max_batch: int = 100_000):
        super().__init__(name="hj212-alarms", daemon=True)
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self.max_batch = max_batch
        self.seconds = 0.0
        self.errors = 0
        self.checked = 0

    def submit(self, measurements: list):
        self._q.put(measurements)

    def stop(self):
        self._q.put(_STOP)

    def run(self):
        from django.db import connections

        from qingshan.core.actor import acting_as

        try:
            with acting_as(name="hj212-server"):
                stop = False
                while not stop:
                    first = self._q.get()
                    if first is _STOP:
                        break
                    batch = list(first)
                    while len(batch) < self.max_batch:
                        try:
                            more = self._q.get_nowait()
                        except queue.Empty:
                            break
                        if more is _STOP:
                            stop = True
                            break
                        batch.extend(more)
                    self._check(batch)
        finally:
            connections.close_all()

    def _check(self, batch: list):
        from qingshan.monitoring import alarms

        t0 = time.perf_counter()
        try:
            alarms.check(batch)
            self.checked += len(batch)
        except Exception:  # noqa: BLE001 - alarms must never stop ingestion
            self.errors += 1
            log.exception("alarm check failed for a batch of %d measurements", len(batch))
            _reset_connection()
        self.seconds += time.perf_counter() - t0


class NullStore:
    """Benchmark stand-in for the measurement store: accepts and forgets (``hj212_server --null-store``)."""

    def write(self, measurements) -> int:
        return len(measurements)
