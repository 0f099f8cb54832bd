"""Stream framer: chunking, garbage, missing CRLF, bounded memory."""

import pytest

from qingshan.standards import hj212

from .test_crc import LOG_C41
from .test_decode import HEAD, frame, seg

A = frame(seg("DataTime=20160801085857;w01018-Rtd=7.1,w01018-Flag=N"))
B = frame(seg("RtdInterval=30", HEAD.replace("2011", "1062")))
C = frame(seg("DataTime=20160801085857;a21026-Rtd=12.5,a21026-Flag=N;a21002-Rtd=30,a21002-Flag=N"))


def run(chunks, **kw):
    f = hj212.Framer(**kw)
    out = []
    for c in chunks:
        out += f.feed(c)
        assert f.buffered <= f.max_frame
    return out + f.end_of_stream()


def raws(items):
    return [i.raw for i in items if isinstance(i, hj212.Frame)]


def errors(items):
    return [i.code for i in items if isinstance(i, hj212.FramingError)]


@pytest.mark.parametrize("strict", [False, True])
def test_one_byte_at_a_time(strict):
    stream = A + B + C
    items = run([stream[i : i + 1] for i in range(len(stream))], strict=strict)
    assert raws(items) == [A, B, C] and errors(items) == []


def test_several_packets_in_one_chunk_and_split_across_chunks():
    stream = A + B + C
    items = run([stream[:10], stream[10 : len(A) + 5], stream[len(A) + 5 :]])
    assert raws(items) == [A, B, C]


def test_garbage_between_packets():
    items = run([b"xx" + A + b"\x00\xffjunk" + B + b"\r\n\r\n" + C + b"tail"])
    assert raws(items) == [A, B, C]
    assert errors(items) == ["garbage", "garbage", "garbage"]  # CRLF-only gaps are not reported
    garbage = [i for i in items if isinstance(i, hj212.FramingError)]
    assert garbage[0].raw == b"xx" and garbage[1].raw == b"\x00\xffjunk" and garbage[2].raw == b"tail"


def test_missing_crlf_at_end_of_stream():
    items = run([A, B[:-2]])
    assert raws(items) == [A, B[:-2]]
    items = run([A, B[:-2]], strict=True)
    assert raws(items) == [A] and errors(items) == ["truncated"]


def test_missing_crlf_between_packets_tolerant():
    items = run([A[:-2] + B])
    assert raws(items) == [A[:-2], B]
    assert hj212.decode(raws(items)[0]).deviations == ("no_crlf",)


def test_strict_bad_trailer_resyncs():
    items = run([A[:-2] + b"XX" + B], strict=True)
    assert raws(items) == [B]
    assert errors(items) == ["bad_trailer"]


def test_character_count_length_framed_in_tolerant_mode_only():
    raw = frame(LOG_C41, length=144)
    items = run([raw + A])
    assert raws(items) == [raw, A]
    assert "length_chars" in hj212.decode(raw).deviations
    items = run([raw + A], strict=True)
    assert A in raws(items) and raw not in raws(items)


def test_three_digit_length_field():
    cnblogs = b"##453" + A[6:]  # wrong value, but framed by CRLF in tolerant mode
    items = run([cnblogs + B])
    assert raws(items) == [cnblogs, B]
    items = run([cnblogs + B], strict=True)
    assert raws(items) == [B] and errors(items)[0] == "bad_length"


def test_declared_9999_without_data_is_bounded():
    f = hj212.Framer(max_frame=10240)
    out = f.feed(b"##9999QN=")
    assert out == [] and f.buffered == 9
    for _ in range(200):
        out += f.feed(b"A" * 100)
        assert f.buffered <= 10240
    assert "frame_too_long" in errors(out)
    out += f.feed(A)
    assert raws(out)[-1:] == [A]


def test_length_above_max_frame_rejected_at_once():
    f = hj212.Framer(max_frame=1024)
    out = f.feed(b"##2000QN=1;")
    assert errors(out)[0] == "frame_too_long"
    assert f.buffered <= 1024
    f2 = hj212.Framer(strict=True)
    assert errors(f2.feed(b"##1025xxxx"))[0] == "frame_too_long"


def test_endless_garbage_is_not_buffered():
    f = hj212.Framer(max_frame=256)
    for _ in range(1000):
        f.feed(b"x" * 1000)
        assert f.buffered == 0
    f.feed(b"#")
    assert f.buffered == 1  # maybe the first half of '##'


def test_hash_runs_and_bad_headers():
    items = run([b"###" + A + b"##x" + B])
    assert raws(items) == [A, B]


def test_empty_feed_and_end():
    f = hj212.Framer()
    assert f.feed(b"") == [] and f.end_of_stream() == []


def test_max_frame_validation():
    with pytest.raises(ValueError):
        hj212.Framer(max_frame=10)


def test_framing_error_fields():
    items = run([b"junk" * 100 + A])
    err = items[0]
    assert isinstance(err, hj212.FramingError) and isinstance(err, hj212.ProtocolError)
    assert err.code == "garbage" and "400" in err.detail and len(err.raw) == 256
