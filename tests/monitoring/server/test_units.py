"""Pieces of the server and the simulator that need no socket."""

from __future__ import annotations

import datetime
import random

import pytest

from qingshan.monitoring.server import LoggerDirectory, LoggerInfo, ServerConfig, parse_addr
from qingshan.monitoring.server.directory import AUTH_OK, INACTIVE, UNKNOWN_MN, WRONG_PW
from qingshan.monitoring.simulator import LoggerSpec, Probabilities, SimLogger, corrupt
from qingshan.standards import hj212


@pytest.mark.parametrize("addr, expected", [
    ("0.0.0.0:9212", ("0.0.0.0", 9212)),
    (":9300", ("0.0.0.0", 9300)),
    ("9300", ("0.0.0.0", 9300)),
    ("[::1]:9212", ("::1", 9212)),
    ("127.0.0.1", ("127.0.0.1", 9212)),
])
def test_parse_addr(addr, expected):
    assert parse_addr(addr) == expected


@pytest.mark.parametrize("addr", ["host:port", "1.2.3.4:70000"])
def test_parse_addr_rejects_bad_ports(addr):
    with pytest.raises(ValueError):
        parse_addr(addr)


def test_config_from_settings_overrides_and_rejects_unknown_names(settings):
    settings.QINGSHAN_HJ212_ADDR = "127.0.0.1:9999"
    settings.QINGSHAN_HJ212_SERVER = {"idle_timeout": 600}
    cfg = ServerConfig.from_settings(batch_max=100, queue_max=None)
    assert (cfg.host, cfg.port, cfg.idle_timeout, cfg.batch_max, cfg.queue_max) == ("127.0.0.1", 9999, 600, 100, 100_000)
    settings.QINGSHAN_HJ212_SERVER = {"idle_timeot": 600}
    with pytest.raises(ValueError, match="idle_timeot"):
        ServerConfig.from_settings()


def test_directory_authentication():
    d = LoggerDirectory({"A": LoggerInfo(1, "A", "123456", "2017", True), "B": LoggerInfo(2, "B", "", "2017", False)})
    assert d.authenticate("A", "123456") == (AUTH_OK, d.get("A"))
    assert d.authenticate("A", "12345")[0] == WRONG_PW
    assert d.authenticate("X", "123456") == (UNKNOWN_MN, None)
    assert d.authenticate("B", "")[0] == INACTIVE


def _sim(seed=1, **probs):
    spec = LoggerSpec(mn="QS000000000001", password="123456", st="31",
                      factors=["a21026", "a21002", "a34013", "a19001", "a00000"], limits={"a21026": 35.0}, logger_id=1)
    return SimLogger(spec, seed, Probabilities(**probs))


def test_simulated_packets_decode_and_are_deterministic():
    when = datetime.datetime(2026, 6, 1, 10, 0, 30)
    a = _sim().data_packet("rtd", when, when, random.Random(3))
    b = _sim().data_packet("rtd", when, when, random.Random(3))
    raw = hj212.encode(a)
    assert raw == hj212.encode(b)
    p = hj212.decode(raw, strict=True)
    assert (p.cn, p.st, p.flag, p.ack_requested) == ("2011", "31", 5, True)
    assert set(p.cp.factors) == {"a21026", "a21002", "a34013", "a19001", "a00000"}
    so2 = float(p.cp.factors["a21026"]["Rtd"])
    assert 0 < so2 < 35  # below the limit outside an exceedance episode
    hour = hj212.decode(hj212.encode(_sim().data_packet("hour", when.replace(minute=0, second=0), when, random.Random(1))))
    assert hour.cn == "2061" and {"Min", "Avg", "Max", "Flag"} <= set(hour.cp.factors["a21026"])
    assert "Cou" in hour.cp.factors["a00000"]


def test_fast_rtd_matches_the_codec():
    sim = _sim()
    when = datetime.datetime(2026, 6, 1, 10, 0, 30)
    raw = sim.fast_rtd(when, "20260601100030000", random.Random(1))
    p = hj212.decode(raw, strict=True)
    assert (p.qn, p.cn, p.mn, p.pw, p.cp.data_time) == ("20260601100030000", "2011", sim.spec.mn, "123456", when)
    with pytest.raises(hj212.DecodeError) as exc:
        hj212.decode(corrupt(raw))
    assert exc.value.code == "crc_mismatch"


def test_episodes_exceed_the_limit_and_stay_consistent():
    sim = _sim(exceed=1.0)  # an exceedance starts every hour
    when = datetime.datetime(2026, 6, 1, 10, 0, 0)
    from qingshan.monitoring.simulator.generator import hour_index

    ep = sim.episode(hour_index(when))
    assert ep.exceed is not None and ep.exceed[0] == "a21026"
    avg = float(sim.period_factors("hour", when, random.Random(1))["a21026"]["Avg"])
    assert avg > 35.0
    flat = _sim(exceed=0.0, flatline=1.0)
    code = flat.episode(hour_index(when)).flat[0]
    r = random.Random(5)
    values = {flat.rtd_factors(when + datetime.timedelta(seconds=30 * k), r)[code]["Rtd"] for k in range(5)}
    assert len(values) == 1  # a flat line repeats one value
    others = {flat.rtd_factors(when + datetime.timedelta(seconds=30 * k), r)["a19001"]["Rtd"] for k in range(5)}
    assert code == "a19001" or len(others) > 1
