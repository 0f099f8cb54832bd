"""HJ 212 encoder and reply builders (HJ 212-2017 §6.3, Appendix A, Appendix C).

``encode(packet)`` writes ``##`` + 4-digit length (UTF-8 bytes of the data
segment) + data segment + CRC (Appendix A over the bytes, upper-case hex) +
CRLF. The data segment is written in the order of the standard's examples:
``QN;ST;CN;PW;MN;Flag;[PNUM;PNO;]CP=&&DataTime;<fields>;<factors>&&`` where
each factor is ``code-Key=value`` joined by ``,`` and factors by ``;``
(HJ 212-2017 §6.3.3). Absent QN/Flag/PNUM/PNO are omitted (HJ/T 212-2005
uploads). For ``version == "2005"`` packets, 2017 factor codes that have an
HJ/T 212-2005 code are written with it (inverse of the decoder's mapping).

Replies (HJ 212-2017 Appendix C, reference notes §2.4 and §8.5): ``ST=91``;
the request's QN, PW and MN; Flag = the request's version bits with A=0 and
D=0 (``Flag=4`` for 2017); CP empty for 9013/9014, ``QnRtn=`` for 9011,
``ExeRtn=`` for 9012. For HJ/T 212-2005 requests the QN is put inside CP
(``CP=&&QN=…;QnRtn=1&&``) — configurable in ``data/protocol.json``, UNVERIFIED.
"""

from __future__ import annotations

import re

from . import tables
from .crc import crc16
from .errors import EncodeError
from .packet import Cp, Packet, format_data_time

__all__ = [
    "encode",
    "encode_segment",
    "frame_segment",
    "data_response",
    "request_response",
    "execution_result",
    "notification_response",
]

_BAD_HEADER = re.compile(r"[;,=&\r\n]")
_BAD_CP = re.compile(r"[;,=\r\n]|&&")
_BAD_TEXT = re.compile(r"//|&&|[\r\n]")
_BAD_KEY = re.compile(r"[;,=&\r\n]")


def _check_header(name: str, value: str) -> str:
    m = _BAD_HEADER.search(value)
    if m:
        raise EncodeError(f"{name} value {value[:40]!r} contains {m.group()!r}")
    return value


def _check_cp(name: str, value: str) -> str:
    m = _BAD_CP.search(value)
    if m is None:
        return value
    if value.startswith("//") and value.endswith("//") and len(value) >= 4:
        if _BAD_TEXT.search(value, 2, len(value) - 2):
            raise EncodeError(f"text value of {name} contains '//', '&&' or a line break")
        return value
    raise EncodeError(f"CP value of {name} {value[:40]!r} contains {m.group()!r} (wrap text in //…//)")


def _check_key(name: str) -> str:
    if not name or _BAD_KEY.search(name):
        raise EncodeError(f"bad CP key {name[:40]!r}")
    return name


def encode_cp(cp: Cp, *, legacy: bool = False) -> str:
    """CP text (between ``CP=&&`` and ``&&``)."""
    parts: list[str] = []
    if cp.data_time_text is not None:
        parts.append("DataTime=" + _check_cp("DataTime", cp.data_time_text))
    elif cp.data_time is not None:
        parts.append("DataTime=" + format_data_time(cp.data_time))
    for k, v in cp.fields.items():
        parts.append(f"{_check_key(k)}={_check_cp(k, v)}")
    to_legacy = tables.CODE_2017_TO_LEGACY if legacy else None
    for code, sub in cp.factors.items():
        _check_key(code)
        wire = to_legacy.get(code, code) if to_legacy else code
        parts.append(",".join(f"{wire}-{_check_key(k)}={_check_cp(wire + '-' + k, v)}" for k, v in sub.items()))
    return ";".join(p for p in parts if p)


def encode_segment(packet: Packet) -> str:
    """The data segment text ``QN=…;…;CP=&&…&&`` of ``packet``."""
    p = packet
    if not p.st or not p.cn or not p.mn:
        raise EncodeError("ST, CN and MN are required")
    head: list[str] = []
    if p.qn is not None:
        head.append("QN=" + _check_header("QN", p.qn))
    head.append("ST=" + _check_header("ST", p.st))
    head.append("CN=" + _check_header("CN", p.cn))
    head.append("PW=" + _check_header("PW", p.pw or ""))
    head.append("MN=" + _check_header("MN", p.mn))
    if p.flag is not None:
        if not 0 <= p.flag <= 255:
            raise EncodeError(f"Flag {p.flag} is not 0..255")
        head.append(f"Flag={p.flag}")
    if p.pnum is not None:
        head.append(f"PNUM={int(p.pnum)}")
    if p.pno is not None:
        head.append(f"PNO={int(p.pno)}")
    cp = encode_cp(p.cp, legacy=p.version == "2005")
    return ";".join(head) + ";CP=&&" + cp + "&&"


def frame_segment(segment: str | bytes) -> bytes:
    """Wrap a data segment: ``##`` + 4-digit byte length + segment + CRC + CRLF."""
    data = segment.encode("utf-8") if isinstance(segment, str) else bytes(segment)
    if len(data) > 9999:
        raise EncodeError(f"data segment of {len(data)} bytes does not fit the 4-digit length field")
    return b"##%04d%s%04X\r\n" % (len(data), data, crc16(data))


def encode(packet: Packet) -> bytes:
    """Full packet bytes (``##``, length, data segment, CRC, CRLF) for ``packet``."""
    return frame_segment(encode_segment(packet))


# ---------------------------------------------------------------- replies
def _reply(request: Packet, cn: str, cp_items: str) -> bytes:
    """Build a reply segment directly (hot path: one 9014 per upload with Flag A=1)."""
    proto = tables.PROTOCOL
    if request.flag is not None:
        flag = request.flag & ~0x03 if proto.get("reply_keeps_version_bits", True) else 4
    elif request.version == "2005":
        flag = proto.get("reply_2005_flag_without_request_flag", 0)
    else:
        flag = 4
    qn, pw, mn = request.qn, request.pw or "", request.mn
    if not mn:
        raise EncodeError("MN is required")
    m = _BAD_HEADER.search(f"{qn or ''}{pw}{mn}")
    if m:
        raise EncodeError(f"QN/PW/MN of the request contain {m.group()!r}")
    if request.version == "2005" and proto.get("reply_2005_qn_in_cp", True):
        if qn is not None:
            cp_items = f"QN={qn};{cp_items}" if cp_items else f"QN={qn}"
        qn = None
    st = proto.get("reply_st", "91")
    head = "" if qn is None else f"QN={qn};"
    flag_part = "" if flag is None else f"Flag={flag};"
    return frame_segment(f"{head}ST={st};CN={cn};PW={pw};MN={mn};{flag_part}CP=&&{cp_items}&&")


def data_response(packet: Packet) -> bytes:
    """9014 数据应答 to an upload with Flag bit A set (HJ 212-2017 App. C.14 …)."""
    return _reply(packet, "9014", "")


def request_response(packet: Packet, qn_rtn: int = 1) -> bytes:
    """9011 请求应答 with ``QnRtn`` (HJ 212-2017 Table 7, App. C.1)."""
    return _reply(packet, "9011", "QnRtn=%d" % int(qn_rtn))


def execution_result(packet: Packet, exe_rtn: int = 1) -> bytes:
    """9012 执行结果 with ``ExeRtn`` (HJ 212-2017 Table 6, App. C.1)."""
    return _reply(packet, "9012", "ExeRtn=%d" % int(exe_rtn))


def notification_response(packet: Packet) -> bytes:
    """9013 通知应答 (HJ 212-2017 App. C.4, C.11, C.13)."""
    return _reply(packet, "9013", "")
