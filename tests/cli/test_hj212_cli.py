"""``qingshan hj212 decode|encode|crc``."""

import io
import json
import subprocess
import sys

import pytest

from qingshan.cli import hj212 as cli
from tests.standards.hj212.vectors import VECTORS

STD_A = b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def run(argv, data: bytes, monkeypatch, capsysbinary):
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    rc = cli.main(argv)
    out, err = capsysbinary.readouterr()
    return rc, out, err


def lines(out: bytes):
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def test_decode_reference_packets_with_crc_verdicts(monkeypatch, capsysbinary):
    stream = b"".join((body + "\r\n").encode() for _, body, *_ in VECTORS)
    rc, out, err = run(["decode"], stream, monkeypatch, capsysbinary)
    rows = lines(out)
    assert rc == 1 and err == b"" and len(rows) == 42
    for row, (vid, body, crlf, crc, tolerant, strict) in zip(rows, VECTORS):
        assert row["ok"] is (tolerant is None), vid
        assert row["error"] == tolerant, vid
        assert row["crc_expected"] == crc, vid
        assert row["crc_received"] == body[-4:], vid
        if row["ok"]:
            assert row["st"] and row["cn"] and row["version"] in ("2017", "2005")
            assert isinstance(row["cp"], dict)


def test_decode_output_shape(monkeypatch, capsysbinary):
    rc, out, err = run(["decode"], STD_A, monkeypatch, capsysbinary)
    assert rc == 0
    assert lines(out) == [
        {
            "ok": True, "error": None, "crc_expected": "1C80", "crc_received": "1C80", "version": "2017",
            "qn": "20160801085857223", "st": "32", "cn": "1062", "pw": "100000", "mn": "010000A8900016F000169DC0",
            "flag": 5, "pnum": None, "pno": None, "cp": {"RtdInterval": "30"}, "deviations": [],
        }
    ]


def test_decode_strict_and_garbage(monkeypatch, capsysbinary):
    data = b"noise" + STD_A[:-2] + STD_A
    rc, out, err = run(["decode"], data, monkeypatch, capsysbinary)
    rows = lines(out)
    assert [r["error"] for r in rows] == ["garbage", None, None]
    assert rows[0]["raw"] == "noise" and rows[1]["deviations"] == ["no_crlf"]
    rc, out, err = run(["decode", "--strict"], data, monkeypatch, capsysbinary)
    assert [r["error"] for r in lines(out)] == ["garbage", "bad_trailer", None]
    assert rc == 1


def test_encode_round_trip_and_json_lines(monkeypatch, capsysbinary):
    rc, out, err = run(["decode"], STD_A * 2, monkeypatch, capsysbinary)
    rc, packets, err = run(["encode"], out, monkeypatch, capsysbinary)
    assert rc == 0 and packets == STD_A * 2
    one = json.dumps(lines(out)[0]).encode()
    rc, packets, err = run(["encode"], one, monkeypatch, capsysbinary)
    assert packets == STD_A
    rc, packets, err = run(["encode"], b"[" + one + b"," + one + b"]", monkeypatch, capsysbinary)
    assert packets == STD_A * 2


def test_encode_example_from_docs(monkeypatch, capsysbinary):
    doc = {"qn": "20160801085857223", "st": "32", "cn": "2011", "pw": "123456", "mn": "010000A8900016F000169DC0", "flag": 5,
           "cp": {"DataTime": "20160801085857", "w01018": {"Rtd": "7.1", "Flag": "N"}, "w21003": {"Rtd": "2.2", "Flag": "N"}}}
    rc, out, err = run(["encode"], json.dumps(doc).encode(), monkeypatch, capsysbinary)
    assert rc == 0
    assert out == (
        b"##0168QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
        b"CP=&&DataTime=20160801085857;w01018-Rtd=7.1,w01018-Flag=N;w21003-Rtd=2.2,w21003-Flag=N&&" + out[-6:]
    )
    assert out.endswith(b"\r\n")


@pytest.mark.parametrize(
    "payload",
    [b"{", b'{"st": "32"}', b'{"ok": false, "error": "crc_mismatch"}', b'{"st":"32","cn":"2011","mn":"A;B"}', b"\xff"],
)
def test_encode_bad_input(payload, monkeypatch, capsysbinary):
    rc, out, err = run(["encode"], payload, monkeypatch, capsysbinary)
    assert rc == 2 and out == b""
    assert "error" in json.loads(err)


def test_crc(monkeypatch, capsysbinary):
    seg = STD_A[6:-6] + b"\n"
    rc, out, err = run(["crc"], seg, monkeypatch, capsysbinary)
    assert rc == 0 and out == b"1C80\n"


def test_real_command():
    proc = subprocess.run(
        [sys.executable, "-m", "qingshan", "hj212", "decode"], input=STD_A[:50], capture_output=True, timeout=60
    )
    assert proc.returncode == 1 and proc.stderr == b""
    row = json.loads(proc.stdout)
    assert row["ok"] is False and row["error"] == "truncated"
