"""Decoder rules: modes, fields, CP parsing, errors (HJ 212-2017 §6.3)."""

import datetime

import pytest

from qingshan.standards import hj212

from .test_crc import LOG_C41


def frame(segment: str, *, length: int | None = None, crc: str | None = None, digits: int = 4, crlf: bool = True) -> bytes:
    data = segment.encode("utf-8")
    n = len(data) if length is None else length
    c = hj212.crc16_hex(data) if crc is None else crc
    return b"##" + str(n).zfill(digits).encode() + data + c.encode() + (b"\r\n" if crlf else b"")


HEAD = "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"


def seg(cp: str, head: str = HEAD) -> str:
    return head + "CP=&&" + cp + "&&"


def code_of(raw: bytes, strict: bool = False) -> str:
    with pytest.raises(hj212.DecodeError) as info:
        hj212.decode(raw, strict=strict)
    return info.value.code


def test_realtime_water_packet():
    p = hj212.decode(frame(seg("DataTime=20160801085857;w01018-Rtd=7.1,w01018-Flag=N;w21003-Rtd=2.2,w21003-Flag=N")), strict=True)
    assert p.cp.data_time == datetime.datetime(2016, 8, 1, 8, 58, 57)
    assert p.cp.factors == {"w01018": {"Rtd": "7.1", "Flag": "N"}, "w21003": {"Rtd": "2.2", "Flag": "N"}}
    assert p.cp.fields == {}
    assert p.ack_requested and p.version == "2017" and p.flag_version == 1


def test_header_errors():
    assert code_of(b"") == "bad_header"
    assert code_of(b"#0101") == "bad_header"
    assert code_of(b"##abcdQN=1&&1C80\r\n") == "bad_length"
    assert code_of(b"##0101") == "length_mismatch"
    assert code_of(frame(seg("")).replace(b"##0", b"##9", 1)) == "length_mismatch"


def test_crc_field_syntax_and_case():
    raw = frame(seg("RtdInterval=30"))
    lower = raw[:-6] + raw[-6:-2].lower() + b"\r\n"
    assert hj212.decode(lower, strict=True).cp.fields == {"RtdInterval": "30"}
    bad = raw[:-6] + b"1C8G\r\n"
    assert code_of(bad) == "bad_crc"
    with pytest.raises(hj212.DecodeError) as info:
        hj212.decode(raw[:-6] + b"0000\r\n")
    assert info.value.code == "crc_mismatch"
    assert info.value.crc_received == "0000" and len(info.value.crc_expected) == 4


def test_strict_length_limit_and_tolerant_9999():
    cp = "x=" + "1" * 1100
    raw = frame(seg(cp))
    assert code_of(raw, strict=True) == "bad_length"
    assert hj212.decode(raw).cp.fields["x"] == "1" * 1100


@pytest.mark.parametrize(
    "length,crc,strict_ok,tolerant_deviation",
    [
        (152, "3E80", True, None),
        (144, "3E80", False, "length_chars"),
        (152, "9C01", False, "crc_chars"),
        (144, "9C01", False, "length_chars"),
    ],
)
def test_chinese_log_packet_variants(length, crc, strict_ok, tolerant_deviation):
    # reference notes §7.3: strict accepts only ##0152…3E80; tolerant also the char-count variants
    raw = frame(LOG_C41, length=length, crc=crc)
    if strict_ok:
        p = hj212.decode(raw, strict=True)
        assert p.deviations == ()
    else:
        assert code_of(raw, strict=True) in {"length_mismatch", "crc_mismatch"}
    p = hj212.decode(raw)
    if tolerant_deviation:
        assert tolerant_deviation in p.deviations
    assert p.cp.factors == {"i11001": {"Info": "//清洗管路//"}}
    assert p.cp.fields == {"PolId": "w01018"}


def test_log_text_is_opaque():
    p = hj212.decode(frame(seg("DataTime=20160801062035;i11001-Info=//a;b,c=d//;w01018-Rtd=1")))
    assert p.cp.factors["i11001"] == {"Info": "//a;b,c=d//"}
    assert p.cp.factors["w01018"] == {"Rtd": "1"}


def test_non_utf8_text():
    data = seg("i11001-Info=//").encode() + "清洗".encode("gbk") + b"//&&"
    raw = b"##%04d" % len(data) + data + hj212.crc16_hex(data).encode() + b"\r\n"
    assert code_of(raw, strict=True) == "bad_encoding"
    p = hj212.decode(raw)
    assert "not_utf8" in p.deviations


def test_missing_and_bad_fields():
    assert code_of(frame("ST=32;CN=2011;PW=1;MN=1;CP=&&&")) == "bad_segment"
    assert code_of(frame("ST=32;CN=2011;PW=1;MN=1;")) == "bad_segment"
    assert code_of(frame(seg("", "CN=2011;PW=1;MN=1;"))) == "missing_field"
    assert code_of(frame(seg("", "ST=32;PW=1;MN=1;"))) == "missing_field"
    assert code_of(frame(seg("", "ST=32;CN=2011;PW=1;"))) == "missing_field"
    assert code_of(frame(seg("", "ST=32;CN=20a1;PW=1;MN=1;"))) == "bad_field"
    assert code_of(frame(seg("", "ST=32;CN=2011;PW=1;MN=1;Flag=x;"))) == "bad_field"
    assert code_of(frame(seg("", "ST=32;CN=2011;PW=1;MN=1;Flag=256;"))) == "bad_field"
    assert code_of(frame(seg("", "ST=32;CN=2011;PW=1;MN=1;Flag=4;PNUM=²;"))) == "bad_field"
    assert code_of(frame(seg("DataTime=20161301000000"))) == "bad_datatime"
    assert code_of(frame(seg("DataTime=yesterday"))) == "bad_datatime"


def test_strict_only_rules():
    # QN required for a 2017 Flag; QN syntax; unknown header keys; PNUM/PNO vs Flag bit D
    cases = [
        ("ST=32;CN=2011;PW=1;MN=1;Flag=4;", "missing_field"),
        ("QN=123;ST=32;CN=2011;PW=1;MN=1;Flag=4;", "bad_field"),
        ("QN=20160801085857223;ST=32;CN=2011;PW=1;MN=1;Flag=4;X=1;", "bad_segment"),
        ("QN=20160801085857223;ST=32;CN=2011;PW=1;MN=1;Flag=6;", "missing_field"),
        ("QN=20160801085857223;ST=32;CN=2011;PW=1;MN=1;Flag=4;PNUM=2;PNO=1;", "bad_field"),
        ("QN=20160801085857223;ST=32;CN=2011;PW=1;MN=1;Flag=6;PNUM=2;PNO=3;", "bad_field"),
        ("QN=20160801085857223;ST=32;CN=2011;MN=1;Flag=4;", "missing_field"),
        ("QN=20160801085857223;ST=32;CN=2011;PW=1;MN=1;Flag=4", "bad_segment"),  # App. C.19 'Flag=5CP='
        ("QN=20160801085857223,ST=32;CN=2011;PW=1;MN=1;Flag=4;", "bad_segment"),  # App. C.22 ','
    ]
    for head, code in cases:
        raw = frame(seg("", head))
        assert code_of(raw, strict=True) == code, head
        hj212.decode(raw)  # tolerant accepts all of them


def test_tolerant_header_deviations_recorded():
    p = hj212.decode(frame(seg("", "QN=20160801085857223,ST=32;CN=2011;pw=1;MN=1;FLAG=4")))
    assert (p.qn, p.st, p.pw, p.flag) == ("20160801085857223", "32", "1", 4)
    assert {"header_comma", "header_key_case", "no_semicolon_before_cp"} <= set(p.deviations)
    p = hj212.decode(frame(seg("", "ST=32;CN=2011;MN=1;FOO=1;")))
    assert p.pw == "" and {"no_pw", "unknown_header_key"} <= set(p.deviations)


def test_cp_whitespace_trailing_semicolon_and_commas():
    p = hj212.decode(frame(seg(" PolId=w01018 ")), strict=True)  # App. C has 'CP=&& PolId=w01018&&'
    assert p.cp.fields == {"PolId": "w01018"}
    p = hj212.decode(frame(seg(" ")), strict=True)  # 'CP=&& &&'
    assert p.cp.fields == {} and p.cp.factors == {}
    p = hj212.decode(frame(seg("BeginTime=20160801000000,EndTime=20160801235959")), strict=True)  # App. C.23
    assert p.cp.fields == {"BeginTime": "20160801000000", "EndTime": "20160801235959"}
    p = hj212.decode(frame(seg("DataTime=20160801085857;w01018-Rtd=1;")), strict=True)
    assert p.cp.factors == {"w01018": {"Rtd": "1"}}


def test_cp_item_without_value():
    raw = frame(seg("DataTime=20160801085857;garbage;w01018-Rtd=1"))
    assert code_of(raw, strict=True) == "bad_segment"
    p = hj212.decode(raw)
    assert "cp_item_without_value" in p.deviations and p.cp.factors == {"w01018": {"Rtd": "1"}}


def test_datatime_with_milliseconds():
    raw = frame(seg("DataTime=20160824003817123;w01018-Rtd=1"))
    assert code_of(raw, strict=True) == "bad_datatime"
    p = hj212.decode(raw)
    assert p.cp.data_time == datetime.datetime(2016, 8, 24, 0, 38, 17, 123000)
    assert "datatime_format" in p.deviations


def test_legacy_codes_only_mapped_for_2005():
    p2005 = hj212.decode(frame(seg("011-Rtd=1;B01-Rtd=2;S01-Rtd=3", "ST=32;CN=2011;PW=1;MN=1;")))
    assert list(p2005.cp.factors) == ["w01018", "w00000", "a19001"]
    p2017 = hj212.decode(frame(seg("011-Rtd=1")))
    assert list(p2017.cp.factors) == ["011"]


def test_flag_bits():
    for flag, ack, split, version in [(0, False, False, "2005"), (4, False, False, "2017"), (5, True, False, "2017"), (7, True, True, "2017"), (9, True, False, "2017")]:
        head = f"QN=20160801085857223;ST=32;CN=2011;PW=1;MN=1;Flag={flag};" + ("PNUM=2;PNO=1;" if split else "")
        p = hj212.decode(frame(seg("", head)))
        assert (p.ack_requested, p.is_split, p.version) == (ack, split, version), flag


def test_pno_before_pnum_zero_padded():
    p = hj212.decode(frame(seg("", "QN=20191112091100598;ST=31;CN=2051;PW=1;MN=1;PNO=0002;PNUM=0002;")))
    assert (p.pnum, p.pno, p.is_split) == (2, 2, True)


def test_trailer_variants():
    raw = frame(seg("RtdInterval=30"), crlf=False)
    assert code_of(raw, strict=True) == "bad_trailer"
    for tail in (b"", b"\n", b"\r", b"\r\n\r\n", b" \r\n"):
        p = hj212.decode(raw + tail)
        assert p.cp.fields == {"RtdInterval": "30"}


def test_non_bytes_input():
    with pytest.raises(TypeError):
        hj212.decode("##0101")  # type: ignore[arg-type]
    assert hj212.decode(bytearray(frame(seg("")))).cn == "2011"


def test_error_hierarchy():
    assert issubclass(hj212.DecodeError, hj212.ProtocolError)
    assert issubclass(hj212.FramingError, hj212.ProtocolError)
    assert issubclass(hj212.ProtocolError, Exception)
