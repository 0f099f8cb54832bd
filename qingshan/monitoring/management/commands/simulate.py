"""``qingshan simulate``: simulated data loggers sending HJ 212 data to the ingest server over TCP.

Examples::

    qingshan simulate --loggers all                       # every registered logger, live on the wall clock
    qingshan simulate --loggers 20 --interval 10 --backfill-hours 6
    qingshan simulate --synthetic 1000 --mode load --rate 20000 --duration 20 --json

See docs/monitoring-server.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal

from django.core.management.base import BaseCommand, CommandError

from qingshan.monitoring.server import parse_addr
from qingshan.monitoring.simulator import Probabilities, Simulator, load_loggers, register_synthetic


class Command(BaseCommand):
    help = "Simulate HJ 212 data loggers (registered or synthetic) sending to the ingest server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="server host (default: from QINGSHAN_HJ212_ADDR, 127.0.0.1)")
        parser.add_argument("--port", type=int, default=None, help="server port (default: from QINGSHAN_HJ212_ADDR)")
        parser.add_argument("--loggers", default="all", help="how many registered loggers to play, or 'all'")
        parser.add_argument("--mn", action="append", default=[], help="play only this MN (repeatable)")
        parser.add_argument("--synthetic", type=int, default=0,
                            help="register (if needed) and play N synthetic loggers instead of the registered ones")
        parser.add_argument("--mode", choices=["live", "load"], default="live",
                            help="live: wall-clock loggers (demo); load: as fast as --rate (benchmark)")
        parser.add_argument("--rate", type=float, default=None,
                            help="total packets per second (load mode; live mode: sets --interval = loggers / rate)")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between real-time packets per logger (30)")
        parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds (default: run until stopped)")
        parser.add_argument("--backfill-hours", type=int, default=0, help="live mode: first send the last N hours of hourly data")
        parser.add_argument("--exceed-prob", type=float, default=0.02, help="per logger-hour: start an exceedance episode")
        parser.add_argument("--bad-crc-prob", type=float, default=0.002, help="per packet: send it with a wrong CRC")
        parser.add_argument("--offline-prob", type=float, default=0.003, help="per logger-hour: go offline 1-4 hours")
        parser.add_argument("--flatline-prob", type=float, default=0.003, help="per logger-hour: a factor stuck 6-9 hours")
        parser.add_argument("--zero-prob", type=float, default=0.002, help="per logger-hour: a pollutant reading 0 for 6-8 hours")
        parser.add_argument("--window", type=int, default=8, help="load mode: unanswered packets per connection at most")
        parser.add_argument("--hour-share", type=float, default=0.02, help="load mode: share of hourly packets")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--exceedances-file", help="load mode: write the exceedance packets sent (JSON) here")
        parser.add_argument("--no-uvloop", action="store_true")

    def handle(self, *args, **opts):
        logging.getLogger("qingshan.hj212.simulator").setLevel(logging.INFO)
        from django.conf import settings

        host, port = parse_addr(getattr(settings, "QINGSHAN_HJ212_ADDR", "0.0.0.0:9212"))
        host = opts["host"] or ("127.0.0.1" if host in ("0.0.0.0", "::") else host)
        port = opts["port"] or port
        if opts["synthetic"]:
            specs = register_synthetic(opts["synthetic"])
        else:
            limit = None
            if opts["loggers"] != "all":
                try:
                    limit = int(opts["loggers"])
                except ValueError:
                    raise CommandError("--loggers must be a number or 'all'") from None
                if limit < 1:
                    raise CommandError("--loggers must be at least 1")
            specs = load_loggers(limit=limit, mns=opts["mn"] or None)
        if not specs:
            raise CommandError("no data loggers to simulate: register some (qingshan demo) or use --synthetic N")
        interval = opts["interval"]
        if opts["mode"] == "live" and opts["rate"]:
            interval = len(specs) / opts["rate"]
        if interval <= 0:
            raise CommandError("--interval must be positive")
        probs = Probabilities(exceed=opts["exceed_prob"], flatline=opts["flatline_prob"], zero=opts["zero_prob"],
                              offline=opts["offline_prob"], bad_crc=opts["bad_crc_prob"])
        sim = Simulator(host, port, specs, mode=opts["mode"], rate=opts["rate"], interval=interval,
                        duration=opts["duration"], probs=probs, backfill_hours=opts["backfill_hours"],
                        window=opts["window"], seed=opts["seed"], hour_share=opts["hour_share"])
        if not opts["json"]:
            self.stdout.write(f"simulating {len(specs)} loggers ({opts['mode']} mode) against {host}:{port}")
        if not opts["no_uvloop"]:
            try:
                import uvloop

                asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
            except ImportError:
                pass

        async def main():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    loop.add_signal_handler(sig, sim.stop)
                except (NotImplementedError, RuntimeError):
                    pass
            return await sim.run()

        summary = asyncio.run(main())
        if opts["exceedances_file"]:
            with open(opts["exceedances_file"], "w") as f:
                json.dump(sim.exceedances, f)
        if opts["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for key in sorted(summary):
                self.stdout.write(f"  {key}: {summary[key]}")
