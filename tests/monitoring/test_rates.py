import datetime

import pytest
from django.utils import timezone

from qingshan.monitoring import credit_facts, indicators, rates, services
from qingshan.monitoring.models import LoggerRole
from qingshan.monitoring.store import Measurement, get_store

H = datetime.timedelta(hours=1)


@pytest.fixture
def day(t0):
    return timezone.localtime(t0).date() + datetime.timedelta(days=1)


def fill(lg, start, hours, factors, *, skip=(), bad=()):
    rows = []
    for h in range(hours):
        if h in skip:
            continue
        for f in factors:
            rows.append(Measurement(lg.pk, f, "hour", start + h * H, 1.0, flag="D" if h in bad else "N"))
    get_store().write(rows)


def test_effective_rate_is_transmission_times_validity(air_logger, day):
    lg, _limit = air_logger
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    factors = rates.assessed_factors([lg])[lg.pk]
    assert set(factors) == {"a21026", "a21002", "a34013"}  # pollutants with an outlet limit, not the parameters
    fill(lg, start, 24, factors + ["a01012"], skip=range(18, 24), bad=(0, 1, 2))
    r = rates.logger_rates([lg], day, day + datetime.timedelta(days=1), now=start + 48 * H)[lg.pk]
    assert (r.expected, r.received, r.valid) == (72, 54, 45)
    assert r.transmission == pytest.approx(75.0) and r.validity == pytest.approx(45 / 54 * 100)
    assert r.effective == pytest.approx(62.5) and r.below_target
    # the expected count stops at "now"
    r = rates.logger_rates([lg], day, day + datetime.timedelta(days=1), now=start + 12 * H)[lg.pk]
    assert r.expected == 36 and r.received == 36


def test_target_and_cadence_are_configurable(air_logger, day, settings):
    lg, _limit = air_logger
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    fill(lg, start, 24, ["a21026", "a21002", "a34013"], skip=range(20, 24))
    settings.QINGSHAN_TRANSMISSION_RATE = {"target": 90}
    r = rates.logger_rates([lg], day, day + datetime.timedelta(days=1), now=start + 48 * H)[lg.pk]
    assert r.effective == pytest.approx(20 / 24 * 100) and r.below_target and rates.target() == 90


def test_pooled_rate_and_integration_points(air_logger, counties, users):
    lg, _limit = air_logger
    day = datetime.date(2026, 6, 15)  # inside the demo history
    county = next(c for c in counties if lg.region.path.startswith(c.path))
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    value = indicators.effective_transmission_rate(county, day, day)
    assert value is not None and 0 <= value <= 100  # other loggers of the county have no data that day: low
    fill(lg, start, 24, ["a21026", "a21002", "a34013"])
    loggers = rates.loggers_for(county=county)
    per = rates.logger_rates(loggers, start, start + 24 * H, now=start + 48 * H)
    assert per[lg.pk].effective == pytest.approx(100.0)
    pooled = rates.pooled(per.values())
    assert pooled.expected == sum(r.expected for r in per.values())
    assert services.county_effective_transmission_rate(county, day, day) == pytest.approx(pooled.effective)
    # reports: the user's reach; enterprise users only their own loggers
    assert services.city_transmission_rate(users["leader"], day, day) is not None
    ent_user = next(u for u in users.values() if getattr(u, "profile", None) and u.profile.enterprise_id == lg.enterprise_id)
    assert services.city_transmission_rate(ent_user, day, day) == pytest.approx(100.0)
    assert credit_facts.metrics(lg.enterprise, day, day) == {"effective_transmission_rate": 1.0}


def test_demo_month_table_has_loggers_below_target(users):
    table = rates.month_table(users["leader"], datetime.date(2026, 6, 1))
    assert table["target"] == 75.0 and table["loggers"]
    assert any(r["rate"].below_target for r in table["loggers"])
    assert any(not r["rate"].below_target for r in table["loggers"])
    assert len(table["counties"]) == 2
    donghu = rates.month_table(users["donghu"], datetime.date(2026, 6, 1))
    assert len(donghu["counties"]) == 1 and len(donghu["loggers"]) < len(table["loggers"])


def test_facility_efficiency(air_logger, users, day):
    lg, _limit = air_logger
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    from qingshan.registry.models import DataLogger

    inlet = DataLogger.objects.create(mn="TESTINLET0001", region=lg.region, enterprise=lg.enterprise, outlet=lg.outlet,
                                      factors=["a21026", "a21002"])
    LoggerRole.objects.create(logger=inlet, position="inlet", paired_with=lg)
    store = get_store()
    store.write([Measurement(inlet.pk, "a21026", "hour", start + h * H, 1000.0) for h in range(4)]
                + [Measurement(inlet.pk, "a21002", "hour", start + h * H, 300.0) for h in range(4)]
                + [Measurement(lg.pk, "a21026", "hour", start + h * H, 40.0) for h in range(4)]
                + [Measurement(lg.pk, "a21002", "hour", start + h * H, 100.0, flag="D" if h == 3 else "N") for h in range(4)])
    rows = {r["factor"]: r for r in rates.facility_efficiency(users["monitoring"], start, start + 4 * H)
            if r["role"].logger_id == inlet.pk}
    assert rows["a21026"]["efficiency"] == pytest.approx(96.0) and not rows["a21026"]["below"]
    assert rows["a21002"]["hours"] == 3 and rows["a21002"]["efficiency"] == pytest.approx(66.667, abs=0.01)
    assert rows["a21002"]["below"]
    # inlet values are before treatment: never an exceedance
    from qingshan.monitoring import alarms

    alarms.invalidate_cache()
    assert alarms.check([Measurement(inlet.pk, "a21026", "hour", start, 1000.0)]) == []


def test_credit_exceedance_days_and_tax_months(air_logger, t0):
    from qingshan.monitoring import alarms

    lg, limit = air_logger
    ms = [Measurement(lg.pk, "a21026", "hour", t0 + h * H, limit * 2) for h in range(3)]
    get_store().write(ms)
    alarms.check(ms)
    day = timezone.localtime(t0).date()
    events = [e for e in credit_facts.events(lg.enterprise, day, day) if e["date"] == day]
    assert events and events[0]["type"] == "exceedance_day" and events[0]["outlet"] == lg.outlet.code
    assert events[0]["pollutant"] == "二氧化硫"
    # tax: pollutant Cou (kg) or concentration × flow volume
    get_store().write([Measurement(lg.pk, "a00000", "hour", t0 + h * H, 50.0, cou=100000.0) for h in range(3)]
                      + [Measurement(lg.pk, "a21002", "hour", t0 + h * H, 20.0) for h in range(3)])
    (outlet,) = credit_facts.tax_outlet_months(lg.enterprise, day.replace(day=1))
    assert outlet["outlet"] == lg.outlet.code and outlet["medium"] == "air"
    so2, nox = outlet["pollutants"]["二氧化硫"], outlet["pollutants"]["氮氧化物"]
    assert nox["emission_kg"] == pytest.approx(3 * 20.0 * 100000.0 * 1e-6)
    assert so2["max_concentration"] == pytest.approx(limit * 2) and so2["standard"] == limit
