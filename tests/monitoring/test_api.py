"""Monitoring API (/api/monitoring/): token, region scope through for_user, parameters, ranges."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from qingshan.core.models import ApiToken
from qingshan.monitoring.models import Alarm, ShutdownDeclaration
from qingshan.monitoring.store import Measurement, get_store
from qingshan.registry.models import DataLogger

H = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(users):
    """``api("donghu")`` returns a function GETting /api/monitoring/<path> with that user's token."""

    def make(username):
        _t, key = ApiToken.issue(users[username], "test")
        c = Client()

        def get(path, **params):
            return c.get(f"/api/monitoring/{path}", params, HTTP_AUTHORIZATION=f"Bearer {key}")

        return get

    return make


def other_county(users, lg):
    return "xishan" if lg.region.path.startswith(users["donghu"].profile.region.path) else "donghu"


def test_schema_validates_and_lists_the_endpoints(client):
    from openapi_spec_validator import validate

    schema = client.get("/api/openapi.json").json()
    validate(schema)
    for p in ("/api/monitoring/loggers", "/api/monitoring/loggers/{mn}", "/api/monitoring/loggers/{mn}/values",
              "/api/monitoring/alarms", "/api/monitoring/transmission"):
        assert p in schema["paths"], p
    assert list(schema["components"]["securitySchemes"]) == ["TokenAuth"]


def test_token_and_permission(users, api):
    c = Client()
    assert c.get("/api/monitoring/loggers").status_code == 401
    assert c.get("/api/monitoring/loggers", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    r = api("public")("loggers")
    assert r.status_code == 403 and "may not view" in r.json()["detail"]


def test_loggers_are_scoped(users, api):
    for name in ("donghu", "leader"):
        data = api(name)("loggers", limit=1000).json()
        expected = DataLogger.objects.for_user(users[name]).filter(active=True)
        assert sorted(x["mn"] for x in data) == sorted(expected.values_list("mn", flat=True))
    donghu = api("donghu")("loggers", limit=1000).json()
    assert 0 < len(donghu) < DataLogger.objects.filter(active=True).count()
    assert {x["county"] for x in donghu} == {users["donghu"].profile.region.name}
    row = next(x for x in donghu if x["enterprise"])
    assert row["factors"] and {"code", "name"} <= set(row["factors"][0])
    assert row["status"] in ("online", "offline", "never_seen") and row["outlet"]
    # filters and their errors
    county = users["donghu"].profile.region
    assert len(api("leader")("loggers", county=county.code, limit=1000).json()) == len(donghu)
    assert api("donghu")("loggers", county="999999").status_code == 400
    assert api("donghu")("loggers", limit=0).status_code == 400
    assert api("donghu")("loggers", limit="many").status_code == 422  # wrong type: ninja's validation detail
    ent = DataLogger.objects.for_user(users["donghu"]).filter(enterprise__isnull=False).first().enterprise_id
    assert {x["enterprise_id"] for x in api("donghu")("loggers", enterprise=ent).json()} == {ent}


def test_enterprise_token_sees_own_loggers(users, api):
    name, user = next((n, u) for n, u in users.items() if getattr(u, "profile", None) and u.profile.enterprise_id
                      and DataLogger.objects.filter(enterprise_id=u.profile.enterprise_id).exists())
    data = api(name)("loggers").json()
    assert data and {x["enterprise_id"] for x in data} == {user.profile.enterprise_id}


def test_logger_outside_the_region_is_not_found(users, air_logger, api):
    lg, _limit = air_logger
    get = api(other_county(users, lg))
    assert get(f"loggers/{lg.mn}").status_code == 404
    assert get(f"loggers/{lg.mn}/values").status_code == 404
    assert get("loggers/NOSUCHLOGGER/values").status_code == 404
    mine = api("leader")(f"loggers/{lg.mn}")
    assert mine.status_code == 200 and mine.json()["mn"] == lg.mn


def test_values_of_a_logger(air_logger, api, t0):
    lg, _limit = air_logger
    get_store().write([Measurement(lg.pk, f, "hour", t0 + h * H, float(h), flag="D" if h == 2 else "N")
                       for h in range(48) for f in ("a21026", "a21002")])
    get = api("leader")
    start = t0.isoformat()  # +00:00: exercise the offset
    r = get(f"loggers/{lg.mn}/values", kind="hour", factor="a21026", start=start, end=(t0 + 5 * H).isoformat())
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["count"] == 5 and data["factors"] == ["a21026"]
    assert [v["value"] for v in data["values"]] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [v["valid"] for v in data["values"]] == [True, True, False, True, True]
    assert datetime.datetime.fromisoformat(data["values"][0]["time"]) == t0
    # several factors; dates are whole local days (end inclusive)
    day = timezone.localtime(t0 + 24 * H).date()
    both = get(f"loggers/{lg.mn}/values", factor="a21026,a21002", start=str(day), end=str(day)).json()
    local = {timezone.localtime(datetime.datetime.fromisoformat(v["time"])).date() for v in both["values"]}
    assert local == {day} and {v["factor"] for v in both["values"]} == {"a21026", "a21002"}
    # a "+" that arrived as a space
    r = get(f"loggers/{lg.mn}/values", factor="a21026", start="2031-03-10T08:00:00 08:00", end="2031-03-10 09:00")
    assert r.status_code == 200 and r.json()["count"] == 1


@pytest.mark.parametrize("params, reason", [
    ({"kind": "week"}, "kind"),
    ({"factor": "a99999"}, "does not report"),
    ({"factor": "a21026;drop"}, "not a factor code"),
    ({"start": "yesterday"}, "ISO 8601"),
    ({"start": "2026-06-10", "end": "2026-06-01"}, "before end"),
    ({"kind": "hour", "start": "2026-05-01", "end": "2026-06-01"}, "at most 31 days"),
    ({"kind": "rtd", "start": "2026-06-01", "end": "2026-06-03"}, "at most 2 days"),
    ({"start": "0001-01-01T00:00"}, "year"),
])
def test_values_bad_input_is_400(air_logger, api, params, reason):
    lg, _limit = air_logger
    r = api("leader")(f"loggers/{lg.mn}/values", **params)
    assert r.status_code == 400 and reason in r.json()["detail"], r.content


def test_values_ranges_at_the_limits(air_logger, api):
    lg, _limit = air_logger
    get = api("leader")
    assert get(f"loggers/{lg.mn}/values", kind="hour", start="2026-05-01", end="2026-05-31").status_code == 200
    assert get(f"loggers/{lg.mn}/values", kind="rtd", start="2026-06-01", end="2026-06-02").status_code == 200
    assert get(f"loggers/{lg.mn}/values", kind="day", start="2025-07-01", end="2026-06-30").status_code == 200
    r = get(f"loggers/{lg.mn}/values", kind="hour", start="2026-06-28")  # one day from the start
    values = r.json()["values"]
    assert r.status_code == 200 and values and len(values) <= 24 * len(lg.factors)
    assert {timezone.localtime(datetime.datetime.fromisoformat(v["time"])).date() for v in values} == {datetime.date(2026, 6, 28)}


def test_alarms_filters_and_scope(users, api):
    donghu = users["donghu"]
    get = api("donghu")
    data = get("alarms", status="all", limit=500).json()
    assert {a["id"] for a in data} == set(Alarm.objects.for_user(donghu).values_list("pk", flat=True)[:500])
    assert Alarm.objects.exclude(pk__in=[a["id"] for a in data]).exists()
    active = get("alarms").json()
    assert {a["id"] for a in active} == set(Alarm.objects.for_user(donghu).filter(status__in=Alarm.ACTIVE_STATUSES)
                                           .values_list("pk", flat=True))
    exceed = get("alarms", status="all", kind="exceedance", limit=500).json()
    assert exceed and all(a["kind"] == "exceedance" and a["factor_name"] for a in exceed)
    newest = max(Alarm.objects.for_user(donghu).values_list("started_at", flat=True))
    since = get("alarms", status="all", since=newest.isoformat()).json()
    assert since and all(datetime.datetime.fromisoformat(a["started_at"]) >= newest for a in since)
    day = timezone.localtime(newest).date()
    until = get("alarms", status="all", until=str(day - datetime.timedelta(days=1)), limit=500).json()
    assert all(timezone.localtime(datetime.datetime.fromisoformat(a["started_at"])).date() < day for a in until)
    one = data[0]
    assert {a["mn"] for a in get("alarms", status="all", mn=one["mn"], limit=500).json()} == {one["mn"]}
    # the leader asks for one county
    county = donghu.profile.region
    leader = api("leader")("alarms", status="all", county=county.code, limit=500).json()
    assert {a["id"] for a in leader} == {a["id"] for a in data}
    for bad in ({"status": "bogus"}, {"kind": "bogus"}, {"since": "last week"}, {"county": "nowhere"},
                {"limit": 501}, {"offset": -1}):
        r = get("alarms", **bad)
        assert r.status_code == 400 and r.json()["detail"], bad


def test_transmission_month(users, api):
    approved = ShutdownDeclaration.objects.get(status="approved")
    data = api("leader")("transmission", month="2026-06").json()
    assert data["month"] == "2026-06" and data["target"] == 75.0
    rows = {r["mn"]: r for r in data["loggers"]}
    assert set(rows) == set(DataLogger.objects.filter(active=True, kind="outlet").values_list("mn", flat=True))
    row = rows[approved.logger.mn]
    assert row["declared_hours"] == pytest.approx(approved.hours(), abs=0.01) and not row["below_target"]
    assert any(r["below_target"] for r in data["loggers"])
    assert data["total"]["expected"] == sum(r["expected"] for r in data["loggers"])
    assert len(data["counties"]) == 2
    donghu = api("donghu")("transmission", month="2026-06").json()
    assert len(donghu["counties"]) == 1 and len(donghu["loggers"]) < len(data["loggers"])
    assert api("donghu")("transmission").status_code == 200  # the current month
    for bad in ("2026-13", "June", "1999-01"):
        r = api("donghu")("transmission", month=bad)
        assert r.status_code == 400 and "month" in r.json()["detail"]
