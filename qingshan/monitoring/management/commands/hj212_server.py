"""``qingshan hj212-server``: the HJ 212 ingest server (long-running, asyncio).

Listens on ``QINGSHAN_HJ212_ADDR`` (default ``0.0.0.0:9212``) or ``--addr``;
stops gracefully on SIGTERM/SIGINT (stored packets are acknowledged before
the connections close). See docs/monitoring-server.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from qingshan.monitoring.server import ServerConfig, parse_addr, serve


class Command(BaseCommand):
    help = "Run the HJ 212 ingest server (data loggers connect over TCP)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", help="listen address host:port (default: QINGSHAN_HJ212_ADDR, 0.0.0.0:9212)")
        parser.add_argument("--strict", action="store_true", default=None, help="strict decoding (default: tolerant)")
        parser.add_argument("--idle-timeout", type=float, help="close connections idle this many seconds (300)")
        parser.add_argument("--batch-max", type=int, help="measurements per database transaction at most (20000)")
        parser.add_argument("--batch-wait-ms", type=float, help="wait at most this long to fill a batch (20 ms)")
        parser.add_argument("--queue-max", type=int, help="measurements waiting for the database before reads pause")
        parser.add_argument("--sweep-interval", type=float, help="seconds between offline/flat-line/zero checks (60; 0: off)")
        parser.add_argument("--stats-interval", type=float, help="seconds between summary log lines (60; 0: off)")
        parser.add_argument("--flush-interval", type=float, help="seconds between writes of packet counters and logger status (10)")
        parser.add_argument("--no-alarms", action="store_true", help="do not evaluate alarms (benchmarks of the store only)")
        parser.add_argument("--null-store", action="store_true",
                            help="BENCHMARK ONLY: discard measurements instead of storing them (measures the server alone)")
        parser.add_argument("--no-uvloop", action="store_true", help="use the standard asyncio event loop")
        parser.add_argument("--workers", type=int, default=1,
                            help="worker processes sharing the port (SO_REUSEPORT), each with its own writer (1)")
        parser.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--ready-file", help="write {host, port, pid} as JSON to this file once listening")
        parser.add_argument("--stats-file", help="write the final figures as JSON to this file on shutdown")

    def handle(self, *args, **opts):
        logging.getLogger("qingshan.hj212.server").setLevel(os.environ.get("LOG_LEVEL", "INFO"))
        overrides = {
            "strict": opts["strict"],
            "idle_timeout": opts["idle_timeout"],
            "batch_max": opts["batch_max"],
            "batch_wait": opts["batch_wait_ms"] / 1000 if opts["batch_wait_ms"] is not None else None,
            "queue_max": opts["queue_max"],
            "sweep_interval": opts["sweep_interval"],
            "stats_interval": opts["stats_interval"],
            "status_flush_interval": opts["flush_interval"],
        }
        try:
            if opts["addr"]:
                overrides["host"], overrides["port"] = parse_addr(opts["addr"])
            config = ServerConfig.from_settings(**overrides)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if opts["workers"] > 1 and opts["worker_index"] is None:
            return self.supervise(config, opts)
        if opts["worker_index"] is not None:
            config.reuse_port = True
            if opts["worker_index"] > 0:
                config.sweep_interval = 0  # one worker runs the periodic alarm sweep

        def ready(server):
            host, port = server.sockets[0][:2] if server.sockets else (config.host, config.port)
            self.stdout.write(f"HJ 212 server listening on {host}:{port} (pid {os.getpid()})")
            self.stdout.flush()
            if opts["ready_file"]:
                tmp = opts["ready_file"] + ".tmp"
                with open(tmp, "w") as f:
                    json.dump({"host": host, "port": port, "pid": os.getpid()}, f)
                os.replace(tmp, opts["ready_file"])

        if not opts["no_uvloop"]:
            try:
                import uvloop

                asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
            except ImportError:
                pass
        try:
            store = None
            if opts["null_store"]:
                from qingshan.monitoring.server.writer import NullStore

                store = NullStore()
                self.stderr.write("WARNING: --null-store: measurements are acknowledged but NOT stored (benchmark mode)")
            server = asyncio.run(serve(config, ready=ready, store=store,
                                       check_alarms=not (opts["no_alarms"] or opts["null_store"])))
        except OSError as exc:
            raise CommandError(f"cannot listen on {config.host}:{config.port}: {exc}") from None
        if opts["stats_file"]:
            with open(opts["stats_file"], "w") as f:
                json.dump(server.stats(), f)

    # -- several worker processes ------------------------------------------------------
    def supervise(self, config: ServerConfig, opts) -> None:
        """Start ``--workers`` processes on one port (the kernel spreads connections), restart crashed ones,
        forward SIGTERM/SIGINT (each worker shuts down gracefully), combine their figures."""
        n = opts["workers"]
        if not config.port:
            raise CommandError("--workers needs a fixed port")
        base = [sys.executable, "-m", "qingshan", "hj212_server", "--addr", f"{config.host}:{config.port}"]
        for key, flag in (("idle_timeout", "--idle-timeout"), ("batch_max", "--batch-max"),
                          ("batch_wait_ms", "--batch-wait-ms"), ("queue_max", "--queue-max"),
                          ("sweep_interval", "--sweep-interval"), ("stats_interval", "--stats-interval"),
                          ("flush_interval", "--flush-interval")):
            if opts.get(key) is not None:
                base += [flag, str(opts[key])]
        for key, flag in (("strict", "--strict"), ("no_alarms", "--no-alarms"), ("no_uvloop", "--no-uvloop"),
                          ("null_store", "--null-store")):
            if opts.get(key):
                base.append(flag)
        prefix = opts["ready_file"] or os.path.join(os.environ.get("TMPDIR", "/tmp"), f"hj212-{os.getpid()}")

        def argv(i):
            return [*base, "--worker-index", str(i), "--ready-file", f"{prefix}.w{i}",
                    "--stats-file", f"{opts['stats_file'] or prefix}.w{i}.stats"]

        children = {i: subprocess.Popen(argv(i)) for i in range(n)}
        stopping = False

        def forward(sig, _frame):
            nonlocal stopping
            stopping = True
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(sig)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        deadline = time.monotonic() + 120
        while not all(os.path.exists(f"{prefix}.w{i}") for i in range(n)):
            if any(c.poll() is not None for c in children.values()) or time.monotonic() > deadline:
                forward(signal.SIGTERM, None)
                raise CommandError("a worker did not start")
            time.sleep(0.05)
        self.stdout.write(f"HJ 212 server: {n} workers listening on {config.host}:{config.port} (pid {os.getpid()})")
        self.stdout.flush()
        if opts["ready_file"]:
            with open(opts["ready_file"] + ".tmp", "w") as f:
                json.dump({"host": config.host, "port": config.port, "pid": os.getpid(), "workers": n}, f)
            os.replace(opts["ready_file"] + ".tmp", opts["ready_file"])
        while True:
            alive = 0
            for i, child in list(children.items()):
                code = child.poll()
                if code is None:
                    alive += 1
                elif not stopping:
                    self.stderr.write(f"worker {i} exited with {code}; restarting it")
                    children[i] = subprocess.Popen(argv(i))
                    alive += 1
            if stopping and not alive:
                break
            time.sleep(0.2)
        if opts["stats_file"]:
            combined: dict = {"workers": n}
            for i in range(n):
                try:
                    with open(f"{opts['stats_file']}.w{i}.stats") as f:
                        stats = json.load(f)
                except (OSError, ValueError):
                    continue
                for key, value in stats.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        if key.startswith("ack_latency") or key == "uptime_s":
                            combined[key] = max(combined.get(key) or 0, value)
                        else:
                            combined[key] = round((combined.get(key) or 0) + value, 2)
            with open(opts["stats_file"], "w") as f:
                json.dump(combined, f)
        for i in range(n):
            for path in (f"{prefix}.w{i}",):
                try:
                    os.unlink(path)
                except OSError:
                    pass
