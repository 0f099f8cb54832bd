"""Public portal: published data only, CSV downloads, subscriptions → outbox, suggestions, form rate limit."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from qingshan.api import ratelimit
from qingshan.enforcement.models import Case
from qingshan.portal.models import Outbox, Subscription, Suggestion
from qingshan.registry.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_pages_without_login(client):
    for url in ["/", "/public/air/", "/public/enterprises/", "/public/subscribe/", "/public/suggest/"]:
        assert client.get(url).status_code == 200, url
    e = Enterprise.objects.order_by("pk").first()
    r = client.get(f"/public/enterprises/{e.pk}/")
    assert r.status_code == 200 and e.name in r.content.decode()


def test_enterprise_page_shows_only_published_cases(client):
    unpublished = Case.objects.filter(published_on__isnull=True).exclude(decision_number="").first() \
        or Case.objects.filter(published_on__isnull=True).first()
    if unpublished is None:
        pytest.skip("no unpublished case")
    r = client.get(f"/public/enterprises/{unpublished.enterprise_id}/")
    assert [c.pk for c in r.context["cases"]] == list(
        Case.objects.published().filter(enterprise_id=unpublished.enterprise_id).order_by("-published_on", "number")
        .values_list("pk", flat=True))


def test_csv_download_is_published_data(client):
    r = client.get("/public/download/cases.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "案件编号"
    assert {row[0] for row in rows[1:]} == set(Case.objects.published().values_list("number", flat=True))
    r = client.get("/public/download/enterprises.csv")
    assert len(r.content.decode("utf-8-sig").strip().splitlines()) == Enterprise.objects.count() + 1
    assert client.get("/public/download/secrets.csv").status_code == 404


def test_subscribe_and_notify(client, client_for):
    case = Case.objects.published().first()
    if case is None:
        pytest.skip("no published case")
    r = client.post("/public/subscribe/", {"email": "", "phone": "", "enterprise": case.enterprise_id})
    assert r.status_code == 200 and Subscription.objects.count() == 0  # error shown, nothing saved
    r = client.post("/public/subscribe/", {"email": "a@example.org", "enterprise": case.enterprise_id})
    assert r.status_code == 302
    sub = Subscription.objects.get()
    Subscription.objects.filter(pk=sub.pk).update(created=sub.created.replace(year=2000))
    call_command("notify_subscribers")
    msgs = Outbox.objects.filter(subscription=sub)
    assert case.number in {m.case_number for m in msgs}
    n = msgs.count()
    call_command("notify_subscribers")  # idempotent
    assert Outbox.objects.filter(subscription=sub).count() == n
    page = client_for("leader").get("/portal/outbox/")
    assert page.status_code == 200 and "a@example.org" in page.content.decode()


def test_suggestion_and_rate_limit(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "FORM_LIMIT", (2, 600))
    assert client.post("/public/suggest/", {"name": "张三", "text": "建议增加监测站"}).status_code == 302
    assert client.post("/public/suggest/", {"name": "", "text": ""}).status_code == 200  # field error, kept form
    assert client.post("/public/suggest/", {"text": "again"}).status_code == 429
    assert Suggestion.objects.filter(text="建议增加监测站").exists()
