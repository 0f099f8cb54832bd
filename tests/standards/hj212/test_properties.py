"""Property-based tests: chunking invariance, fuzzing, encode/decode round trip."""

import datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qingshan.standards import hj212
from qingshan.standards.hj212 import decoder as decode_mod

from .vectors import VECTORS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = [(body + "\r\n").encode() for vid, body, crlf, crc, tolerant, strict in VECTORS if tolerant is None]
STRICT_VALID = [(body + "\r\n").encode() for vid, body, crlf, crc, tolerant, strict in VECTORS if strict is None]

# ------------------------------------------------------------------ strategies
ALNUM = "0123456789ABCDEFabcdef"
VALUE_CHARS = "0123456789.-+ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:"
NAME = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
CODE = st.text("abcdefgw0123456789", min_size=2, max_size=7).filter(lambda s: s not in hj212.tables.LEGACY_TO_2017)
VALUE = st.text(VALUE_CHARS, max_size=12)
DT = st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31)).map(lambda d: d.replace(microsecond=0))


@st.composite
def packets(draw):
    split = draw(st.booleans())
    flag = draw(st.sampled_from([6, 7] if split else [4, 5]))
    pnum = draw(st.integers(1, 99)) if split else None
    pno = draw(st.integers(1, pnum)) if split else None
    fields = draw(st.dictionaries(NAME.filter(lambda k: k != "DataTime"), VALUE, max_size=3))
    factors = draw(st.dictionaries(CODE, st.dictionaries(NAME, VALUE, min_size=1, max_size=3), max_size=5))
    # the JSON form keeps fields and factors in one "cp" object: a field named like a factor code cannot round-trip
    fields = {k: v for k, v in fields.items() if k not in factors}
    dt = draw(st.one_of(st.none(), DT))
    cp = hj212.Cp(data_time=dt, factors=factors, fields=fields, data_time_text=None if dt is None else hj212.format_data_time(dt))
    return hj212.Packet(
        version="2017",
        qn=draw(st.text("0123456789", min_size=17, max_size=17)),
        st=draw(st.text(ALNUM, min_size=2, max_size=2)),
        cn=draw(st.text("0123456789", min_size=4, max_size=4)),
        pw=draw(st.text(ALNUM, max_size=6)),
        mn=draw(st.text(ALNUM, min_size=1, max_size=24)),
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=cp,
    )


def _same(a: hj212.Packet, b: hj212.Packet) -> bool:
    return (
        a.to_json() == b.to_json()
        and a.cp.data_time == b.cp.data_time
        and list(a.cp.factors) == list(b.cp.factors)
    )


def _chunk(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, prev = [], 0
    for p in points + [len(data)]:
        out.append(data[prev:p])
        prev = p
    return out


def _frames(chunks, **kw):
    f = hj212.Framer(**kw)
    out = []
    for c in chunks:
        out += f.feed(c)
        assert f.buffered <= f.max_frame
    out += f.end_of_stream()
    return out


# ------------------------------------------------------------------ properties
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(packets())
def test_round_trip_encode_decode(p):
    raw = hj212.encode(p)
    back = hj212.decode(raw, strict=True)
    assert back.deviations == ()
    assert _same(back, p)
    assert hj212.encode(back) == raw
    assert _same(hj212.packet_from_json(back.to_json()), p)
    # the fast path (used here) and the general parser agree
    general = hj212.parse_segment(raw[6:-6].decode(), strict=True)
    assert general.to_json() == back.to_json() and general.deviations == back.deviations


@HEAVY
@given(st.lists(st.sampled_from(STRICT_VALID), min_size=1, max_size=8), st.lists(st.integers(0, 10**6), max_size=30), st.booleans())
def test_random_chunking_yields_the_same_packets(stream_packets, cuts, strict):
    stream = b"".join(stream_packets)
    items = _frames(_chunk(stream, cuts), strict=strict)
    assert [i.raw for i in items] == stream_packets  # no errors, same frames, same order
    decoded = [hj212.decode(i.raw, strict=strict).to_json() for i in items]
    assert decoded == [hj212.decode(p, strict=strict).to_json() for p in stream_packets]


@HEAVY
@given(
    st.lists(st.one_of(st.sampled_from(VALID), st.binary(max_size=40).filter(lambda b: b"#" not in b and b"\n" not in b)), min_size=1, max_size=8),
    st.lists(st.integers(0, 10**6), max_size=30),
)
def test_chunking_invariance_with_garbage(parts, cuts):
    stream = b"".join(parts)
    whole = [i.raw for i in _frames([stream]) if isinstance(i, hj212.Frame)]
    chunked = [i.raw for i in _frames(_chunk(stream, cuts)) if isinstance(i, hj212.Frame)]
    assert chunked == whole
    assert whole == [p for p in parts if p in VALID]


@SETTINGS
@given(st.binary(max_size=600), st.booleans())
def test_fuzz_decode_never_crashes(data, strict):
    for raw in (data, b"##" + data, b"##%04d" % len(data) + data + b"1C80\r\n"):
        try:
            p = decode_mod._decode(raw, strict)  # without the safety net
        except hj212.ProtocolError as exc:
            assert exc.code and exc.code != "internal_error"
        else:
            assert isinstance(p, hj212.Packet)


@HEAVY
@given(st.sampled_from(VALID), st.data())
def test_fuzz_mutated_packets(raw, data):
    ops = data.draw(st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete"]), st.integers(0, 2000), st.integers(0, 255)), min_size=1, max_size=4))
    b = bytearray(raw)
    for op, pos, val in ops:
        pos %= len(b) + 1
        if op == "flip" and pos < len(b):
            b[pos] = val
        elif op == "insert":
            b[pos:pos] = bytes([val])
        elif op == "delete" and pos < len(b):
            del b[pos]
    for strict in (False, True):
        try:
            decode_mod._decode(bytes(b), strict)
        except hj212.ProtocolError as exc:
            assert exc.code != "internal_error"
    items = _frames([bytes(b)])
    assert all(isinstance(i, (hj212.Frame, hj212.FramingError)) for i in items)


@SETTINGS
@given(st.sampled_from(STRICT_VALID), st.data())
def test_single_byte_change_in_data_segment_is_rejected(raw, data):
    # length field + data segment: 2 .. len-6 (the CRC hex case may change harmlessly)
    pos = data.draw(st.integers(2, len(raw) - 7))
    val = data.draw(st.integers(0, 255).filter(lambda v: v != raw[pos]))
    bad = raw[:pos] + bytes([val]) + raw[pos + 1 :]
    try:
        hj212.decode(bad, strict=True)
    except hj212.DecodeError:
        return
    raise AssertionError(f"accepted {bad!r}")


@SETTINGS
@given(st.binary(max_size=3000), st.lists(st.integers(0, 10**6), max_size=20), st.booleans(), st.integers(64, 4096))
def test_fuzz_framer_bounded(data, cuts, strict, max_frame):
    f = hj212.Framer(max_frame=max_frame, strict=strict)
    for c in _chunk(data, cuts):
        for item in f.feed(c):
            assert isinstance(item, (hj212.Frame, hj212.FramingError))
            if isinstance(item, hj212.Frame):
                assert item.raw.startswith(b"##") and len(item.raw) <= max_frame
            else:
                assert len(item.raw) <= 256
        assert f.buffered <= max_frame
    f.end_of_stream()
    assert f.buffered == 0


@SETTINGS
@given(st.binary(min_size=0, max_size=200))
def test_fuzz_data_segment_with_valid_frame(segment):
    # a correctly framed segment with a correct CRC exercises the segment parser
    raw = b"##%04d" % len(segment) + segment + hj212.crc16_hex(segment).encode() + b"\r\n"
    for strict in (False, True):
        try:
            decode_mod._decode(raw, strict)
        except hj212.ProtocolError as exc:
            assert exc.code != "internal_error"


@SETTINGS
@given(st.text(max_size=200))
def test_fuzz_segment_text(text):
    seg = "QN=20160801085857223;ST=32;CN=2011;PW=1;MN=M;Flag=4;CP=&&" + text + "&&"
    assume("\r" not in seg and "\n" not in seg)
    raw = hj212.frame_segment(seg)
    for strict in (False, True):
        try:
            p = decode_mod._decode(raw, strict)
        except hj212.ProtocolError as exc:
            assert exc.code in {"bad_segment", "bad_datatime", "missing_field", "bad_field", "bad_length"}
        else:
            assert p.cn == "2011"


def _outcome(fn):
    try:
        p = fn()
    except hj212.ProtocolError as exc:
        return ("error", exc.code)
    return ("ok", p.to_json(), p.deviations, p.cp.data_time)


@HEAVY
@given(
    st.lists(
        st.tuples(st.sampled_from(["QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO", "X", ""]), st.text("0123456789AB=,;- ", max_size=5)),
        max_size=8,
    ),
    st.text("wa0123-RtdFlagDataTime=,; N./", max_size=60),
    st.booleans(),
)
def test_fast_and_general_paths_agree_on_odd_segments(head, cp, strict):
    seg = "".join(f"{k}={v};" for k, v in head) + "CP=&&" + cp + "&&"
    raw = hj212.frame_segment(seg)
    assert _outcome(lambda: hj212.decode(raw, strict=strict)) == _outcome(lambda: hj212.parse_segment(seg, strict=strict))


def test_fast_and_general_paths_agree_on_vectors():
    for raw in VALID:
        text = raw[6:-6].decode() if raw[5:6].isdigit() else raw[5:-6].decode()
        for strict in (False, True):
            a = _outcome(lambda: hj212.decode(raw, strict=strict))
            b = _outcome(lambda: hj212.parse_segment(text, strict=strict))
            if a[0] == "ok" and b[0] == "ok":
                assert a[1] == b[1] and a[3] == b[3]
