"""The ingest server over real TCP: answers, authentication, bad input, framing, idempotency, 2005.

One server subprocess (``server`` fixture) on a private copy of the seeded
test database serves every test of this module; each test uses its own
DataTimes so the tests do not see each other's rows.
"""

from __future__ import annotations

import datetime
import time

import pytest

from qingshan.standards import hj212

from .conftest import ALIAS
from .helpers import Client, data_packet

pytestmark = pytest.mark.slow

UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def loggers(server_db, django_db_blocker):
    from qingshan.registry.models import DataLogger

    with django_db_blocker.unblock():
        rows = list(DataLogger.objects.using(ALIAS).filter(kind="outlet", active=True).order_by("pk"))
    assert len(rows) >= 4, "the small demo city has outlet loggers"
    return rows


def store():
    from qingshan.monitoring.store import get_store

    return get_store(ALIAS)


def local(dt: datetime.datetime) -> datetime.datetime:
    """A naive local DataTime -> aware (the deployment time zone)."""
    from django.utils import timezone

    return dt.replace(tzinfo=timezone.get_default_timezone())


def stored(logger_id: int, when: datetime.datetime, kind: str = "rtd", factor: str | None = None):
    return store().read([logger_id], factor=factor, kind=kind, start=local(when),
                        end=local(when) + datetime.timedelta(seconds=1))


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def counters(mn: str) -> dict:
    from django.db.models import Sum

    from qingshan.monitoring.models import IngestEvent

    return IngestEvent.objects.using(ALIAS).filter(mn=mn).aggregate(
        ok=Sum("packets_ok"), bad_crc=Sum("bad_crc"), auth=Sum("auth_failed"), malformed=Sum("malformed"),
        acks=Sum("acks_sent"))


def test_data_packet_is_answered_only_after_it_is_stored(server, srv, loggers):
    lg = loggers[0]
    when = datetime.datetime(2026, 5, 1, 8, 0, 5)
    raw = data_packet(lg.mn, lg.password, when, {"a21026": "12.5", "a21002": "30.1"}, qn="20260501080005123")
    with Client(server.port) as c:
        c.send(raw)
        (reply,) = c.replies(1)
        # the answer exists, so the values must already be committed (read on another connection)
        rows = stored(lg.pk, when)
    assert (reply.cn, reply.st, reply.qn, reply.mn, reply.pw) == ("9014", "91", "20260501080005123", lg.mn, lg.password)
    assert reply.flag is not None and not reply.ack_requested
    assert {m.factor: m.value for m in rows} == {"a21026": 12.5, "a21002": 30.1}
    assert all(m.kind == "rtd" and m.flag == "N" for m in rows)


def test_no_answer_without_flag_a_but_data_stored(server, srv, loggers):
    lg = loggers[1]
    when = datetime.datetime(2026, 5, 1, 8, 1, 0)
    with Client(server.port) as c:
        c.send(data_packet(lg.mn, lg.password, when, {"w01018": "41.0"}, cn="2061", st="32", flag=4))
        assert c.replies(1, timeout=0.5) == []
    rows = wait_for(lambda: stored(lg.pk, when, kind="hour"))
    assert [(m.factor, m.value) for m in rows] == [("w01018", 41.0)]


@pytest.mark.parametrize("case", ["unknown_mn", "wrong_pw"])
def test_authentication_failures_store_nothing_and_are_counted(server, srv, loggers, case):
    from qingshan.monitoring.models import IngestRejection

    lg = loggers[2]
    when = datetime.datetime(2026, 5, 1, 9, 0, 0) + datetime.timedelta(minutes=1 if case == "wrong_pw" else 0)
    mn, pw = (("QSNOTREGISTERED01", lg.password) if case == "unknown_mn" else (lg.mn, "999999"))
    with Client(server.port) as c:
        c.send(data_packet(mn, pw, when, {"a21026": "10"}))
        assert c.replies(1, timeout=0.5) == []
        # the connection survives: a good packet on it is stored and answered
        good_when = when + datetime.timedelta(seconds=30)
        c.send(data_packet(lg.mn, lg.password, good_when, {"a21026": "11"}))
        (reply,) = c.replies(1)
        assert reply.cn == "9014"
    assert stored(lg.pk, when) == []
    assert [m.value for m in stored(lg.pk, good_when)] == [11.0]
    assert wait_for(lambda: (counters(mn).get("auth") or 0) >= 1, timeout=5)
    rejection = IngestRejection.objects.using(ALIAS).filter(mn=mn).order_by("-time").first()
    assert rejection is not None and rejection.reason == case and rejection.peer.startswith("127.0.0.1:")
    assert "PW=***;" in rejection.raw and f"PW={pw};" not in rejection.raw  # access passwords are not kept


def test_malformed_input_is_counted_and_the_connection_survives(server, srv, loggers):
    from qingshan.monitoring.models import IngestRejection

    lg = loggers[3]
    when = datetime.datetime(2026, 5, 1, 10, 0, 0)
    good = data_packet(lg.mn, lg.password, when, {"a21026": "20"})
    bad_crc = data_packet(lg.mn, lg.password, when + datetime.timedelta(seconds=1), {"a21026": "21"})
    bad_crc = bad_crc[:-6] + (b"0000" if bad_crc[-6:-2] != b"0000" else b"1111") + b"\r\n"
    with Client(server.port) as c:
        c.send(b"\x00\xffGET / HTTP/1.0\r\n\r\n")  # garbage
        c.send(b"##9999QN=123")  # a declared length that never comes ...
        c.send(b"\r\n" + bad_crc)  # ... ended by a packet with a wrong CRC
        c.send(b"##0010ST=32;CN=20110000\r\n")  # too short to be a packet
        c.send(good)
        replies = c.replies(1)
    assert [r.cn for r in replies] == ["9014"]
    assert [m.value for m in stored(lg.pk, when)] == [20.0]
    assert stored(lg.pk, when + datetime.timedelta(seconds=1)) == []
    assert wait_for(lambda: (counters(lg.mn).get("bad_crc") or 0) >= 1)
    reasons = set(IngestRejection.objects.using(ALIAS).values_list("reason", flat=True))
    assert "crc_mismatch" in reasons


def test_a_peer_sending_only_garbage_is_disconnected_and_the_server_lives_on(server, srv, loggers):
    with Client(server.port) as c:
        try:
            for _ in range(80):
                c.send(b"##0005ABCDE0000\r\n")
        except OSError:
            pass
        assert c.closed_by_server(timeout=5)
    lg = loggers[0]
    when = datetime.datetime(2026, 5, 1, 11, 0, 0)
    with Client(server.port) as c:
        c.send(data_packet(lg.mn, lg.password, when, {"a21026": "1"}))
        assert [r.cn for r in c.replies(1)] == ["9014"]
    assert server.alive()
    assert "malformed or unauthenticated packets in a row" in server.log_text()


def test_split_and_concatenated_packets(server, srv, loggers):
    lg = loggers[0]
    base = datetime.datetime(2026, 5, 1, 12, 0, 0)
    packets = [data_packet(lg.mn, lg.password, base + datetime.timedelta(seconds=k), {"a21026": f"{k}.5"},
                           qn=f"2026050112000{k}000") for k in range(5)]
    with Client(server.port) as c:
        c.send(b"".join(packets[:3]))  # three packets in one write
        for i in range(0, len(packets[3]), 7):  # one packet in 7-byte pieces
            c.send(packets[3][i:i + 7])
            time.sleep(0.001)
        c.send(packets[4][:50])  # half a packet, the rest later
        time.sleep(0.05)
        c.send(packets[4][50:])
        replies = c.replies(5)
    assert sorted(r.qn for r in replies) == sorted(f"2026050112000{k}000" for k in range(5))
    rows = store().read([lg.pk], factor="a21026", kind="rtd", start=local(base),
                        end=local(base) + datetime.timedelta(seconds=5))
    assert [m.value for m in rows] == [0.5, 1.5, 2.5, 3.5, 4.5]


def test_resent_packet_is_idempotent_and_a_correction_replaces(server, srv, loggers):
    lg = loggers[1]
    when = datetime.datetime(2026, 5, 1, 13, 0, 0)
    raw = data_packet(lg.mn, lg.password, when, {"w01018": "33.3", "w21003": "1.2"}, cn="2061", st="32")
    with Client(server.port) as c:
        c.send(raw)
        c.send(raw)  # the logger did not see the answer and sends again (补传)
        assert [r.cn for r in c.replies(2)] == ["9014", "9014"]
        c.send(data_packet(lg.mn, lg.password, when, {"w01018": "34.0"}, cn="2061", st="32"))
        assert [r.cn for r in c.replies(1)] == ["9014"]
    rows = stored(lg.pk, when, kind="hour")
    assert sorted((m.factor, m.value) for m in rows) == [("w01018", 34.0), ("w21003", 1.2)]


def test_hjt212_2005_packet_with_legacy_codes(server, srv, loggers):
    lg = loggers[1]
    when = datetime.datetime(2026, 5, 1, 14, 0, 0)
    segment = (f"ST=32;CN=2011;PW={lg.password};MN={lg.mn};CP=&&DataTime={when:%Y%m%d%H%M%S};"
               "011-Rtd=32.4,011-Flag=N;060-Rtd=0.47,060-Flag=N;001-Rtd=7.47,001-Flag=N&&")
    with Client(server.port) as c:
        c.send(hj212.frame_segment(segment))
        assert c.replies(1, timeout=0.5) == []  # a 2005 upload without Flag asks for no answer
    rows = wait_for(lambda: stored(lg.pk, when))
    assert sorted((m.factor, m.value) for m in rows) == [("w01001", 7.47), ("w01018", 32.4), ("w21003", 0.47)]


def test_time_calibration_request_and_other_uploads(server, srv, loggers):
    lg = loggers[0]
    qn = "20260501150000001"
    calib = hj212.frame_segment(f"QN={qn};ST=31;CN=1013;PW={lg.password};MN={lg.mn};Flag=5;CP=&&&&")
    restart = hj212.frame_segment(
        f"QN=20260501150000002;ST=31;CN=2081;PW={lg.password};MN={lg.mn};Flag=5;"
        "CP=&&DataTime=20260501150000;RestartTime=20260501145900&&")
    heartbeat = hj212.frame_segment(f"QN=20260501150000003;ST=91;CN=9014;PW={lg.password};MN={lg.mn};Flag=4;CP=&&&&")
    with Client(server.port) as c:
        c.send(calib + restart + heartbeat)
        replies = c.replies(3, timeout=2)
    by_cn = {r.cn: r for r in replies}
    assert by_cn["9013"].qn == qn and by_cn["9013"].st == "91"
    assert "SystemTime" in by_cn["1012"].cp.fields and by_cn["1012"].mn == lg.mn
    assert by_cn["9014"].qn == "20260501150000002"
    assert len(replies) == 3  # nothing for the 9014 the logger sent


def test_hourly_exceedance_opens_an_alarm(server, srv, loggers):
    from qingshan.monitoring.models import Alarm
    from qingshan.registry.models import PermitLimit

    limit = (PermitLimit.objects.using(ALIAS)
             .filter(outlet__loggers__in=[lg.pk for lg in loggers], averaging="hourly", concentration_limit__isnull=False,
                     permit__status="valid", factor_code="a21026")
             .select_related("outlet").first())
    if limit is None:
        pytest.skip("no hourly SO2 limit on a logged outlet in this demo city")
    lg = next(lg for lg in loggers if lg.outlet_id == limit.outlet_id)
    when = datetime.datetime(2026, 5, 2, 3, 0, 0)
    value = float(limit.concentration_limit) * 2
    with Client(server.port) as c:
        c.send(data_packet(lg.mn, lg.password, when, {"a21026": f"{value:.2f}"}, cn="2061"))
        assert [r.cn for r in c.replies(1)] == ["9014"]
    window = (datetime.datetime(2026, 5, 1, tzinfo=datetime.timezone.utc),
              datetime.datetime(2026, 5, 3, tzinfo=datetime.timezone.utc))
    alarm = wait_for(lambda: Alarm.objects.using(ALIAS).filter(
        logger_id=lg.pk, kind="exceedance", factor="a21026", started_at__range=window).first())
    assert alarm is not None
    assert alarm.exceedance_multiple == pytest.approx(1.0, abs=0.01)


def test_idle_connection_is_closed(server, srv):
    with Client(server.port) as c:
        assert c.closed_by_server(timeout=8)  # the fixture runs the server with --idle-timeout 2
