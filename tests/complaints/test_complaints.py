"""Complaints: the portal form, routing, legal time limits, workflow, the closed loop to a case."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qingshan.complaints.models import Complaint
from qingshan.core.models import ChangeLog
from qingshan.enforcement import models as em
from qingshan.enforcement import rules
from qingshan.registry.models import Region
from qingshan.standards import petitions

pytestmark = pytest.mark.django_db


def grid_point(county_code="990101", n=0):
    g = Region.objects.filter(level=Region.Level.GRID, path__contains=f"/{county_code}/").order_by("code")[n]
    (x0, y0), (x1, y1) = g.boundary[0], g.boundary[2]
    return g, round((x0 + x1) / 2, 5), round((y0 + y1) / 2, 5)


def png(name="p.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def report_data(**kw):
    g, lon, lat = grid_point()
    data = {"topic": "water", "description": "河边排污口排出黑色污水，气味很臭", "address": "东湖区青山路88号桥下",
            "lon": lon, "lat": lat, "complainant_name": "张三", "complainant_phone": "13800000000", "enterprise_name": ""}
    data.update(kw)
    return data


def test_end_to_end_portal_report_to_case_penalty_rectification_close_out(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    public = Client()
    g, lon, lat = grid_point()
    assert public.get(reverse("complaints:report")).status_code == 200
    resp = public.post(reverse("complaints:report"), {**report_data(), "photos": [png()]})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    c = Complaint.objects.order_by("-pk").first()
    assert resp["Location"] == reverse("complaints:submitted", args=[c.ticket])
    # routed to the right grid, deadline on the working-day calendar (standards.petitions)
    assert c.region == g and c.channel == "web" and c.photos.count() == 1
    tl = petitions.petition_timeline(c.received_on, "web", [], as_of=c.received_on, calendar=rules.calendar())
    assert c.accept_due == tl.stage("intake").due
    assert rules.calendar().is_workday(c.accept_due)
    assert ChangeLog.objects.filter(object_id=str(c.pk), user_name="portal").exists()
    # public lookup by ticket: status, no personal data
    page = public.get(reverse("complaints:status"), {"ticket": c.ticket.lower()})
    body = page.content.decode()
    assert page.status_code == 200 and c.ticket in body
    assert "13800000000" not in body and "张三" not in body and "青山路88号" not in body
    assert public.get(reverse("complaints:status"), {"ticket": "NOPE"}).status_code == 404

    # grid officer of that grid and the county staff see it (and are notified); the other county does not
    from qingshan.core.models import Notification

    assert Notification.objects.filter(recipient__username=f"grid{g.code}", url=c.get_absolute_url()).exists()
    assert Notification.objects.filter(recipient__username="donghu", url=c.get_absolute_url()).exists()
    assert not Notification.objects.filter(recipient__username="xishan", url=c.get_absolute_url()).exists()
    grid_user = client_for(f"grid{g.code}")
    assert grid_user.get(c.get_absolute_url()).status_code == 200
    assert client_for("xishan").get(c.get_absolute_url()).status_code == 404
    assert c.ticket not in client_for("xishan").get(reverse("complaints:complaint_list")).content.decode()

    staff = client_for("donghu")
    detail = staff.get(c.get_absolute_url())
    assert detail.status_code == 200 and str(c.accept_due) in detail.content.decode()
    # accept, identify the enterprise, open a case in one action
    assert staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "accept"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "accepted" and c.handle_due
    ent = em.Enterprise.objects.filter(region=g).first() or em.Enterprise.objects.filter(region__path__startswith=g.parent.path).first()
    c.enterprise = ent
    c.save()
    resp = staff.post(reverse("enforcement:case_open", args=["complaints", "complaint", c.pk]))
    case = em.Case.objects.get(source_kind="complaint", source_id=c.pk)
    assert resp.status_code == 302 and case.source == c and case.enterprise == ent
    c.refresh_from_db()
    assert c.status == "handling"
    # penalty with a daily continuous penalty
    resp = staff.post(reverse("enforcement:measure_add"), {
        "case": case.pk, "category": "daily_penalty", "legal_basis": "epl2014-59", "decided_on": "2026-06-25",
        "original_fine": "50000", "correction_order_on": "2026-06-01", "reinspection_on": "2026-06-11"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    dp = case.measures.get(category="daily_penalty")
    assert dp.penalty_days == 10 and dp.amount == Decimal("500000.00")
    assert "50000.00 × 10 = 500000.00" in staff.get(dp.get_absolute_url()).content.decode()
    # a rectification deadline in working days
    resp = staff.post(reverse("enforcement:rectification_add"), {
        "case": case.pk, "enterprise": ent.pk, "requirement": "完成污水处理设施改造", "ordered_on": "2026-06-25",
        "workdays": "10", "listed_supervision": "city", "status": "open"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    rect = case.rectifications.get()
    assert rect.due_on == rules.calendar().add_workdays(datetime.date(2026, 6, 25), 10)
    case.status = "rectifying"
    case.save()
    # close-out needs evidence
    url = reverse("enforcement:rectification_close_out", args=[rect.pk])
    assert staff.post(url, {"evidence": ""}).status_code == 400
    assert staff.post(url, {"evidence": "复查合格，附照片"}).status_code == 302
    rect.refresh_from_db()
    case.refresh_from_db()
    assert rect.status == "closed_out" and case.status == "closed"
    # reply and close the complaint
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "reply", "text": "已立案查处并整改"})
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "close", "satisfaction": "satisfied"})
    c.refresh_from_db()
    assert c.status == "closed" and c.satisfaction == "satisfied"
    assert "已立案查处并整改" in public.get(reverse("complaints:status"), {"ticket": c.ticket}).content.decode()
    # every step attributed
    for obj in (c, case, dp, rect):
        assert ChangeLog.objects.filter(object_id=str(obj.pk), user_name="donghu").exists(), obj


def test_report_without_location_keeps_what_was_typed():
    resp = Client().post(reverse("complaints:report"), report_data(lon="", lat=""))
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "pick the place on the map" in body or "在地图上" in body
    assert "河边排污口排出黑色污水" in body and "东湖区青山路88号桥下" in body and "13800000000" in body
    assert not Complaint.objects.filter(address="东湖区青山路88号桥下").exists()


def test_report_with_unreadable_photo_is_refused_and_keeps_input(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("photo.jpg", b"this is not an image at all", content_type="image/jpeg")
    resp = Client().post(reverse("complaints:report"), {**report_data(), "photos": [bad]})
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "photo.jpg" in body
    assert "河边排污口排出黑色污水" in body
    assert not Complaint.objects.filter(address="东湖区青山路88号桥下").exists()


def test_report_outside_the_city_and_half_location_are_refused():
    assert Client().post(reverse("complaints:report"), report_data(lon="100.0", lat="40.0")).status_code == 400
    assert Client().post(reverse("complaints:report"), report_data(lat="")).status_code == 400


def test_anonymous_report_needs_no_phone_and_stores_no_identity():
    resp = Client().post(reverse("complaints:report"), report_data(anonymous="on", complainant_phone="", complainant_name="李四"))
    assert resp.status_code == 302
    c = Complaint.objects.order_by("-pk").first()
    assert c.anonymous and c.complainant_name == "" and c.complainant_phone == ""
    # named reports need a phone for the reply
    assert Client().post(reverse("complaints:report"), report_data(complainant_phone="")).status_code == 400


def test_duplicate_report_is_marked():
    Client().post(reverse("complaints:report"), report_data())
    Client().post(reverse("complaints:report"), report_data(description="河边排污口排出黑色污水，很臭"))
    first, second = Complaint.objects.order_by("-pk")[1], Complaint.objects.order_by("-pk")[0]
    assert second.duplicate_of == first and second.duplicate_score >= 0.6


def test_extension_at_most_30_days_and_moves_the_deadline(client_for):
    c = Complaint.objects.filter(status__in=["accepted", "handling"], region__path__contains="/990101/", extended_days=0).first()
    before = c.handle_due
    staff = client_for("donghu")
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "extend", "days": "31", "text": "x"})
    c.refresh_from_db()
    assert c.extended_days == 0
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "extend", "days": "30", "text": ""})
    c.refresh_from_db()
    assert c.extended_days == 0  # a reason is required
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "extend", "days": "30", "text": "需监测"})
    c.refresh_from_db()
    assert c.extended_days == 30 and c.handle_due >= before + datetime.timedelta(days=30)


def test_overdue_demo_complaints_and_rates():
    today = datetime.date(2026, 6, 30)
    overdue = [c for c in Complaint.objects.all() if c.is_overdue(today)]
    assert len(overdue) >= 2
    assert {c.status for c in overdue} >= {"received", "handling"}


def test_staff_intake_by_phone_routes_by_location_or_region(client_for):
    g, lon, lat = grid_point("990101", 1)
    staff = client_for("complaints")
    base = {"channel": "phone_12369", "topic": "noise", "received_on": "2026-06-29", "description": "夜间施工噪声",
            "status": "received", "extended_days": "0"}
    resp = staff.post(reverse("complaints:complaint_add"), {**base, "lon": lon, "lat": lat})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    c = Complaint.objects.get(description="夜间施工噪声")
    assert c.region == g
    # neither location nor region: clear error
    resp = staff.post(reverse("complaints:complaint_add"), {**base, "description": "无位置"})
    assert resp.status_code == 400 and not Complaint.objects.filter(description="无位置").exists()
    # a county cannot record a complaint located in the other county
    g2, lon2, lat2 = grid_point("990102")
    resp = client_for("donghu").post(reverse("complaints:complaint_add"), {**base, "description": "别的县", "lon": lon2, "lat": lat2})
    assert resp.status_code == 400 and not Complaint.objects.filter(description="别的县").exists()


def test_enterprise_users_cannot_see_complaints(client_for):
    assert client_for("ent001").get(reverse("complaints:complaint_list")).status_code == 403


def test_rate_limit(settings):
    from django.core.cache import cache

    cache.clear()
    c = Client(REMOTE_ADDR="10.9.9.9")
    from qingshan.complaints import views

    for _i in range(views.RATE_LIMIT):
        assert c.post(reverse("complaints:report"), report_data(description=f"测试限流第{_i}次投诉内容")).status_code == 302
    assert c.post(reverse("complaints:report"), report_data()).status_code == 429
    cache.clear()


def test_public_form_is_csrf_protected():
    c = Client(enforce_csrf_checks=True)
    assert c.post(reverse("complaints:report"), report_data()).status_code == 403
    page = c.get(reverse("complaints:report"))
    token = page.cookies["csrftoken"].value
    assert c.post(reverse("complaints:report"), {**report_data(), "csrfmiddlewaretoken": token}).status_code == 302


def test_grid_officer_sees_only_their_grid(client_for, users):
    g, _lon, _lat = grid_point()
    resp = client_for(f"grid{g.code}").get(reverse("complaints:complaint_list"))
    assert resp.status_code == 200
    shown = {row[0].pk for row in resp.context["rows"]}
    assert shown == set(Complaint.objects.filter(region=g).values_list("pk", flat=True)[:50])
    other = Complaint.objects.exclude(region=g).first()
    assert client_for(f"grid{g.code}").get(other.get_absolute_url()).status_code == 404


def test_reply_before_accept_is_refused(client_for):
    c = Complaint.objects.filter(status="received", region__path__contains="/990101/").first() or \
        Complaint.objects.filter(status="received").first()
    staff = client_for("complaints")
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "reply", "text": "答复"})
    c.refresh_from_db()
    assert c.status == "received" and not c.replied_on
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "reject", "text": ""})
    c.refresh_from_db()
    assert c.status == "received"
    staff.post(reverse("complaints:complaint_action", args=[c.pk]), {"action": "reject", "text": "不属于生态环境部门职责"})
    c.refresh_from_db()
    assert c.status == "rejected" and c.closed_on


def test_case_needs_an_identified_enterprise(client_for):
    c = Complaint.objects.filter(enterprise__isnull=True, region__path__contains="/990101/").first()
    resp = client_for("donghu").post(reverse("enforcement:case_open", args=["complaints", "complaint", c.pk]),
                                     {"next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == c.get_absolute_url()
    assert not em.Case.objects.filter(source_kind="complaint", source_id=c.pk).exists()
