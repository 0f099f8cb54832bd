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
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    # the last completed half-year, last month, yesterday
    defaults = {"year": today.year if today.month > 6 else today.year - 1, "half": "1" if today.month > 6 else "2",
                "month_year": last_month.year, "month": last_month.month,
                "day": (today - datetime.timedelta(days=1)).isoformat()}
    reports = list(Report.objects.for_user(request.user).select_related("created_by")[:100])
    for r in reports:
        r.params_text = params_text(r.params)
    return render(request, "reports/list.html", {"title": _("Reports"), "reports": reports, "kinds": KINDS.values(),
                                                 "defaults": defaults})


def params_text(params: dict) -> str:
    """Readable parameters of an archived report: 2026年上半年, 2026年6月, 2026-06-29."""
    p = params or {}
    half = {"1": "上半年", "2": "下半年", "year": "全年"}
    if p.get("half"):
        return f"{p.get('year')}年{half.get(str(p['half']), p['half'])}"
    if p.get("month"):
        return f"{p.get('year')}年{p.get('month')}月"
    return str(p.get("day") or "")


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

    import datetime

    try:
        day = datetime.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        messages.error(request, _("Invalid date, showing today."))
        day = None
    if request.GET.get("part") == "counties":  # htmx: the county table, loaded after the page
        from django.utils import timezone

        from .dashboard_data import county_table

        return render(request, "reports/_county_table.html",
                      {"county_rows": county_table(request.user, day or timezone.localdate()),
                       "indicator": request.GET.get("indicator") or "enterprises"})
    lazy = request.GET.get("counties") != "inline"
    data = overview(request.user, request.GET.get("region"), request.GET.get("indicator") or "enterprises", day,
                    with_counties=not lazy)
    return render(request, "reports/dashboard.html", {"title": _("Leader dashboard"), "lazy_counties": lazy, **data})
