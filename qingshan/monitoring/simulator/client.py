"""The simulator's network side: many loggers over real TCP from one asyncio process.

Two modes:

``live`` (the demo): each logger behaves like a real data logger on the wall
clock — a real-time packet (2011) every ``interval`` seconds, a minute packet
(2051) every 10 minutes, an hourly packet (2061) after each hour and a daily
packet (2031) after midnight, all asking for an answer (Flag=5). Packets not
answered within ``ack_timeout`` are sent again (up to 3 times, as HJ 212-2017
Table 1 describes); a logger that goes offline disconnects and, when back,
backfills the hourly data it missed (补传). ``backfill_hours`` sends the last
hours' hourly data at start so a fresh dashboard has history at once.

``load`` (benchmarks): ``rate`` packets per second in total, spread over the
connections, each connection keeping at most ``window`` packets unanswered;
real-time packets carry consecutive DataTimes (so every packet is a new row)
and a share of hourly packets carries exceedances (their send time is
recorded so the benchmark can measure send→alarm latency).
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import heapq
import logging
import random
import time
import zoneinfo

from qingshan.standards import hj212

from .generator import KIND_CN, Probabilities, SimLogger, corrupt, hour_index
from .loggers import LoggerSpec

log = logging.getLogger("qingshan.hj212.simulator")


class SimConnection(asyncio.Protocol):
    def __init__(self, sim: "Simulator", logger: SimLogger):
        self.sim = sim
        self.logger = logger
        self.transport = None
        self.framer = hj212.Framer(max_frame=4096)
        self.inflight: dict[str, tuple[float, bytes, int]] = {}  # qn -> (sent at, raw, attempts)
        self.connected = asyncio.Event()
        self.lost = False
        self.writable = True

    def connection_made(self, transport):
        self.transport = transport
        self.lost = False
        self.connected.set()

    def connection_lost(self, exc):
        self.lost = True
        self.connected.clear()
        self.sim._lost(self, exc)

    def pause_writing(self):
        self.writable = False

    def resume_writing(self):
        self.writable = True

    def data_received(self, data: bytes):
        for frame in self.framer.feed(data):
            if isinstance(frame, hj212.FramingError):
                self.sim.stats["bad_replies"] += 1
                continue
            raw = frame.raw
            if b"CN=9014" in raw:  # fast path: data answer, match the QN
                i = raw.find(b"QN=")
                qn = raw[i + 3:raw.find(b";", i)].decode() if i >= 0 else ""
                sent = self.inflight.pop(qn, None)
                if sent is not None:
                    self.sim._acked(self, qn, sent)
                else:
                    self.sim.stats["unexpected_acks"] += 1
                continue
            try:
                packet = hj212.decode(raw)
            except hj212.ProtocolError:
                self.sim.stats["bad_replies"] += 1
                continue
            self.sim._command(self, packet)

    def send(self, raw: bytes, qn: str | None, expect_ack: bool, attempts: int = 1):
        if self.transport is None or self.lost:
            return False
        self.transport.write(raw)
        if expect_ack and qn:
            self.inflight[qn] = (time.perf_counter(), raw, attempts)
        return True


class Simulator:
    def __init__(self, host: str, port: int, specs: list[LoggerSpec], *, mode: str = "live", rate: float | None = None,
                 interval: float = 30.0, duration: float | None = None, probs: Probabilities | None = None,
                 backfill_hours: int = 0, window: int = 8, ack_timeout: float = 10.0, seed: int = 1,
                 connect_concurrency: int = 200, hour_share: float = 0.02, tz=None, min_interval_minutes: int = 10,
                 record_acks: bool = False):
        from django.conf import settings

        self.host, self.port = host, port
        self.mode = mode
        self.rate = rate
        self.interval = interval
        self.duration = duration
        self.probs = probs or Probabilities()
        self.backfill_hours = backfill_hours
        self.window = window
        self.ack_timeout = ack_timeout
        self.seed = seed
        self.rng = random.Random(seed)
        self.connect_concurrency = connect_concurrency
        self.hour_share = hour_share
        self.min_interval = min_interval_minutes
        self.tz = tz or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.loggers = [SimLogger(s, seed, self.probs) for s in specs]
        self.conns: list[SimConnection | None] = [None] * len(self.loggers)
        self.stats: collections.Counter = collections.Counter()
        self.latencies: list[float] = []
        self.exceedances: list[dict] = []  # load mode: hourly exceedance packets sent
        self.acked: list[tuple[str, str, str]] | None = [] if record_acks else None  # (mn, cn, DataTime)
        self._stop = asyncio.Event()
        self._offline: set[int] = set()
        self._loop = None
        self._t0 = 0.0

    # -- connections ----------------------------------------------------------------
    async def _connect(self, i: int, sem: asyncio.Semaphore | None = None) -> SimConnection | None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                if sem is not None:
                    async with sem:
                        _t, conn = await self._loop.create_connection(
                            lambda: SimConnection(self, self.loggers[i]), self.host, self.port)
                else:
                    _t, conn = await self._loop.create_connection(
                        lambda: SimConnection(self, self.loggers[i]), self.host, self.port)
                self.conns[i] = conn
                self.stats["connects"] += 1
                return conn
            except OSError as exc:
                self.stats["connect_errors"] += 1
                # the server may still be starting (``qingshan demo`` launches both at once): quiet for 5 s
                starting = self._t0 and time.perf_counter() - self._t0 < 5
                if starting:
                    log.debug("logger %s waiting for %s:%s: %s", self.loggers[i].spec.mn, self.host, self.port, exc)
                elif self.stats["connect_errors"] <= 5:
                    log.warning("logger %s cannot connect to %s:%s: %s", self.loggers[i].spec.mn, self.host, self.port, exc)
                try:
                    await asyncio.wait_for(self._stop.wait(), delay)
                except asyncio.TimeoutError:
                    pass
                delay = min(delay * 2, 10.0)
        return None

    def _lost(self, conn: SimConnection, exc):
        self.stats["disconnects"] += 1
        if conn.inflight:
            self.stats["unacked_on_disconnect"] += len(conn.inflight)
        if self._stop.is_set():
            return
        try:
            i = self.conns.index(conn)
        except ValueError:
            return
        self.conns[i] = None
        if i not in self._offline and self.mode == "live":
            pending = list(conn.inflight.values())
            asyncio.ensure_future(self._reconnect(i, pending))

    async def _reconnect(self, i: int, pending):
        await asyncio.sleep(1 + self.rng.random() * 2)
        conn = await self._connect(i)
        if conn is not None:
            for _t, raw, attempts in pending:  # unanswered packets are sent again on the new connection
                self._resend(conn, raw, attempts)

    def _resend(self, conn: SimConnection, raw: bytes, attempts: int):
        i = raw.find(b"QN=")
        qn = raw[i + 3:raw.find(b";", i)].decode() if i >= 0 else None
        conn.send(raw, qn, True, attempts + 1)
        self.stats["resent"] += 1

    def _acked(self, conn: SimConnection, qn: str, sent):
        t, raw, _attempts = sent
        self.latencies.append(time.perf_counter() - t)
        self.stats["acked"] += 1
        if self.acked is not None:
            self.acked.append((conn.logger.spec.mn, _field(raw, b"CN="), _field(raw, b"DataTime=")))

    def _command(self, conn: SimConnection, packet):
        """Requests from the server: answer like a logger (9011 then 9012)."""
        self.stats[f"cmd_{packet.cn}"] += 1
        if packet.cn in ("9011", "9012", "9013", "9014"):
            return
        if packet.ack_requested or packet.cn in ("1012", "1000", "1062", "1064"):
            conn.send(hj212.request_response(packet, 1), None, False)
            conn.send(hj212.execution_result(packet, 1), None, False)

    # -- running --------------------------------------------------------------------
    async def run(self) -> dict:
        self._loop = asyncio.get_running_loop()
        sem = asyncio.Semaphore(self.connect_concurrency)
        t_connect = self._t0 = time.perf_counter()
        await asyncio.gather(*(self._connect(i, sem) for i in range(len(self.loggers))))
        self.stats["connect_seconds"] = round(time.perf_counter() - t_connect, 2)
        connected = sum(1 for c in self.conns if c is not None)
        log.info("%d of %d simulated loggers connected to %s:%s in %.1f s", connected, len(self.loggers),
                 self.host, self.port, self.stats["connect_seconds"])
        self._t0 = time.perf_counter()
        try:
            if self.mode == "load":
                await self._run_load()
            else:
                await self._run_live()
        finally:
            await self._drain()
        return self.summary()

    def stop(self):
        self._stop.set()

    async def _sleep(self, seconds: float) -> bool:
        """Sleep; True when the simulator is told to stop or its duration is over."""
        if self.duration is not None:
            seconds = min(seconds, max(0.0, self._t0 + self.duration - time.perf_counter()))
        try:
            await asyncio.wait_for(self._stop.wait(), max(seconds, 0.0))
            return True
        except asyncio.TimeoutError:
            return self.duration is not None and time.perf_counter() >= self._t0 + self.duration

    async def _drain(self, timeout: float = 10.0):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and any(c is not None and c.inflight and not c.lost for c in self.conns):
            await asyncio.sleep(0.05)
        self._stop.set()
        for c in self.conns:
            if c is not None:
                self.stats["unacked"] += len(c.inflight)
                if c.transport is not None:
                    c.transport.close()
        await asyncio.sleep(0.05)

    def _send_packet(self, i: int, packet: hj212.Packet, *, bad_crc: bool = False):
        conn = self.conns[i]
        if conn is None or conn.lost:
            self.stats["not_connected"] += 1
            return False
        raw = hj212.encode(packet)
        if bad_crc:
            conn.send(corrupt(raw), None, False)
            self.stats["sent_bad_crc"] += 1
            if self.mode == "live" and packet.ack_requested and packet.qn:
                # the logger sends it again once its answer times out (the second attempt goes through)
                conn.inflight[packet.qn] = (time.perf_counter(), raw, 1)
            return True
        conn.send(raw, packet.qn, packet.ack_requested)
        self.stats["sent"] += 1
        self.stats[f"sent_{packet.cn}"] += 1
        return True

    # -- live mode ---------------------------------------------------------------------
    async def _run_live(self):
        now = time.time()
        heap: list[tuple[float, int, str]] = []
        r = self.rng
        for i in range(len(self.loggers)):
            heapq.heappush(heap, (now + r.random() * self.interval, i, "rtd"))
            heapq.heappush(heap, (self._next_boundary(now, self.min_interval * 60) + 5 + r.random() * 20, i, "min"))
            heapq.heappush(heap, (self._next_boundary(now, 3600) + 10 + r.random() * 50, i, "hour"))
            heapq.heappush(heap, (self._next_day(now) + 60 + r.random() * 240, i, "day"))
        heapq.heappush(heap, (now + 1, -1, "retry"))
        if self.backfill_hours:
            await self._backfill(self.backfill_hours)
        while True:
            wait = heap[0][0] - time.time()
            if wait > 0 and await self._sleep(wait):
                break
            if self.duration is not None and time.perf_counter() >= self._t0 + self.duration:
                break
            t, i, kind = heapq.heappop(heap)
            if kind == "retry":
                self._retry_unanswered()
                heapq.heappush(heap, (t + 1, -1, "retry"))
                continue
            self._live_event(i, kind, t)
            step = {"rtd": self.interval, "min": self.min_interval * 60, "hour": 3600, "day": 86400}[kind]
            heapq.heappush(heap, (t + step, i, kind))

    @staticmethod
    def _next_boundary(now: float, period: int) -> float:
        return (now // period + 1) * period

    def _next_day(self, now: float) -> float:
        local = datetime.datetime.fromtimestamp(now, self.tz)
        midnight = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(), self.tz)
        return midnight.timestamp()

    def _live_event(self, i: int, kind: str, t: float):
        sim = self.loggers[i]
        now = datetime.datetime.fromtimestamp(t, self.tz).replace(tzinfo=None)
        ep = sim.episode(hour_index(now))
        if ep.offline:
            if i not in self._offline:
                self._offline.add(i)
                self.stats["offline_episodes"] += 1
                conn = self.conns[i]
                if conn is not None and conn.transport is not None:
                    conn.transport.close()
                self.conns[i] = None
            return
        if i in self._offline:  # back online: reconnect, then backfill the hours missed
            self._offline.discard(i)
            asyncio.ensure_future(self._come_back(i, now))
            return
        if kind == "rtd":
            when = now.replace(microsecond=0)
        elif kind == "min":
            step = self.min_interval
            end = now.replace(minute=now.minute // step * step, second=0, microsecond=0)
            when = end - datetime.timedelta(minutes=step)
        elif kind == "hour":
            when = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
        else:
            when = datetime.datetime.combine(now.date() - datetime.timedelta(days=1), datetime.time())
        packet = sim.data_packet(kind, when, now, self.rng)
        self._send_packet(i, packet, bad_crc=self.rng.random() < self.probs.bad_crc)

    async def _come_back(self, i: int, now: datetime.datetime):
        conn = await self._connect(i)
        if conn is None:
            return
        sim = self.loggers[i]
        hour = now.replace(minute=0, second=0, microsecond=0)
        sent = 0
        for h in range(1, MAX_BACKFILL + 1):
            start = hour - datetime.timedelta(hours=h)
            if not sim.episode(hour_index(start)).offline:
                break
            self._send_packet(i, sim.data_packet("hour", start, datetime.datetime.now(self.tz).replace(tzinfo=None), self.rng))
            sent += 1
        self.stats["backfilled_hours"] += sent

    async def _backfill(self, hours: int):
        now = datetime.datetime.now(self.tz).replace(tzinfo=None)
        top = now.replace(minute=0, second=0, microsecond=0)
        for h in range(hours, 0, -1):
            start = top - datetime.timedelta(hours=h)
            for i, sim in enumerate(self.loggers):
                if sim.episode(hour_index(start)).offline:
                    continue
                self._send_packet(i, sim.data_packet("hour", start, now, self.rng))
            await asyncio.sleep(0)
        self.stats["backfilled_hours"] += hours * len(self.loggers)

    def _retry_unanswered(self):
        limit = time.perf_counter() - self.ack_timeout
        for conn in self.conns:
            if conn is None or conn.lost or not conn.inflight:
                continue
            for qn, (t, raw, attempts) in list(conn.inflight.items()):
                if t < limit:
                    del conn.inflight[qn]
                    if attempts >= 3:
                        self.stats["gave_up"] += 1
                    else:
                        self._resend(conn, raw, attempts)

    # -- load mode ---------------------------------------------------------------------
    async def _run_load(self):
        n = len(self.loggers)
        rate = self.rate or n / self.interval
        base = datetime.datetime.now(self.tz).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        # consecutive DataTimes from (2 + seed) days ago: runs with different seeds never overwrite each other
        base -= datetime.timedelta(days=2 + self.seed)
        seq = [0] * n
        hours = [0] * n
        first_exceed: set[int] = set()
        r = self.rng
        t_warm = time.perf_counter()
        for k, sim in enumerate(self.loggers):  # render the value sets before the clock starts
            sim.fast_rtd(base, _qn(base, 0), r)
            if k % 500 == 0:
                await asyncio.sleep(0)
        self.stats["warmup_seconds"] = round(time.perf_counter() - t_warm, 2)
        self._t0 = time.perf_counter()  # --duration counts from here
        sent = 0
        cursor = 0
        tick = 0.005
        t0 = time.perf_counter()
        while True:
            if await self._sleep(tick):
                break
            due = int(rate * (time.perf_counter() - t0)) - sent
            tries = 0
            while due > 0 and tries < n:
                i = cursor
                cursor = (cursor + 1) % n
                conn = self.conns[i]
                if conn is None or conn.lost or len(conn.inflight) >= self.window or not conn.writable:
                    tries += 1
                    continue
                tries = 0
                sim = self.loggers[i]
                if r.random() < self.hour_share:
                    hours[i] += 1
                    when = base - datetime.timedelta(hours=24) + datetime.timedelta(hours=hours[i])
                    exceed = i not in first_exceed and sim.limited and r.random() < self.probs.exceed
                    factors = sim.period_factors("hour", when, r)
                    if exceed:
                        code = sim.limited[0]
                        limit = sim.spec.limits.get(code) or 100.0
                        value = f"{limit * 2:.2f}"
                        factors[code].update(Avg=value, Max=value, Flag="N")
                        first_exceed.add(i)
                    packet = sim.packet(KIND_CN["hour"], when, factors, qn=_qn(when, hours[i]))
                    self._send_packet(i, packet)
                    if exceed:
                        self.exceedances.append({"mn": sim.spec.mn, "logger_id": sim.spec.logger_id, "factor": code,
                                                 "data_time": when.isoformat(), "sent_at": time.time()})
                else:
                    seq[i] += 1
                    when = base + datetime.timedelta(seconds=seq[i])
                    qn = _qn(when, seq[i])
                    raw = sim.fast_rtd(when, qn, r)
                    if r.random() < self.probs.bad_crc:
                        conn.send(corrupt(raw), None, False)
                        self.stats["sent_bad_crc"] += 1
                    else:
                        conn.send(raw, qn, True)
                        self.stats["sent"] += 1
                        self.stats["sent_2011"] += 1
                sent += 1
                due -= 1
            if due > rate:  # the server (or we) cannot keep up: do not build an unbounded backlog
                self.stats["skipped"] += due
                sent += due
        self.stats["load_seconds"] = round(time.perf_counter() - t0, 2)

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None

        elapsed = self.stats.get("load_seconds") or (time.perf_counter() - self._t0)
        out = dict(self.stats)
        out.update({
            "loggers": len(self.loggers),
            "mode": self.mode,
            "seconds": round(elapsed, 2),
            "acked_per_s": round(self.stats["acked"] / elapsed, 1) if elapsed else None,
            "ack_latency_ms_p50": pct(0.50),
            "ack_latency_ms_p99": pct(0.99),
            "ack_latency_ms_max": round(lat[-1] * 1000, 2) if lat else None,
        })
        return out


MAX_BACKFILL = 12


def _qn(when: datetime.datetime, seq: int) -> str:
    return when.strftime("%Y%m%d%H%M%S") + f"{seq % 1000:03d}"


def _field(raw: bytes, name: bytes) -> str:
    i = raw.find(name)
    if i < 0:
        return ""
    j = i + len(name)
    k = j
    while k < len(raw) and raw[k:k + 1] not in (b";", b",", b"&"):
        k += 1
    return raw[j:k].decode("ascii", "replace")
