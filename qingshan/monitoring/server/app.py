"""The asyncio HJ 212 ingest server.

One :class:`Connection` (an :class:`asyncio.Protocol`, no coroutine per
connection, so ten thousand loggers cost little) per logger: its bytes go
through a codec :class:`~qingshan.standards.hj212.Framer`, each frame is
decoded, authenticated by MN and PW against the in-memory
:class:`~.directory.LoggerDirectory`, and a data packet (2011/2051/2061/2031)
becomes a :class:`~.writer.Job` for the single :class:`~.writer.Writer`
thread. When the writer has committed the batch holding the job, the
connection sends the 9014 answer if the packet's Flag asked for one — never
before. Everything that touches the database runs in threads; the event loop
only parses, counts and answers.

Backpressure: the number of measurements waiting for the writer is bounded
(``queue_max``): above it the server stops reading from every socket, so TCP
flow control slows the loggers down; one connection is also paused when it
has too many packets waiting (``conn_max_pending``) or when its peer does not
read our answers (transport write buffer full).

Bad input never stops the server: framing and decoding errors, unknown MNs
and wrong passwords are counted (``IngestEvent``), sampled
(``IngestRejection``) and logged with the peer address and a reason code; a
connection that sends nothing but garbage (``garbage_limit`` consecutive bad
frames) is closed with a logged reason.
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import json
import logging
import os
import signal
import socket
import time
import zoneinfo

from qingshan.standards import hj212

from .config import ServerConfig
from .counters import Counters, flush
from .directory import AUTH_OK, UNKNOWN_MN, LoggerDirectory, load_loggers
from .writer import Job, Writer

log = logging.getLogger("qingshan.hj212.server")

#: data uploads: stored, then answered with 9014 when Flag A is set
DATA_CNS = frozenset({"2011", "2051", "2061", "2031"})
#: answers and interaction packets: never answered
INTERACTION_CNS = frozenset({"9011", "9012", "9013", "9014"})
#: commands only an upper host sends (STD-2017 Table 9): a logger sending one gets 9011 QnRtn=2 (rejected)
HOST_ONLY_CNS = frozenset({"1000", "1012", "1062", "1064", "1072", "2012", "2022", "3011", "3012", "3013", "3014",
                           "3016", "3021"})

_PAUSE_GLOBAL = 1
_PAUSE_CONN = 2
_PAUSE_WRITE = 4


def _peer_str(peer) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = peer[0]
        return f"[{host}]:{peer[1]}" if ":" in str(host) else f"{host}:{peer[1]}"
    return str(peer or "?")


class Connection(asyncio.Protocol):
    __slots__ = ("server", "transport", "peer", "framer", "last_activity", "pending", "bad_in_a_row",
                 "logged", "paused", "closing", "logger_ids", "mn", "closed", "opened")

    def __init__(self, server: "HJ212Server"):
        self.server = server
        self.transport = None
        self.peer = "?"
        self.framer = None
        self.pending = 0  # packets of this connection waiting for the writer
        self.bad_in_a_row = 0
        self.logged = 0
        self.paused = 0
        self.closing = False
        self.closed = False
        self.logger_ids: set[int] = set()
        self.mn = ""
        self.last_activity = self.opened = time.monotonic()

    # -- asyncio callbacks --------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        self.peer = _peer_str(transport.get_extra_info("peername"))
        cfg = self.server.config
        self.framer = hj212.Framer(max_frame=cfg.max_frame, strict=cfg.strict)
        self.server._connection_made(self)

    def data_received(self, data: bytes):
        self.last_activity = time.monotonic()
        self.server.bytes_in += len(data)
        try:
            items = self.framer.feed(data)
        except Exception as exc:  # noqa: BLE001 - a codec bug must not take the server down
            self.server._internal_error(self, "framer", exc)
            return
        handle = self._handle
        for item in items:
            if self.closing:
                break
            handle(item)

    def eof_received(self):
        try:
            items = self.framer.end_of_stream()
        except Exception as exc:  # noqa: BLE001
            self.server._internal_error(self, "framer", exc)
            items = []
        for item in items:
            self._handle(item)
        # keep our side open until the answers of stored packets have gone out
        if self.pending:
            self.closing = True
            return True
        return False

    def connection_lost(self, exc):
        self.closed = True
        self.server._connection_lost(self, exc)

    def pause_writing(self):
        self._pause(_PAUSE_WRITE)

    def resume_writing(self):
        self._resume(_PAUSE_WRITE)

    # -- flow control ---------------------------------------------------------
    def _pause(self, reason: int):
        if not self.paused and not self.closed:
            try:
                self.transport.pause_reading()
            except (RuntimeError, AttributeError):
                pass
        self.paused |= reason

    def _resume(self, reason: int):
        if not self.paused & reason:
            return
        self.paused &= ~reason
        if not self.paused and not self.closed:
            try:
                self.transport.resume_reading()
            except (RuntimeError, AttributeError):
                pass

    def close(self, reason: str):
        if self.closed:
            return
        if not self.closing:
            log.info("closing connection %s (%s): %s", self.peer, self.mn or "no MN", reason)
        self.closing = True
        self.transport.close()

    # -- packets --------------------------------------------------------------
    def _handle(self, item):
        server = self.server
        if isinstance(item, hj212.FramingError):
            server._bad(self, "malformed", item.code, item.detail, item.raw)
            return
        try:
            packet = hj212.decode(item.raw, strict=server.config.strict)
        except hj212.ProtocolError as exc:
            code = getattr(exc, "code", "malformed")
            counter = "bad_crc" if code in ("crc_mismatch", "bad_crc") else "malformed"
            detail = getattr(exc, "detail", str(exc))
            if counter == "bad_crc":
                detail = f"CRC expected {getattr(exc, 'crc_expected', None)}, received {getattr(exc, 'crc_received', None)}"
            server._bad(self, counter, code, detail, item.raw, mn=_sniff_mn(item.raw))
            return
        except Exception as exc:  # noqa: BLE001 - the codec promises ProtocolError only; be safe anyway
            server._internal_error(self, "decode", exc)
            server._bad(self, "malformed", "decoder_error", repr(exc)[:200], item.raw)
            return
        server._packet(self, packet, item.raw)

    def send(self, data: bytes):
        if not self.closed:
            self.transport.write(data)


def _sniff_mn(raw: bytes) -> str:
    i = raw.find(b"MN=")
    if i < 0:
        return ""
    j = raw.find(b";", i)
    return raw[i + 3:j if j > 0 else i + 30][:64].decode("ascii", "replace")


class HJ212Server:
    def __init__(self, config: ServerConfig | None = None, *, tz=None, directory: LoggerDirectory | None = None,
                 store=None, check_alarms: bool = True, persist_counters: bool = True):
        from django.conf import settings

        self.config = config or ServerConfig.from_settings()
        self.tz = tz or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.directory = directory
        self._store = store
        self.check_alarms = check_alarms
        self.persist_counters = persist_counters
        self.counters = Counters(self.tz)
        self.connections: set[Connection] = set()
        self.pending_measurements = 0
        self.pending_jobs = 0
        self.paused_all = False
        self.bytes_in = 0
        self.started = time.monotonic()
        self.latencies = collections.deque(maxlen=20000)  # seconds from decode to ack, recent packets
        self._server = None
        self._writer: Writer | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._loop = None
        self._last_directory_load = 0.0
        self._directory_loading = False
        self._db_executor = None
        self._misc_lock = None
        self.sockets = []

    # -- lifecycle ------------------------------------------------------------
    async def start(self):
        from concurrent.futures import ThreadPoolExecutor

        self._loop = asyncio.get_running_loop()
        self._db_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hj212-db")
        self._misc_lock = asyncio.Lock()
        if self.directory is None:
            self.directory = LoggerDirectory(await self._in_thread(load_loggers))
            self._last_directory_load = time.monotonic()
        self._writer = Writer(self._loop, self._batch_done, batch_max=self.config.batch_max,
                              batch_wait=self.config.batch_wait, retries=self.config.write_retries,
                              check_alarms=self.check_alarms, store=self._store)
        self._writer.start()
        cfg = self.config
        self._server = await self._loop.create_server(
            lambda: Connection(self), cfg.host, cfg.port, backlog=cfg.backlog, reuse_address=True,
            reuse_port=cfg.reuse_port or None)
        self.sockets = [s.getsockname() for s in self._server.sockets]
        for sock in self._server.sockets:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            except OSError:
                pass
        self._tasks = [asyncio.create_task(self._every(self._reap_idle, min(5.0, max(0.5, cfg.idle_timeout / 4))))]
        if self.persist_counters:
            self._tasks.append(asyncio.create_task(self._every(self._flush_counters, cfg.status_flush_interval)))
        if cfg.directory_refresh:
            self._tasks.append(asyncio.create_task(self._every(self._refresh_directory, cfg.directory_refresh)))
        if cfg.sweep_interval and self.check_alarms:
            self._tasks.append(asyncio.create_task(self._every(self._sweep, cfg.sweep_interval)))
        if cfg.stats_interval:
            self._tasks.append(asyncio.create_task(self._every(self._log_stats, cfg.stats_interval, first=False)))
        log.info("HJ 212 server listening on %s (%d loggers registered, %s mode)",
                 ", ".join(_peer_str(s) for s in self.sockets), len(self.directory),
                 "strict" if cfg.strict else "tolerant")
        return self

    @property
    def port(self) -> int:
        return self.sockets[0][1] if self.sockets else self.config.port

    def request_stop(self):
        self._stopping.set()

    async def serve_until_stopped(self, install_signals: bool = True):
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    self._loop.add_signal_handler(sig, self._on_signal, sig)
                except (NotImplementedError, RuntimeError):
                    pass
        await self._stopping.wait()
        await self.stop()

    def _on_signal(self, sig):
        log.info("received %s: shutting down", signal.Signals(sig).name)
        self._stopping.set()

    async def stop(self):
        """Graceful shutdown: stop accepting, drain, store and acknowledge what was received, close."""
        if self._stopped.is_set():
            return
        self._stopping.set()
        cfg = self.config
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn._pause(_PAUSE_GLOBAL)
        deadline = time.monotonic() + cfg.shutdown_timeout
        while self.pending_jobs and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.pending_jobs:
            log.warning("shutdown: %d packets still waiting for the database after %.0f s; they are not acknowledged",
                        self.pending_jobs, cfg.shutdown_timeout)
        for conn in list(self.connections):
            conn.close("server shutting down")
        # let the transports flush their answers
        t_close = time.monotonic() + 5
        while self.connections and time.monotonic() < t_close:
            await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._writer is not None:
            self._writer.stop()
            await self._loop.run_in_executor(None, self._writer.join, max(1.0, deadline - time.monotonic() + 5))
        if self.persist_counters:
            await self._flush_counters()
        await self._in_thread(_close_db)
        self._db_executor.shutdown(wait=True)
        self._log_stats()
        log.info("HJ 212 server stopped")
        self._stopped.set()

    # -- helpers ----------------------------------------------------------------
    async def _in_thread(self, func, *args):
        return await self._loop.run_in_executor(self._db_executor, func, *args)

    async def _every(self, func, interval: float, first: bool = False):
        if not first:
            await asyncio.sleep(interval)
        while True:
            try:
                result = func()
                if asyncio.iscoroutine(result):
                    await result
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                log.exception("periodic task %s failed", getattr(func, "__name__", func))
            await asyncio.sleep(interval)

    def _internal_error(self, conn: Connection, where: str, exc: Exception):
        self.counters.totals["internal_errors"] += 1
        log.error("internal error in %s for %s: %r", where, conn.peer, exc, exc_info=exc)

    # -- connections --------------------------------------------------------------
    def _connection_made(self, conn: Connection):
        if self._stopping.is_set():
            conn.transport.close()
            return
        self.connections.add(conn)
        self.counters.totals["connections_accepted"] += 1
        if self.paused_all:
            conn._pause(_PAUSE_GLOBAL)

    def _connection_lost(self, conn: Connection, exc):
        self.connections.discard(conn)
        for logger_id in conn.logger_ids:
            self.counters.disconnected(logger_id)
        if exc is not None and not conn.closing:
            log.info("connection %s (%s) lost: %s", conn.peer, conn.mn or "no MN", exc)

    def _reap_idle(self):
        limit = self.config.idle_timeout
        if not limit:
            return
        now = time.monotonic()
        for conn in list(self.connections):
            if now - conn.last_activity > limit and not conn.pending:
                conn.close(f"idle for more than {limit:.0f} s")

    # -- malformed input ------------------------------------------------------------
    def _bad(self, conn: Connection, counter: str, code: str, detail: str, raw: bytes, mn: str = ""):
        now = time.time()
        mn = mn or conn.mn
        info = self.directory.get(mn) if mn else None
        logger_id = info.logger_id if info else None
        self.counters.count(now, mn or f"peer:{conn.peer.rsplit(':', 1)[0]}", logger_id, counter, peer=conn.peer,
                            error=f"{code}: {detail}"[:200])
        self.counters.reject(now, conn.peer, mn, logger_id, code, detail, raw)
        conn.bad_in_a_row += 1
        conn.logged += 1
        limit = self.config.log_per_connection
        if conn.logged <= limit or conn.logged % 1000 == 0:
            log.warning("rejected from %s%s: %s (%s)%s", conn.peer, f" MN={mn}" if mn else "", code, detail,
                        " [further rejections on this connection are logged every 1000th]" if conn.logged == limit else "")
        if conn.bad_in_a_row >= self.config.garbage_limit:
            conn.close(f"{conn.bad_in_a_row} malformed or unauthenticated packets in a row (last: {code})")

    # -- packets --------------------------------------------------------------------
    def _packet(self, conn: Connection, packet, raw: bytes):
        mn = packet.mn
        verdict, info = self.directory.authenticate(mn, packet.pw)
        if verdict != AUTH_OK:
            if verdict == UNKNOWN_MN:
                self._maybe_reload_directory()
            self._bad(conn, "auth_failed", verdict, f"CN={packet.cn} MN={mn}", raw, mn=mn)
            return
        conn.bad_in_a_row = 0
        logger_id = info.logger_id
        if logger_id not in conn.logger_ids:
            conn.logger_ids.add(logger_id)
            conn.mn = mn
        now = time.time()
        cn = packet.cn
        if cn in DATA_CNS:
            cp = packet.cp
            if cp is None or cp.data_time is None:
                self._bad(conn, "malformed", "missing_datatime", f"CN={cn} without DataTime", raw, mn=mn)
                return
            try:
                from qingshan.monitoring.ingest import packet_measurements

                measurements = packet_measurements(packet, logger_id, self.tz)
            except Exception as exc:  # noqa: BLE001 - bad values must not stop the server
                self._bad(conn, "malformed", "bad_data", repr(exc)[:200], raw, mn=mn)
                return
            self.counters.seen(now, logger_id, conn.peer, measurements[0].time if measurements else None)
            job = Job(measurements, conn, packet, packet.ack_requested, logger_id, time.monotonic())
            self._submit(conn, job)
            return
        self.counters.seen(now, logger_id, conn.peer)
        self.counters.totals[f"cn_{cn}"] += 1
        if cn in INTERACTION_CNS:
            log.debug("%s %s answered %s: %s", conn.peer, mn, cn, packet.cp.fields if packet.cp else "")
            return
        if cn == "1013":  # time calibration request: notification answer, then set the logger's clock
            conn.send(hj212.notification_response(packet))
            if self.config.time_sync:
                conn.send(self._set_time_request(packet))
            return
        if cn in HOST_ONLY_CNS:
            if packet.ack_requested:
                conn.send(hj212.request_response(packet, qn_rtn=2))
            return
        # other uploads (equipment status 2021/2041, restart 2081, logs 3020, parameters …): accepted
        if packet.ack_requested:
            conn.send(hj212.data_response(packet))
            self.counters.count(now, mn, logger_id, "acks_sent")

    def _set_time_request(self, packet) -> bytes:
        local = datetime.datetime.now(self.tz)
        qn = local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"
        version_flag = 5 if packet.version != "2005" else 1
        fields = {"SystemTime": local.strftime("%Y%m%d%H%M%S")}
        if packet.cp is not None and packet.cp.fields.get("PolId"):
            fields = {"PolId": packet.cp.fields["PolId"], **fields}
        request = hj212.Packet(version=packet.version, qn=qn, st=packet.st, cn="1012", pw=packet.pw, mn=packet.mn,
                               flag=version_flag, pnum=None, pno=None,
                               cp=hj212.Cp(data_time=None, factors={}, fields=fields, raw=""))
        return hj212.encode(request)

    def _submit(self, conn: Connection, job: Job):
        n = len(job.measurements)
        self.pending_measurements += n
        self.pending_jobs += 1
        conn.pending += 1
        self._writer.submit(job)
        if conn.pending >= self.config.conn_max_pending:
            conn._pause(_PAUSE_CONN)
        if not self.paused_all and self.pending_measurements >= self.config.queue_max:
            self.paused_all = True
            self.counters.totals["backpressure_pauses"] += 1
            log.info("backpressure: %d measurements waiting for the database, pausing reads", self.pending_measurements)
            for c in self.connections:
                c._pause(_PAUSE_GLOBAL)

    def _batch_done(self, jobs: list[Job]):
        """Runs in the event loop after the writer committed (or gave up on) a batch."""
        now_mono = time.monotonic()
        now = time.time()
        counters = self.counters
        latencies = self.latencies
        for job in jobs:
            conn = job.conn
            self.pending_measurements -= len(job.measurements)
            self.pending_jobs -= 1
            packet = job.packet
            if job.error is not None:
                counters.count(now, packet.mn, job.logger_id, "malformed", error=f"not stored: {job.error}")
                counters.totals["store_failed"] += 1
            else:
                counters.count(now, packet.mn, job.logger_id, "packets_ok")
                if job.measurements:
                    counters.count(now, packet.mn, job.logger_id, "measurements", len(job.measurements))
            if conn is None:
                continue
            conn.pending -= 1
            if job.error is None and job.ack and not conn.closed:
                try:
                    conn.transport.write(hj212.data_response(packet))
                except Exception as exc:  # noqa: BLE001
                    self._internal_error(conn, "ack", exc)
                else:
                    counters.count(now, packet.mn, job.logger_id, "acks_sent")
                    latencies.append(now_mono - job.received)
            if conn.paused & _PAUSE_CONN and conn.pending < self.config.conn_max_pending // 2:
                conn._resume(_PAUSE_CONN)
            if conn.closing and not conn.pending and not conn.closed:
                conn.transport.close()
        if self.paused_all and self.pending_measurements < self.config.queue_max // 2 and not self._stopping.is_set():
            self.paused_all = False
            for c in self.connections:
                c._resume(_PAUSE_GLOBAL)

    # -- periodic work (database in threads) ------------------------------------------
    def _maybe_reload_directory(self):
        now = time.monotonic()
        if self._directory_loading or now - self._last_directory_load < self.config.directory_min_interval:
            return
        self._directory_loading = True
        self._last_directory_load = now
        asyncio.ensure_future(self._refresh_directory())

    async def _refresh_directory(self):
        self._directory_loading = True
        try:
            self.directory.replace(await self._in_thread(load_loggers))
        except Exception:  # noqa: BLE001
            log.exception("reloading the logger directory failed; keeping the previous one")
        finally:
            self._last_directory_load = time.monotonic()
            self._directory_loading = False

    async def _flush_counters(self):
        snap = self.counters.take()
        if not snap:
            return
        try:
            await self._in_thread(flush, snap)
        except Exception:  # noqa: BLE001
            log.exception("writing ingest counters failed (figures of this interval are lost, data is not)")

    async def _sweep(self):
        from qingshan.monitoring import alarms

        def run():
            from django.db import close_old_connections
            from django.utils import timezone

            from qingshan.core.actor import acting_as

            close_old_connections()
            with acting_as(name="hj212-server"):
                return alarms.sweep(timezone.now())

        try:
            await self._in_thread(run)
        except Exception:  # noqa: BLE001
            log.exception("alarm sweep failed")

    def stats(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None

        w = self._writer
        return {
            "uptime_s": round(time.monotonic() - self.started, 1),
            "connections": len(self.connections),
            "pending_packets": self.pending_jobs,
            "pending_measurements": self.pending_measurements,
            "stored_measurements": w.stored if w else 0,
            "batches": w.batches if w else 0,
            "write_seconds": round(w.write_seconds, 2) if w else 0,
            "alarm_seconds": round(w.alarm_seconds, 2) if w else 0,
            "ack_latency_ms_p50": pct(0.5),
            "ack_latency_ms_p99": pct(0.99),
            "bytes_in": self.bytes_in,
            "peak_rss_mb": _peak_rss_mb(),
            **dict(self.counters.totals),
        }

    def _log_stats(self):
        log.info("ingest: %s", json.dumps(self.stats(), ensure_ascii=False))


def _peak_rss_mb() -> float | None:
    try:
        with open(f"/proc/{os.getpid()}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    except Exception:  # noqa: BLE001
        return None


def _close_db():
    from django.db import connections

    connections.close_all()


async def serve(config: ServerConfig | None = None, *, ready=None, **kwargs) -> HJ212Server:
    """Start a server, call ``ready(server)`` once listening, serve until SIGTERM/SIGINT, shut down gracefully."""
    server = HJ212Server(config, **kwargs)
    await server.start()
    if ready is not None:
        ready(server)
    await server.serve_until_stopped()
    return server
