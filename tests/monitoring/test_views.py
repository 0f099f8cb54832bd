import pytest
from django.urls import reverse

from qingshan.monitoring import alarms
from qingshan.monitoring.models import Alarm, ShutdownDeclaration
from qingshan.monitoring.store import Measurement, get_store
from qingshan.registry.models import DataLogger


def ent_user_of(users, enterprise_id):
    return next(n for n, u in users.items() if getattr(u, "profile", None) and u.profile.enterprise_id == enterprise_id)


@pytest.mark.parametrize("username", ["admin", "leader", "monitoring", "enforcement", "donghu", "xishan"])
def test_pages_load_for_staff(client_for, username):
    c = client_for(username)
    for name in ("overview", "alarm_list", "transmission", "efficiency", "loggerrole_list", "ingestevent_list",
                 "ingestrejection_list"):
        r = c.get(reverse(f"monitoring:{name}"))
        assert r.status_code == 200, (username, name)
    r = c.get(reverse("monitoring:transmission") + "?month=2026-06&below=1")
    assert r.status_code == 200
    if username in ("leader", "monitoring"):
        assert "table-danger" in r.content.decode()  # loggers below the 75 % target are highlighted


def test_alarm_list_is_scoped(client_for, users):
    donghu = users["donghu"].profile.region
    inside = Alarm.objects.filter(region__path__startswith=donghu.path)
    outside = Alarm.objects.exclude(region__path__startswith=donghu.path)
    assert inside.exists() and outside.exists()
    c = client_for("donghu")
    assert c.get(reverse("monitoring:alarm_detail", args=[inside.first().pk])).status_code == 200
    assert c.get(reverse("monitoring:alarm_detail", args=[outside.first().pk])).status_code == 404
    page = c.get(reverse("monitoring:alarm_list")).content.decode()
    assert f'data-testid="total">{inside.count()}<' in page


def test_enterprise_user_sees_only_own(client_for, users):
    lg = DataLogger.objects.filter(enterprise__isnull=False, alarms__isnull=False).first()
    other = DataLogger.objects.exclude(enterprise=lg.enterprise).filter(enterprise__isnull=False).first()
    c = client_for(ent_user_of(users, lg.enterprise_id))
    assert c.get(reverse("monitoring:realtime", args=[lg.enterprise_id])).status_code == 200
    assert c.get(reverse("monitoring:realtime", args=[other.enterprise_id])).status_code == 404
    assert c.get(reverse("monitoring:history", args=[lg.pk])).status_code == 200
    assert c.get(reverse("monitoring:history", args=[other.pk])).status_code == 404
    page = c.get(reverse("monitoring:overview")).content.decode()
    assert lg.mn in page and other.mn not in page


def test_grid_officer_and_anonymous(client, users):
    assert client.get(reverse("monitoring:overview")).status_code == 302
    grid = next(n for n in users if n.startswith("grid"))
    client.login(username=grid, password="Qingshan@2026")
    assert client.get(reverse("monitoring:overview")).status_code == 200


def test_realtime_and_history_pages(client_for):
    lg = DataLogger.objects.filter(enterprise__isnull=False, alarms__kind="exceedance").first()
    c = client_for("monitoring")
    page = c.get(reverse("monitoring:realtime", args=[lg.enterprise_id])).content.decode()
    assert lg.mn in page and "二氧化硫" in page or "化学需氧量" in page
    r = c.get(reverse("monitoring:history", args=[lg.pk]) + "?kind=hour&days=30&end=2026-06-29")
    assert r.status_code == 200 and 'id="chart-data"' in r.content.decode()
    assert c.get(reverse("monitoring:history", args=[lg.pk]) + "?kind=day&days=x&end=bad").status_code == 200


def test_workflow_through_the_pages(client_for, users, air_logger, t0):
    lg, limit = air_logger
    ms = [Measurement(lg.pk, "a21026", "hour", t0, limit * 2)]
    get_store().write(ms)
    (alarm,) = alarms.check(ms)
    url = lambda action: reverse("monitoring:alarm_action", args=[alarm.pk, action])  # noqa: E731
    staff = client_for("monitoring")
    ent = client_for(ent_user_of(users, lg.enterprise_id))
    page = ent.get(alarm.get_absolute_url()).content.decode()
    assert url("explain") in page and url("acknowledge") not in page and url("close") not in page
    assert ent.post(url("acknowledge")).status_code == 403
    staff.post(url("acknowledge"))
    alarm.refresh_from_db()
    assert alarm.status == "acknowledged" and alarm.acknowledged_by.username == "monitoring"
    # an empty explanation is refused, nothing changes
    ent.post(url("explain"), {"explanation": ""})
    alarm.refresh_from_db()
    assert alarm.status == "acknowledged"
    from django.core.files.uploadedfile import SimpleUploadedFile

    ent.post(url("explain"), {"explanation": "设备故障，已维修", "attachment": SimpleUploadedFile("r.txt", b"repair")})
    alarm.refresh_from_db()
    assert alarm.status == "explained" and alarm.explained_by.profile.enterprise_id == lg.enterprise_id
    assert alarm.explanation_file.name.endswith(".txt")
    r = staff.post(url("escalate"))
    alarm.refresh_from_db()
    assert alarm.status == "escalated" and alarm.case_id
    assert r.status_code == 302
    assert staff.post(url("close")).status_code == 403  # no action on an escalated alarm


def test_other_county_cannot_act(client_for, users, air_logger, t0):
    lg, limit = air_logger
    ms = [Measurement(lg.pk, "a21026", "hour", t0, limit * 2)]
    get_store().write(ms)
    (alarm,) = alarms.check(ms)
    mine = "donghu" if lg.region.path.startswith(users["donghu"].profile.region.path) else "xishan"
    other = "xishan" if mine == "donghu" else "donghu"
    assert client_for(other).post(reverse("monitoring:alarm_action", args=[alarm.pk, "escalate"])).status_code == 404
    client_for(mine).post(reverse("monitoring:alarm_action", args=[alarm.pk, "escalate"]))
    alarm.refresh_from_db()
    assert alarm.status == "escalated"  # county staff may open a case (enforcement edit)


def test_dashboard_widget(client_for):
    from django.test import RequestFactory

    from qingshan.monitoring.dashboard import widgets

    r = client_for("monitoring").get(reverse("core:home"))
    assert r.status_code == 200
    req = RequestFactory().get("/")
    from django.contrib.auth import get_user_model

    req.user = get_user_model().objects.get(username="monitoring")
    w, pending = widgets(req)  # alarms; shutdown declarations awaiting review (the demo leaves one)
    assert w["value"] == Alarm.objects.exclude(status__in=["closed", "escalated"]).count()
    assert pending["value"] == ShutdownDeclaration.objects.filter(status="pending").count() >= 1
