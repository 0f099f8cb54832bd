"""Decoded HJ 212 packets → measurements (used by the ingest server, imports and tests)."""

from __future__ import annotations

import datetime
import math
import zoneinfo

from django.utils import timezone

from .store import Measurement

#: data command → kind of value
CN_KINDS = {"2011": "rtd", "2051": "min", "2061": "hour", "2031": "day"}


def _number(text) -> float | None:
    if text is None:
        return None
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _tz(tz):
    if tz is None:
        return timezone.get_default_timezone()
    if isinstance(tz, str):
        return zoneinfo.ZoneInfo(tz)
    return tz


def aware(dt: datetime.datetime, tz=None) -> datetime.datetime:
    """A logger's naive local DataTime made timezone-aware (milliseconds dropped)."""
    dt = dt.replace(microsecond=0)
    if dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=_tz(tz))


def packet_measurements(packet, logger_id: int, tz=None, *, source: str = "hj212") -> list[Measurement]:
    """The measurements carried by one decoded data packet.

    CN 2011 → ``rtd`` (Rtd, ZsRtd), 2051 → ``min``, 2061 → ``hour``, 2031 → ``day``
    (Avg, Min, Max, Cou, ZsAvg). Other commands, and data packets without a
    DataTime, carry no measurements (``[]``). A number that does not parse is
    stored as ``None`` with its flag kept, so the hour still counts as received
    (and as invalid). ``tz`` is the loggers' local time zone (default: the
    deployment's ``TIME_ZONE``).
    """
    kind = CN_KINDS.get(str(packet.cn))
    cp = packet.cp
    if kind is None or cp is None or cp.data_time is None:
        return []
    when = aware(cp.data_time, tz)
    main, zs_key = ("Rtd", "ZsRtd") if kind == "rtd" else ("Avg", "ZsAvg")
    out = []
    for code, fields in (cp.factors or {}).items():
        if not code:
            continue
        flag = (fields.get("Flag") or "N").strip()[:4] or "N"
        out.append(Measurement(
            logger_id=logger_id, factor=code[:20], kind=kind, time=when,
            value=_number(fields.get(main)),
            min=_number(fields.get("Min")) if kind != "rtd" else None,
            max=_number(fields.get("Max")) if kind != "rtd" else None,
            cou=_number(fields.get("Cou")),
            flag=flag, zs=_number(fields.get(zs_key)), source=source,
        ))
    return out
