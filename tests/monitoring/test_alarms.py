import datetime

import pytest

from qingshan.core.models import Notification
from qingshan.monitoring import alarms
from qingshan.monitoring.models import Alarm, AlarmRule, LoggerStatus
from qingshan.monitoring.services import WorkflowError
from qingshan.monitoring.store import Measurement, get_store

H = datetime.timedelta(hours=1)


def hour(lg, t, value, flag="N", factor="a21026", zs=None, kind="hour"):
    return Measurement(lg.pk, factor, kind, t, value, flag=flag, zs=zs)


def write_check(ms):
    get_store().write(ms)
    return alarms.check(ms)


def test_exactly_at_limit_does_not_alarm_just_above_does(air_logger, t0):
    lg, limit = air_logger
    assert write_check([hour(lg, t0, limit)]) == []
    assert not Alarm.objects.filter(logger=lg, started_at__gte=t0).exists()
    (alarm,) = write_check([hour(lg, t0 + H, limit + 0.001)])
    assert alarm.kind == "exceedance" and alarm.status == "open" and alarm.factor == "a21026"
    assert alarm.limit_value == limit and alarm.peak_value == limit + 0.001
    assert alarm.enterprise_id == lg.enterprise_id and alarm.region_id == lg.region_id and alarm.outlet_id == lg.outlet_id


def test_invalid_flags_never_alarm(air_logger, t0):
    lg, limit = air_logger
    ms = [hour(lg, t0 + i * H, limit * 5, flag=f) for i, f in enumerate("DMCFSB")] + [hour(lg, t0 + 7 * H, None)]
    assert write_check(ms) == []
    assert not Alarm.objects.filter(logger=lg, kind="exceedance", started_at__gte=t0).exists()


def test_converted_value_is_compared_and_multiple(air_logger, t0):
    lg, limit = air_logger
    assert write_check([hour(lg, t0, limit * 3, zs=limit * 0.9)]) == []  # measured over, converted under
    (alarm,) = write_check([hour(lg, t0 + H, limit * 0.5, zs=limit * 2.5)])
    assert alarm.peak_value == limit * 2.5
    assert alarm.exceedance_multiple == pytest.approx(1.5)


def test_episode_extends_then_ends(air_logger, t0):
    lg, limit = air_logger
    write_check([hour(lg, t0, limit * 1.2)])
    write_check([hour(lg, t0 + H, limit * 2), hour(lg, t0 + 2 * H, limit * 1.5)])
    alarm = Alarm.objects.get(logger=lg, kind="exceedance", started_at__gte=t0)
    assert alarm.periods == 3 and alarm.peak_value == limit * 2 and alarm.ended_at is None
    assert alarm.last_seen_at == t0 + 2 * H
    write_check([hour(lg, t0 + 3 * H, limit * 0.5)])
    alarm.refresh_from_db()
    assert alarm.ended_at == t0 + 3 * H and alarm.status == "open"  # stays in the workflow
    # a new exceedance a day later is a new alarm
    write_check([hour(lg, t0 + 30 * H, limit * 1.1)])
    assert Alarm.objects.filter(logger=lg, kind="exceedance", started_at__gte=t0).count() == 2


def test_daily_limit_only_on_daily_values(water_logger, t0):
    lg, limit = water_logger
    assert write_check([hour(lg, t0, limit * 3, factor="w01018")]) == []  # an hourly value: daily limit not applied
    (alarm,) = write_check([hour(lg, t0, limit * 1.5, factor="w01018", kind="day")])
    assert alarm.averaging == "day" and alarm.exceedance_multiple == pytest.approx(0.5)


def test_notifications_to_monitoring_and_county_staff_and_enterprise(air_logger, t0, users):
    lg, limit = air_logger
    before = set(Notification.objects.values_list("pk", flat=True))
    (alarm,) = write_check([hour(lg, t0, limit * 2)])
    notes = Notification.objects.exclude(pk__in=before)
    names = set(notes.values_list("recipient__username", flat=True))
    county_user = "donghu" if lg.region.path.startswith(users["donghu"].profile.region.path) else "xishan"
    other = "xishan" if county_user == "donghu" else "donghu"
    assert "monitoring" in names and county_user in names and other not in names
    assert "enforcement" not in names
    assert all(n.url == alarm.get_absolute_url() for n in notes)
    ent_users = {u for u, x in users.items() if getattr(x, "profile", None) and x.profile.enterprise_id == lg.enterprise_id}
    assert ent_users and ent_users <= names


def test_out_of_range_rule_and_T_flag(air_logger, t0):
    lg, _limit = air_logger
    AlarmRule.objects.filter(factor_code="a21026").delete()
    AlarmRule.objects.create(factor_code="a21026", range_min=0, range_max=500)
    alarms.invalidate_cache()
    (alarm,) = write_check([hour(lg, t0, 600.0, kind="rtd")])
    assert alarm.kind == "out_of_range"
    write_check([hour(lg, t0 + H, 10.0, kind="rtd")])
    alarm.refresh_from_db()
    assert alarm.ended_at == t0 + H and alarm.status == "closed"  # recovered automatically
    (again,) = write_check([hour(lg, t0 + 2 * H, 10.0, flag="T", kind="min")])
    assert again.kind == "out_of_range" and again.pk != alarm.pk


def test_check_is_query_free_for_compliant_values(air_logger, t0, django_assert_num_queries):
    lg, limit = air_logger
    alarms.check([hour(lg, t0, limit / 2)])  # warm the cache
    ms = [hour(lg, t0 + i * H, limit / 2) for i in range(100)]
    with django_assert_num_queries(0):
        assert alarms.check(ms) == []


def test_sweep_offline_and_recovery(air_logger, t0):
    lg, _limit = air_logger
    LoggerStatus.objects.update_or_create(logger=lg, defaults={"last_seen": t0})
    now = t0 + datetime.timedelta(minutes=119)
    alarms.sweep(now, loggers=[lg], rollup=False)
    assert not Alarm.objects.filter(logger=lg, kind="offline", status="open", started_at__gte=t0).exists()
    result = alarms.sweep(t0 + datetime.timedelta(minutes=121), loggers=[lg], rollup=False)
    assert result["offline"] == 1
    alarm = Alarm.objects.get(logger=lg, kind="offline", started_at__gte=t0)
    assert alarm.status == "open" and alarm.started_at == t0
    alarms.sweep(t0 + datetime.timedelta(minutes=180), loggers=[lg], rollup=False)  # still offline: no second alarm
    assert Alarm.objects.filter(logger=lg, kind="offline", started_at__gte=t0).count() == 1
    LoggerStatus.objects.filter(logger=lg).update(last_seen=t0 + datetime.timedelta(minutes=190))
    alarms.sweep(t0 + datetime.timedelta(minutes=191), loggers=[lg], rollup=False)
    alarm.refresh_from_db()
    assert alarm.status == "closed" and alarm.ended_at is not None


def test_sweep_flat_line_and_zero(air_logger, water_logger, t0):
    lg, _limit = air_logger
    wl, _wlimit = water_logger
    now = t0 + 7 * H
    LoggerStatus.objects.update_or_create(logger=lg, defaults={"last_seen": now})
    LoggerStatus.objects.update_or_create(logger=wl, defaults={"last_seen": now})
    get_store().write([hour(lg, t0 + i * H, 12.34) for i in range(7)] + [hour(lg, t0 + i * H, 5 + i, factor="a21002") for i in range(7)]
                      + [hour(wl, t0 + i * H, 0.0, factor="w21003") for i in range(7)])
    result = alarms.sweep(now, loggers=[lg, wl], rollup=False)
    assert result["flat_line"] == 1 and result["zero"] == 1
    assert Alarm.objects.get(logger=lg, kind="flat_line", started_at__gte=t0).factor == "a21026"
    assert Alarm.objects.get(logger=wl, kind="zero", started_at__gte=t0).factor == "w21003"


def test_sweep_rolls_up_and_alarms_on_rolled_up_hours(air_logger, t0):
    lg, limit = air_logger
    get_store().write([Measurement(lg.pk, "a21026", "min", t0 + datetime.timedelta(minutes=i), limit * 1.5) for i in range(60)])
    LoggerStatus.objects.update_or_create(logger=lg, defaults={"last_seen": t0 + H})
    result = alarms.sweep(t0 + H + datetime.timedelta(minutes=5), loggers=[lg])
    assert result["rolled_up"] >= 1
    assert Alarm.objects.filter(logger=lg, kind="exceedance", started_at=t0).exists()


# -- lifecycle -------------------------------------------------------------------

@pytest.fixture
def alarm(air_logger, t0):
    lg, limit = air_logger
    (a,) = write_check([hour(lg, t0, limit * 2)])
    return a


def test_lifecycle_and_change_log(alarm, users):
    from qingshan.core.actor import acting_as
    from qingshan.core.models import ChangeLog

    staff = users["monitoring"]
    with acting_as(staff):
        alarm.acknowledge(staff)
    assert alarm.status == "acknowledged" and alarm.acknowledged_by == staff
    with pytest.raises(WorkflowError):
        alarm.acknowledge(staff)
    with pytest.raises(WorkflowError):
        alarm.explain("   ", staff)
    alarm.explain("开炉阶段", staff)
    assert alarm.status == "explained"
    alarm.close(staff, "核实")
    assert alarm.status == "closed" and alarm.closed_at and alarm.close_note == "核实"
    with pytest.raises(WorkflowError):
        alarm.close(staff)
    log = ChangeLog.objects.filter(object_id=str(alarm.pk), content_type__model="alarm")
    assert log.filter(user_name="monitoring").exists()


def test_escalation_opens_an_enforcement_case(alarm, users):
    from qingshan.enforcement.models import Case
    from qingshan.monitoring.services import open_case_from_alarm

    case = open_case_from_alarm(alarm, users["monitoring"])
    alarm.refresh_from_db()
    assert alarm.status == "escalated" and alarm.case_id == case.pk and alarm.case_number == case.number
    assert Case.objects.get(pk=case.pk).enterprise_id == alarm.enterprise_id
    with pytest.raises(WorkflowError):
        open_case_from_alarm(alarm, users["monitoring"])


def test_backfilled_exceedance_older_than_the_running_alarm_is_its_own(air_logger, t0):
    lg, limit = air_logger
    (running,) = write_check([hour(lg, t0 + 48 * H, limit * 2)])
    (old,) = write_check([hour(lg, t0, limit * 3)])  # 补传 of two days ago
    running.refresh_from_db()
    assert old.pk != running.pk and running.started_at == t0 + 48 * H and running.peak_value == limit * 2
    assert old.started_at == t0 and old.ended_at == t0 + H and old.exceedance_multiple == pytest.approx(2.0)
    (again,) = write_check([hour(lg, t0 + H, limit * 1.5)])  # the next backfilled hour extends the past one
    assert again.pk == old.pk and again.periods == 2
    assert Alarm.objects.filter(logger=lg, kind="exceedance", started_at__gte=t0).count() == 2
