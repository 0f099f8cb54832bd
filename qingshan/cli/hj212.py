"""``qingshan hj212``: decode and encode HJ 212 packets in shell pipelines.

* ``qingshan hj212 decode [--strict] [--max-frame N]`` reads raw bytes from
  stdin (any number of packets, any chunking, garbage in between) and prints
  one JSON object per frame per line::

      {"ok": true, "error": null, "crc_expected": "1C80", "crc_received": "1C80",
       "version": "2017", "qn": "…", "st": "32", "cn": "1062", "pw": "100000",
       "mn": "…", "flag": 5, "pnum": null, "pno": null,
       "cp": {"RtdInterval": "30"}, "deviations": []}

  Bad frames give ``"ok": false`` and ``"error"`` (``crc_mismatch``,
  ``length_mismatch``, ``garbage`` …) with ``"detail"``; bytes skipped by the
  framer are shown in ``"raw"``. Exit status 0 when every frame decoded, 1
  otherwise.
* ``qingshan hj212 encode`` reads the same JSON (one object, a list, or one
  object per line — e.g. the output of ``decode``) and writes the packets,
  each ending with CRLF. Bad input: ``{"error": …}`` on stderr, exit status 2.
* ``qingshan hj212 crc`` prints the HJ 212 CRC of the data segment on stdin.

Pure: no Django, no database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from qingshan.standards import hj212
from qingshan.standards.hj212.crc import crc16_hex

_EMPTY_PACKET = {
    "version": None,
    "qn": None,
    "st": None,
    "cn": None,
    "pw": None,
    "mn": None,
    "flag": None,
    "pnum": None,
    "pno": None,
    "cp": None,
}


def _frame_crc(raw: bytes) -> tuple[str | None, str | None]:
    body = raw.rstrip(b"\r\n\t \x00")
    if len(body) < 10 or body[:2] != b"##":
        return None, None
    nd = 0
    while nd < 4 and 2 + nd < len(body) and 48 <= body[2 + nd] <= 57:
        nd += 1
    data = body[2 + nd : -4]
    return crc16_hex(data), body[-4:].decode("ascii", "replace")


def decode_frame(raw: bytes, *, strict: bool = False) -> dict[str, Any]:
    """One output line of ``qingshan hj212 decode`` for one frame."""
    try:
        packet = hj212.decode(raw, strict=strict)
    except hj212.DecodeError as exc:
        out = {"ok": False, "error": exc.code, "detail": exc.detail}
        out["crc_expected"], out["crc_received"] = exc.crc_expected, exc.crc_received
        if out["crc_expected"] is None:
            out["crc_expected"], out["crc_received"] = _frame_crc(raw)
        out.update(_EMPTY_PACKET)
        out["deviations"] = []
        out["raw"] = raw[:256].decode("utf-8", "replace")
        return out
    expected, received = _frame_crc(raw)
    out = {"ok": True, "error": None, "crc_expected": expected, "crc_received": received}
    out.update(packet.to_json())
    out["deviations"] = list(packet.deviations)
    return out


def _framing_error(err: hj212.FramingError) -> dict[str, Any]:
    out = {"ok": False, "error": err.code, "detail": err.detail, "crc_expected": None, "crc_received": None}
    out.update(_EMPTY_PACKET)
    out["deviations"] = []
    out["raw"] = err.raw.decode("utf-8", "replace")
    return out


def _cmd_decode(args: argparse.Namespace) -> int:
    framer = hj212.Framer(max_frame=args.max_frame, strict=args.strict)
    stdin = sys.stdin.buffer
    write = sys.stdout.write
    failures = 0

    def emit(items: list) -> None:
        nonlocal failures
        for item in items:
            if isinstance(item, hj212.FramingError):
                line = _framing_error(item)
            else:
                line = decode_frame(item.raw, strict=args.strict)
            if not line["ok"]:
                failures += 1
            write(json.dumps(line, ensure_ascii=False) + "\n")

    read = getattr(stdin, "read1", stdin.read)
    while True:
        chunk = read(65536)
        if not chunk:
            break
        emit(framer.feed(chunk))
    emit(framer.end_of_stream())
    sys.stdout.flush()
    return 1 if failures else 0


def _iter_json(text: str):
    text = text.strip()
    if not text:
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"line {n}: input is not valid JSON: {exc}") from None
        return
    if isinstance(doc, list):
        yield from doc
    else:
        yield doc


def _cmd_encode(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        print(json.dumps({"error": f"input is not UTF-8: {exc}"}), file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    try:
        for n, obj in enumerate(_iter_json(text), 1):
            if isinstance(obj, dict) and obj.get("ok") is False:
                raise ValueError(f"object {n} is a decode error ({obj.get('error')}), not a packet")
            try:
                out.write(hj212.encode(hj212.packet_from_json(obj)))
            except ValueError as exc:
                raise ValueError(f"object {n}: {exc}") from None
    except ValueError as exc:
        out.flush()
        print(json.dumps({"error": str(exc)}, ensure_ascii=False), file=sys.stderr)
        return 2
    out.flush()
    return 0


def _cmd_crc(args: argparse.Namespace) -> int:
    data = sys.stdin.buffer.read()
    if not args.keep_newline:
        data = data.rstrip(b"\r\n")
    print(crc16_hex(data))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="qingshan hj212", description="HJ 212-2017 / HJ/T 212-2005 packet codec")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("decode", help="decode raw packets from stdin to JSON lines")
    p.add_argument("--strict", action="store_true", help="strict HJ 212-2017 framing and syntax (default: tolerant)")
    p.add_argument("--max-frame", type=int, default=10240, help="largest frame accepted, in bytes (default 10240)")
    p.set_defaults(func=_cmd_decode)
    p = sub.add_parser("encode", help="encode packet JSON from stdin to raw packets")
    p.set_defaults(func=_cmd_encode)
    p = sub.add_parser("crc", help="print the HJ 212 CRC of the data segment on stdin")
    p.add_argument("--keep-newline", action="store_true", help="do not strip a trailing newline")
    p.set_defaults(func=_cmd_crc)
    args = parser.parse_args(argv)
    if getattr(args, "max_frame", 10240) < 64:
        parser.error("--max-frame must be at least 64")
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `qingshan hj212 decode < capture | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
