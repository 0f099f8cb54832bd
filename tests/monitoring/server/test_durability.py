"""Durability: every packet the server acknowledged survives kill -9; SIGTERM drains and acknowledges.

Loggers of the demo city send real-time packets as fast as the server
answers them (a window of unanswered packets per connection), with
consecutive DataTimes so that every packet is its own set of rows. The
client records which packets were answered (9014). Then:

* ``kill -9`` mid-load, restart on the same database: every answered packet
  is in the store (an answer is only sent after the commit), and the
  restarted server takes the unanswered ones again (the logger resends);
* ``SIGTERM`` mid-load: the server stops accepting, stores and answers what
  it has read, exits 0, and again every answered packet is stored.
"""

from __future__ import annotations

import asyncio
import datetime
import random
import time

import pytest

from qingshan.monitoring.simulator import LoggerSpec, SimLogger
from qingshan.standards import hj212

from .conftest import ALIAS, ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def specs(server_db, django_db_blocker):
    from qingshan.registry.models import DataLogger

    with django_db_blocker.unblock():
        rows = list(DataLogger.objects.using(ALIAS).filter(active=True).order_by("pk"))
    return [LoggerSpec(mn=d.mn, password=d.password, st=d.system_code, factors=list(d.factors or ["a21026"])[:4],
                       logger_id=d.pk) for d in rows]


class Blaster:
    """Sends packets on one connection per logger, records answers; stops on demand or on disconnect."""

    def __init__(self, port: int, specs: list[LoggerSpec], base: datetime.datetime, window: int = 16):
        self.port = port
        self.sims = [SimLogger(s, seed=3) for s in specs]
        self.base = base
        self.window = window
        self.sent: dict[tuple[int, datetime.datetime], bytes] = {}
        self.acked: set[tuple[int, datetime.datetime]] = set()
        self.stop = asyncio.Event()
        self.lost = 0

    async def _one(self, k: int, sim: SimLogger):
        rng = random.Random(k)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return
        framer = hj212.Framer()
        inflight: dict[str, tuple[int, datetime.datetime]] = {}
        seq = 0
        sem = asyncio.Semaphore(self.window)

        async def read_answers():
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                for f in framer.feed(data):
                    if isinstance(f, hj212.FramingError):
                        continue
                    p = hj212.decode(f.raw)
                    key = inflight.pop(p.qn, None)
                    if p.cn == "9014" and key is not None:
                        self.acked.add(key)
                        sem.release()

        reading = asyncio.ensure_future(read_answers())
        try:
            while not self.stop.is_set() and not reading.done():
                try:
                    await asyncio.wait_for(sem.acquire(), 0.5)
                except asyncio.TimeoutError:
                    continue
                seq += 1
                when = self.base + datetime.timedelta(seconds=seq)
                qn = when.strftime("%Y%m%d%H%M%S") + f"{k % 1000:03d}"
                raw = sim.fast_rtd(when, qn, rng)
                key = (sim.spec.logger_id, when)
                self.sent[key] = raw
                inflight[qn] = key
                writer.write(raw)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if reading.done():
                self.lost += 1
            reading.cancel()
            writer.close()

    async def run(self, until):
        tasks = [asyncio.ensure_future(self._one(k, sim)) for k, sim in enumerate(self.sims)]
        await until(self)
        self.stop.set()
        await asyncio.wait(tasks, timeout=10)


def _missing(keys, spec_ids) -> list:
    from qingshan.monitoring.store import get_store

    if not keys:
        return []
    from django.utils import timezone

    times = sorted(t for _, t in keys)
    tz = timezone.get_default_timezone()  # DataTimes are the loggers' local time
    rows = get_store(ALIAS).read(spec_ids, kind="rtd", start=times[0].replace(tzinfo=tz),
                                 end=times[-1].replace(tzinfo=tz) + datetime.timedelta(seconds=1))
    have = {(m.logger_id, m.time.astimezone(tz).replace(tzinfo=None)) for m in rows}
    return [k for k in keys if k not in have]


def test_kill_9_mid_load_loses_no_acknowledged_packet(server_db, srv, specs):
    proc = ServerProcess(server_db, None, "--batch-wait-ms", "10").start()
    base = datetime.datetime(2026, 4, 1, 0, 0, 0)
    blaster = Blaster(proc.port, specs, base)

    async def until(b):
        deadline = time.monotonic() + 20
        while len(b.acked) < 1000 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        proc.kill()  # SIGKILL while packets are in flight
        await asyncio.sleep(0.2)

    try:
        asyncio.run(blaster.run(until))
    finally:
        proc.kill()
    assert len(blaster.acked) >= 1000, proc.log_text()
    assert len(blaster.sent) > len(blaster.acked) or blaster.lost  # the kill interrupted real traffic
    ids = [s.logger_id for s in specs]
    # restart on the same database: it comes back and every acknowledged packet is there
    proc2 = ServerProcess(server_db, None).start()
    try:
        assert _missing(sorted(blaster.acked), ids) == []
        # the loggers send again what was not answered; now everything is stored
        unacked = [k for k in blaster.sent if k not in blaster.acked]

        async def resend():
            reader, writer = await asyncio.open_connection("127.0.0.1", proc2.port)
            framer, answers = hj212.Framer(), 0
            writer.write(b"".join(blaster.sent[k] for k in unacked))
            await writer.drain()
            while answers < len(unacked):
                data = await asyncio.wait_for(reader.read(65536), 10)
                if not data:
                    break
                answers += sum(1 for f in framer.feed(data) if not isinstance(f, hj212.FramingError))
            writer.close()
            return answers

        assert asyncio.run(resend()) == len(unacked)
        assert _missing(sorted(blaster.sent), ids) == []
    finally:
        proc2.kill()


def test_sigterm_drains_acknowledges_and_exits_cleanly(server_db, srv, specs):
    proc = ServerProcess(server_db, None, "--batch-wait-ms", "10").start()
    base = datetime.datetime(2026, 4, 2, 0, 0, 0)
    blaster = Blaster(proc.port, specs, base)

    async def until(b):
        deadline = time.monotonic() + 20
        while len(b.acked) < 800 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        proc.proc.send_signal(15)  # SIGTERM while packets are in flight
        t0 = time.monotonic()
        while proc.alive() and time.monotonic() - t0 < 15:
            await asyncio.sleep(0.02)

    try:
        asyncio.run(blaster.run(until))
        code = proc.proc.wait(15)
    finally:
        proc.kill()
    assert code == 0, proc.log_text()
    assert "HJ 212 server stopped" in proc.log_text()
    assert len(blaster.acked) >= 800
    assert _missing(sorted(blaster.acked), [s.logger_id for s in specs]) == []
