"""A blocking HJ 212 test client and packet helpers."""

from __future__ import annotations

import datetime
import socket
import time

from qingshan.standards import hj212


def data_packet(mn: str, pw: str, when: datetime.datetime, values: dict[str, str], *, cn: str = "2011",
                st: str = "31", flag: int | None = 5, qn: str | None = None, version: str = "2017") -> bytes:
    key = "Rtd" if cn == "2011" else "Avg"
    factors = {code: {key: v, "Flag": "N"} for code, v in values.items()}
    if qn is None and version == "2017":
        qn = when.strftime("%Y%m%d%H%M%S") + "000"
    packet = hj212.Packet(version=version, qn=qn if version == "2017" else None, st=st, cn=cn, pw=pw, mn=mn,
                          flag=flag if version == "2017" else None, pnum=None, pno=None,
                          cp=hj212.Cp(data_time=when, factors=factors, fields={}, raw=""))
    return hj212.encode(packet)


class Client:
    def __init__(self, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.framer = hj212.Framer()
        self.pending: list = []

    def send(self, data: bytes):
        self.sock.sendall(data)

    def replies(self, n: int = 1, timeout: float = 5.0) -> list:
        """Read until ``n`` decoded replies arrived (or the timeout / the server closed)."""
        deadline = time.monotonic() + timeout
        while len(self.pending) < n and time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            if not chunk:
                self.pending.extend(hj212.decode(f.raw) for f in self.framer.end_of_stream()
                                    if not isinstance(f, hj212.FramingError))
                break
            self.pending.extend(hj212.decode(f.raw) for f in self.framer.feed(chunk)
                                if not isinstance(f, hj212.FramingError))
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def closed_by_server(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return False
            except ConnectionResetError:
                return True
            if not chunk:
                return True
        return False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
