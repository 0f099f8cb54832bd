"""Open API: schema validates, public data is published only, tokens give region-scoped staff data, rate limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from qingshan.api import ratelimit
from qingshan.core.models import ApiToken
from qingshan.enforcement.models import Case
from qingshan.registry.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_openapi_schema_validates(client):
    from openapi_spec_validator import validate

    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    validate(schema)
    assert "/api/public/enterprises" in schema["paths"]
    assert "/api/staff/enterprises" in schema["paths"]
    for p in ("/api/public/air/daily", "/api/public/water/sections", "/api/staff/alarms"):
        assert p in schema["paths"], p
    assert client.get("/api/docs").status_code == 200


def test_public_cases_are_published_only(client):
    data = client.get("/api/public/cases?limit=500").json()
    assert {c["number"] for c in data} == set(Case.objects.published().values_list("number", flat=True)[:500])
    unpublished = Case.objects.filter(published_on__isnull=True).values_list("number", flat=True)
    assert not set(unpublished) & {c["number"] for c in data}


def test_public_enterprises_and_search(client):
    assert len(client.get("/api/public/enterprises?limit=500").json()) == Enterprise.objects.count()
    e = Enterprise.objects.order_by("pk").first()
    names = [x["name"] for x in client.get("/api/public/enterprises", {"q": e.name}).json()]
    assert e.name in names


def test_staff_needs_token_and_is_scoped(users):
    c = Client()
    assert c.get("/api/staff/enterprises").status_code == 401
    assert c.get("/api/staff/enterprises", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    _t, key = ApiToken.issue(users["donghu"], "test")
    r = c.get("/api/staff/enterprises?limit=500", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200
    expected = set(Enterprise.objects.for_user(users["donghu"]).values_list("pk", flat=True))
    assert {e["id"] for e in r.json()} == expected
    assert len(expected) < Enterprise.objects.count()
    s = c.get("/api/staff/summary?year=2026&half=1", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert s.status_code == 200 and s.json()["label"] == "2026年上半年"
    assert c.get("/api/staff/summary?year=2026&half=9", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 400


def test_complaint_status_by_ticket_and_phone(client):
    from qingshan.complaints.models import Complaint

    comp = Complaint.objects.exclude(complainant_phone="").first()
    if comp is None:
        pytest.skip("no complaint with a phone in the demo city")
    r = client.get(f"/api/public/complaints/{comp.ticket}", {"phone": comp.complainant_phone})
    assert r.status_code == 200 and r.json()["ticket"] == comp.ticket
    assert client.get(f"/api/public/complaints/{comp.ticket}", {"phone": "000"}).status_code == 404


def test_rate_limit(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "API_LIMIT", (3, 60))
    codes = [client.get("/api/public/ratings").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_public_air_and_water(client):
    from qingshan.air.models import DailyAQI
    from qingshan.water.models import SectionAssessment

    data = client.get("/api/public/air/daily?start=2026-06-01&end=2026-06-30&limit=5000").json()
    expected = DailyAQI.objects.filter(kind__in=("city", "county"), date__range=("2026-06-01", "2026-06-30"))
    assert len(data) == expected.count()
    city = expected.filter(kind="city").order_by("-date").first()
    if city is not None:
        assert {"date": str(city.date), "aqi": city.aqi} == {k: data[0][k] for k in ("date", "aqi")}
    latest = SectionAssessment.objects.filter(period="month").order_by("-year", "-number").first()
    rows = client.get("/api/public/water/sections").json()
    if latest is None:
        assert rows == []
        return
    month = SectionAssessment.objects.filter(period="month", year=latest.year, number=latest.number, section__active=True)
    assert {(r["section_code"], r["water_class"]) for r in rows} == set(month.values_list("section__code", "water_class"))
    assert client.get("/api/public/water/sections?year=2026&month=13").status_code == 400


def test_staff_alarms_scoped_by_token(users):
    from qingshan.monitoring.models import Alarm

    c = Client()
    assert c.get("/api/staff/alarms").status_code == 401
    _t, key = ApiToken.issue(users["donghu"], "alarms")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    data = c.get("/api/staff/alarms?status=all&limit=500", **auth).json()
    assert {a["id"] for a in data} == set(Alarm.objects.for_user(users["donghu"]).values_list("pk", flat=True)[:500])
    active = c.get("/api/staff/alarms", **auth).json()
    assert {a["id"] for a in active} == set(Alarm.objects.for_user(users["donghu"])
                                           .filter(status__in=Alarm.ACTIVE_STATUSES).values_list("pk", flat=True))
    assert Alarm.objects.exclude(pk__in=[a["id"] for a in data]).exists() or not Alarm.objects.exists()
    assert c.get("/api/staff/alarms?status=bogus", **auth).status_code == 400
    assert c.get("/api/staff/alarms?kind=bogus", **auth).status_code == 400
