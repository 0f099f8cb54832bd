"""Every public sample packet of the reference notes decodes with its CRC verdict."""

import pytest

from qingshan.standards import hj212

from .vectors import SEGMENTS, VECTORS

IDS = [v[0] for v in VECTORS]


def _raw(body: str, crlf: bool) -> bytes:
    return (body + ("\r\n" if crlf else "")).encode("utf-8")


def _outcome(raw: bytes, strict: bool):
    try:
        return hj212.decode(raw, strict=strict), None
    except hj212.DecodeError as exc:
        return None, exc


def test_vector_counts_match_reference_notes():
    # reference notes §7.1: 42 packets, 35 valid CRC, 7 invalid
    assert len(VECTORS) == 42
    assert sum(1 for v in VECTORS if v[4] is None) == 35


@pytest.mark.parametrize("vid,body,crlf,crc,tolerant,strict", VECTORS, ids=IDS)
def test_tolerant_verdict(vid, body, crlf, crc, tolerant, strict):
    packet, err = _outcome(_raw(body, crlf), strict=False)
    if tolerant is None:
        assert err is None, f"{vid}: {err}"
        assert packet.st and packet.cn and packet.mn is not None
    else:
        assert err is not None and err.code == tolerant
        assert err.crc_expected == crc
        assert err.crc_received.upper() == body[-4:].upper()


@pytest.mark.parametrize("vid,body,crlf,crc,tolerant,strict", VECTORS, ids=IDS)
def test_strict_verdict(vid, body, crlf, crc, tolerant, strict):
    packet, err = _outcome(_raw(body, True), strict=True)
    if strict is None:
        assert err is None, f"{vid}: {err}"
        assert packet.deviations == () or all(d.startswith("flag_version") for d in packet.deviations)
    else:
        assert err is not None and err.code == strict, err


@pytest.mark.parametrize("vid,body,crlf,crc,tolerant,strict", VECTORS, ids=IDS)
def test_computed_crc(vid, body, crlf, crc, tolerant, strict):
    head_digits = 0
    while body[2 + head_digits].isdigit():
        head_digits += 1
    data = body[2 + head_digits : -4].encode("utf-8")
    assert hj212.crc16_hex(data) == crc
    assert (crc == body[-4:].upper()) == (vid not in {"M01", "M05", "M06", "M09", "XY-ISSUE6", "E212-2", "E212-4"})


@pytest.mark.parametrize("vid,segment,claimed,computed", SEGMENTS, ids=[s[0] for s in SEGMENTS])
def test_segment_vectors(vid, segment, claimed, computed):
    assert hj212.crc16_hex(segment.encode()) == computed
    raw = hj212.frame_segment(segment)
    assert raw.endswith(computed.encode() + b"\r\n")
    if claimed != computed:
        bad = raw[:-6] + claimed.encode() + b"\r\n"
        with pytest.raises(hj212.DecodeError) as info:
            hj212.decode(bad)
        assert info.value.code == "crc_mismatch"
        assert (info.value.crc_expected, info.value.crc_received) == (computed, claimed)
    else:
        hj212.decode(raw, strict=True)


def test_stream_of_all_vectors_through_framer():
    stream = b"".join(_raw(body, True) for _, body, *_ in VECTORS)
    framer = hj212.Framer()
    items = framer.feed(stream) + framer.end_of_stream()
    frames = [i for i in items if isinstance(i, hj212.Frame)]
    assert len(frames) == 42
    verdicts = []
    for f in frames:
        try:
            hj212.decode(f.raw)
            verdicts.append(None)
        except hj212.DecodeError as exc:
            verdicts.append(exc.code)
    assert verdicts == [v[4] for v in VECTORS]


def test_selected_contents():
    by_id = {v[0]: v for v in VECTORS}

    def dec(vid, **kw):
        v = by_id[vid]
        return hj212.decode(_raw(v[1], v[2]), **kw)

    std = dec("STD-A")
    assert (std.version, std.qn, std.st, std.cn, std.pw, std.flag) == ("2017", "20160801085857223", "32", "1062", "100000", 5)
    assert std.ack_requested and not std.is_split
    assert std.cp.fields == {"RtdInterval": "30"}
    assert std.cp.data_time is None and std.cp.factors == {}

    php6 = dec("PHP-6")  # HJ/T 212-2005 codes mapped to 2017 codes
    assert php6.version == "2005" and php6.qn is None and php6.flag is None
    assert list(php6.cp.factors) == ["w01001", "w00000", "w01018", "w21003", "w21011", "w21001"]
    assert php6.cp.factors["w01018"] == {"Rtd": "32.439", "Flag": "N"}
    assert php6.cp.factors["w00000"] == {"Rtd": "0.000"}
    assert not php6.ack_requested

    php3 = dec("PHP-3")
    assert php3.cp.factors["w01018"] == {"SampleTime": "20240123110306", "Rtd": "4653.8", "Flag": "N"}
    assert php3.cp.data_time.isoformat() == "2024-01-23T12:32:00"

    e5 = dec("E212-5")  # split packet 1/2 with ack
    assert (e5.flag, e5.pnum, e5.pno, e5.is_split, e5.ack_requested) == (7, 2, 1, True, True)
    assert e5.cp.factors["a21002"]["ZsCou"] == "0.000"

    m15 = dec("M15")
    assert m15.flag_version == 2 and "flag_version_2" in m15.deviations

    bocon4 = dec("BOCON-4")  # 2005 split packet, 1045 bytes, gas legacy codes
    assert bocon4.version == "2005" and len(bocon4.cp.raw) > 900
    assert "a00000" in bocon4.cp.factors and "a34013" in bocon4.cp.factors  # B02, 01
    assert bocon4.cp.factors["a34013"]["ZsAvg"] == "0.00"

    bocon1 = dec("BOCON-1")  # ';,MN=' and 'FLAG=0' tolerated
    assert bocon1.mn == "88888881234567" and bocon1.flag == 0
    assert {"header_comma", "header_key_case"} <= set(bocon1.deviations)
    assert bocon1.cp.factors["B00"] == {"Rtd": "156720160.000", "Flag": "N"}  # unknown code passes through

    m03 = dec("M03")
    assert m03.cp.data_time.isoformat() == "2016-08-24T00:38:17"
    assert m03.cp.data_time_text == "20160824003817000"

    cnblogs = dec("CNBLOGS")
    assert "length_digits" in cnblogs.deviations
    assert cnblogs.cp.factors["LA"] == {"td": "50.1", "Flag": "N"}
