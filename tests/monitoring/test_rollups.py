import datetime

from qingshan.monitoring import rollups
from qingshan.monitoring.store import Measurement, get_store


def minutes(lg, t0, n, *, flag_every=None, bad_flag="D", factor="a21026", value=10.0, step=1):
    return [Measurement(lg.pk, factor, "min", t0 + datetime.timedelta(minutes=i * step), value + (i % 3),
                        flag=bad_flag if flag_every and i % flag_every == 0 else "N") for i in range(n)]


def test_air_hour_needs_45_valid_minutes(air_logger, t0):
    lg, _limit = air_logger
    store = get_store()
    # hour 1: 60 valid minutes; hour 2: 44 valid of 60 (16 flagged) -> invalid
    store.write(minutes(lg, t0, 60) + [
        Measurement(lg.pk, "a21026", "min", t0 + datetime.timedelta(hours=1, minutes=i), 10.0, flag="D" if i < 16 else "N")
        for i in range(60)])
    out = rollups.rollup([lg], "hour", t0, t0 + datetime.timedelta(hours=2), now=t0 + datetime.timedelta(hours=3))
    by_time = {m.time: m for m in out}
    h1, h2 = by_time[t0], by_time[t0 + datetime.timedelta(hours=1)]
    assert h1.flag == "N" and h1.source == "rollup" and h1.value == 11.0 and (h1.min, h1.max) == (10.0, 12.0)
    assert h2.flag == "D" and h2.value == 10.0  # 44 < 45 valid: stored, but invalid
    assert len(get_store().read(lg.pk, "a21026", "hour", t0, t0 + datetime.timedelta(hours=2))) == 2


def test_air_exactly_45_valid_is_enough(air_logger, t0):
    lg, _limit = air_logger
    get_store().write([Measurement(lg.pk, "a21026", "min", t0 + datetime.timedelta(minutes=i), 5.0,
                                   flag="N" if i < 45 else "D") for i in range(60)])
    (h,) = rollups.rollup([lg], "hour", t0, t0 + datetime.timedelta(hours=1), now=t0 + datetime.timedelta(hours=1))
    assert h.flag == "N" and h.value == 5.0


def test_incomplete_hour_and_own_values_are_not_rolled_up(air_logger, t0):
    lg, _limit = air_logger
    store = get_store()
    store.write(minutes(lg, t0, 60) + minutes(lg, t0 + datetime.timedelta(hours=1), 60))
    store.write([Measurement(lg.pk, "a21026", "hour", t0, 99.0)])  # the logger sent its own hourly value
    out = rollups.rollup([lg], "hour", t0, t0 + datetime.timedelta(hours=2), now=t0 + datetime.timedelta(hours=1, minutes=30))
    assert out == []  # hour 1 is the logger's own, hour 2 is not complete yet
    assert store.read(lg.pk, "a21026", "hour", start=t0)[0].value == 99.0


def test_water_one_abnormal_value_flags_the_hour(water_logger, t0):
    lg, _limit = water_logger
    get_store().write(minutes(lg, t0, 6, step=10, factor="w01018", flag_every=4, bad_flag="M"))
    (h,) = rollups.rollup([lg], "hour", t0, t0 + datetime.timedelta(hours=1), now=t0 + datetime.timedelta(hours=2))
    assert h.flag == "M"  # one maintenance value among six (10-minute) values
    get_store().write(minutes(lg, t0 + datetime.timedelta(hours=1), 6, step=10, factor="w01018"))
    (h2,) = rollups.rollup([lg], "hour", t0 + datetime.timedelta(hours=1), t0 + datetime.timedelta(hours=2),
                           now=t0 + datetime.timedelta(hours=3))
    assert h2.flag == "N"


def test_day_from_hours_with_flow_amount_summed(air_logger, t0, settings):
    lg, _limit = air_logger
    settings.TIME_ZONE = "UTC"
    store = get_store()
    store.write([Measurement(lg.pk, "a00000", "hour", t0 + datetime.timedelta(hours=h), 50.0, cou=180000.0,
                             flag="N" if h < 20 else "D") for h in range(24)])
    from django.utils import timezone

    with timezone.override("UTC"):
        (d,) = rollups.rollup([lg], "day", t0, t0 + datetime.timedelta(days=1), now=t0 + datetime.timedelta(days=2))
    assert d.flag == "N" and d.value == 50.0 and d.cou == 24 * 180000.0  # 20 valid hours: just enough
    with timezone.override("UTC"):
        store.write([Measurement(lg.pk, "a00000", "hour", t0 + datetime.timedelta(hours=5), 50.0, flag="C")])
        (d,) = rollups.rollup([lg], "day", t0, t0 + datetime.timedelta(days=1), now=t0 + datetime.timedelta(days=2))
    assert d.flag == "D"  # 19 valid hours


def test_rules_are_configurable(air_logger, t0, settings):
    lg, _limit = air_logger
    settings.QINGSHAN_ROLLUP_RULES = {"air": {"hour": {"min_count": 10}}}
    get_store().write(minutes(lg, t0, 12))
    (h,) = rollups.rollup([lg], "hour", t0, t0 + datetime.timedelta(hours=1), now=t0 + datetime.timedelta(hours=1))
    assert h.flag == "N"
    settings.QINGSHAN_VALID_FLAGS = ["N", "D"]
    assert rollups.valid_flags() == frozenset({"N", "D"})
