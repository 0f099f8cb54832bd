"""Encoder and replies: derived vectors of reference notes §7.3 (segments from HJ 212-2017 App. A/C)."""

import datetime

import pytest

from qingshan.standards import hj212

DERIVED = [
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n",
    b"##0107QN=20160801085857223;ST=32;CN=1000;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&OverTime=5;ReCount=3&&CAC1\r\n",
    b"##0094QN=20160801085857223;ST=91;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&1B00\r\n",
    b"##0095QN=20160801085857223;ST=91;CN=9012;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&ExeRtn=1&&6240\r\n",
    b"##0087QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&3240\r\n",
    b"##0137QN=20160801085857223;ST=32;CN=2081;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20160801085857;RestartTime=20160801085624&&9AC1\r\n",
    b"##0134QN=20160801085857223;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&BeginTime=20160801080000;EndTime=20160801080000&&7EC0\r\n",
    "##0152QN=20160801085857334;ST=32;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&DataTime=20160801062035;PolId=w01018;i11001-Info=//清洗管路//&&3E80\r\n".encode(),
]


@pytest.mark.parametrize("raw", DERIVED, ids=[r[:40].decode() for r in DERIVED])
def test_derived_vectors_round_trip_exactly(raw):
    p = hj212.decode(raw, strict=True)
    assert hj212.encode(p) == raw
    assert hj212.encode(hj212.packet_from_json(p.to_json())) == raw


def test_replies_to_the_c1_request():
    request = hj212.decode(DERIVED[1], strict=True)
    assert hj212.request_response(request) == DERIVED[2]
    assert hj212.execution_result(request) == DERIVED[3]
    assert hj212.request_response(request, qn_rtn=3).count(b"QnRtn=3") == 1


def test_data_response_uses_upload_qn_st91_flag4():
    upload = hj212.decode(DERIVED[5], strict=True)
    reply = hj212.data_response(upload)
    assert reply == DERIVED[4]  # HJ 212-2017 App. C.14: same QN/PW/MN, ST=91, Flag=4, CP=&&&&
    r = hj212.decode(reply, strict=True)
    assert (r.qn, r.st, r.cn, r.flag, r.pw, r.mn) == (upload.qn, "91", "9014", 4, upload.pw, upload.mn)
    assert r.cp.factors == {} and r.cp.fields == {} and not r.ack_requested


def test_notification_response():
    seg = "QN=20160801085857223;ST=32;CN=1013;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&&&"
    note = hj212.decode(hj212.frame_segment(seg), strict=True)
    r = hj212.decode(hj212.notification_response(note), strict=True)
    assert (r.cn, r.st, r.qn, r.flag) == ("9013", "91", note.qn, 4)


def test_reply_keeps_version_bits_and_clears_a_d():
    seg = "QN=20201008154743635;ST=31;CN=2051;PW=1;MN=M;Flag=11;PNUM=2;PNO=1;CP=&&&&"
    p = hj212.decode(hj212.frame_segment(seg))
    assert hj212.decode(hj212.data_response(p)).flag == 8


def test_2005_reply_puts_qn_in_cp():
    seg = "QN=20040516010101001;ST=32;CN=1072;PW=123456;MN=88888880000001;Flag=1;CP=&&PW=654321&&"
    p = hj212.decode(hj212.frame_segment(seg))
    assert p.version == "2005"
    reply = hj212.request_response(p)
    assert b"ST=91;CN=9011;PW=123456;MN=88888880000001;Flag=0;CP=&&QN=20040516010101001;QnRtn=1&&" in reply


def test_encode_builds_2005_packets_with_legacy_codes():
    p = hj212.Packet(
        version="2005", qn=None, st="32", cn="2011", pw="123456", mn="LD130133000015", flag=None, pnum=None, pno=None,
        cp=hj212.Cp(data_time=datetime.datetime(2016, 8, 24, 0, 38, 17), factors={"w01018": {"Rtd": "231.0", "Flag": "N"}}),
    )
    raw = hj212.encode(p)
    assert b"011-Rtd=231.0,011-Flag=N" in raw and b"QN=" not in raw and b"Flag=" not in raw.split(b"CP=")[0]
    back = hj212.decode(raw, strict=True)
    assert back.cp.factors == p.cp.factors and back.cp.data_time == p.cp.data_time


def test_encode_rejects_unsafe_values():
    base = hj212.decode(DERIVED[0])
    for field, value in [("mn", "A;B"), ("pw", "x=y"), ("qn", "1,2")]:
        with pytest.raises(hj212.EncodeError):
            hj212.encode(hj212.packet_from_json({**base.to_json(), field: value}))
    with pytest.raises(hj212.EncodeError):
        hj212.packet_from_json({**base.to_json(), "st": ""})
    p = hj212.packet_from_json({**base.to_json(), "cp": {"w01018": {"Rtd": "1;2"}}})
    with pytest.raises(hj212.EncodeError):
        hj212.encode(p)
    p = hj212.packet_from_json({**base.to_json(), "cp": {"i11001": {"Info": "//a;b,c=d//"}}})
    assert b"i11001-Info=//a;b,c=d//" in hj212.encode(p)
    with pytest.raises(hj212.EncodeError):
        hj212.frame_segment("x" * 10000)


def test_packet_from_json_types():
    p = hj212.packet_from_json(
        {"st": "32", "cn": "2011", "mn": "M", "flag": "5", "qn": "20160801085857223", "cp": {"DataTime": "20160801085857", "w01018": {"Rtd": 7.1, "Flag": "N"}, "PolId": "w01018"}}
    )
    assert p.version == "2017" and p.flag == 5 and p.pw == ""
    assert p.cp.factors == {"w01018": {"Rtd": "7.1", "Flag": "N"}} and p.cp.fields == {"PolId": "w01018"}
    for bad in [[], {"st": "32"}, {"st": "32", "cn": "1", "mn": "M", "flag": True}, {"st": "32", "cn": "1", "mn": "M", "cp": []},
                {"st": "32", "cn": "1", "mn": "M", "cp": {"DataTime": "x"}}, {"st": "32", "cn": "1", "mn": "M", "version": "1999"},
                {"st": "32", "cn": "1", "mn": "M", "cp": {"a": None}}]:
        with pytest.raises(ValueError):
            hj212.packet_from_json(bad)


def test_reply_refuses_unsafe_request_fields():
    p = hj212.decode(DERIVED[5])
    bad = hj212.Packet(**{**{f: getattr(p, f) for f in ("version", "qn", "st", "cn", "pw", "flag", "pnum", "pno", "cp")}, "mn": "A;B"})
    with pytest.raises(hj212.EncodeError):
        hj212.data_response(bad)
    no_flag = hj212.Packet(**{**{f: getattr(p, f) for f in ("version", "qn", "st", "cn", "pw", "mn", "pnum", "pno", "cp")}, "flag": None})
    assert b"Flag=4;" in hj212.data_response(no_flag)
