"""Operations: periodic jobs (``qingshan jobs``), /healthz, uploaded files behind region scope."""

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command, get_commands

from qingshan.core.jobs import DAY, HOUR, Job, all_jobs
from qingshan.core.management.commands.jobs import run_job
from qingshan.core.models import JobRun

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("job, after, expected", [
    (Job("h", "x", interval=HOUR, offset=15 * 60), at(2026, 12, 5, 8, 20), at(2026, 12, 5, 9, 15)),
    (Job("h", "x", interval=HOUR, offset=15 * 60), at(2026, 12, 5, 8, 15), at(2026, 12, 5, 9, 15)),  # strictly after
    (Job("h", "x", interval=HOUR, offset=15 * 60), at(2026, 12, 5, 8, 14, 59), at(2026, 12, 5, 8, 15)),
    (Job("d", "x", interval=DAY, offset=2 * HOUR + 1800), at(2026, 12, 5, 3, 0), at(2026, 12, 6, 2, 30)),
    (Job("d", "x", interval=DAY, offset=2 * HOUR + 1800), at(2026, 12, 5, 0, 5), at(2026, 12, 5, 2, 30)),
    (Job("q", "x", interval=900), at(2026, 12, 31, 23, 50), at(2027, 1, 1, 0, 0)),
    (Job("m", "x", interval=DAY, offset=7 * HOUR, day_of_month=3), at(2026, 12, 5, 8, 0), at(2027, 1, 3, 7, 0)),
    (Job("m", "x", interval=DAY, offset=7 * HOUR, day_of_month=3), at(2026, 12, 3, 6, 59), at(2026, 12, 3, 7, 0)),
    (Job("m", "x", interval=DAY, offset=7 * HOUR, day_of_month=3), at(2026, 12, 3, 7, 0), at(2027, 1, 3, 7, 0)),
])
def test_next_run_is_aligned_to_local_midnight(job, after, expected, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert job.next_run(after) == expected
    # the same instant given in UTC gives the same answer
    assert job.next_run(after.astimezone(datetime.timezone.utc)) == expected


def test_bad_schedule_is_refused():
    with pytest.raises(ValueError):
        Job("x", "x", interval=0)
    with pytest.raises(ValueError):
        Job("x", "x", interval=HOUR, offset=-1)
    with pytest.raises(ValueError):
        Job("x", "x", interval=HOUR, day_of_month=3)


def test_declared_jobs_are_real_commands_with_unique_names():
    jobs = all_jobs()
    assert {"monitoring_rollup", "air_sync", "water_assess", "notify_subscribers"} <= {j.name for j in jobs}
    commands = get_commands()
    now = datetime.datetime(2026, 12, 5, 1, 0, tzinfo=TZ)
    for job in jobs:
        assert job.command in commands, job.name
        assert all(isinstance(a, str) for a in job.argv(now))
    rollup = next(j for j in jobs if j.name == "monitoring_rollup")
    assert rollup.argv(now) == ["--start", "2026-12-03"]
    ranking = next(j for j in jobs if j.name == "report_county_ranking")
    assert ranking.argv(now) == ["county_ranking", "year=2026", "month=11", "--user", "admin"]


def test_runs_are_recorded_and_a_failure_does_not_raise(db):
    ok = run_job(Job("subscribers", "notify_subscribers", interval=900))
    assert ok.outcome == JobRun.Outcome.OK and ok.finished >= ok.started
    bad = run_job(Job("rollup", "monitoring_rollup", interval=DAY, args=["--start", "not-a-date"]))
    assert bad.outcome == JobRun.Outcome.FAILED
    assert "bad date" in bad.output
    assert list(JobRun.objects.order_by("started").values_list("job", flat=True)) == ["subscribers", "rollup"]


def test_command_list_and_run(db, capsys):
    call_command("jobs", "--list")
    listed = capsys.readouterr().out
    assert "air_sync" in listed and "every 1 h" in listed
    call_command("jobs", "--run", "notify_subscribers")
    assert "notify_subscribers: ok" in capsys.readouterr().out
    with pytest.raises(CommandError, match="unknown job"):
        call_command("jobs", "--run", "no_such_job")


def test_healthz(client, db):
    run_job(Job("rollup", "monitoring_rollup", interval=DAY, args=["--start", "not-a-date"]))
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["jobs"]["failed_24h"] == 1
    assert set(body["monitoring"]) == {"last_packet", "loggers_seen_last_hour"}


def test_uploaded_files_follow_region_scope(client_for, users, settings, tmp_path):
    """/media/… serves an attachment only to users who may see the record holding it."""
    from django.core.files.base import ContentFile

    from qingshan.monitoring.models import Alarm

    settings.MEDIA_ROOT = tmp_path
    donghu = users["donghu"]
    alarm = Alarm.objects.for_user(donghu).first()
    alarm.explanation_file.save("maintenance-record.txt", ContentFile(b"pump repaired"), save=True)
    url = alarm.explanation_file.url
    assert url.startswith("/media/")
    r = client_for("donghu").get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"pump repaired"
    outsider = next(u for name, u in users.items() if hasattr(u, "profile") and u.profile.role == "county_staff"
                    and not Alarm.objects.for_user(u).filter(pk=alarm.pk).exists())
    assert client_for(outsider.username).get(url).status_code == 404
    assert client_for("public").get(url).status_code == 404
    assert client_for("donghu").get("/media/../secret_key").status_code == 404
    anonymous = client_for("donghu").__class__()
    assert anonymous.get(url).status_code == 302


def test_scheduled_report_is_generated_and_archived(db, settings, tmp_path):
    from qingshan.reports.models import Report

    settings.MEDIA_ROOT = tmp_path
    settings.QINGSHAN_REPORTS_SYNC = True
    job = next(j for j in all_jobs() if j.name == "report_air_bulletin")
    run = run_job(job, datetime.datetime(2026, 6, 2, 8, 30, tzinfo=TZ))
    assert run.outcome == JobRun.Outcome.OK, run.output
    report = Report.objects.order_by("-pk").first()
    assert report.kind == "air_bulletin" and report.status == Report.Status.DONE
    assert report.pdf and report.docx and report.xlsx
