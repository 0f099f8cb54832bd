"""``/healthz``: is this instance able to serve? For load balancers and monitoring.

The database must answer (HTTP 503 otherwise). Informational figures come
with it: failed periodic jobs in the last 24 hours (``qingshan jobs``) and
each app's optional ``health.py`` ``check() -> dict`` (e.g. when the HJ 212
server last stored a packet). No personal or enterprise data is shown.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone

from .navigation import app_modules


def status() -> tuple[bool, dict]:
    checks: dict = {"time": timezone.now().isoformat(timespec="seconds")}
    try:
        with connection.cursor() as c:
            c.execute("SELECT 1")
            c.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error: the instance cannot serve
        checks["database"] = f"error: {type(exc).__name__}"
        return False, checks
    from .models import JobRun

    since = timezone.now() - datetime.timedelta(hours=24)
    last = JobRun.objects.order_by("-started").values_list("started", flat=True).first()
    checks["jobs"] = {"failed_24h": JobRun.objects.filter(started__gte=since, outcome=JobRun.Outcome.FAILED).count(),
                      "last_run": last.isoformat(timespec="seconds") if last else None}
    for label, module in app_modules("health"):
        check = getattr(module, "check", None)
        if check is None:
            continue
        try:
            checks[label] = check()
        except Exception as exc:  # one app's figure must not hide the others
            checks[label] = {"error": type(exc).__name__}
    return True, checks
