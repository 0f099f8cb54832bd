"""Decoded HJ 212 packet (HJ 212-2017 §6.3, Tables 2-4) and its JSON form."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from .errors import EncodeError

__all__ = ["Cp", "Packet", "packet_from_json", "format_data_time", "parse_data_time"]

#: Flag bits, HJ 212-2017 §6.3.2 Table 3: ``V5 V4 V3 V2 V1 V0 D A``
FLAG_A = 0x01  # command needs a reply (应答)
FLAG_D = 0x02  # packet carries PNUM/PNO (拆分包)


@dataclass(slots=True)
class Cp:
    """The ``CP=&&…&&`` command parameters (HJ 212-2017 §6.3.3).

    ``factors`` maps a factor code (2017 code; 2005 legacy codes are mapped)
    to its sub-fields as raw strings, e.g. ``{"Rtd": "12.3", "Flag": "N"}``;
    ``fields`` holds the non-factor fields (``QnRtn``, ``ExeRtn``,
    ``SystemTime``, ``PolId``, ``BeginTime``, …) except ``DataTime``, which is
    parsed into ``data_time`` (naive local time as sent) and kept verbatim in
    ``data_time_text``. ``raw`` is the CP text between ``CP=&&`` and ``&&``.
    """

    data_time: datetime.datetime | None = None
    factors: dict[str, dict[str, str]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    raw: str = ""
    data_time_text: str | None = None


@dataclass(slots=True)
class Packet:
    """One HJ 212 packet (data segment fields of HJ 212-2017 Table 3).

    ``version`` is ``"2017"`` when the Flag version bits are non-zero and
    ``"2005"`` when they are zero or there is no Flag (HJ/T 212-2005 uploads
    carry neither QN nor Flag). ``flag_version`` gives the raw bits (2 is used
    by HJ 212-2025 and by a surface-water variant, reference notes §1.3).
    ``deviations`` lists the tolerances the decoder applied (e.g.
    ``"length_chars"``, ``"crc_chars"``, ``"no_crlf"``), empty for a packet
    that is standard-conformant.
    """

    version: str
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int | None
    pnum: int | None
    pno: int | None
    cp: Cp
    deviations: tuple[str, ...] = ()

    @property
    def ack_requested(self) -> bool:
        """Flag bit A: the sender expects a reply (HJ 212-2017 Table 3)."""
        return self.flag is not None and bool(self.flag & FLAG_A)

    @property
    def is_split(self) -> bool:
        """The packet is one part of a split set (Flag bit D, or PNUM/PNO present)."""
        if self.flag is not None and self.flag & FLAG_D:
            return True
        return self.pnum is not None and self.pnum > 1

    @property
    def flag_version(self) -> int | None:
        """Flag bits V5..V0 (0 = HJ/T 212-2005, 1 = HJ 212-2017, 2 = 2025 / ST-specific)."""
        return None if self.flag is None else self.flag >> 2

    def to_json(self) -> dict[str, Any]:
        """The CLI JSON shape (see docs/hj212.md)."""
        cp: dict[str, Any] = {}
        c = self.cp
        if c.data_time_text is not None:
            cp["DataTime"] = c.data_time_text
        elif c.data_time is not None:
            cp["DataTime"] = format_data_time(c.data_time)
        cp.update(c.fields)
        for code, sub in c.factors.items():
            cp[code] = dict(sub)
        return {
            "version": self.version,
            "qn": self.qn,
            "st": self.st,
            "cn": self.cn,
            "pw": self.pw,
            "mn": self.mn,
            "flag": self.flag,
            "pnum": self.pnum,
            "pno": self.pno,
            "cp": cp,
        }


def format_data_time(dt: datetime.datetime) -> str:
    """``YYYYMMDDhhmmss`` (N14, HJ 212-2017 Table 4), plus ``zzz`` milliseconds if non-zero."""
    s = "%04d%02d%02d%02d%02d%02d" % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
    if dt.microsecond:
        s += "%03d" % (dt.microsecond // 1000)
    return s


_DT_CACHE: dict[str, datetime.datetime] = {}


def parse_data_time(text: str, *, strict: bool = False) -> datetime.datetime:
    """Parse a ``DataTime``-style value; raise ``ValueError`` if it is not a valid time.

    Strict: exactly 14 ASCII digits ``YYYYMMDDhhmmss`` (N14, Table 4).
    Tolerant: also 17 digits (``…zzz`` milliseconds, as sent by many devices,
    reference notes §1.4) and ISO 8601 text without a time zone.
    """
    n = len(text)
    if n == 14:
        dt = _DT_CACHE.get(text)
        if dt is not None:
            return dt
    if (n == 14 or (n == 17 and not strict)) and text.isascii() and text.isdigit():
        iso = text[:8] + "T" + text[8:14] + ("." + text[14:] if n == 17 else "")
        dt = datetime.datetime.fromisoformat(iso)
    elif strict:
        raise ValueError(f"DataTime {text[:40]!r} is not YYYYMMDDhhmmss")
    else:
        if not text.isascii() or len(text) > 40:
            raise ValueError(f"DataTime {text[:40]!r} is not a time")
        dt = datetime.datetime.fromisoformat(text.strip())
        if dt.tzinfo is not None:
            raise ValueError(f"DataTime {text!r} carries a time zone")
    if n == 14:
        if len(_DT_CACHE) > 4096:
            _DT_CACHE.clear()
        _DT_CACHE[text] = dt
    return dt



def _opt_str(d: dict, key: str) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise EncodeError(f"{key!r} must be a string")
    return str(v)


def _opt_int(d: dict, key: str) -> int | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        raise EncodeError(f"{key!r} must be an integer")
    if isinstance(v, str) and v.isascii() and v.isdigit():
        v = int(v)
    if not isinstance(v, int):
        raise EncodeError(f"{key!r} must be an integer")
    return v


def _value_str(key: str, v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or v is None:
        raise EncodeError(f"CP value {key!r} must be a string or a number")
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    raise EncodeError(f"CP value {key!r} must be a string or a number")


def packet_from_json(d: dict) -> Packet:
    """Build a :class:`Packet` from the CLI JSON shape (inverse of :meth:`Packet.to_json`).

    Extra keys of the decode output (``ok``, ``error``, ``crc_expected``,
    ``crc_received``, ``deviations``) are ignored, so ``decode | encode`` works.
    Numbers are accepted for CP values and converted with ``str``.
    Raises :class:`~qingshan.standards.hj212.EncodeError` (a ``ValueError``).
    """
    if not isinstance(d, dict):
        raise EncodeError("packet JSON must be an object")
    for key in ("st", "cn", "mn"):
        if not d.get(key):
            raise EncodeError(f"missing {key!r}")
    flag = _opt_int(d, "flag")
    qn = _opt_str(d, "qn")
    version = d.get("version")
    if version is None:
        version = "2005" if (flag is None or flag >> 2 == 0) else "2017"
    if version not in ("2005", "2017"):
        raise EncodeError("'version' must be '2017' or '2005'")
    cp_in = d.get("cp")
    if cp_in is None:
        cp_in = {}
    if not isinstance(cp_in, dict):
        raise EncodeError("'cp' must be an object")
    cp = Cp()
    for key, value in cp_in.items():
        if not isinstance(key, str) or not key:
            raise EncodeError("CP keys must be non-empty strings")
        if key == "DataTime":
            text = _value_str(key, value)
            try:
                cp.data_time = parse_data_time(text)
            except ValueError as exc:
                raise EncodeError(str(exc)) from None
            cp.data_time_text = text
        elif isinstance(value, dict):
            cp.factors[key] = {str(k): _value_str(f"{key}-{k}", v) for k, v in value.items()}
        else:
            cp.fields[key] = _value_str(key, value)
    return Packet(
        version=version,
        qn=qn,
        st=_opt_str(d, "st") or "",
        cn=_opt_str(d, "cn") or "",
        pw=_opt_str(d, "pw") or "",
        mn=_opt_str(d, "mn") or "",
        flag=flag,
        pnum=_opt_int(d, "pnum"),
        pno=_opt_int(d, "pno"),
        cp=cp,
    )
