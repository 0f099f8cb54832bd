"""Settings of the HJ 212 ingest server.

Defaults come from :class:`ServerConfig`; a deployment may override any of
them with the Django setting ``QINGSHAN_HJ212_SERVER`` (a dict of field names)
and the listen address with ``QINGSHAN_HJ212_ADDR``; the command line of
``qingshan hj212-server`` overrides both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


def parse_addr(addr: str, default_port: int = 9212) -> tuple[str, int]:
    """``"0.0.0.0:9212"`` -> ``("0.0.0.0", 9212)``; ``"[::]:9212"`` and ``":9212"`` are accepted."""
    addr = (addr or "").strip()
    if not addr:
        return "0.0.0.0", default_port
    if addr.startswith("["):
        host, _, rest = addr[1:].partition("]")
        port = rest.lstrip(":")
    elif addr.count(":") == 1:
        host, port = addr.split(":")
    elif addr.isdigit():
        host, port = "", addr
    else:
        host, port = addr, ""
    try:
        port_n = int(port) if port else default_port
    except ValueError:
        raise ValueError(f"bad listen address {addr!r}: the port must be a number") from None
    if not 0 <= port_n <= 65535:
        raise ValueError(f"bad listen address {addr!r}: port out of range")
    return host or "0.0.0.0", port_n


@dataclass
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 9212
    #: close a connection that sent nothing for this many seconds (HJ 212 loggers send every 30 s or more often)
    idle_timeout: float = 300.0
    #: largest frame accepted (bytes); the framer never buffers more
    max_frame: int = 10240
    #: strict decoding (exact length, byte CRC only); the default tolerant mode accepts common device quirks
    strict: bool = False
    #: writer batching: at most this many measurements per transaction ...
    batch_max: int = 20000
    #: ... collected for at most this long after the first one (seconds)
    batch_wait: float = 0.02
    #: backpressure: stop reading from all sockets when this many measurements wait for the writer
    queue_max: int = 100_000
    #: stop reading from one connection when this many of its packets wait for storage
    conn_max_pending: int = 500
    #: close a connection after this many consecutive malformed frames or failed authentications
    garbage_limit: int = 50
    #: run ``alarms.sweep(now)`` (offline, flat line, zero) this often (seconds); 0 disables
    sweep_interval: float = 60.0
    #: reload the MN -> logger directory this often (seconds) ...
    directory_refresh: float = 60.0
    #: ... and on an unknown MN, at most this often
    directory_min_interval: float = 5.0
    #: write packet counters (IngestEvent) and logger status (LoggerStatus) this often (seconds)
    status_flush_interval: float = 10.0
    #: log a one-line summary this often (seconds); 0 disables
    stats_interval: float = 60.0
    #: on shutdown, wait this long for queued packets to be stored and acknowledged
    shutdown_timeout: float = 30.0
    #: answer a logger's time calibration request (1013) with 9013 and then set its clock (1012)
    time_sync: bool = True
    #: retry a failed database write this many times before giving up on the batch (no ack is sent)
    write_retries: int = 4
    #: listen backlog
    backlog: int = 4096
    #: share the port with other worker processes (SO_REUSEPORT; ``hj212-server --workers N``)
    reuse_port: bool = False
    #: log at most this many malformed-input lines per connection (then one line per 1000)
    log_per_connection: int = 5
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_settings(cls, **overrides) -> "ServerConfig":
        from django.conf import settings

        values: dict = {}
        host, port = parse_addr(getattr(settings, "QINGSHAN_HJ212_ADDR", "0.0.0.0:9212"))
        values.update(host=host, port=port)
        values.update(getattr(settings, "QINGSHAN_HJ212_SERVER", {}) or {})
        values.update({k: v for k, v in overrides.items() if v is not None})
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown HJ 212 server settings: {', '.join(sorted(unknown))}")
        return cls(**values)
