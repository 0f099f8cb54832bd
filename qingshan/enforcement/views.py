from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qingshan.core.entity import EntityViewSet

from . import forms as f
from . import models as m
from . import services, stats


class InspectionDrawViews(EntityViewSet):
    model = m.InspectionDraw
    list_columns = ["name", "region", "population_kind", "period_start", "period_end", "ratio", "seed", "published_on"]
    filters = ["region", "population_kind"]
    search = ["name", "seed"]
    form_class = f.DrawForm
    detail_fields = ["name", "region", "population_kind", "period_start", "period_end", "ratio", "inspectors_per_team",
                     "seed", "drawn_at", "published_on"]
    related = [("inspections", gettext_lazy("Planned inspections"))]
    detail_extra_template = "enforcement/draw_extra.html"
    select_related = ["region"]


class InspectionViews(EntityViewSet):
    model = m.Inspection
    list_columns = ["enterprise", "kind", "status", "planned_on", "inspected_on", "staff_count", "problem_found"]
    filters = ["enterprise__region", "kind", "status", "problem_found"]
    search = ["enterprise__name", "findings"]
    form_class = f.InspectionForm
    detail_fields = ["enterprise", "kind", "status", "draw", "rectification", "planned_on", "inspected_on",
                     "staff_count", "findings", "problem_found", "attachment"]
    detail_extra_template = "enforcement/inspection_extra.html"
    select_related = ["enterprise"]


class CaseViews(EntityViewSet):
    model = m.Case
    list_columns = ["number", "enterprise", "source_kind", "violation_type", "opened_on", "status", "decided_on", "published_on"]
    filters = ["region", "status", "source_kind", "violation_type"]
    search = ["number", "enterprise__name", "decision_number", "facts"]
    form_class = f.CaseForm
    detail_fields = ["number", "enterprise", "region", "source_kind", "violation_type", "facts", "legal_basis", "opened_on",
                     "status", "handler", "decision_number", "decided_on", "published_on", "closed_on", "outcome"]
    detail_extra_template = "enforcement/case_extra.html"
    related = [("measures", gettext_lazy("Penalties and measures")), ("rectifications", gettext_lazy("Rectification orders"))]
    select_related = ["enterprise", "region"]


class MeasureViews(EntityViewSet):
    model = m.Measure
    list_columns = ["case", "category", "decided_on", "amount", "penalty_days", "payment_due", "paid_on"]
    filters = ["case__region", "category"]
    search = ["case__number", "case__enterprise__name"]
    form_class = f.MeasureForm
    detail_extra_template = "enforcement/measure_extra.html"
    select_related = ["case", "case__enterprise"]


class RectificationViews(EntityViewSet):
    model = m.Rectification
    list_columns = ["enterprise", "requirement", "ordered_on", "due_on", "listed_supervision", "status", "closed_out_on"]
    filters = ["enterprise__region", "status", "listed_supervision"]
    search = ["enterprise__name", "requirement"]
    form_class = f.RectificationForm
    detail_extra_template = "enforcement/rectification_extra.html"
    related = [("follow_ups", gettext_lazy("Follow-up inspections"))]
    select_related = ["enterprise", "case"]
    ordering = ["status", "due_on"]


VIEWSETS = [InspectionDrawViews, InspectionViews, CaseViews, MeasureViews, RectificationViews]


# -- workflow actions ------------------------------------------------------------------


@login_required
@permission_required("enforcement.change_inspectiondraw", raise_exception=True)
@require_POST
def draw_run(request, pk):
    draw = get_object_or_404(m.InspectionDraw.objects.for_user(request.user), pk=pk)
    try:
        services.run_draw(draw)
        messages.success(request, _("Draw made with seed %(seed)s.") % {"seed": draw.seed})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(draw.get_absolute_url())


@login_required
@permission_required("enforcement.change_inspectiondraw", raise_exception=True)
@require_POST
def draw_publish(request, pk):
    draw = get_object_or_404(m.InspectionDraw.objects.for_user(request.user), pk=pk)
    try:
        services.publish_draw(draw)
        messages.success(request, _("Draw result published."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(draw.get_absolute_url())


#: models a case may be opened from: "app_label.model_name"
CASE_SOURCES = {"enforcement.inspection", "complaints.complaint", "monitoring.alarm"}


@login_required
@permission_required("enforcement.add_case", raise_exception=True)
@require_POST
def case_open(request, app_label, model_name, pk):
    """One action: open a case from an inspection, a complaint or a monitoring alarm."""
    if f"{app_label}.{model_name}" not in CASE_SOURCES:
        raise Http404
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    manager = model.objects
    qs = manager.for_user(request.user) if hasattr(manager, "for_user") else None
    if qs is None:
        raise Http404
    source = get_object_or_404(qs, pk=pk)
    try:
        case = services.open_case(source, request.user)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        nxt = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            nxt = getattr(source, "get_absolute_url", lambda: "")() or reverse("enforcement:case_list")
        return redirect(nxt)
    messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
    return redirect(case.get_absolute_url())


@login_required
@permission_required("enforcement.change_rectification", raise_exception=True)
def rectification_close_out(request, pk):
    rect = get_object_or_404(m.Rectification.objects.for_user(request.user), pk=pk)
    form = f.CloseOutForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_out(rect, form.cleaned_data["evidence"], form.cleaned_data.get("evidence_file"))
            messages.success(request, _("Closed out."))
            return redirect(rect.get_absolute_url())
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
    return render(request, "enforcement/close_out.html", {"form": form, "object": rect, "title": _("Close out")},
                  status=400 if request.method == "POST" else 200)


# -- queue and statistics --------------------------------------------------------------


def queue_items(user, today=None, limit=200):
    """Open items in the user's reach, overdue first, then by due date."""
    from qingshan.complaints.models import Complaint

    today = today or timezone.localdate()
    items = []
    if user.has_perm("enforcement.view_rectification"):
        for r in m.Rectification.objects.for_user(user).exclude(status=m.Rectification.Status.CLOSED_OUT).select_related("enterprise")[:limit]:
            items.append({"kind": _("Rectification"), "object": r, "due": r.due_on, "url": r.get_absolute_url(),
                          "listed": bool(r.listed_supervision)})
    if user.has_perm("complaints.view_complaint"):
        open_c = Complaint.objects.for_user(user).filter(status__in=["received", "accepted", "handling"])
        for c in open_c.order_by("received_on")[:limit]:
            items.append({"kind": _("Complaint"), "object": c, "due": c.current_due(), "url": c.get_absolute_url(), "listed": False})
    if user.has_perm("enforcement.view_case"):
        for c in m.Case.objects.for_user(user).filter(status=m.Case.Status.OPEN).select_related("enterprise")[:limit]:
            from qingshan.enforcement import rules

            due = rules.calendar().add_calendar_days(c.opened_on, 90)  # case decision within 90 days (APL 2021 Art. 60)
            items.append({"kind": _("Case"), "object": c, "due": due, "url": c.get_absolute_url(), "listed": False})
    for it in items:
        it["overdue"] = bool(it["due"] and it["due"] < today)
        it["days"] = (it["due"] - today).days if it["due"] else None
        it["mine"] = getattr(it["object"], "handler_id", None) == user.pk
    items.sort(key=lambda it: (not it["overdue"], not it["mine"], it["due"] or datetime.date.max))
    return items


@login_required
def queue(request):
    items = queue_items(request.user)
    return render(request, "enforcement/queue.html", {"items": items, "title": _("My work queue"),
                                                        "overdue": sum(1 for i in items if i["overdue"])})


def _period(request):
    today = timezone.localdate()
    default = {"start": today.replace(month=1, day=1), "end": today}
    form = f.StatsForm(request.GET or None, initial=default)
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


def _stats_allowed(user):
    return user.has_perm("enforcement.view_case") or user.has_perm("complaints.view_complaint")


@login_required
def statistics(request):
    if not _stats_allowed(request.user):
        raise PermissionDenied
    form, start, end = _period(request)
    data = stats.compute(request.user, start, end)
    cat_rows = [(m.MeasureCategory(c).label if c in m.MeasureCategory.values else c, v) for c, v in sorted(data["by_category"].items())]
    from qingshan.complaints.models import Channel

    ch_rows = [(Channel(c).label if c in Channel.values else c, r) for c, r in data["by_channel"]]
    return render(request, "enforcement/statistics.html", {
        "title": _("Enforcement and complaint statistics"), "form": form, "start": start, "end": end, "data": data,
        "labels": stats.labels(), "fields": stats.FIELDS + ["handled_rate", "closed_rate", "on_time_rate"],
        "cat_rows": cat_rows, "ch_rows": ch_rows, "query": request.GET.urlencode(),
    }, status=400 if request.GET and not form.is_valid() else 200)


@login_required
def statistics_xlsx(request):
    if not _stats_allowed(request.user):
        raise PermissionDenied
    _form, start, end = _period(request)
    content = stats.workbook(stats.compute(request.user, start, end), start, end)
    resp = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="enforcement-statistics-{start}-{end}.xlsx"'
    return resp


# -- public disclosure (no login) -------------------------------------------------------


def public_draws(request):
    """一公开: published random-inspection draws with the enterprises drawn and the inspection outcome."""
    from qingshan.registry.models import Enterprise

    draws = list(m.InspectionDraw.objects.filter(published_on__isnull=False).select_related("region")
                 .order_by("-period_start", "name")[:50])
    usccs = {t["enterprise"] for d in draws for t in (d.result or {}).get("teams", [])}
    names = dict(Enterprise.objects.filter(uscc__in=usccs).values_list("uscc", "name"))
    outcome = {}
    for d_id, uscc, status, problem in m.Inspection.objects.filter(draw__in=draws).values_list(
            "draw_id", "enterprise__uscc", "status", "problem_found"):
        outcome[(d_id, uscc)] = (status, problem)
    rows = []
    for d in draws:
        items = []
        for t in (d.result or {}).get("teams", []):
            status, problem = outcome.get((d.pk, t["enterprise"]), ("planned", False))
            items.append({"uscc": t["enterprise"], "name": names.get(t["enterprise"], ""), "status": status, "problem": problem})
        rows.append((d, items))
    return render(request, "enforcement/public_draws.html", {"rows": rows, "title": _("Random inspection results")})


def public_penalties(request):
    """Published penalty decisions (行政处罚信息公开)."""
    cases = (m.Case.objects.published().select_related("enterprise", "region").prefetch_related("measures")
             .order_by("-published_on", "-pk")[:200])
    return render(request, "enforcement/public_penalties.html", {"cases": cases, "title": _("Published penalty decisions")})
