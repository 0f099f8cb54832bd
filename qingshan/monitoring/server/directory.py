"""MN -> registered data logger, held in memory by the ingest server.

Authentication happens for every packet, so it must not touch the database:
the directory is loaded from :class:`qingshan.registry.models.DataLogger` at
start, reloaded periodically and, rate-limited, when an unknown MN shows up
(a logger registered after the server started).
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass

log = logging.getLogger("qingshan.hj212.server")


@dataclass(frozen=True, slots=True)
class LoggerInfo:
    logger_id: int
    mn: str
    password: str
    protocol: str
    active: bool


#: authentication verdicts (also the counter names)
AUTH_OK = "ok"
UNKNOWN_MN = "unknown_mn"
WRONG_PW = "wrong_pw"
INACTIVE = "inactive_logger"


def load_loggers() -> dict[str, LoggerInfo]:
    """Read every registered data logger (sync; call from a worker thread)."""
    from django.db import close_old_connections

    from qingshan.registry.models import DataLogger

    close_old_connections()
    rows = DataLogger.objects.values_list("pk", "mn", "password", "protocol", "active")
    return {mn.strip(): LoggerInfo(pk, mn.strip(), pw or "", proto, bool(active)) for pk, mn, pw, proto, active in rows}


class LoggerDirectory:
    def __init__(self, loggers: dict[str, LoggerInfo] | None = None):
        self._by_mn: dict[str, LoggerInfo] = dict(loggers or {})
        self.loaded_at = time.monotonic() if loggers is not None else 0.0

    def __len__(self):
        return len(self._by_mn)

    def replace(self, loggers: dict[str, LoggerInfo]):
        added = len(set(loggers) - set(self._by_mn))
        self._by_mn = loggers
        self.loaded_at = time.monotonic()
        if added:
            log.info("logger directory: %d loggers (%d new)", len(loggers), added)

    def get(self, mn: str) -> LoggerInfo | None:
        return self._by_mn.get(mn)

    def authenticate(self, mn: str, pw: str) -> tuple[str, LoggerInfo | None]:
        info = self._by_mn.get(mn)
        if info is None:
            return UNKNOWN_MN, None
        if not hmac.compare_digest((pw or "").encode(), info.password.encode()):
            return WRONG_PW, info
        if not info.active:
            return INACTIVE, info
        return AUTH_OK, info
