"""End-to-end in headless Chromium (Debian's /usr/bin/chromium, no browser download).

County staff log in, view the leader dashboard and open an alarm (when the monitoring app
provides alarms); a member of the public files a complaint on the portal and looks up its
status. A screenshot is saved under test-artifacts/ when a step fails.
"""

from __future__ import annotations

import os
import pathlib

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def page(live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from tests.conftest import seed_small_city

    _restore_industries()
    seed_small_city()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(locale="zh-CN")
        pg = ctx.new_page()
        pg.set_default_timeout(15000)
        pg.base = live_server.url
        try:
            yield pg
        finally:
            ctx.close()
            browser.close()
            from django.db import connections

            connections.close_all()




def _restore_industries():
    """A transactional test before this one flushed the database, data migrations included."""
    import importlib

    from django.apps import apps

    from qingshan.registry.models import Industry

    if not Industry.objects.exists():
        importlib.import_module("qingshan.registry.migrations.0002_industries").load(apps, None)


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_staff_dashboard_then_public_complaint(page):
    """One test (one seeding of the live database: flushing it also removes the industry table)."""
    _staff_dashboard_and_alarm(page)
    _public_complaint_and_status(page)


def _staff_dashboard_and_alarm(page):
    try:
        page.goto(page.base + "/accounts/login/?next=/reports/dashboard/")
        page.fill("#id_username", "donghu")
        page.fill("#id_password", "Qingshan@2026")
        page.click("button[type=submit]")
        page.wait_for_url("**/reports/dashboard/**")
        assert page.locator("[data-testid=whoami]").inner_text().startswith("donghu")
        assert int(page.locator("[data-testid=enterprises]").inner_text()) > 0
        # the ECharts map is drawn (county polygons and point layers)
        page.wait_for_selector("#map canvas")
        page.wait_for_selector("[data-testid=county-indicators]")  # loaded after the page by htmx
        # drill down one level: county → town
        page.locator("[data-testid=children] a").first.click()
        page.wait_for_url("**region=*")
        assert "region=" in page.url
        assert page.locator("[data-testid=current-region]").inner_text().strip()
        # open an alarm: dashboard card → alarm list → first alarm
        page.goto(page.base + "/reports/dashboard/?day=2026-06-30")
        link = page.locator("[data-testid=open-alarms] a")
        if link.count():
            link.click()
            page.wait_for_url("**/monitoring/alarm/**")
            page.locator("table a[href*='/monitoring/alarm/']").first.click()
            page.wait_for_selector("[data-testid=status]")
            assert page.locator("h1").first.inner_text().strip()
        else:
            alarm_url = _first_alarm_url()
            assert alarm_url is None, "the dashboard shows no alarm link although alarms exist"
    except Exception:
        _shot(page, "dashboard-failure")
        raise


def _first_alarm_url():
    try:
        from qingshan.monitoring.models import Alarm
    except ImportError:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="donghu")
    alarm = Alarm.objects.for_user(user).filter(status__in=Alarm.ACTIVE_STATUSES).order_by("pk").first()
    return alarm.get_absolute_url() if alarm is not None else None


def _public_complaint_and_status(page):
    page.context.clear_cookies()
    from qingshan.registry.models import Region

    grid = Region.objects.filter(level=Region.Level.GRID).exclude(boundary=None).order_by("code").first()
    (x0, y0), (x1, y1) = grid.boundary[0], grid.boundary[2]
    try:
        page.goto(page.base + "/")
        page.click("[data-testid=portal-complain]")
        page.wait_for_url("**/complaints/report/")
        page.fill("#id_description", "夜间工厂排放刺鼻气味，持续数小时。")
        page.fill("#id_address", "测试路1号")
        page.fill("#id_complainant_name", "王先生")
        page.fill("#id_complainant_phone", "13800000000")
        page.fill("#id_lon", f"{(x0 + x1) / 2:.5f}")
        page.fill("#id_lat", f"{(y0 + y1) / 2:.5f}")
        page.click("button[type=submit].btn-primary")
        ticket = page.locator("[data-testid=ticket]").inner_text().strip()
        assert ticket
        page.goto(page.base + "/complaints/status/")
        page.fill("#id_ticket", ticket)
        page.click("form button")
        assert page.locator("[data-testid=status]").inner_text().strip()
        assert ticket in page.content()
    except Exception:
        _shot(page, "complaint-failure")
        raise
