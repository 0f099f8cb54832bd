"""Reassembly of split packets (HJ 212-2017 Table 3 PNUM/PNO, Flag bit D; App. C.48-C.50).

In the standard's history examples every part carries its **own QN** and
repeats ``DataTime``, so parts are grouped by (MN, ST, CN, DataTime, PNUM),
never by QN, and may arrive in any order (reference notes §2.4, §8.6). Each
part is still acknowledged on its own (9014 per packet when Flag bit A is set).

Pure: the caller passes the current time (e.g. ``time.monotonic()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .packet import Cp, Packet

__all__ = ["Reassembler", "merge_parts"]


def merge_parts(parts: list[Packet]) -> Packet:
    """Merge the parts of one split set (any order) into one packet.

    The result carries the first part's QN and header, ``pnum``/``pno`` set
    to ``None`` and Flag bit D cleared; factors and fields are merged in PNO
    order (a later part's value wins for the same factor field).
    """
    if not parts:
        raise ValueError("no parts to merge")
    ordered = sorted(parts, key=lambda p: p.pno or 0)
    first = ordered[0]
    factors: dict[str, dict[str, str]] = {}
    fields: dict[str, str] = {}
    deviations: list[str] = []
    for p in ordered:
        fields.update(p.cp.fields)
        for code, sub in p.cp.factors.items():
            factors.setdefault(code, {}).update(sub)
        for d in p.deviations:
            if d not in deviations:
                deviations.append(d)
    cp = Cp(
        data_time=first.cp.data_time,
        factors=factors,
        fields=fields,
        raw=";".join(p.cp.raw for p in ordered if p.cp.raw),
        data_time_text=first.cp.data_time_text,
    )
    return Packet(
        version=first.version,
        qn=first.qn,
        st=first.st,
        cn=first.cn,
        pw=first.pw,
        mn=first.mn,
        flag=None if first.flag is None else first.flag & ~0x02,
        pnum=None,
        pno=None,
        cp=cp,
        deviations=tuple(deviations),
    )


@dataclass
class _Group:
    first_seen: float
    parts: dict[int, Packet] = field(default_factory=dict)


class Reassembler:
    """Collect split packets until a set is complete.

    ``add(packet, now)`` returns the merged packet when ``packet`` completes
    its set, the packet itself when it is not split (or its PNUM/PNO are
    inconsistent, or PNUM > ``max_parts``), else ``None``.
    ``expire(now)`` drops and returns the incomplete sets older than
    ``timeout`` seconds; at most ``max_groups`` sets are kept (the oldest is
    evicted into the next ``expire`` result).
    """

    def __init__(self, *, timeout: float = 600.0, max_groups: int = 10000, max_parts: int = 1000) -> None:
        self.timeout = timeout
        self.max_groups = max_groups
        self.max_parts = max_parts
        self._groups: dict[tuple, _Group] = {}
        self._evicted: list[list[Packet]] = []

    def __len__(self) -> int:
        return len(self._groups)

    @staticmethod
    def key(packet: Packet) -> tuple:
        return (packet.mn, packet.st, packet.cn, packet.cp.data_time_text, packet.pnum)

    def add(self, packet: Packet, now: float) -> Packet | None:
        pnum, pno = packet.pnum, packet.pno
        if pnum is None or pno is None or pnum <= 1 or not 1 <= pno <= pnum or pnum > self.max_parts:
            return packet  # not split, or inconsistent PNUM/PNO (tolerant decode): pass through
        key = self.key(packet)
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= self.max_groups:
                oldest = min(self._groups, key=lambda k: self._groups[k].first_seen)
                self._evicted.append(self._sorted(self._groups.pop(oldest)))
            group = self._groups[key] = _Group(first_seen=now)
        group.parts[pno] = packet
        if len(group.parts) == pnum:
            del self._groups[key]
            return merge_parts(list(group.parts.values()))
        return None

    def expire(self, now: float) -> list[list[Packet]]:
        """Remove and return incomplete sets first seen more than ``timeout`` seconds ago."""
        out, self._evicted = self._evicted, []
        for key in [k for k, g in self._groups.items() if now - g.first_seen > self.timeout]:
            out.append(self._sorted(self._groups.pop(key)))
        return out

    @staticmethod
    def _sorted(group: _Group) -> list[Packet]:
        return [group.parts[k] for k in sorted(group.parts)]
