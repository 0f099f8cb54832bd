"""HJ 212 parser throughput (issue #3): prints figures, asserts nothing.

    .venv/bin/python bench/hj212_parse.py [--packets 20000] [--chunk 4096] [--repeat 5] [--profile]

Builds a realistic mix of real-time (CN=2011) uploads — half waste-water
packets (6-8 factors: COD, NH3-N, TP, TN, pH, flow, …, some with SampleTime),
half flue-gas packets (8-12 factors with Rtd/ZsRtd/Flag) — 250-620 bytes each,
concatenates them into one byte stream and feeds it to ``hj212.Framer`` in
``--chunk``-byte reads (like ``recv()``), decoding every frame (tolerant mode,
CRC checked). Single process, single thread: one core. Data generation is not
timed. Reports the best of ``--repeat`` runs for:

1. CRC only (Appendix A over each data segment);
2. framing only;
3. decode only (on pre-framed packets);
4. framing + decoding (the target: ≥ 200 000 packets/s);
5. framing + decoding + building the 9014 reply for packets with Flag A=1.

``--profile`` adds a cProfile breakdown of (4).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import platform
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qingshan.standards import hj212  # noqa: E402
from qingshan.standards.hj212.crc import crc16  # noqa: E402

WATER = [
    ("w01018", 20, 120, 1), ("w21003", 0.2, 8, 2), ("w21011", 0.05, 1.5, 3), ("w21001", 2, 25, 2),
    ("w01001", 6.5, 8.5, 2), ("w00000", 5, 80, 2), ("w01010", 12, 30, 1), ("w01012", 5, 40, 1),
]
AIR = [
    ("a21026", 5, 80, 2, True), ("a21002", 10, 120, 2, True), ("a34013", 1, 15, 2, True), ("a21005", 0, 50, 3, True),
    ("a21024", 0, 10, 2, True), ("a19001", 6, 12, 2, False), ("a01011", 5, 20, 2, False), ("a01012", 40, 150, 1, False),
    ("a01013", -1, 1, 3, False), ("a01014", 5, 15, 2, False), ("a00000", 50, 300, 1, False), ("a01017", 0.1, 0.5, 3, False),
]


def make_packets(n: int, seed: int = 212) -> list[bytes]:
    rnd = random.Random(seed)
    t0 = datetime.datetime(2026, 6, 1)
    out = []
    for i in range(n):
        t = t0 + datetime.timedelta(seconds=30 * (i // 50))
        qn = t.strftime("%Y%m%d%H%M%S") + "%03d" % (i % 1000)
        dt = t.strftime("%Y%m%d%H%M%S")
        mn = "MN%022d" % (i % 50)
        if i % 2 == 0:
            k = rnd.randint(6, 8)
            items = []
            for code, lo, hi, nd in WATER[:k]:
                parts = []
                if code in ("w01018", "w21003") and rnd.random() < 0.5:
                    parts.append(f"{code}-SampleTime={dt}")
                parts.append(f"{code}-Rtd={rnd.uniform(lo, hi):.{nd}f}")
                parts.append(f"{code}-Flag={'N' if rnd.random() < 0.95 else rnd.choice('MDC')}")
                items.append(",".join(parts))
            seg = f"QN={qn};ST=32;CN=2011;PW=123456;MN={mn};Flag=5;CP=&&DataTime={dt};" + ";".join(items) + "&&"
        else:
            k = rnd.randint(8, 12)
            items = []
            for code, lo, hi, nd, zs in AIR[:k]:
                v = rnd.uniform(lo, hi)
                parts = [f"{code}-Rtd={v:.{nd}f}"]
                if zs:
                    parts.append(f"{code}-ZsRtd={v * 1.2:.{nd}f}")
                parts.append(f"{code}-Flag=N")
                items.append(",".join(parts))
            seg = f"QN={qn};ST=31;CN=2011;PW=123456;MN={mn};Flag=4;CP=&&DataTime={dt};" + ";".join(items) + "&&"
        out.append(hj212.frame_segment(seg))
    return out


def chunks_of(stream: bytes, size: int) -> list[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def best(fn, repeat: int) -> float:
    """Best CPU time (process_time) of ``repeat`` runs: other jobs on a shared machine do not count."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packets", type=int, default=20000)
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)

    packets = make_packets(args.packets)
    stream = b"".join(packets)
    chunks = chunks_of(stream, args.chunk)
    segments = [p[6:-6] for p in packets]
    n = len(packets)
    sizes = sorted(len(p) for p in packets)
    factors = sum(len(hj212.decode(p).cp.factors) for p in packets)
    print(f"python {platform.python_version()} ({platform.python_implementation()}), {platform.machine()}")
    print(
        f"{n} packets, {len(stream) / 1e6:.2f} MB, {len(chunks)} reads of {args.chunk} B; "
        f"packet size min/median/max {sizes[0]}/{sizes[n // 2]}/{sizes[-1]} B; {factors / n:.1f} factors/packet"
    )

    def crc_only():
        for s in segments:
            crc16(s)

    def frame_only():
        f = hj212.Framer()
        for c in chunks:
            f.feed(c)

    decode = hj212.decode

    def decode_only():
        for p in packets:
            decode(p)

    Frame = hj212.Frame

    def frame_and_decode():
        f = hj212.Framer()
        ok = 0
        for c in chunks:
            for item in f.feed(c):
                if item.__class__ is Frame:
                    decode(item.raw)
                    ok += 1
        assert ok == n

    def frame_decode_reply():
        f = hj212.Framer()
        for c in chunks:
            for item in f.feed(c):
                if item.__class__ is Frame:
                    p = decode(item.raw)
                    if p.ack_requested:
                        hj212.data_response(p)

    rows = [
        ("CRC only (Appendix A, data segments)", crc_only),
        ("framing only", frame_only),
        ("decode only (pre-framed)", decode_only),
        ("framing + decoding", frame_and_decode),
        ("framing + decoding + 9014 replies (A=1 half)", frame_decode_reply),
    ]
    print(f"{'stage':48s} {'packets/s':>12s} {'µs/packet':>10s} {'MB/s':>8s}")
    for label, fn in rows:
        t = best(fn, args.repeat)
        print(f"{label:48s} {n / t:12,.0f} {t / n * 1e6:10.2f} {len(stream) / t / 1e6:8.1f}")

    if args.profile:
        pr = cProfile.Profile()
        pr.enable()
        frame_and_decode()
        pr.disable()
        s = io.StringIO()
        pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(12)
        print(s.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
