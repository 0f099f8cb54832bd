"""Targets pages: declared CRUD pages and the hand-written reduction
overview (completion per county, forecast, risk, chart), campaign board,
item progress reporting, and county ranking."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingshan.core.entity import EntityDetail, EntityExport, EntityHistory, EntityList, EntityViewSet
from qingshan.core.scope import can_reach, reach_of

from . import services
from .models import (
    AccountabilityRecord, Campaign, CampaignItem, CampaignTask, CountyAssessment, EmissionTotal, ProgressReport,
    ReductionProject, ReductionTarget, ScoreSheet,
)

RISK_CSS = {"low": "success", "medium": "info", "high": "warning", "critical": "danger"}
RISK_LABELS = {"low": gettext_lazy("low"), "medium": gettext_lazy("medium"), "high": gettext_lazy("high"), "critical": gettext_lazy("critical")}


def _today():
    return timezone.localdate()


def _need(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def _date_widget():
    return forms.DateInput(attrs={"type": "date"})


# --------------------------------------------------------------------------- declared pages


class ReductionTargetViews(EntityViewSet):
    model = ReductionTarget
    list_columns = ["region", "year", "pollutant", "baseline_t", "target_reduction_t", "target_rate", "note"]
    filters = ["year", "pollutant", "region"]
    search = ["region__name", "note"]
    form_fields = ["region", "year", "pollutant", "baseline_t", "baseline_year", "target_reduction_t", "target_rate", "note"]
    select_related = ["region"]


class EmissionTotalViews(EntityViewSet):
    model = EmissionTotal
    list_columns = ["region", "year", "month", "pollutant", "total_t", "source"]
    filters = ["year", "pollutant", "source", "region"]
    search = ["region__name"]
    form_fields = ["region", "year", "month", "pollutant", "total_t", "source"]
    select_related = ["region"]


class ReductionProjectViews(EntityViewSet):
    model = ReductionProject
    list_columns = ["name", "enterprise", "year", "pollutant", "expected_reduction_t", "deadline", "progress", "status", "accepted_on"]
    filters = ["year", "pollutant", "status", "enterprise__region"]
    search = ["name", "enterprise__name"]
    form_class = forms.modelform_factory(
        ReductionProject,
        fields=["name", "enterprise", "year", "pollutant", "expected_reduction_t", "deadline", "progress", "status",
                "accepted_on", "verified_reduction_t"],
        widgets={"deadline": _date_widget(), "accepted_on": _date_widget()},
    )
    select_related = ["enterprise"]


class CampaignViews(EntityViewSet):
    model = Campaign
    list_columns = ["name", "region", "start", "end", "status"]
    filters = ["status"]
    search = ["name"]
    form_class = forms.modelform_factory(Campaign, fields=["name", "region", "start", "end", "status", "description"],
                                         widgets={"start": _date_widget(), "end": _date_widget()})
    related = [("tasks", gettext_lazy("Tasks"))]


class CampaignTaskViews(EntityViewSet):
    model = CampaignTask
    list_columns = ["campaign", "number", "title", "lead_department"]
    filters = ["campaign"]
    search = ["title"]
    form_fields = ["campaign", "number", "title", "lead_department"]
    related = [("items", gettext_lazy("Items"))]
    select_related = ["campaign"]


class CampaignItemViews(EntityViewSet):
    model = CampaignItem
    list_columns = ["number", "title", "task", "assignee_region", "assignee_department", "assignee_user", "deadline", "progress", "status"]
    filters = ["status", "assignee_department", "assignee_region", "task__campaign"]
    search = ["title", "number"]
    form_class = forms.modelform_factory(
        CampaignItem,
        fields=["task", "number", "title", "assignee_department", "assignee_region", "assignee_user", "deadline", "progress",
                "status", "completed_on"],
        widgets={"deadline": _date_widget(), "completed_on": _date_widget()},
    )
    related = [("reports", gettext_lazy("Progress reports"))]
    select_related = ["task", "assignee_region", "assignee_user"]


class ProgressReportViews(EntityViewSet):
    model = ProgressReport
    list_columns = ["item", "date", "progress", "reported_by", "text"]
    filters = ["item__assignee_region"]
    search = ["text", "item__title"]
    form_class = forms.modelform_factory(ProgressReport, fields=["item", "date", "progress", "text", "evidence"],
                                         widgets={"date": _date_widget()})
    select_related = ["item"]


class ScoreSheetForm(forms.ModelForm):
    class Meta:
        model = ScoreSheet
        fields = ["name", "region", "year", "indicators"]
        help_texts = {"indicators": gettext_lazy('JSON list, e.g. [{"key": "transmission", "name": "…", "weight": 20, '
                                       '"source": "effective_transmission_rate", "target": 90}, {"key": "inspection", '
                                       '"weight": 10, "source": "manual"}]')}


class ScoreSheetViews(EntityViewSet):
    model = ScoreSheet
    list_columns = ["name", "region", "year"]
    filters = ["year"]
    search = ["name"]
    form_class = ScoreSheetForm
    related = [("assessments", gettext_lazy("County assessments"))]


class CountyAssessmentViews(EntityViewSet):
    model = CountyAssessment
    list_columns = ["sheet", "county", "period", "total", "rank"]
    filters = ["sheet", "county"]
    search = ["period"]
    select_related = ["sheet", "county"]

    @classmethod
    def urls(cls):
        # computed by the ranking page; no generic add/edit
        s = cls.slug()

        def back(request, pk):
            get_object_or_404(CountyAssessment.objects.for_user(request.user), pk=pk)
            return redirect(cls.full_url_name("detail"), pk=pk)

        return [
            path(f"{s}/", EntityList.as_view(viewset=cls), name=cls.url_name("list")),
            path(f"{s}/add/", choose_sheet, name=cls.url_name("add")),
            path(f"{s}/export.xlsx", EntityExport.as_view(viewset=cls), name=cls.url_name("export")),
            path(f"{s}/<int:pk>/", EntityDetail.as_view(viewset=cls), name=cls.url_name("detail")),
            path(f"{s}/<int:pk>/edit/", login_required(back), name=cls.url_name("edit")),
            path(f"{s}/<int:pk>/delete/", login_required(back), name=cls.url_name("delete")),
            path(f"{s}/<int:pk>/history/", EntityHistory.as_view(viewset=cls), name=cls.url_name("history")),
        ]


@login_required
def choose_sheet(request):
    """County assessments are computed on a score sheet's ranking page: pick the sheet."""
    _need(request.user, "targets.view_scoresheet")
    sheets = ScoreSheet.objects.for_user(request.user).order_by("-year", "name")
    return render(request, "targets/choose_sheet.html", {"title": _("County ranking"), "sheets": sheets})


class AccountabilityRecordViews(EntityViewSet):
    model = AccountabilityRecord
    list_columns = ["kind", "region", "person", "date", "reason"]
    filters = ["kind", "region"]
    search = ["person", "reason"]
    form_class = forms.modelform_factory(AccountabilityRecord, fields=["kind", "region", "person", "date", "reason", "assessment", "follow_up"],
                                         widgets={"date": _date_widget()})
    select_related = ["region"]


VIEWSETS = [
    ReductionTargetViews, EmissionTotalViews, ReductionProjectViews, CampaignViews, CampaignTaskViews, CampaignItemViews,
    ProgressReportViews, ScoreSheetViews, CountyAssessmentViews, AccountabilityRecordViews,
]


# --------------------------------------------------------------------------- reduction overview


@login_required
def reduction(request):
    _need(request.user, "targets.view_reductiontarget")
    today = _today()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    entries = services.target_outlooks(year, user=request.user, today=today)
    rows = []
    chart = []
    for e in entries:
        o = e["outlook"]
        rows.append({
            "target": e["target"], "months": e["months"], "observed": e["observed_t"], "error": e["error"],
            "ledger": e["ledger"],
            "required": o.expected.required if o else None,
            "forecast": o.forecast.total if o else None,
            "completion": o.expected.rate * 100 if o else None,
            "risk": o.risk if o else None, "css": RISK_CSS.get(o.risk if o else "", "secondary"),
            "risk_label": RISK_LABELS.get(o.risk, o.risk) if o else "",
            "required_t": o.expected.required.quantize(Decimal("0.001")) if o else None,
            "method": o.forecast.method if o else "",
        })
        if o:
            chart.append({"name": f"{e['target'].region} {e['target'].pollutant}",
                          "monthly": [float(v) for v in o.forecast.monthly], "observed": e["months"],
                          "baseline_month": float(e["target"].baseline_t) / 12})
    at_risk = [r for r in rows if r["risk"] in ("high", "critical")]
    ctx = {"title": _("Emission reduction"), "year": year, "rows": rows, "at_risk": at_risk, "chart": chart}
    return render(request, "targets/reduction.html", ctx)


# --------------------------------------------------------------------------- campaigns


@login_required
def campaign_board(request, pk):
    _need(request.user, "targets.view_campaign")
    campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
    today = _today()
    summary = services.campaign_summary(campaign, request.user, today)
    return render(request, "targets/campaign_board.html", {
        "title": campaign.name, "campaign": campaign, "s": summary, "today": today,
    })


@login_required
def campaign_current(request):
    _need(request.user, "targets.view_campaign")
    running = Campaign.objects.for_user(request.user).filter(status=Campaign.Status.RUNNING).order_by("-start").first()
    if running is None:
        return redirect("targets:campaign_list")
    return redirect("targets:campaign_board", pk=running.pk)


class ProgressForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("date"), widget=_date_widget())
    progress = forms.IntegerField(label=gettext_lazy("progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=gettext_lazy("report"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=gettext_lazy("evidence"), required=False)


@login_required
def item_progress(request, pk):
    _need(request.user, "targets.view_campaignitem")
    item = get_object_or_404(CampaignItem.objects.for_user(request.user).select_related("task__campaign", "assignee_region"), pk=pk)
    can_report = request.user.has_perm("targets.add_progressreport") and can_reach(request.user, item)
    form = ProgressForm(request.POST or None, request.FILES or None, initial={"date": _today(), "progress": item.progress})
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_progress(item, request.user, date=form.cleaned_data["date"], progress=form.cleaned_data["progress"],
                                         text=form.cleaned_data["text"], evidence=form.cleaned_data["evidence"])
            except services.TargetsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Progress reported."))
                return redirect("targets:item_progress", pk=item.pk)
    return render(request, "targets/item_progress.html", {
        "title": item.title, "item": item, "reports": item.reports.for_user(request.user), "form": form if can_report else None,
        "overdue": item.is_overdue(_today()),
    }, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- assessment


class AssessForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("period"), max_length=20)
    start = forms.DateField(label=gettext_lazy("start"), widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("end"), widget=_date_widget())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end is before the start."))
        return data


def _assesses(user, sheet) -> bool:
    """Only the assessing level (the sheet's region, or the city for a city-wide sheet) scores counties,
    never the assessed counties themselves."""
    reach = reach_of(user)
    if reach.everything:
        return True
    path_ = sheet.region.path if sheet.region_id else None
    if path_ is None:
        return any(p.count("/") <= 3 for p in reach.paths)  # /province/city/
    return any(path_.startswith(p) for p in reach.paths)


@login_required
def ranking(request, pk):
    _need(request.user, "targets.view_countyassessment")
    sheet = get_object_or_404(ScoreSheet.objects.for_user(request.user).select_related("region"), pk=pk)
    assessments = CountyAssessment.objects.for_user(request.user).filter(sheet=sheet).select_related("county")
    periods = sorted(set(assessments.values_list("period", flat=True)), reverse=True)
    period = request.GET.get("period") or (periods[0] if periods else "")
    can_assess = request.user.has_perm("targets.change_countyassessment") and _assesses(request.user, sheet)
    form = AssessForm(request.POST or None, initial={"period": str(sheet.year), "start": f"{sheet.year}-01-01", "end": _today()})
    if request.method == "POST":
        if not can_assess:
            raise PermissionDenied
        if "manual" in request.POST:
            a = get_object_or_404(assessments, pk=request.POST.get("assessment"))
            try:
                for ind in sheet.indicators:
                    if ind.get("source", "manual") == "manual" and f"v_{ind['key']}" in request.POST:
                        services.set_manual_value(a, ind["key"], request.POST[f"v_{ind['key']}"])
            except services.TargetsError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Manual values saved; recompute the ranking to apply them."))
            return redirect(f"{request.path}?period={a.period}")
        if form.is_valid():
            services.assess(sheet, form.cleaned_data["period"], form.cleaned_data["start"], form.cleaned_data["end"])
            messages.success(request, _("Ranking computed."))
            return redirect(f"{request.path}?period={form.cleaned_data['period']}")
    rows = assessments.filter(period=period).order_by("rank", "county__code")
    indicators = sheet.indicators
    table = []
    for a in rows:
        cells = []
        for ind in indicators:
            s = (a.scores or {}).get(ind["key"], {})
            cells.append({"value": (a.values or {}).get(ind["key"]), "score": s.get("weighted"), "note": s.get("note", ""),
                          "manual": ind.get("source", "manual") == "manual", "key": ind["key"],
                          "raw": (a.manual_values or {}).get(ind["key"]) or ""})
        table.append({"a": a, "cells": cells,
                      "accountability": AccountabilityRecord.objects.for_user(request.user).filter(assessment=a)})
    return render(request, "targets/ranking.html", {
        "title": _("County ranking"), "sheet": sheet, "period": period, "periods": periods, "table": table,
        "indicators": indicators, "form": form, "can_assess": can_assess,
        "chart": {"names": [t["a"].county.name for t in table], "totals": [float(t["a"].total) for t in table]},
    }, status=400 if form.errors else 200)


@login_required
def ranking_current(request):
    _need(request.user, "targets.view_scoresheet")
    sheet = ScoreSheet.objects.for_user(request.user).order_by("-year", "-pk").first()
    if sheet is None:
        return redirect("targets:scoresheet_list")
    return redirect("targets:ranking", pk=sheet.pk)


urlpatterns = [
    path("", reduction, name="reduction"),
    path("campaign/current/", campaign_current, name="campaign_current"),
    path("campaign/<int:pk>/board/", campaign_board, name="campaign_board"),
    path("item/<int:pk>/progress/", item_progress, name="item_progress"),
    path("ranking/", ranking_current, name="ranking_current"),
    path("ranking/<int:pk>/", ranking, name="ranking"),
]

