"""Typed errors of the HJ 212 codec.

Every failure of :func:`~qingshan.standards.hj212.decode` is a
:class:`DecodeError`; every problem found by the stream
:class:`~qingshan.standards.hj212.Framer` is reported as a
:class:`FramingError` *value* in its output list (it is an exception class so
it can also be raised, but the framer never raises it). Both derive from
:class:`ProtocolError`, so ``except hj212.ProtocolError`` catches all
protocol-level problems.

Error codes (``.code``) are short snake_case strings, stable for metrics:

decode
    ``bad_header`` (no ``##`` + length digits), ``bad_length`` (length field
    not decimal, or above the mode's maximum), ``length_mismatch`` (declared
    length differs from the data segment), ``bad_trailer`` (strict: no CRLF),
    ``bad_crc`` (CRC field not 4 hex digits), ``crc_mismatch``,
    ``bad_encoding`` (strict: data segment not UTF-8), ``bad_segment``
    (no ``CP=&&…&&``, malformed header item), ``missing_field`` (ST, CN, MN,
    …), ``bad_field`` (e.g. ``Flag=x``, ``CN=20a1``, ``PNO`` > ``PNUM``),
    ``bad_datatime``.
framing
    ``garbage`` (bytes before ``##`` skipped), ``bad_length`` (no valid length
    digits after ``##``), ``frame_too_long`` (declared length or frame above
    ``max_frame``), ``bad_trailer`` (strict: no CRLF where the length says the
    frame ends), ``truncated`` (stream ended inside a frame).
"""

from __future__ import annotations

__all__ = ["ProtocolError", "DecodeError", "FramingError", "EncodeError"]


class ProtocolError(Exception):
    """Base class of all HJ 212 protocol errors."""

    code: str = "protocol_error"

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class DecodeError(ProtocolError):
    """A frame could not be decoded.

    ``crc_expected`` is the CRC computed over the received data segment (upper
    case hex), ``crc_received`` the 4 characters sent; both are ``None`` when
    the frame was too broken to locate them.
    """

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        crc_expected: str | None = None,
        crc_received: str | None = None,
    ) -> None:
        super().__init__(code, detail)
        self.crc_expected = crc_expected
        self.crc_received = crc_received


class FramingError(ProtocolError):
    """Bytes the framer had to skip; ``raw`` holds them (truncated to 256 bytes)."""

    def __init__(self, code: str, detail: str = "", raw: bytes = b"") -> None:
        super().__init__(code, detail)
        self.raw = raw[:256]

    def __repr__(self) -> str:
        return f"FramingError({self.code!r}, {self.detail!r}, raw={self.raw[:40]!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FramingError):
            return NotImplemented
        return (self.code, self.detail, self.raw) == (other.code, other.detail, other.raw)

    __hash__ = ProtocolError.__hash__


class EncodeError(ValueError):
    """A packet cannot be encoded (bad field value, too long, bad JSON shape)."""
