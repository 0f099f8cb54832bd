"""What a simulated logger reports: values, data flags, episodes, and the packets.

Values are deterministic from the MN, the hour and the seed, so the
real-time, minute, hourly and daily packets of one logger agree with each
other (the hourly average is what the real-time values scatter around) and
a restarted simulator tells the same story. Episodes, drawn per logger and
hour:

* **exceedance** — one pollutant at 1.1–2.5 × its permit limit for 1–3 hours;
* **flat line** — one factor stuck at one value for 6–9 hours;
* **zero** — one pollutant reading 0 for 6–8 hours;
* **offline** — the logger is silent for 1–4 hours, then reconnects and
  backfills (补传) the hourly data it missed;
* **maintenance** — one hour flagged ``M`` (invalid data, never an alarm).

Packets are built with the codec (:func:`qingshan.standards.hj212.encode`).
"""

from __future__ import annotations

import datetime
import math
import random
import zlib
from dataclasses import dataclass

from qingshan.standards import hj212

from .loggers import LoggerSpec
from .profiles import profile

KIND_CN = {"rtd": "2011", "min": "2051", "hour": "2061", "day": "2031"}
MAX_EPISODE_HOURS = 9


@dataclass(frozen=True)
class Probabilities:
    """Per logger and hour (each episode starts with this probability)."""

    exceed: float = 0.02
    flatline: float = 0.003
    zero: float = 0.002
    offline: float = 0.003
    maintenance: float = 0.005
    bad_crc: float = 0.002  # per packet


@dataclass
class Episode:
    exceed: tuple[str, float] | None = None  # factor, multiple of the limit
    flat: tuple[str, float] | None = None  # factor, stuck value
    zero: str | None = None
    offline: bool = False
    maintenance: bool = False


def _rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def hour_index(dt: datetime.datetime) -> int:
    """Hours since the epoch of a naive local time (stable key of an hour)."""
    return int((dt - datetime.datetime(2000, 1, 1)).total_seconds() // 3600)


class SimLogger:
    """Value model and packet builder of one simulated logger."""

    def __init__(self, spec: LoggerSpec, seed: int = 0, probs: Probabilities | None = None):
        self.spec = spec
        self.seed = seed
        self.probs = probs or Probabilities()
        base = _rng(seed, spec.mn, "base")
        self.level: dict[str, float] = {}
        for code in spec.factors:
            p = profile(code)
            limit = spec.limits.get(code)
            if limit and p.pollutant:
                self.level[code] = limit * base.uniform(0.25, 0.65)
            else:
                self.level[code] = p.typical * base.uniform(0.8, 1.2)
        self.pollutants = [c for c in spec.factors if profile(c).pollutant]
        self.limited = [c for c in self.pollutants if spec.limits.get(c)] or self.pollutants
        self._episodes: dict[int, Episode] = {}
        self._qn_last = ""
        self._qn_seq = 0

    # -- episodes ---------------------------------------------------------------
    def episode(self, hour: int) -> Episode:
        ep = self._episodes.get(hour)
        if ep is not None:
            return ep
        ep = Episode()
        p = self.probs
        for start in range(hour - MAX_EPISODE_HOURS, hour + 1):
            r = _rng(self.seed, self.spec.mn, start, "episode")
            x = r.random()
            if x < p.exceed and self.limited:
                if start + r.randint(1, 3) > hour and ep.exceed is None:
                    ep.exceed = (r.choice(self.limited), r.uniform(1.1, 2.5))
            elif (x := x - p.exceed) < p.flatline and self.spec.factors:
                if start + r.randint(6, 9) > hour and ep.flat is None:
                    code = r.choice(self.pollutants or self.spec.factors)
                    ep.flat = (code, round(self._mean(code, start), profile(code).decimals))
            elif (x := x - p.flatline) < p.zero and self.pollutants:
                if start + r.randint(6, 8) > hour and ep.zero is None:
                    ep.zero = r.choice(self.pollutants)
            elif (x := x - p.zero) < p.offline:
                if start + r.randint(1, 4) > hour:
                    ep.offline = True
            elif x - p.offline < p.maintenance and start == hour:
                ep.maintenance = True
        if len(self._episodes) > 64:
            self._episodes.clear()
        self._episodes[hour] = ep
        return ep

    # -- values -----------------------------------------------------------------
    def _mean(self, code: str, hour: int) -> float:
        """Hourly mean without episodes: level × daily cycle × slow noise."""
        prof = profile(code)
        local_hour = hour % 24
        cycle = 1 + 0.12 * math.sin((local_hour - 9) / 24 * 2 * math.pi) if prof.pollutant or prof.cumulative else 1
        noise = _rng(self.seed, self.spec.mn, code, hour).gauss(0, prof.noise / 2)
        return min(prof.high, max(prof.low, self.level[code] * cycle * (1 + noise)))

    def hour_values(self, hour: int) -> dict[str, tuple[float, str]]:
        """``{factor: (hourly mean, flag)}`` including the hour's episodes."""
        ep = self.episode(hour)
        out = {}
        for code in self.spec.factors:
            value = self._mean(code, hour)
            if ep.exceed and ep.exceed[0] == code:
                value = self.spec.limits.get(code, self.level[code] * 3) * ep.exceed[1]
            if ep.flat and ep.flat[0] == code:
                value = ep.flat[1]
            if ep.zero == code:
                value = 0.0
            out[code] = (value, "M" if ep.maintenance else "N")
        return out

    def _fmt(self, code: str, value: float) -> str:
        return f"{value:.{profile(code).decimals}f}"

    def rtd_factors(self, when: datetime.datetime, r: random.Random) -> dict[str, dict[str, str]]:
        hour = hour_index(when)
        ep = self.episode(hour)
        factors = {}
        for code, (mean, flag) in self.hour_values(hour).items():
            prof = profile(code)
            stuck = (ep.flat and ep.flat[0] == code) or ep.zero == code
            value = mean if stuck else max(prof.low, mean * (1 + r.gauss(0, prof.noise)))
            f = {"Rtd": self._fmt(code, value)}
            if code in self.spec.limits and code.startswith("a2") and not stuck:
                f["ZsRtd"] = self._fmt(code, value * 1.08)
            f["Flag"] = flag
            factors[code] = f
        return factors

    def period_factors(self, kind: str, start: datetime.datetime, r: random.Random) -> dict[str, dict[str, str]]:
        """Minute (10-min), hourly or daily values: Avg/Min/Max (+Cou for flow)."""
        if kind == "day":
            hours = [hour_index(start) + h for h in range(24)]
            per_hour = [self.hour_values(h) for h in hours]
            means = {c: (sum(v[c][0] for v in per_hour) / 24, "N" if all(v[c][1] == "N" for v in per_hour) else "D")
                     for c in self.spec.factors}
            seconds = 86400
        else:
            means = self.hour_values(hour_index(start))
            seconds = 600 if kind == "min" else 3600
        ep = self.episode(hour_index(start))
        factors = {}
        for code, (mean, flag) in means.items():
            prof = profile(code)
            stuck = (ep.flat and ep.flat[0] == code) or ep.zero == code
            avg = mean if stuck or kind != "min" else max(prof.low, mean * (1 + r.gauss(0, prof.noise / 3)))
            spread = 0 if stuck else prof.noise * 1.5
            f = {"Min": self._fmt(code, avg * (1 - spread)), "Avg": self._fmt(code, avg),
                 "Max": self._fmt(code, avg * (1 + spread))}
            if prof.cumulative:
                volume = avg * seconds / (1000 if code.startswith("w") else 1)
                f["Cou"] = f"{volume:.1f}"
            elif code in self.spec.limits:
                flow = self.level.get("a00000" if code.startswith("a") else "w00000") or 0
                f["Cou"] = f"{avg * flow * seconds / (1e6 if code.startswith('a') else 1e3) / 1000:.4f}"  # kg
            f["Flag"] = flag
            factors[code] = f
        return factors

    # -- packets ------------------------------------------------------------------
    def next_qn(self, now: datetime.datetime) -> str:
        qn = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
        if qn <= self._qn_last:  # strictly increasing per logger
            self._qn_seq += 1
            base = datetime.datetime.strptime(self._qn_last[:14], "%Y%m%d%H%M%S")
            ms = int(self._qn_last[14:]) + 1
            if ms >= 1000:
                base, ms = base + datetime.timedelta(seconds=1), 0
            qn = base.strftime("%Y%m%d%H%M%S") + f"{ms:03d}"
        self._qn_last = qn
        return qn

    def packet(self, cn: str, data_time: datetime.datetime | None, factors: dict, *, qn: str | None,
               ack: bool = True, fields: dict | None = None) -> hj212.Packet:
        spec = self.spec
        if spec.protocol == "2005":
            qn, flag = None, None
        else:
            flag = 5 if ack else 4
        cp = hj212.Cp(data_time=data_time, factors=factors, fields=dict(fields or {}), raw="")
        return hj212.Packet(version="2005" if spec.protocol == "2005" else "2017", qn=qn, st=spec.st, cn=cn,
                            pw=spec.password, mn=spec.mn, flag=flag, pnum=None, pno=None, cp=cp)

    def encode(self, packet: hj212.Packet, *, corrupt_crc: bool = False) -> bytes:
        raw = hj212.encode(packet)
        if corrupt_crc:
            raw = corrupt(raw)
        return raw

    def fast_rtd(self, when: datetime.datetime, qn: str, r: random.Random, *, ack: bool = True) -> bytes:
        """A real-time packet built from pre-rendered value sets (load mode: little CPU per packet).

        The value sets are rendered once by the codec's encoder; only QN and
        DataTime change per packet, and the codec frames the segment (length, CRC).
        """
        variants = self.__dict__.get("_rtd_variants")
        if variants is None:
            variants = []
            head = None
            for k in range(4):
                at = when + datetime.timedelta(seconds=30 * k)
                seg = hj212.encode_segment(self.packet("2011", at, self.rtd_factors(at, r), qn=qn, ack=ack))
                i = seg.index("CP=&&") + 5
                cp = seg[i:-2]
                dt_end = cp.index(";") + 1 if cp.startswith("DataTime=") else 0
                head = seg[:i]
                variants.append(cp[dt_end:])
            self._rtd_head = head[head.index(";") + 1:] if head.startswith("QN=") else head
            self._rtd_variants = variants
        body = variants[int(r.random() * len(variants))]
        dt = "%04d%02d%02d%02d%02d%02d" % (when.year, when.month, when.day, when.hour, when.minute, when.second)
        if self.spec.protocol == "2005":
            return hj212.frame_segment(f"{self._rtd_head}DataTime={dt};{body}&&")
        return hj212.frame_segment(f"QN={qn};{self._rtd_head}DataTime={dt};{body}&&")

    def data_packet(self, kind: str, when: datetime.datetime, now: datetime.datetime, r: random.Random,
                    *, ack: bool = True) -> hj212.Packet:
        factors = self.rtd_factors(when, r) if kind == "rtd" else self.period_factors(kind, when, r)
        return self.packet(KIND_CN[kind], when, factors, qn=self.next_qn(now), ack=ack)


def corrupt(raw: bytes) -> bytes:
    """The same packet with a wrong CRC (a transmission error)."""
    end = len(raw) - 2 if raw.endswith(b"\r\n") else len(raw)
    crc = raw[end - 4:end]
    try:
        wrong = f"{int(crc, 16) ^ 0x0101:04X}".encode()
    except ValueError:
        wrong = b"0000"
    return raw[:end - 4] + wrong + raw[end:]
