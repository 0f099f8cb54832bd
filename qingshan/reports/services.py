"""Generate a report: collect figures, render the three formats, archive them (optionally in a thread)."""

from __future__ import annotations

import logging
import threading

from django.core.files.base import ContentFile
from django.db import close_old_connections

from qingshan.core.actor import acting_as

from . import content
from .kinds import KINDS, ParamError
from .models import Report

log = logging.getLogger(__name__)


def create(kind: str, params: dict, user) -> Report:
    """Validate parameters and create the archive row (raises ParamError / KeyError on bad input)."""
    k = KINDS[kind]
    params = {p: params.get(p) for p in k.params}
    # validate early so the user sees a clear error and nothing is created
    from . import kinds as _k
    if "half" in k.params:
        _k.period_of(params)
    elif "month" in k.params:
        _k.month_of(params)
    region = getattr(getattr(user, "profile", None), "region", None)
    return Report.objects.create(kind=kind, title=k.title, params=params, created_by=user, region=region)


def run(report: Report) -> Report:
    k = KINDS[report.kind]
    user = report.created_by
    with acting_as(name=f"report:{report.kind}"):
        try:
            Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=5)
            figures = k.collect(report.params, user)
            Report.objects.filter(pk=report.pk).update(progress=40)
            doc = k.build(figures)
            report.title = doc.title
            report.figures = content_figures(figures)
            stem = f"{report.kind}-{report.pk}"
            report.pdf.save(f"{stem}.pdf", ContentFile(content.to_pdf(doc)), save=False)
            Report.objects.filter(pk=report.pk).update(progress=75)
            report.docx.save(f"{stem}.docx", ContentFile(content.to_docx(doc)), save=False)
            report.xlsx.save(f"{stem}.xlsx", ContentFile(content.to_xlsx(doc)), save=False)
            report.status, report.progress = Report.Status.DONE, 100
            report.save()
        except (ParamError, Exception) as exc:  # noqa: BLE001 - archived as failed, shown to the user
            log.exception("report %s failed", report.pk)
            report.status, report.error = Report.Status.FAILED, str(exc)[:2000]
            report.save(update_fields=["status", "error"])
    return report


def content_figures(figures):
    from .kinds import _jsonable

    return _jsonable(figures)


def run_in_thread(report: Report):
    def target():
        try:
            run(Report.objects.get(pk=report.pk))
        finally:
            close_old_connections()

    t = threading.Thread(target=target, daemon=True, name=f"report-{report.pk}")
    t.start()
    return t
