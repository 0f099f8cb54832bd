"""HJ 212 packet decoder (HJ 212-2017 §6.3; HJ/T 212-2005 uploads).

``decode(raw)`` takes one frame — ``##`` through the CRC and, normally, CRLF —
and returns a :class:`~qingshan.standards.hj212.packet.Packet` or raises
:class:`~qingshan.standards.hj212.errors.DecodeError`. Any ``bytes`` input
either decodes or raises a :class:`ProtocolError`; nothing else escapes.

Checks, in this order (HJ 212-2017 §6.3.1 Table 2, Appendix A):

1. header ``##`` and the decimal length field (``bad_header``, ``bad_length``);
2. declared length against the data segment (``length_mismatch``);
3. CRC field syntax and value (``bad_crc``, ``crc_mismatch``); the CRC is
   computed over the data segment **bytes** and compared case-insensitively;
4. data segment: ``CP=&&…&&`` present (``bad_segment``); ST, CN, MN present
   (``missing_field``); CN digits, Flag 0..255, PNUM/PNO digits
   (``bad_field``); ``DataTime`` a valid time (``bad_datatime``).

Modes (``strict=False`` is the default, for field devices):

===================  ===================================  =========================================
rule                 strict                               tolerant (default)
===================  ===================================  =========================================
length field         exactly 4 digits, data ≤ 1024        1-4 digits (``##453…``), up to 9999
length counts        UTF-8 bytes                          bytes, or characters (``length_chars``)
CRC                  Appendix A over bytes                also over characters (``crc_chars``)
trailer              CRLF required                        CRLF, LF or none (``no_crlf``)
header separators    ``;``, also before ``CP=``           ``;`` or ``,`` (App. C.22), ``;,`` (BOCON),
                                                          none before ``CP=`` (App. C.19)
header key case      exact (``Flag``)                     any (``FLAG``, ``flag``)
unknown header keys  ``bad_segment``                      ignored (``unknown_header_key``)
QN / Flag            required when Flag version ≥ 1,      optional
                     QN 17 digits
PNUM/PNO             present iff Flag bit D, PNO ≤ PNUM   as sent
PW                   required (may be empty)              may be missing (``no_pw``)
CP items without =   ``bad_segment`` (blank ones skipped) skipped (``cp_item_without_value``)
DataTime             14 digits                            also 17 digits (ms) and ISO text
non-UTF-8 text       ``bad_encoding``                     decoded with U+FFFD (``not_utf8``)
===================  ===================================  =========================================

Both modes accept fields in any order, empty ``PW=``, whitespace around CP
items (the standard's own App. C has ``CP=&& &&``), a trailing ``;`` before
the closing ``&&``, unknown CP fields and factor codes and ``,`` between
non-factor CP fields (App. C.23).
Log text in ``//…//`` is kept opaque (it may contain ``;``, ``,`` and ``=``).

HJ/T 212-2005 packets (Flag version bits 0 or no Flag) get ``version="2005"``
and their legacy factor codes (``011``, ``B01``, ``S01`` …) are mapped to the
2017 codes of HJ 212-2017 Tables B.1/B.2 ("原编码" column); unknown codes pass
through unchanged.
"""

from __future__ import annotations

from . import tables
from .crc import crc16, crc16_text_codepoints
from .errors import DecodeError, ProtocolError
from .packet import Cp, Packet, parse_data_time

__all__ = ["decode", "MAX_DATA_STRICT", "MAX_DATA_TOLERANT"]

#: HJ 212-2017 Table 2: data segment 0 ≤ n ≤ 1024
MAX_DATA_STRICT = 1024
#: the 4-digit length field's own limit (real packets of 1045 and 1703 exist, notes §1.7)
MAX_DATA_TOLERANT = 9999

_HEX = b"0123456789abcdefABCDEF"
_WS_BYTES = (b"\r", b"\n", b"\t", b" ", b"\x00")
_HEADER_KEYS = {"QN": "QN", "ST": "ST", "CN": "CN", "PW": "PW", "MN": "MN", "FLAG": "Flag", "PNUM": "PNUM", "PNO": "PNO"}
_HEADER_EXACT = frozenset(_HEADER_KEYS.values())


def decode(raw: bytes, *, strict: bool = False) -> Packet:
    """Decode one HJ 212 frame; raise :class:`DecodeError` if it is not valid.

    ``strict=False`` (the default) accepts the field deviations listed in the
    module documentation and records them in ``Packet.deviations``.
    """
    if not isinstance(raw, bytes):
        if isinstance(raw, (bytearray, memoryview)):
            raw = bytes(raw)
        else:
            raise TypeError("decode() needs bytes")
    try:
        return _decode(raw, strict)
    except ProtocolError:
        raise
    except Exception as exc:  # pragma: no cover - safety net; fuzz tests assert it never fires
        raise DecodeError("internal_error", f"{type(exc).__name__}: {exc}") from None


def _crc_error(code: str, detail: str, expected: int, crc_field: bytes) -> DecodeError:
    return DecodeError(code, detail, crc_expected="%04X" % expected, crc_received=crc_field.decode("ascii", "replace"))


def _decode(raw: bytes, strict: bool) -> Packet:
    deviations: list[str] = []
    if raw[:2] != b"##":
        raise DecodeError("bad_header", "frame does not start with '##'")
    # --- trailer (strict: reported after the length and CRC checks)
    end = len(raw)
    no_crlf = False
    if raw[end - 2 :] == b"\r\n" and (strict or raw[end - 3 : end - 2] not in _WS_BYTES):
        end -= 2
    else:
        body_end = len(raw.rstrip(b"\r\n\t \x00"))
        if strict or end - body_end != 2 or raw[end - 2 :] != b"\r\n":
            no_crlf = True
            if not strict:
                deviations.append("no_crlf")
        end = body_end
    # --- length field
    lf = raw[2 : min(6, end)]
    if len(lf) == 4 and lf.isdigit():
        hdr = 6
    elif strict:
        raise DecodeError("bad_length", f"length field {lf!r} is not 4 digits")
    else:
        nd = 0
        while nd < len(lf) and 48 <= lf[nd] <= 57:
            nd += 1
        if nd == 0:
            raise DecodeError("bad_length", f"no length digits after '##': {lf!r}")
        hdr = 2 + nd
        lf = lf[:nd]
        deviations.append("length_digits")
    declared = int(lf)
    if strict and declared > MAX_DATA_STRICT:
        raise DecodeError("bad_length", f"data segment length {declared} > {MAX_DATA_STRICT} (HJ 212-2017 Table 2)")
    if end < hdr + 4:
        raise DecodeError("length_mismatch", f"frame too short ({len(raw)} bytes)")
    data = raw[hdr : end - 4]
    crc_field = raw[end - 4 : end]
    expected = crc16(data)
    # --- length check
    n = len(data)
    if declared != n:
        nchars = None
        if not strict and not data.isascii():
            try:
                nchars = len(data.decode("utf-8"))
            except UnicodeDecodeError:
                nchars = None
        if nchars is not None and declared == nchars:
            deviations.append("length_chars")
        else:
            raise _crc_error("length_mismatch", f"length field says {declared}, data segment has {n} bytes", expected, crc_field)
    # --- CRC
    if len(crc_field) != 4 or crc_field.translate(None, _HEX):
        raise _crc_error("bad_crc", f"CRC field {crc_field!r} is not 4 hex digits", expected, crc_field)
    received = int(crc_field, 16)
    if received != expected:
        ok = False
        if not strict and not data.isascii():
            try:
                ok = received == crc16_text_codepoints(data.decode("utf-8"))
            except UnicodeDecodeError:
                ok = False
            if ok:
                deviations.append("crc_chars")
        if not ok:
            raise _crc_error("crc_mismatch", "CRC received %s, computed %04X" % (crc_field.decode("ascii"), expected), expected, crc_field)
    if no_crlf and strict:
        raise _crc_error("bad_trailer", "frame does not end with CRLF", expected, crc_field)
    # --- text
    if data.isascii():
        text = data.decode("ascii")
        packet = _fast_segment(data, text, strict, deviations)
        if packet is not None:
            return packet
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if strict:
                raise DecodeError("bad_encoding", "data segment is not UTF-8 (HJ 212-2017 §6.3)") from None
            text = data.decode("utf-8", "replace")
            deviations.append("not_utf8")
    return parse_segment(text, strict=strict, deviations=deviations)


def parse_segment(text: str, *, strict: bool = False, deviations: list[str] | None = None) -> Packet:
    """Parse a data segment (``QN=…;ST=…;…;CP=&&…&&``) already checked for length and CRC."""
    if deviations is None:
        deviations = []
    i = text.find("CP=&&")
    if i < 0:
        raise DecodeError("bad_segment", "no 'CP=&&' in the data segment")
    j = len(text)
    if text.endswith("&&") and j >= i + 7:
        cp_text = text[i + 5 : j - 2]
    else:
        if strict:
            raise DecodeError("bad_segment", "CP does not end with '&&'")
        tail = text.rstrip()
        if tail.endswith("&&") and len(tail) >= i + 7:
            cp_text = tail[i + 5 : -2]
        else:
            raise DecodeError("bad_segment", "CP does not end with '&&'")
    head = text[:i]

    # --- header fields (HJ 212-2017 Table 3)
    h: dict[str, str] = {}
    if strict:
        if head and not head.endswith(";"):
            raise DecodeError("bad_segment", "no ';' before 'CP='")
        if "," in head:
            raise DecodeError("bad_segment", "',' in the header fields (use ';')")
        items = head.split(";")
    else:
        if "," in head:
            items = head.replace(",", ";").split(";")
            deviations.append("header_comma")
        else:
            items = head.split(";")
        if head and head[-1] not in ";,":
            deviations.append("no_semicolon_before_cp")
    for item in items:
        if not item:
            continue
        k, sep, v = item.partition("=")
        if not sep:
            if strict or item.strip():
                if strict:
                    raise DecodeError("bad_segment", f"header item {item[:40]!r} has no '='")
                deviations.append("header_item_without_value")
            continue
        if k in _HEADER_EXACT:
            h[k] = v if strict else v.strip()
            continue
        if strict:
            raise DecodeError("bad_segment", f"unknown header field {k[:40]!r}")
        key = _HEADER_KEYS.get(k.strip().upper())
        if key is None:
            deviations.append("unknown_header_key")
            continue
        deviations.append("header_key_case")
        h[key] = v.strip()

    return _finish(h, cp_text, strict, deviations, None)


def _finish(h: dict[str, str], cp_text: str, strict: bool, deviations: list[str], cp_tokens: list[str] | None) -> Packet:
    """Validate the header fields (HJ 212-2017 Table 3), parse CP, build the packet."""
    st = h.get("ST")
    cn = h.get("CN")
    mn = h.get("MN")
    if not st:
        raise DecodeError("missing_field", "ST is missing")
    if not cn:
        raise DecodeError("missing_field", "CN is missing")
    if mn is None or (strict and not mn):
        raise DecodeError("missing_field", "MN is missing")
    if not (cn.isascii() and cn.isdigit()) or (strict and len(cn) != 4):
        raise DecodeError("bad_field", f"CN {cn[:20]!r} is not a 4-digit command code")
    pw = h.get("PW")
    if pw is None:
        if strict:
            raise DecodeError("missing_field", "PW is missing")
        pw = ""
        deviations.append("no_pw")
    qn = h.get("QN")
    flag = _int_field(h, "Flag") if "Flag" in h else None
    if flag is not None and flag > 255:
        raise DecodeError("bad_field", f"Flag {flag} is not 0..255")
    if "PNUM" in h or "PNO" in h:
        pnum = _int_field(h, "PNUM")
        pno = _int_field(h, "PNO")
    else:
        pnum = pno = None
    version = "2005" if flag is None or flag < 4 else "2017"
    if strict:
        if len(st) != 2:
            raise DecodeError("bad_field", f"ST {st[:20]!r} is not 2 characters")
        if version == "2017":
            if qn is None:
                raise DecodeError("missing_field", "QN is missing (required by HJ 212-2017 Table 3)")
        if qn is not None and not (len(qn) == 17 and qn.isascii() and qn.isdigit()):
            raise DecodeError("bad_field", f"QN {qn[:30]!r} is not YYYYMMDDhhmmsszzz")
        split = flag is not None and bool(flag & 2)
        if split and (pnum is None or pno is None):
            raise DecodeError("missing_field", "Flag bit D is set but PNUM/PNO are missing")
        if flag is not None and not split and (pnum is not None or pno is not None):
            raise DecodeError("bad_field", "PNUM/PNO present but Flag bit D is not set")
        if (pnum is None) != (pno is None):
            raise DecodeError("missing_field", "PNUM and PNO must come together")
        if pnum is not None and not (1 <= pno <= pnum):
            raise DecodeError("bad_field", f"PNO {pno} not in 1..PNUM={pnum}")
    if flag is not None and flag >> 2 >= 2:
        deviations.append("flag_version_%d" % (flag >> 2))

    if cp_tokens is None:
        cp = _parse_cp(cp_text, strict, deviations)
    else:
        cp = _parse_cp_tokens(cp_tokens, cp_text, strict, deviations)
    if version == "2005" and cp.factors:
        _map_legacy(cp)
    return Packet(version, qn, st, cn, pw, mn, flag, pnum, pno, cp, tuple(deviations))


def _int_field(h: dict[str, str], key: str) -> int | None:
    v = h.get(key)
    if v is None:
        return None
    if v.isascii() and v.isdigit() and len(v) <= 9:
        return int(v)
    raise DecodeError("bad_field", f"{key} {v[:20]!r} is not a non-negative integer")


def _split_cp_items(s: str) -> list[str]:
    """Split CP on ``;`` and ``,`` keeping ``//…//`` text opaque (HJ 212-2017 Table B.10, C.40)."""
    out: list[str] = []
    start = 0
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "/" and s.startswith("//", i):
            e = s.find("//", i + 2)
            if e < 0:
                break
            i = e + 2
            continue
        if c == ";" or c == ",":
            out.append(s[start:i])
            start = i + 1
        i += 1
    out.append(s[start:])
    return out


def _parse_cp(cp_text: str, strict: bool, deviations: list[str]) -> Cp:
    factors: dict[str, dict[str, str]] = {}
    fields: dict[str, str] = {}
    data_time_text = None
    if "//" in cp_text:
        items = _split_cp_items(cp_text)
    else:
        items = cp_text.replace(";", ",").split(",")
    spaces = " " in cp_text or "\t" in cp_text
    for kv in items:
        k, sep, v = kv.partition("=")
        if spaces:
            k = k.strip()
            if not (v.startswith("//") and v.rstrip().endswith("//")):
                v = v.strip()
        if not sep:
            if not k:
                continue
            if strict:
                raise DecodeError("bad_segment", f"CP item {kv[:40]!r} has no '='")
            deviations.append("cp_item_without_value")
            continue
        j = k.rfind("-")
        if j > 0:
            code = k[:j]
            sub = factors.get(code)
            if sub is None:
                sub = factors[code] = {}
            sub[k[j + 1 :]] = v
        elif k == "DataTime":
            data_time_text = v
        elif k:
            fields[k] = v
        else:
            if strict:
                raise DecodeError("bad_segment", f"CP item {kv[:40]!r} has an empty name")
            deviations.append("cp_item_without_name")
    data_time = None
    if data_time_text is not None:
        try:
            data_time = parse_data_time(data_time_text, strict=strict)
        except ValueError as exc:
            raise DecodeError("bad_datatime", str(exc)) from None
        if len(data_time_text) != 14:
            deviations.append("datatime_format")
    return Cp(data_time, factors, fields, cp_text, data_time_text)


def _map_legacy(cp: Cp) -> None:
    """Map HJ/T 212-2005 codes to HJ 212-2017 codes (Tables B.1/B.2 原编码 column)."""
    legacy = tables.LEGACY_TO_2017
    if not any(code in legacy for code in cp.factors):
        return
    mapped: dict[str, dict[str, str]] = {}
    for code, sub in cp.factors.items():
        new = legacy.get(code, code)
        if new in mapped:
            mapped[new].update(sub)
        else:
            mapped[new] = sub
    cp.factors = mapped


# ---------------------------------------------------------------- fast path
# For the usual well-formed ASCII packet the separators of the data segment are
# checked in C (bytes.translate): header ``k=v;`` items with exactly one '=' each
# and ';' after each, CP items ``k=v`` separated by ';' or ',' with exactly one
# '=' each, no blanks, no '/' (so no ``//…//`` text). Such a segment is then split with
# str.split only; anything else takes the general path (parse_segment). The
# property tests check both paths give the same packet.
# keep the separators, and blanks and '/' so that they break the pattern (-> general path)
_DEL3 = bytes(b for b in range(256) if b not in b";,= \t/")
_SEMI_TO_COMMA = bytes.maketrans(b";", b",")
_HEAD_ALT = [b"=;" * k for k in range(16)]
_CP_ALT = [b"=" + b",=" * k for k in range(1024)]


def _fast_segment(data: bytes, text: str, strict: bool, deviations: list[str]) -> Packet | None:
    i = data.find(b"CP=&&")
    n = len(data)
    if i < 0 or n < i + 7 or data[n - 2 :] != b"&&":
        return None
    sh = data[:i].translate(None, _DEL3)
    k = len(sh) >> 1
    if k >= 16 or sh != _HEAD_ALT[k]:
        return None
    cp_b = data[i + 5 : n - 2]
    if cp_b:
        sc = cp_b.translate(_SEMI_TO_COMMA, _DEL3)
        m = len(sc) >> 1
        if m >= 1024 or sc != _CP_ALT[m]:
            return None
    toks = text[:i].replace("=", ";").split(";")
    h = dict(zip(toks[0::2], toks[1::2]))
    if len(h) != k or not h.keys() <= _HEADER_EXACT:
        return None
    cp_text = text[i + 5 : n - 2]
    cp_tokens = cp_text.replace(";", ",").replace("=", ",").split(",") if cp_text else []
    return _finish(h, cp_text, strict, deviations, cp_tokens)


def _parse_cp_tokens(toks: list[str], cp_text: str, strict: bool, deviations: list[str]) -> Cp:
    """CP from alternating name/value tokens (fast path; same rules as :func:`_parse_cp`)."""
    factors: dict[str, dict[str, str]] = {}
    fields: dict[str, str] = {}
    data_time_text = None
    prev = None
    sub: dict[str, str] = {}
    for k, v in zip(toks[0::2], toks[1::2]):
        code, _, name = k.rpartition("-")
        if code:
            if code != prev:  # sub-fields of one factor are usually adjacent
                prev = code
                sub = factors.get(code)  # type: ignore[assignment]
                if sub is None:
                    sub = factors[code] = {}
            sub[name] = v
        elif k == "DataTime":
            data_time_text = v
        elif k:
            fields[k] = v
        else:
            if strict:
                raise DecodeError("bad_segment", "CP item with an empty name")
            deviations.append("cp_item_without_name")
    data_time = None
    if data_time_text is not None:
        try:
            data_time = parse_data_time(data_time_text, strict=strict)
        except ValueError as exc:
            raise DecodeError("bad_datatime", str(exc)) from None
        if len(data_time_text) != 14:
            deviations.append("datatime_format")
    return Cp(data_time, factors, fields, cp_text, data_time_text)
