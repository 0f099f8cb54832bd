"""Sans-IO stream framer for HJ 212 (HJ 212-2017 §6.3.1 Table 2).

Feed it whatever ``recv()`` returned; it yields complete frames
(``##`` + length + data segment + CRC + CRLF) and typed
:class:`~qingshan.standards.hj212.errors.FramingError` values for the bytes it
had to skip. It does not check the CRC or parse the data segment: pass
``frame.raw`` to :func:`~qingshan.standards.hj212.decode`.

Framing rules:

* a frame starts at ``##``; bytes before it are skipped and reported as
  ``garbage`` (whitespace-only leftovers such as a stray CRLF are dropped
  silently);
* strict mode: ``##`` + exactly 4 digits, data length ≤ 1024 (Table 2), and
  the frame must end with CRLF exactly where the length says; otherwise a
  ``bad_length`` / ``bad_trailer`` error and resynchronisation at the next ``##``;
* tolerant mode (default): 1-4 length digits, data length up to 9999; the
  frame ends at the CRLF where the length says, else at the first LF after
  the header (senders that count characters instead of UTF-8 bytes, or get
  the length wrong), else just before the next ``##`` (missing CRLF between
  packets); at :meth:`Framer.end_of_stream` a final frame without CRLF is
  yielded;
* memory is bounded: no frame may exceed ``max_frame`` bytes and the framer
  never keeps more than ``max_frame`` bytes between calls (a declared length
  of 9999 with no data cannot grow the buffer past it; a bigger declared
  length is rejected at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from .decoder import MAX_DATA_STRICT, MAX_DATA_TOLERANT
from .errors import FramingError

__all__ = ["Frame", "Framer"]

_WS = b" \t\r\n\x00"


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete frame, ``##`` through CRLF (or through the CRC when the CRLF is missing)."""

    raw: bytes


class Framer:
    """Split a byte stream into HJ 212 frames. See the module documentation."""

    __slots__ = ("max_frame", "strict", "_buf", "_max_data")

    def __init__(self, *, max_frame: int = 10240, strict: bool = False) -> None:
        if max_frame < 64:
            raise ValueError("max_frame must be at least 64 bytes")
        self.max_frame = max_frame
        self.strict = strict
        self._buf = bytearray()
        self._max_data = MAX_DATA_STRICT if strict else MAX_DATA_TOLERANT

    @property
    def buffered(self) -> int:
        """Bytes held waiting for the rest of a frame (≤ ``max_frame``)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame | FramingError]:
        """Add received bytes; return the frames and errors they complete, in stream order."""
        buf = self._buf
        if buf:
            buf += data
        else:
            # fast path: no partial frame pending, work on the chunk itself
            buf = bytearray(data)
        out: list[Frame | FramingError] = []
        pos = self._scan(buf, out)
        if pos:
            del buf[:pos]
        self._buf = buf
        return out

    def end_of_stream(self) -> list[Frame | FramingError]:
        """The connection closed: flush what is left (a final frame without CRLF in tolerant mode)."""
        buf = self._buf
        self._buf = bytearray()
        out: list[Frame | FramingError] = []
        rest = bytes(buf)
        if not rest.strip(_WS):
            return out
        if rest.startswith(b"##"):
            body = rest.rstrip(_WS)
            if not self.strict:
                nd = 0
                while nd < 4 and 2 + nd < len(body) and 48 <= body[2 + nd] <= 57:
                    nd += 1
                # complete as far as the length field can tell (bytes >= declared characters)
                if nd and len(body) >= 2 + nd + int(body[2 : 2 + nd]) + 4:
                    out.append(Frame(body))
                    return out
            out.append(FramingError("truncated", "stream ended inside a frame", rest))
        else:
            out.append(FramingError("garbage", "bytes without '##' at end of stream", rest))
        return out

    # ------------------------------------------------------------------
    def _scan(self, buf: bytearray, out: list) -> int:
        """Emit frames/errors from ``buf``; return how many leading bytes are consumed."""
        strict = self.strict
        max_frame = self.max_frame
        max_data = self._max_data
        n = len(buf)
        pos = 0
        find = buf.find
        while True:
            start = find(b"##", pos)
            if start < 0:
                # keep a trailing '#' (maybe the first half of '##')
                end = n - 1 if n and buf[n - 1] == 35 else n
                if end > pos:
                    self._garbage(buf, pos, end, out)
                    pos = end
                return pos
            if start > pos:
                self._garbage(buf, pos, start, out)
                pos = start
            avail = n - start
            # ---- length field
            if avail < 6:
                if not self._digits_prefix_ok(buf, start + 2, n):
                    out.append(FramingError("bad_length", "no length digits after '##'", bytes(buf[start : start + 3])))
                    pos = start + 1
                    continue
                return pos  # wait for more
            lf = buf[start + 2 : start + 6]
            if lf.isdigit():
                hdr = 6
                length = int(lf)
            else:
                nd = 0
                while nd < 4 and 48 <= lf[nd] <= 57:
                    nd += 1
                if strict or nd == 0:
                    out.append(
                        FramingError("bad_length", f"length field {bytes(lf)!r} is not 4 digits", bytes(buf[start : start + 6]))
                    )
                    pos = start + 1
                    continue
                hdr = 2 + nd
                length = int(lf[:nd])
            total = hdr + length + 6
            if length > max_data or total > max_frame:
                out.append(
                    FramingError(
                        "frame_too_long",
                        f"declared data length {length} exceeds the limit ({min(max_data, max_frame - hdr - 6)})",
                        bytes(buf[start : start + hdr]),
                    )
                )
                pos = start + 1
                continue
            end = start + total
            if n >= end and buf[end - 2 : end] == b"\r\n":
                out.append(Frame(bytes(buf[start:end])))
                pos = end
                continue
            if strict:
                if n < end:
                    return pos  # wait for the declared length
                nxt = find(b"##", start + 2)
                stop = nxt if nxt >= 0 else n
                out.append(FramingError("bad_trailer", "no CRLF where the length field says the frame ends", bytes(buf[start:stop])))
                pos = start + 1 if nxt < 0 else nxt
                continue
            # ---- tolerant: the frame ends at the first LF, or before the next '##'
            lf_at = find(b"\n", start + hdr)
            nxt = find(b"##", start + 2)
            if lf_at >= 0 and (nxt < 0 or lf_at < nxt):
                if lf_at + 1 - start > max_frame:
                    out.append(FramingError("frame_too_long", "no CRLF within max_frame bytes", bytes(buf[start:lf_at + 1])))
                else:
                    out.append(Frame(bytes(buf[start : lf_at + 1])))
                pos = lf_at + 1
                continue
            if nxt >= 0:
                body = bytes(buf[start:nxt])
                if len(body.rstrip(_WS)) >= hdr + 4 + 1:
                    out.append(Frame(body.rstrip(_WS)))
                else:
                    out.append(FramingError("truncated", "frame cut short by the next '##'", body))
                pos = nxt
                continue
            if avail >= max_frame:
                out.append(FramingError("frame_too_long", f"no frame end within {max_frame} bytes", bytes(buf[start : start + 256])))
                pos = start + 1
                continue
            return pos  # wait for more data

    @staticmethod
    def _digits_prefix_ok(buf: bytearray, i: int, n: int) -> bool:
        while i < n:
            if not 48 <= buf[i] <= 57:
                return False
            i += 1
        return True

    @staticmethod
    def _garbage(buf: bytearray, a: int, b: int, out: list) -> None:
        chunk = bytes(buf[a:b])
        if chunk.strip(_WS):
            out.append(FramingError("garbage", f"{b - a} bytes before '##' skipped", chunk))
