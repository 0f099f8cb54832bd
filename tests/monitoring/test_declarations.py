"""Shutdown declarations (停产/停运申报): rates, sweep, workflow, permissions, change log, demo."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext

from qingshan.core.actor import acting_as
from qingshan.core.models import ChangeLog, Notification
from qingshan.monitoring import alarms, declarations, rates
from qingshan.monitoring.models import Alarm, LoggerStatus, ShutdownDeclaration
from qingshan.monitoring.services import WorkflowError
from qingshan.monitoring.store import Measurement, get_store
from qingshan.registry.models import DataLogger

H = datetime.timedelta(hours=1)
FACTORS = ["a21026", "a21002", "a34013"]  # the assessed pollutants of the demo flue-gas logger


@pytest.fixture
def start(t0):
    """Local midnight of a day after the demo history."""
    day = timezone.localtime(t0).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def fill(lg, start, hours, factors=FACTORS, *, skip=()):
    get_store().write([Measurement(lg.pk, f, "hour", start + h * H, 1.0) for h in range(hours) if h not in skip
                       for f in factors])


def declare(lg=None, start=None, end=None, status="approved", outlet=None, **extra):
    d = ShutdownDeclaration(logger=lg, outlet=outlet, start=start, end=end, reason="停产检修", status=status, **extra)
    d.full_clean(exclude=["region"])  # derived from the logger or outlet by clean()
    d.save()
    return d


def day_rate(lg, start, now=None):
    return rates.logger_rates([lg], start, start + 24 * H, now=now or start + 48 * H)[lg.pk]


def ent_user_of(users, enterprise_id):
    return next(n for n, u in users.items() if getattr(u, "profile", None) and u.profile.enterprise_id == enterprise_id)


def county_user_of(users, lg):
    return "donghu" if lg.region.path.startswith(users["donghu"].profile.region.path) else "xishan"


# -- effective transmission rate ------------------------------------------------------------

def test_approved_declaration_takes_its_hours_out_of_expected(air_logger, start):
    lg, _limit = air_logger
    fill(lg, start, 24, skip=range(8, 18))  # production stopped 08:00–18:00: nothing sent
    r = day_rate(lg, start)
    assert (r.expected, r.received, r.declared_hours) == (72, 42, 0.0) and r.below_target
    declare(lg, start + 8 * H, start + 18 * H)
    r = day_rate(lg, start)
    assert (r.expected, r.received, r.valid) == (42, 42, 42)
    assert r.declared_hours == pytest.approx(10.0) and r.effective == pytest.approx(100.0) and not r.below_target


def test_records_sent_during_a_declared_period_are_not_counted(air_logger, start):
    lg, _limit = air_logger
    fill(lg, start, 24, skip=range(20, 24))
    declare(lg, start + 8 * H, start + 18 * H)
    r = day_rate(lg, start)
    # 14 hours assessed, of which 10 received (20:00–24:00 missing); the 10 declared hours' records are out
    assert (r.expected, r.received) == (42, 30) and r.transmission == pytest.approx(30 / 42 * 100)


def test_declarations_overlapping_the_period_edges_count_only_inside(air_logger, start):
    lg, _limit = air_logger
    fill(lg, start - 24 * H, 72)
    declare(lg, start - 4 * H, start + 3 * H)  # 3 hours inside
    declare(lg, start + 22 * H, start + 40 * H)  # 2 hours inside
    r = day_rate(lg, start)
    assert r.declared_hours == pytest.approx(5.0)
    assert (r.expected, r.received) == (19 * 3, 19 * 3)
    # the neighbouring days see their own parts
    assert rates.logger_rates([lg], start - 24 * H, start, now=start + 72 * H)[lg.pk].declared_hours == pytest.approx(4.0)
    assert rates.logger_rates([lg], start + 24 * H, start + 48 * H, now=start + 72 * H)[lg.pk].declared_hours == pytest.approx(16.0)


def test_open_ended_declaration_runs_until_now_and_then_until_its_end(air_logger, start):
    lg, _limit = air_logger
    fill(lg, start, 12)
    d = declare(lg, start + 12 * H, None)
    r = day_rate(lg, start, now=start + 20 * H)
    assert r.declared_hours == pytest.approx(8.0) and (r.expected, r.received) == (36, 36)
    d.record_end(start + 16 * H)
    r = day_rate(lg, start, now=start + 20 * H)
    assert r.declared_hours == pytest.approx(4.0) and r.expected == 16 * 3


def test_only_approved_declarations_count(air_logger, start):
    lg, _limit = air_logger
    fill(lg, start, 24, skip=range(0, 6))
    for i, status in enumerate(("pending", "rejected", "withdrawn")):
        # withdrawn and rejected ones may overlap (they no longer count); pending ones may not
        declare(lg, start + i * H, start + (i + 1) * H, status=status)
    r = day_rate(lg, start)
    assert r.declared_hours == 0 and r.expected == 72


def test_overlapping_declarations_are_counted_once_and_pooled(air_logger, start):
    lg, _limit = air_logger
    fill(lg, start, 24, skip=range(6, 12))
    declare(lg, start + 6 * H, start + 10 * H)
    declare(None, start + 9 * H, start + 12 * H, outlet=lg.outlet, status="rejected")
    declare(None, start + 10 * H, start + 12 * H, outlet=lg.outlet)  # the whole outlet, touching the first
    r = day_rate(lg, start)
    assert r.declared_hours == pytest.approx(6.0) and r.effective == pytest.approx(100.0)
    other = DataLogger.objects.filter(kind="outlet").exclude(outlet=lg.outlet).first()
    pooled = rates.pooled(rates.logger_rates([lg, other], start, start + 24 * H, now=start + 48 * H).values())
    assert pooled.declared_hours == pytest.approx(6.0)


def test_outlet_declaration_covers_every_logger_of_the_outlet(air_logger, start):
    lg, _limit = air_logger
    inlet = DataLogger.objects.create(mn="TESTINLETDECL1", region=lg.region, enterprise=lg.enterprise, outlet=lg.outlet,
                                      factors=["a21026"])
    declare(None, start, start + 5 * H, outlet=lg.outlet)
    periods = declarations.approved_periods([lg, inlet], start, start + 24 * H)
    assert periods[lg.pk] == periods[inlet.pk] == [(start, start + 5 * H)]


# -- sweep ----------------------------------------------------------------------------------------

def offline_alarms(lg, t0):
    return Alarm.objects.filter(logger=lg, kind="offline", started_at__gte=t0 - H)


def test_no_offline_alarm_during_an_approved_shutdown_and_grace_after_it(air_logger, t0):
    lg, _limit = air_logger
    LoggerStatus.objects.update_or_create(logger=lg, defaults={"last_seen": t0})
    d = declare(lg, t0 + datetime.timedelta(minutes=30), None)
    assert alarms.sweep(t0 + 5 * H, loggers=[lg], rollup=False)["offline"] == 0
    assert alarms.sweep(t0 + 30 * H, loggers=[lg], rollup=False)["offline"] == 0
    assert not offline_alarms(lg, t0).exists()
    d.record_end(t0 + 40 * H)  # production resumed; the logger has the usual grace period from then
    assert alarms.sweep(t0 + 40 * H + datetime.timedelta(minutes=119), loggers=[lg], rollup=False)["offline"] == 0
    assert alarms.sweep(t0 + 40 * H + datetime.timedelta(minutes=121), loggers=[lg], rollup=False)["offline"] == 1
    (alarm,) = offline_alarms(lg, t0)
    assert alarm.started_at == t0 + 40 * H and alarm.status == "open"


def test_pending_declaration_does_not_suppress_offline(air_logger, t0):
    lg, _limit = air_logger
    LoggerStatus.objects.update_or_create(logger=lg, defaults={"last_seen": t0})
    declare(lg, t0, None, status="pending")
    assert alarms.sweep(t0 + 5 * H, loggers=[lg], rollup=False)["offline"] == 1


def test_approval_ends_a_running_offline_alarm(air_logger, t0, users):
    lg, _limit = air_logger
    LoggerStatus.objects.update_or_create(logger=lg, defaults={"last_seen": t0})
    alarms.sweep(t0 + 3 * H, loggers=[lg], rollup=False)
    (alarm,) = offline_alarms(lg, t0)
    d = declare(lg, t0 + datetime.timedelta(minutes=10), None, status="pending")  # filed late, backdated
    d.approve(users["monitoring"])
    result = alarms.sweep(t0 + 4 * H, loggers=[lg], rollup=False)
    alarm.refresh_from_db()
    assert result["closed"] == 1 and alarm.status == "closed" and alarm.ended_at == t0 + 4 * H
    assert alarm.close_note == gettext("Covered by an approved shutdown declaration.")


def test_declared_hours_never_make_zeros_or_a_flat_line(air_logger, water_logger, t0):
    lg, _limit = air_logger
    wl, _wlimit = water_logger
    now = t0 + 7 * H
    for x in (lg, wl):
        LoggerStatus.objects.update_or_create(logger=x, defaults={"last_seen": now})
    get_store().write([Measurement(lg.pk, "a21026", "hour", t0 + i * H, 12.34) for i in range(7)]
                      + [Measurement(wl.pk, "w21003", "hour", t0 + i * H, 0.0) for i in range(7)])
    declare(lg, t0 - H, now)  # over at ``now``: its values are still left out
    declare(wl, t0, None)  # still running
    result = alarms.sweep(now, loggers=[lg, wl], rollup=False)
    assert result["flat_line"] == result["zero"] == result["offline"] == 0
    assert not Alarm.objects.filter(logger__in=[lg, wl], kind__in=["flat_line", "zero"], started_at__gte=t0 - H).exists()


# -- model rules and workflow -------------------------------------------------------------------

@pytest.fixture
def english():
    with translation.override("en"):  # messages are matched in English
        yield


def test_validation(air_logger, water_logger, start, english):
    lg, _limit = air_logger
    wl, _wlimit = water_logger
    with pytest.raises(ValidationError) as exc:
        declare(None, start, start + H)
    assert "logger" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        declare(lg, start, start - H)
    assert "end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        declare(lg, start, start + H, outlet=wl.outlet)
    assert "outlet" in exc.value.message_dict
    first = declare(lg, start, start + 10 * H, status="pending")
    assert (first.enterprise_id, first.region_id, first.outlet_id) == (lg.enterprise_id, lg.region_id, lg.outlet_id)
    with pytest.raises(ValidationError, match="overlaps"):
        declare(lg, start + 9 * H, None)
    with pytest.raises(ValidationError, match="overlaps"):
        declare(None, start + 9 * H, start + 11 * H, outlet=lg.outlet)  # the outlet's loggers include lg
    declare(lg, start + 10 * H, start + 12 * H)  # touching is fine
    first.withdraw()
    declare(lg, start + 2 * H, start + 3 * H)  # a withdrawn one no longer blocks


def test_workflow_rules(air_logger, start, users, english):
    lg, _limit = air_logger
    staff = users["monitoring"]
    d = declare(lg, start, None, status="pending")
    with pytest.raises(WorkflowError):
        d.reject(staff, "  ")  # a rejection needs its reason
    d.approve(staff, "属实")
    assert d.status == "approved" and d.reviewed_by == staff and d.reviewed_at and d.review_note == "属实"
    with pytest.raises(WorkflowError):
        d.approve(staff)
    with pytest.raises(WorkflowError):
        d.withdraw()
    with pytest.raises(WorkflowError):
        d.record_end(start - H)
    d.record_end(start + 10 * H)
    with pytest.raises(WorkflowError, match="extended"):
        d.record_end(start + 20 * H)
    d.record_end(start + 8 * H)  # shortening is fine
    d.reject(staff, "现场检查发现仍在生产")  # an approval can be revoked
    assert d.status == "rejected"
    with pytest.raises(WorkflowError):
        d.record_end(start + 4 * H)


def test_change_log_records_filing_and_approval(air_logger, start, users):
    lg, _limit = air_logger
    ent = users[ent_user_of(users, lg.enterprise_id)]
    staff = users["monitoring"]
    with acting_as(ent):
        d = declare(lg, start, start + 5 * H, status="pending", declared_by=ent)
    with acting_as(staff):
        d.approve(staff, "同意")
    log = ChangeLog.objects.filter(content_type__model="shutdowndeclaration", object_id=str(d.pk)).order_by("time", "pk")
    created, approved = list(log)
    assert created.action == "create" and created.user_name == ent.username
    assert approved.action == "update" and approved.user_name == "monitoring"
    changes = {k: (a, b) for k, a, b in approved.diff()}
    assert changes["status"] == ("pending", "approved") and changes["reviewed_by"] == (None, staff.pk)
    assert approved.region_path == lg.region.path  # county staff see it in their change log


# -- pages and permissions ----------------------------------------------------------------------------

def form_data(lg, start, end=None, **extra):
    return {"logger": lg.pk if lg else "", "outlet": "", "kind": "production_stopped",
            "start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "end": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M") if end else "", "reason": "全厂停产", **extra}


def test_enterprise_user_files_only_for_own_enterprise(client_for, users, air_logger, start):
    lg, _limit = air_logger
    name = ent_user_of(users, lg.enterprise_id)
    other = DataLogger.objects.exclude(enterprise=lg.enterprise).filter(enterprise__isnull=False).first()
    c = client_for(name)
    assert c.get(reverse("monitoring:shutdowndeclaration_add")).status_code == 200
    before = ShutdownDeclaration.objects.count()
    r = c.post(reverse("monitoring:shutdowndeclaration_add"), form_data(other, start, start + 5 * H))
    assert r.status_code == 400 and ShutdownDeclaration.objects.count() == before  # not one of their loggers
    r = c.post(reverse("monitoring:shutdowndeclaration_add"), form_data(lg, start, start + 5 * H))
    assert r.status_code == 302
    d = ShutdownDeclaration.objects.get(logger=lg, start=start)
    assert d.status == "pending" and d.declared_by.username == name and d.enterprise_id == lg.enterprise_id
    # the reviewers of the logger's county are told; the other county is not
    notes = set(Notification.objects.filter(url=d.get_absolute_url()).values_list("recipient__username", flat=True))
    county = county_user_of(users, lg)
    assert {"monitoring", county} <= notes and ({"donghu", "xishan"} - {county}).isdisjoint(notes) and name not in notes
    # bad input: a clear form error, nothing stored
    r = c.post(reverse("monitoring:shutdowndeclaration_add"), form_data(lg, start + 30 * H, start + 20 * H))
    assert r.status_code == 400 and "end" in r.context["form"].errors
    r = c.post(reverse("monitoring:shutdowndeclaration_add"), {**form_data(lg, start + 30 * H), "start": "yesterday"})
    assert r.status_code == 400 and "start" in r.context["form"].errors
    r = c.post(reverse("monitoring:shutdowndeclaration_add"), form_data(lg, start + 2 * H))  # overlaps the first
    assert r.status_code == 400 and r.context["form"].non_field_errors()
    assert ShutdownDeclaration.objects.filter(logger=lg).count() == 1
    # they may edit it while it is pending, and withdraw it
    assert c.get(reverse("monitoring:shutdowndeclaration_edit", args=[d.pk])).status_code == 200
    r = c.post(reverse("monitoring:shutdowndeclaration_edit", args=[d.pk]), form_data(lg, start, start + 6 * H))
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.end == start + 6 * H and d.declared_by.username == name


def test_enterprise_user_cannot_approve_and_sees_only_own(client_for, users, air_logger, start):
    lg, _limit = air_logger
    name = ent_user_of(users, lg.enterprise_id)
    d = declare(lg, start, start + 5 * H, status="pending")
    c = client_for(name)
    page = c.get(d.get_absolute_url()).content.decode()
    approve = reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "approve"])
    assert approve not in page and reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "withdraw"]) in page
    assert c.post(approve).status_code == 403
    assert c.post(reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "reject"]), {"note": "x"}).status_code == 403
    d.refresh_from_db()
    assert d.status == "pending"
    # not even with the model permission: an enterprise never reviews its own declaration
    assert not declarations.can_review(users[name])
    others = ShutdownDeclaration.objects.exclude(enterprise=lg.enterprise)
    assert others.exists()
    assert c.get(others.first().get_absolute_url()).status_code == 404
    page = c.get(reverse("monitoring:shutdowndeclaration_list")).content.decode()
    visible = ShutdownDeclaration.objects.filter(enterprise=lg.enterprise).count()
    assert f'data-testid="total">{visible}<' in page
    # once approved it is no longer theirs to edit
    d.approve(users["monitoring"])
    assert c.get(reverse("monitoring:shutdowndeclaration_edit", args=[d.pk])).status_code == 403


def test_staff_approve_through_the_page_and_county_scope(client_for, users, air_logger, start):
    lg, _limit = air_logger
    ent = ent_user_of(users, lg.enterprise_id)
    d = declare(lg, start, start + 5 * H, status="pending", declared_by=users[ent])
    mine = county_user_of(users, lg)
    other = "xishan" if mine == "donghu" else "donghu"
    url = reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "approve"])
    assert client_for(other).get(d.get_absolute_url()).status_code == 404
    assert client_for(other).post(url).status_code == 404
    # county staff see only their county's declarations
    page = client_for(other).get(reverse("monitoring:shutdowndeclaration_list")).content.decode()
    region = users[other].profile.region
    assert f'data-testid="total">{ShutdownDeclaration.objects.filter(region__path__startswith=region.path).count()}<' in page
    c = client_for(mine)
    assert url in c.get(d.get_absolute_url()).content.decode()
    assert c.post(url, {"note": "同意"}).status_code == 302
    d.refresh_from_db()
    assert d.status == "approved" and d.reviewed_by.username == mine and d.review_note == "同意"
    entry = ChangeLog.objects.filter(content_type__model="shutdowndeclaration", object_id=str(d.pk), action="update").get()
    assert entry.user_name == mine and ("status", "pending", "approved") in entry.diff()
    assert Notification.objects.filter(recipient__username=ent, url=d.get_absolute_url()).exists()
    # a rejection without a reason is refused with a message, nothing changes
    c.post(reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "reject"]), {"note": ""})
    d.refresh_from_db()
    assert d.status == "approved"
    assert c.post(reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "bogus"])).status_code == 403
    r = c.post(reverse("monitoring:shutdowndeclaration_action", args=[d.pk, "end"]), {"end": "not a time"})
    d.refresh_from_db()
    assert r.status_code == 302 and d.end == start + 5 * H


def test_attachment_is_served_within_scope_only(client_for, users, air_logger, start):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lg, _limit = air_logger
    name = ent_user_of(users, lg.enterprise_id)
    data = {**form_data(lg, start, start + 5 * H), "attachment": SimpleUploadedFile("停产通知.txt", b"notice")}
    assert client_for(name).post(reverse("monitoring:shutdowndeclaration_add"), data).status_code == 302
    d = ShutdownDeclaration.objects.get(logger=lg, start=start)
    assert d.attachment.name.startswith("monitoring/declarations/")
    url = d.attachment.url
    assert url in client_for(name).get(d.get_absolute_url()).content.decode()
    mine = county_user_of(users, lg)
    other = "xishan" if mine == "donghu" else "donghu"
    assert b"".join(client_for(mine).get(url).streaming_content) == b"notice"
    assert client_for(other).get(url).status_code == 404


def test_grid_officer_and_public_cannot_file(client_for, users):
    grid = next(n for n in users if n.startswith("grid"))
    assert client_for(grid).get(reverse("monitoring:shutdowndeclaration_list")).status_code == 200
    assert client_for(grid).get(reverse("monitoring:shutdowndeclaration_add")).status_code == 403
    assert client_for("public").get(reverse("monitoring:shutdowndeclaration_list")).status_code == 403


@pytest.mark.parametrize("username", ["leader", "monitoring", "donghu", "ent001"])
def test_pages_load(client_for, users, username):
    c = client_for(username)
    assert c.get(reverse("monitoring:shutdowndeclaration_list")).status_code == 200
    assert c.get(reverse("monitoring:shutdowndeclaration_list") + "?q=QS&status=approved").status_code == 200
    assert c.get(reverse("monitoring:shutdowndeclaration_export")).status_code == 200
    assert c.get(reverse("monitoring:overview")).status_code == 200
    d = ShutdownDeclaration.objects.for_user(users[username]).first()
    if d is not None:
        assert c.get(d.get_absolute_url()).status_code == 200
        assert c.get(reverse("monitoring:shutdowndeclaration_history", args=[d.pk])).status_code == 200


# -- demo and the transmission page -------------------------------------------------------------------

def test_demo_declarations_and_the_corrected_rate(client_for, users):
    approved = ShutdownDeclaration.objects.get(status="approved")
    assert set(ShutdownDeclaration.objects.values_list("status", flat=True)) == {"approved", "pending", "rejected"}
    assert approved.end - approved.start >= datetime.timedelta(days=10) and approved.reviewed_by.username == "monitoring"
    june = datetime.date(2026, 6, 1)
    table = rates.month_table(users["leader"], june)
    row = next(r for r in table["loggers"] if r["logger"].pk == approved.logger_id)
    assert row["rate"].declared_hours == pytest.approx(approved.hours()) and not row["rate"].below_target
    # without the declaration the month would be below the target
    ShutdownDeclaration.objects.filter(pk=approved.pk).update(status="rejected")
    uncorrected = rates.logger_rates([approved.logger], june, datetime.date(2026, 7, 1))[approved.logger_id]
    assert uncorrected.below_target and uncorrected.expected > row["rate"].expected
    ShutdownDeclaration.objects.filter(pk=approved.pk).update(status="approved")
    page = client_for("leader").get(reverse("monitoring:transmission") + "?month=2026-06").content.decode()
    assert f'data-testid="declared-{approved.logger.mn}"><a' in page
    # the offline logger's pending declaration leaves its offline alarm running
    pending = ShutdownDeclaration.objects.get(status="pending")
    assert pending.end is None and Alarm.objects.filter(logger=pending.logger, kind="offline", status="open").exists()
