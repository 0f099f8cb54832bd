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
    before = Subscription.objects.count()  # the demo city has a few followers
    r = client.post("/public/subscribe/", {"email": "", "phone": "", "enterprise": case.enterprise_id})
    assert r.status_code == 200 and Subscription.objects.count() == before  # error shown, nothing saved
    r = client.post("/public/subscribe/", {"email": "a@example.org", "enterprise": case.enterprise_id})
    assert r.status_code == 302
    sub = Subscription.objects.get(email="a@example.org")
    # double opt-in: nothing but the confirmation until the link is opened
    assert not sub.active and sub.confirmed_at is None
    confirmation = Outbox.objects.get(subscription=sub, case_number="confirm")
    assert confirmation.sent and f"/public/confirm/{sub.token}/" in confirmation.body
    call_command("notify_subscribers")
    assert set(Outbox.objects.filter(subscription=sub).values_list("case_number", flat=True)) == {"confirm"}
    assert client.get(f"/public/confirm/{sub.token}/").status_code == 302
    sub.refresh_from_db()
    assert sub.active and sub.confirmed_at is not None
    Subscription.objects.filter(pk=sub.pk).update(created=sub.created.replace(year=2000), notified_until=None)
    call_command("notify_subscribers")
    msgs = Outbox.objects.filter(subscription=sub).exclude(case_number="confirm")
    assert case.number in {m.case_number for m in msgs}
    n = msgs.count()
    call_command("notify_subscribers")  # idempotent
    assert Outbox.objects.filter(subscription=sub).exclude(case_number="confirm").count() == n
    page = client_for("leader").get("/portal/outbox/")
    assert page.status_code == 200 and "a@example.org" in page.content.decode()


def test_suggestion_and_rate_limit(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "FORM_LIMIT", (2, 600))
    assert client.post("/public/suggest/", {"name": "张三", "text": "建议增加监测站"}).status_code == 302
    assert client.post("/public/suggest/", {"name": "", "text": ""}).status_code == 200  # field error, kept form
    assert client.post("/public/suggest/", {"text": "again"}).status_code == 429
    assert Suggestion.objects.filter(text="建议增加监测站").exists()


def test_water_page_and_csv_match_database(client):
    from qingshan.water.models import SectionAssessment

    latest = SectionAssessment.objects.filter(period="month").order_by("-year", "-number").first()
    if latest is None:
        pytest.skip("no water assessments")
    expected = SectionAssessment.objects.filter(period="month", year=latest.year, number=latest.number,
                                                section__active=True)
    r = client.get("/public/water/")
    assert r.status_code == 200
    assert [a.pk for a in r.context["rows"]] == list(expected.order_by("section__code").values_list("pk", flat=True))
    body = r.content.decode()
    for a in expected.select_related("section"):
        assert a.section.name in body
    good = expected.filter(water_class__lte=3).count()
    classed = expected.exclude(water_class=None).count()
    assert r.context["good_share"] == round(100.0 * good / classed, 1)
    # an earlier month, and a bad one (message, latest shown)
    assert client.get(f"/public/water/?month={latest.year}-01").status_code == 200
    assert client.get("/public/water/?month=garbage").context["month"] == latest.number
    rows = list(csv.reader(io.StringIO(client.get("/public/download/water.csv").content.decode("utf-8-sig"))))
    assert rows[0][2] == "断面编码" and len(rows) == expected.count() + 1
    assert {row[2] for row in rows[1:]} == set(expected.values_list("section__code", flat=True))


def test_air_page_and_csv(client):
    from qingshan.air.models import DailyAQI

    r = client.get("/public/air/")
    assert r.status_code == 200
    city = DailyAQI.objects.filter(kind="city").order_by("-date").first()
    if city is None:
        pytest.skip("no air data")
    assert r.context["day"] == city.date and r.context["now"][0].aqi == city.aqi
    rows = list(csv.reader(io.StringIO(client.get("/public/download/air.csv").content.decode("utf-8-sig"))))
    assert len(rows) - 1 == DailyAQI.objects.filter(kind__in=("city", "county")).count()


def test_key_polluter_page_shows_latest_hourly_values_against_limits(client):
    from qingshan.registry.models import DataLogger

    key = Enterprise.objects.filter(key_level__in=("national", "provincial", "municipal"),
                                    pk__in=DataLogger.objects.values("enterprise")).order_by("pk").first()
    if key is None:
        pytest.skip("no key polluter with loggers")
    r = client.get(f"/public/enterprises/{key.pk}/")
    mon = r.context["monitoring"]
    assert mon is not None and mon["loggers"] >= 1
    assert 'data-testid="monitoring-summary"' in r.content.decode() or not mon["rows"]
    for row in mon["rows"]:
        assert row["status"] in ("ok", "over", "invalid", "none")
        if row["status"] == "over":
            assert row["value"] > row["limit"]
        if row["status"] == "ok":
            assert row["value"] <= row["limit"]
    plain = Enterprise.objects.filter(key_level="none").first()
    if plain is not None:
        assert client.get(f"/public/enterprises/{plain.pk}/").context["monitoring"] is None


def test_publishing_a_decision_notifies_followers_at_once(client):
    from django.utils import timezone

    Subscription.objects.all().delete()  # only this test's followers

    case = Case.objects.filter(published_on__isnull=True).select_related("enterprise__region").first()
    if case is None:
        pytest.skip("no unpublished case")
    by_ent = Subscription.objects.create(email="e@example.org", enterprise=case.enterprise)
    county = case.enterprise.region
    while county.level > 3:
        county = county.parent
    by_area = Subscription.objects.create(phone="13900000000", region=county)
    other = Subscription.objects.create(email="o@example.org",
                                        enterprise=Enterprise.objects.exclude(pk=case.enterprise_id).first())
    case.published_on = timezone.localdate()
    if not case.decision_number:
        case.decision_number = "测环罚〔2026〕99号"
    case.save()
    assert Outbox.objects.filter(subscription=by_ent, case_number=case.number).exists()
    assert Outbox.objects.filter(subscription=by_area, case_number=case.number).exists()
    assert not Outbox.objects.filter(subscription=other).exists()
    n = Outbox.objects.filter(case_number=case.number).count()
    case.save()  # saving again sends nothing new
    assert Outbox.objects.filter(case_number=case.number).count() == n


def test_demo_followers_were_notified():
    """The portal demo hook: followers of enterprises/areas and their outbox (idempotent notification)."""
    assert Subscription.objects.exists() and Suggestion.objects.exists()
    for m in Outbox.objects.select_related("subscription"):
        case = Case.objects.get(number=m.case_number)
        assert case.published_on is not None
        sub = m.subscription
        assert case.enterprise_id == sub.enterprise_id or case.enterprise.region.path.startswith(sub.region.path)


def test_outbox_delivery_email_sms_and_unsubscribe(db, settings, client):
    """send_outbox mails e-mail subscribers (with an unsubscribe link), keeps SMS without a gateway,
    retries failures, and the unsubscribe link stops the subscription."""
    from django.core import mail
    from django.core.management import call_command

    from qingshan.portal.models import Outbox, Subscription

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.QINGSHAN_SMS_BACKEND = ""
    Outbox.objects.all().delete()
    by_mail = Subscription.objects.create(email="resident@example.org", region=None)
    by_sms = Subscription.objects.create(phone="13800000000", region=None)
    Outbox.objects.create(subscription=by_mail, to=by_mail.email, subject="环境违法信息公开：某公司", body="处罚决定", case_number="C1")
    Outbox.objects.create(subscription=by_sms, to=by_sms.phone, subject="环境违法信息公开：某公司", body="处罚决定", case_number="C1")
    call_command("send_outbox")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["resident@example.org"]
    link = f"/public/unsubscribe/{by_mail.token}/"
    assert link in mail.outbox[0].body
    sms_msg = Outbox.objects.get(subscription=by_sms)
    assert not sms_msg.sent and sms_msg.attempts == 0

    sent_sms = []
    settings.QINGSHAN_SMS_BACKEND = "tests.portal.test_portal.fake_sms_gateway"
    fake_sms_gateway.calls = sent_sms
    call_command("send_outbox")
    assert sent_sms == [("13800000000", "环境违法信息公开：某公司：处罚决定")]
    assert Outbox.objects.filter(sent=True).count() == 2

    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert not Subscription.objects.get(pk=by_mail.pk).active
    assert client.get("/public/unsubscribe/not-a-token/").status_code == 404


def test_outbox_failure_is_kept_and_retried(db, settings):
    from qingshan.portal.delivery import deliver
    from qingshan.portal.models import Outbox, Subscription

    settings.QINGSHAN_SMS_BACKEND = "tests.portal.test_portal.broken_sms_gateway"
    Outbox.objects.all().delete()
    sub = Subscription.objects.create(phone="13800000001")
    msg = Outbox.objects.create(subscription=sub, to=sub.phone, subject="s", body="b", case_number="C2")
    assert deliver() == {"sent": 0, "failed": 1, "waiting": 0}
    msg.refresh_from_db()
    assert not msg.sent and msg.attempts == 1 and "gateway down" in msg.error


def fake_sms_gateway(phone, text):
    fake_sms_gateway.calls.append((phone, text))


def broken_sms_gateway(phone, text):
    raise ConnectionError("gateway down")
