"""HJ 212-2017 / HJ/T 212-2005 data transmission protocol: a sans-IO codec.

No sockets, no Django, no threads (like h11): the caller owns the connection.

    from qingshan.standards import hj212

    framer = hj212.Framer()                      # one per TCP connection
    for item in framer.feed(chunk):              # any chunking
        if isinstance(item, hj212.FramingError):
            ...                                  # count / log item.code
            continue
        try:
            packet = hj212.decode(item.raw)      # tolerant by default
        except hj212.DecodeError as exc:         # exc.code: "crc_mismatch", …
            ...
            continue
        if packet.ack_requested:
            send(hj212.data_response(packet))    # 9014, ST=91, same QN

See docs/hj212.md for the modes, error codes and the CLI.
"""

from __future__ import annotations

from . import tables
from .crc import crc16, crc16_hex, crc16_reference
from .decoder import MAX_DATA_STRICT, MAX_DATA_TOLERANT, decode, parse_segment
from .encoder import (
    data_response,
    encode,
    encode_segment,
    execution_result,
    frame_segment,
    notification_response,
    request_response,
)
from .errors import DecodeError, EncodeError, FramingError, ProtocolError
from .framer import Frame, Framer
from .packet import Cp, Packet, format_data_time, packet_from_json, parse_data_time
from .reassembly import Reassembler, merge_parts

#: CN codes carrying monitoring data (HJ 212-2017 Table 9)
CN_REALTIME = "2011"
CN_MINUTE = "2051"
CN_HOURLY = "2061"
CN_DAILY = "2031"

__all__ = [
    "CN_DAILY",
    "CN_HOURLY",
    "CN_MINUTE",
    "CN_REALTIME",
    "Cp",
    "DecodeError",
    "EncodeError",
    "Frame",
    "Framer",
    "FramingError",
    "MAX_DATA_STRICT",
    "MAX_DATA_TOLERANT",
    "Packet",
    "ProtocolError",
    "Reassembler",
    "crc16",
    "crc16_hex",
    "crc16_reference",
    "data_response",
    "decode",
    "encode",
    "encode_segment",
    "execution_result",
    "format_data_time",
    "frame_segment",
    "merge_parts",
    "notification_response",
    "packet_from_json",
    "parse_data_time",
    "parse_segment",
    "request_response",
    "tables",
]
