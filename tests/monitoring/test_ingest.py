import datetime
import zoneinfo

import pytest

from qingshan.monitoring.ingest import packet_measurements
from qingshan.standards import hj212

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def packet(cn, cp_text, data_time=None):
    from qingshan.standards.hj212.crc import crc16_hex

    data = f"QN=20240123101501421;ST=31;CN={cn};PW=123456;MN=81733553216103;Flag=5;CP=&&{cp_text}&&".encode()
    return hj212.decode(b"##%04d" % len(data) + data + crc16_hex(data).encode() + b"\r\n")


def test_hourly_packet_from_the_wire():
    p = hj212.decode(
        b"##0612QN=20240123101501421;ST=31;CN=2061;PW=123456;MN=81733553216103;Flag=4;CP=&&DataTime=20240122170000;"
        b"a00000-Cou=19191.973,a00000-Min=5.051,a00000-Avg=5.331,a00000-Max=5.617,a00000-Flag=N;a01011-Min=6.686,"
        b"a01011-Avg=7.029,a01011-Max=7.425,a01011-Flag=N;a01013-Min=-0.041,a01013-Avg=-0.026,a01013-Max=0.011,"
        b"a01013-Flag=N;a01012-Min=8.074,a01012-Avg=8.524,a01012-Max=8.789,a01012-Flag=N;a24088-Cou=0.018,"
        b"a24088-Min=0.665,a24088-Avg=0.933,a24088-Max=1.418,a24088-Flag=N;a05002-Cou=0.000,a05002-Min=0.000,"
        b"a05002-Avg=0.000,a05002-Max=0.000,a05002-Flag=N;a01014-Min=0.828,a01014-Avg=1.040,a01014-Max=1.239,"
        b"a01014-Flag=N&&0E40\r\n")
    ms = {m.factor: m for m in packet_measurements(p, 7, "Asia/Shanghai")}
    assert len(ms) == 7
    flow = ms["a00000"]
    assert flow.kind == "hour" and flow.logger_id == 7 and flow.source == "hj212"
    assert (flow.value, flow.min, flow.max, flow.cou, flow.flag) == (5.331, 5.051, 5.617, 19191.973, "N")
    assert flow.time == datetime.datetime(2024, 1, 22, 17, 0, tzinfo=SH)
    assert flow.time.utcoffset() == datetime.timedelta(hours=8)


@pytest.mark.parametrize("cn,kind", [("2011", "rtd"), ("2051", "min"), ("2061", "hour"), ("2031", "day")])
def test_kinds_and_converted_values(cn, kind):
    main, zs = ("Rtd", "ZsRtd") if kind == "rtd" else ("Avg", "ZsAvg")
    p = packet(cn, f"DataTime=20240122170000;a21026-{main}=12.5,a21026-{zs}=15.1,a21026-Flag=N")
    (m,) = packet_measurements(p, 1)
    assert (m.kind, m.value, m.zs, m.flag) == (kind, 12.5, 15.1, "N")


def test_unparsable_number_keeps_flag_and_no_datatime_no_data():
    p = packet("2061", "DataTime=20240122170000;a21026-Avg=abc,a21026-Flag=D;a21002-Avg=NaN;a34013-Avg=3")
    ms = {m.factor: m for m in packet_measurements(p, 1)}
    assert ms["a21026"].value is None and ms["a21026"].flag == "D"
    assert ms["a21002"].value is None and ms["a21002"].flag == "N"
    assert ms["a34013"].value == 3.0
    assert packet_measurements(packet("2061", "a21026-Avg=1"), 1) == []
    assert packet_measurements(packet("9014", ""), 1) == []


def test_milliseconds_dropped_and_default_timezone(settings):
    p = packet("2011", "DataTime=20240122170000123;a21026-Rtd=1")
    (m,) = packet_measurements(p, 1)
    assert m.time.microsecond == 0 and m.time.utcoffset() == datetime.timedelta(hours=8)


def test_packet_to_store_to_alarm(air_logger):
    """The ingest server's path without the socket: decode → measurements → write → check."""
    from qingshan.monitoring import alarms
    from qingshan.monitoring.store import get_store
    from qingshan.standards.hj212.crc import crc16_hex

    lg, limit = air_logger
    data = (f"QN=20260502030500001;ST=31;CN=2061;PW={lg.password};MN={lg.mn};Flag=5;CP=&&DataTime=20310502030000;"
            f"a21026-Avg={limit * 2:.2f},a21026-Flag=N;a21002-Avg=1.0,a21002-Flag=N&&").encode()
    p = hj212.decode(b"##%04d" % len(data) + data + crc16_hex(data).encode() + b"\r\n")
    ms = packet_measurements(p, lg.pk)
    assert get_store().write(ms) == 2
    (alarm,) = alarms.check(ms)
    assert alarm.started_at == datetime.datetime(2031, 5, 2, 3, 0, tzinfo=SH)
    assert alarm.exceedance_multiple == pytest.approx(1.0, abs=0.01)
    assert get_store().write(ms) == 2 and alarms.check(ms)[0].pk == alarm.pk  # a repeated packet: same alarm
