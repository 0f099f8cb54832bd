"""HJ 212 ingest benchmark: server + simulator over loopback, on a real database.

    .venv/bin/python bench/ingest.py                       # SQLite, 1 000 and 10 000 connections
    DATABASE_URL=postgres://qingshan:qingshan@127.0.0.1:5432/qs_bench .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --connections 1000 --duration 30 --rate 30000

For each connection count it

1. starts ``qingshan hj212_server`` as a subprocess on a fresh database
   (a new SQLite file in a temporary directory, or the PostgreSQL database of
   ``DATABASE_URL``, dropped and re-created) with synthetic loggers registered
   (one enterprise, flue-gas outlet and permit with SO2/NOx/dust limits each);
2. runs ``qingshan simulate --mode load`` (a second process) with that many
   concurrent TCP connections, first *saturated* (offered rate above what the
   server can take: measures packets/s stored), then at half of that
   (*steady*: measures latency without a standing queue). 2 % of the packets are
   hourly packets, some of them over the SO2 limit;
3. prints packets/s stored (rows in the store ÷ factors per packet ÷ seconds),
   p50/p99 send→ack latency (measured by the simulator), p50/p99 send→alarm
   latency (send time of each logger's first exceedance packet → creation
   time of its ``Alarm`` row), and the server's peak RSS.

Target on the 2-core reference machine: ≥ 20 000 packets/s stored with p99
alarm latency < 1 s. The figures and where the time goes are in
docs/monitoring-server.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def raise_fd_limit(n: int):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qingshan(env, *args, check=True, capture=True, timeout=900):
    return subprocess.run([sys.executable, "-m", "qingshan", *args], cwd=ROOT, env=env, check=check, timeout=timeout,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None,
                          text=True)


def fresh_database(env: dict, label: str) -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        name = f"{name or 'qs_bench'}_{label}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env.pop("DATABASE_URL", None)
    t0 = time.perf_counter()
    qingshan(env, "migrate", "-v", "0")
    print(f"  fresh database migrated in {time.perf_counter() - t0:.1f} s", flush=True)
    return env


def django_in(env: dict):
    """Configure Django in this process against the benchmark database."""
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "QINGSHAN_DATA_DIR")})
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingshan.settings")
    import django

    django.setup()


def start_server(env: dict, port: int, data_dir: Path, extra: list[str]) -> subprocess.Popen:
    ready = data_dir / "ready.json"
    ready.unlink(missing_ok=True)
    log = open(data_dir / f"server-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "qingshan", "hj212_server", "--addr", f"127.0.0.1:{port}", "--ready-file", str(ready),
         "--stats-interval", "0", "--sweep-interval", "0", "--stats-file", str(data_dir / f"stats-{port}.json"), *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while not ready.exists():
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit(f"server did not start, see {log.name}")
        time.sleep(0.05)
    return proc


def simulate(env: dict, port: int, loggers: int, rate: float, duration: float, window: int, exc_file: Path,
             seed: int) -> dict:
    out = qingshan(env, "simulate", "--port", str(port), "--seed", str(seed), "--synthetic", str(loggers), "--mode", "load", "--rate",
                   str(rate), "--duration", str(duration), "--window", str(window), "--exceed-prob", "0.5",
                   "--bad-crc-prob", "0.001", "--hour-share", "0.02", "--json", "--exceedances-file", str(exc_file),
                   timeout=duration + 600)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not line:
        raise SystemExit(f"simulator failed:\n{out.stdout[-3000:]}")
    return json.loads(line[-1])


def count_rows(logger_ids) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM monitoring_measurement")
        return c.fetchone()[0]


def wait_for_drain(quiet: float = 2.0, limit: float = 180.0) -> int:
    """Wait until the row count stops growing (the server's queue is empty); return it."""
    t0 = time.monotonic()
    rows, since = count_rows(None), time.monotonic()
    while time.monotonic() - t0 < limit:
        time.sleep(0.5)
        now = count_rows(None)
        if now != rows:
            rows, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return rows


def alarm_latencies(exceedances: list[dict]) -> list[float]:
    from qingshan.monitoring.models import Alarm

    first = {}
    for e in exceedances:
        key = (e["logger_id"], e["factor"])
        if key not in first or e["sent_at"] < first[key]:
            first[key] = e["sent_at"]
    created = {(a["logger_id"], a["factor"]): a["created"]
               for a in Alarm.objects.filter(kind="exceedance").values("logger_id", "factor", "created")}
    out = []
    for key, sent in first.items():
        if key in created:
            out.append(created[key].timestamp() - sent)
    return sorted(out)


def pct(values, p):
    if not values:
        return None
    return values[min(len(values) - 1, int(p * len(values)))]


def run_case(connections: int, args) -> dict:
    if not args.window:
        args.window = max(1, min(4, 4000 // connections))
    print(f"\n== {connections} concurrent connections ==", flush=True)
    data_dir = Path(tempfile.mkdtemp(prefix=f"qs-bench-{connections}-"))
    env = dict(os.environ, QINGSHAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="qingshan.settings",
               PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    env = fresh_database(env, f"c{connections}")
    t0 = time.perf_counter()
    out = qingshan(env, "shell", "-c",
                   f"from qingshan.monitoring.simulator import register_synthetic; print(len(register_synthetic({connections})))")
    print(f"  {out.stdout.strip().splitlines()[-1]} synthetic loggers registered in {time.perf_counter() - t0:.1f} s",
          flush=True)
    port = free_port()
    server = start_server(env, port, data_dir, args.server_args)
    results = {"connections": connections}
    try:
        # 1) saturated: offered load above capacity
        before = 0
        sat = simulate(env, port, connections, args.rate, args.duration, args.window, data_dir / "exc1.json", 1)
        django_in(env)
        rows = wait_for_drain()  # the server finishes what it had queued before the next phase
        # an answer is only sent after the commit: answered packets per second = stored packets per second
        stored_pps = sat.get("acked", 0) / sat["load_seconds"] if sat.get("load_seconds") else 0
        results["saturated"] = {
            "offered_pps": args.rate, "sent": sat.get("sent", 0), "acked": sat.get("acked", 0),
            "stored_rows": rows - before, "rows_per_packet_check": round((rows - before) / max(1, sat.get("acked", 0)), 2),
            "stored_pps": round(stored_pps, 1),
            "acked_pps": sat.get("acked_per_s"),
            "ack_p50_ms": sat.get("ack_latency_ms_p50"), "ack_p99_ms": sat.get("ack_latency_ms_p99"),
        }
        print(f"  saturated: {results['saturated']}", flush=True)
        # 2) steady: half the measured capacity, latency without a standing queue
        steady_rate = max(100.0, 0.5 * (sat.get("acked_per_s") or 1000))
        before = rows
        exc_file = data_dir / "exc2.json"
        from qingshan.monitoring.models import Alarm

        Alarm.objects.all().delete()
        st = simulate(env, port, connections, steady_rate, args.duration, args.window, exc_file, 2)
        rows = wait_for_drain()
        lat = alarm_latencies(json.loads(exc_file.read_text()))
        results["steady"] = {
            "offered_pps": round(steady_rate, 1), "acked": st.get("acked", 0),
            "stored_pps": round(st.get("acked", 0) / st["load_seconds"], 1) if st.get("load_seconds") else None,
            "ack_p50_ms": st.get("ack_latency_ms_p50"), "ack_p99_ms": st.get("ack_latency_ms_p99"),
            "alarms": len(lat),
            "alarm_p50_ms": round(pct(lat, 0.5) * 1000, 1) if lat else None,
            "alarm_p99_ms": round(pct(lat, 0.99) * 1000, 1) if lat else None,
        }
        print(f"  steady:    {results['steady']}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    stats_file = data_dir / f"stats-{port}.json"
    if stats_file.exists():
        stats = json.loads(stats_file.read_text())
        results["server"] = {k: stats.get(k) for k in ("peak_rss_mb", "write_seconds", "alarm_seconds", "batches",
                                                       "stored_measurements", "bad_crc", "backpressure_pauses")}
        print(f"  server:    {results['server']}", flush=True)
    from django.db import connections as conns

    conns.close_all()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, action="append", help="connection counts (default 1000 and 10000)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase (15)")
    parser.add_argument("--rate", type=float, default=25000.0, help="offered packets/s of the saturated phase (25000)")
    parser.add_argument("--window", type=int, default=None,
                        help="unanswered packets per connection at most (default 4 for 1 000 connections, 1 for 10 000)")
    parser.add_argument("--server-arg", dest="server_args", action="append", default=[],
                        help="extra argument for hj212_server (repeatable)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    counts = args.connections or [1000, 10000]
    limit = raise_fd_limit(max(counts) * 2 + 1000)
    print(f"HJ 212 ingest benchmark — {os.cpu_count()} CPUs, fd limit {limit}, "
          f"database {'PostgreSQL' if os.environ.get('DATABASE_URL', '').startswith('postgres') else 'SQLite'}, "
          f"{datetime.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    results = []
    for n in counts:
        if n + 500 > limit:  # server and simulator are separate processes: each needs ~n descriptors
            print(f"skipping {n} connections: fd limit {limit}")
            continue
        # each case runs in a fresh interpreter state for Django (different database per case)
        results.append(run_case_isolated(n, args))
    print("\nsummary (packets/s stored when saturated; latencies at 50 % of that load):")
    for r in results:
        s, t = r.get("saturated", {}), r.get("steady", {})
        print(f"  {r['connections']:>6} connections: {s.get('stored_pps')} packets/s stored, "
              f"ack p50/p99 {t.get('ack_p50_ms')}/{t.get('ack_p99_ms')} ms, "
              f"alarm p50/p99 {t.get('alarm_p50_ms')}/{t.get('alarm_p99_ms')} ms ({t.get('alarms')} alarms), "
              f"server peak RSS {r.get('server', {}).get('peak_rss_mb')} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


def run_case_isolated(n: int, args) -> dict:
    """Run one case in a child interpreter (Django is configured once per process)."""
    if os.environ.get("_QS_BENCH_CHILD"):
        return run_case(n, args)
    out_file = Path(tempfile.mktemp(prefix="qs-bench-", suffix=".json"))
    cmd = [sys.executable, __file__, "--connections", str(n), "--duration", str(args.duration), "--rate", str(args.rate),
           "--window", str(args.window or 0), "--json", str(out_file)]
    for a in args.server_args:
        cmd.append(f"--server-arg={a}")
    subprocess.run(cmd, env=dict(os.environ, _QS_BENCH_CHILD="1"), check=False)
    try:
        return json.loads(out_file.read_text())[0]
    except (OSError, ValueError, IndexError):
        return {"connections": n, "error": "case failed"}


if __name__ == "__main__":
    if os.environ.get("_QS_BENCH_CHILD"):
        a = argparse.ArgumentParser()
        a.add_argument("--connections", type=int, action="append")
        a.add_argument("--duration", type=float)
        a.add_argument("--rate", type=float)
        a.add_argument("--window", type=int)
        a.add_argument("--server-arg", dest="server_args", action="append", default=[])
        a.add_argument("--json")
        ns = a.parse_args()
        raise_fd_limit(ns.connections[0] * 2 + 1000)
        res = run_case(ns.connections[0], ns)
        Path(ns.json).write_text(json.dumps([res]))
    else:
        main()
