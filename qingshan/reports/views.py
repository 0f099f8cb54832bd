from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .kinds import KINDS, ParamError
from .models import Report


@login_required
@permission_required("reports.view_report", raise_exception=True)
def report_list(request):
    reports = Report.objects.for_user(request.user).select_related("created_by")[:100]
    return render(request, "reports/list.html", {"title": _("Reports"), "reports": reports, "kinds": KINDS.values()})


@login_required
@permission_required("reports.add_report", raise_exception=True)
@require_POST
def report_create(request):
    kind = request.POST.get("kind")
    if kind not in KINDS:
        messages.error(request, _("Unknown report type."))
        return redirect("reports:list")
    try:
        report = services.create(kind, request.POST, request.user)
    except ParamError as exc:
        messages.error(request, str(exc))
        return redirect("reports:list")
    if getattr(settings, "QINGSHAN_REPORTS_SYNC", False):
        services.run(report)
    else:
        services.run_in_thread(report)
    return redirect("reports:detail", pk=report.pk)


@login_required
@permission_required("reports.view_report", raise_exception=True)
def report_detail(request, pk):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=pk)
    tpl = "reports/_status.html" if request.headers.get("HX-Request") else "reports/detail.html"
    return render(request, tpl, {"title": report.title, "report": report})


@login_required
@permission_required("reports.view_report", raise_exception=True)
def report_download(request, pk, fmt):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=pk)
    if fmt not in ("pdf", "docx", "xlsx") or not getattr(report, fmt):
        raise Http404
    f = getattr(report, fmt)
    return FileResponse(f.open("rb"), as_attachment=True, filename=f"{report.title}.{fmt}")


@login_required
@permission_required("reports.view_report", raise_exception=True)
def dashboard(request):
    from .dashboard_data import overview

    data = overview(request.user, request.GET.get("region"))
    return render(request, "reports/dashboard.html", {"title": _("Leader dashboard"), **data})
