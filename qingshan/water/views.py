"""Water pages: overview (map, class proportions, trends), CWQI ranking, rivers, drinking water,
compensation ledger, sample import, and the declared entity pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qingshan.core.actor import acting_as
from qingshan.core.entity import EntityViewSet
from qingshan.core.geo import feature_collection
from qingshan.core.importexport import run_upload, sheet_title
from qingshan.registry.models import Region
from qingshan.standards import gb3838

from . import services
from .forms import SampleForm
from .importer import import_samples, template_workbook
from .models import (
    CLASS_COLOURS,
    CompensationAssignment,
    CompensationScheme,
    Sample,
    Section,
    ShareTarget,
    WaterBody,
)


class WaterBodyViews(EntityViewSet):
    model = WaterBody
    list_columns = ["code", "name", "kind", "basin", "region", "length_km"]
    filters = ["kind", "region"]
    search = ["code", "name", "basin"]
    form_fields = ["code", "name", "kind", "basin", "region", "length_km", "description"]
    related = [("sections", gettext_lazy("Sections"))]
    select_related = ["region"]


class SectionViews(EntityViewSet):
    model = Section
    list_columns = ["code", "name", "water_body", "level", "region", "target_class", "is_drinking_source", "upstream_county",
                    "downstream_county", "active"]
    filters = ["region", "water_body", "level", "target_class", "is_drinking_source", "active"]
    search = ["code", "name", "water_body__name"]
    form_fields = ["code", "name", "water_body", "level", "region", "lon", "lat", "target_class", "is_drinking_source",
                   "supply_volume", "upstream_county", "downstream_county", "logger", "assessment_basis", "active"]
    related = [("compensation", gettext_lazy("Compensation assignments"))]
    select_related = ["water_body", "region", "upstream_county", "downstream_county"]
    detail_extra_template = "water/_section_extra.html"


class SampleViews(EntityViewSet):
    model = Sample
    list_columns = ["section", "date", "source", "condition", "values", "note"]
    filters = ["section__region", "section", "source", "condition"]
    search = ["section__code", "section__name", "note"]
    form_fields = ["section", "date", "source", "condition", "note"]
    form_class = SampleForm
    select_related = ["section"]
    ordering = ["-date", "section__code"]


class SchemeViews(EntityViewSet):
    model = CompensationScheme
    list_columns = ["code", "name", "based_on", "valid_from", "valid_to", "document"]
    search = ["code", "name", "document"]
    form_fields = ["code", "name", "based_on", "definition", "valid_from", "valid_to", "document", "region"]
    related = [("assignments", gettext_lazy("Assigned sections"))]
    detail_extra_template = "water/_scheme_extra.html"


class AssignmentViews(EntityViewSet):
    model = CompensationAssignment
    list_columns = ["section", "scheme", "county", "inflow_section", "share", "start", "end"]
    filters = ["county", "scheme"]
    search = ["section__name", "section__code"]
    form_fields = ["section", "scheme", "county", "inflow_section", "share", "monthly_flow_m3", "start", "end"]
    select_related = ["section", "scheme", "county", "inflow_section"]


class TargetViews(EntityViewSet):
    model = ShareTarget
    list_columns = ["year", "region", "good_min", "v_plus_max", "drinking_min", "basis"]
    filters = ["year", "region"]
    form_fields = ["year", "region", "good_min", "v_plus_max", "drinking_min", "basis"]
    select_related = ["region"]


VIEWSETS = [WaterBodyViews, SectionViews, SampleViews, SchemeViews, AssignmentViews, TargetViews]


# --------------------------------------------------------------------------- period selection

PERIOD_CHOICES = [("month", gettext_lazy("month")), ("quarter", gettext_lazy("quarter")), ("year", gettext_lazy("year to date"))]


def _selected(request):
    """(period, year, number, month) from the query string; defaults to the latest month with data."""
    latest = services.latest_month(request.user) or services.latest_month() or (timezone.localdate().year, timezone.localdate().month)
    try:
        year = int(request.GET.get("year") or latest[0])
        month = int(request.GET.get("month") or (latest[1] if year == latest[0] else 12))
        if not (1 <= month <= 12 and 1900 < year < 3000):
            raise ValueError
    except ValueError:
        year, month = latest
    period = request.GET.get("period", "month")
    if period not in ("month", "quarter", "year"):
        period = "month"
    _p, _y, number = services.period_of_month(period, year, month)
    return period, year, number, month


def _period_context(period, year, number, month):
    return {"period": period, "year": year, "number": number, "month": month, "period_choices": PERIOD_CHOICES,
            "period_label": services.period_label(period, year, number), "months": range(1, 13)}


def _user_county(user):
    profile = getattr(user, "profile", None)
    region = getattr(profile, "region", None) if profile else None
    if region is not None and region.level >= Region.Level.COUNTY:
        return region.county
    return None


@login_required
@permission_required("water.view_section", raise_exception=True)
def overview(request):
    user = request.user
    period, year, number, month = _selected(request)
    county = _user_county(user)
    result = services.share_good(period, year, number, user=user, region=county)
    rows = result["rows"]
    trend = services.class_trend(year, user=user, through_month=month)
    last_trend = services.class_trend(year - 1, user=user)
    change = services.share_change(period, year, number, user=user)
    drinking = services.drinking_water(period, year, number, user=user)
    counties = list(Region.objects.for_user(user).filter(level=Region.Level.COUNTY).order_by("code")) or (
        [county] if county else [])
    classes = [gb3838.WaterClass(i) for i in range(1, 7)]
    chart = {
        "map": feature_collection(counties),
        "points": [{"name": r.section.name, "value": [r.section.lon, r.section.lat, r.water_class or 0],
                    "class": r.class_label or _("dry/frozen"), "target": gb3838.WaterClass(r.section.target_class).roman,
                    "colour": r.colour, "url": r.section.get_absolute_url()}
                   for r in rows if r.section.lon is not None],
        "classes": [c.roman for c in classes],
        "colours": [CLASS_COLOURS[int(c)] for c in classes],
        "counts": [result["shares"].counts.get(c, 0) for c in classes],
        "trend_months": [f"{t['month']}" for t in trend],
        "trend_counts": [[t["counts"].get(int(c), 0) for t in trend] for c in classes],
        "good": [t["good_percent"] for t in trend],
        "v_plus": [t["v_plus_percent"] for t in trend],
        "good_last": [next((t["good_percent"] for t in last_trend if t["month"] == m["month"]), None) for m in trend],
        "good_target": float(result["target"].good_min) if result["target"] and result["target"].good_min is not None else None,
        "v_plus_target": float(result["target"].v_plus_max) if result["target"] and result["target"].v_plus_max is not None else None,
    }
    return render(request, "water/overview.html", {
        "title": _("Surface water quality"), **_period_context(period, year, number, month),
        "result": result, "rows": rows, "chart": chart, "change": change, "drinking": drinking, "county": county,
        "can_import": user.has_perm("water.add_sample"),
        "summary": services.summary_text(period, year, number, user=user, region=county),
    })


@login_required
@permission_required("water.view_section", raise_exception=True)
def export_classes(request):
    """The section table of a period as .xlsx (the monthly report's annex)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period, year, number, _month = _selected(request)
    rows = services.section_classes(period, year, number, user=request.user)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(services.period_label(period, year, number))
    ws.append([_("Section code"), _("Section"), _("Water body"), _("County"), _("Level"), _("Class"), _("Target"),
               _("Meets target"), _("Main pollutants (exceedance multiple)"), "CWQI", _("Samples")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for a in rows:
        ws.append([a.section.code, a.section.name, a.section.water_body.name, a.section.region.name,
                   str(a.section.get_level_display()), a.class_label or str(a.condition),
                   gb3838.WaterClass(a.section.target_class).roman,
                   "" if a.meets_target is None else (_("yes") if a.meets_target else _("no")),
                   "，".join(a.main_pollutants), round(a.cwqi, 2) if a.cwqi is not None else None, a.samples])
    ws.append([])
    ws.append([services.summary_text(period, year, number, user=request.user, region=_user_county(request.user))])
    import io

    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="water-sections-{services.period_label(period, year, number)}.xlsx"'
    return response


@login_required
@permission_required("water.view_section", raise_exception=True)
def ranking(request):
    period, year, number, month = _selected(request)
    if period == "quarter":
        period = "month"
    rows = services.county_cwqi_ranking(year, month, period=period, user=request.user)
    chart = {"names": [r["county"].name for r in rows], "values": [float(r["cwqi"]) for r in rows],
             "change": [float(r["change"]) if r["change"] is not None else None for r in rows]}
    return render(request, "water/ranking.html", {
        "title": _("County ranking by water quality index (CWQI)"), **_period_context(period, year, number, month),
        "period_choices": [c for c in PERIOD_CHOICES if c[0] != "quarter"], "rows": rows, "chart": chart,
    })


@login_required
@permission_required("water.view_section", raise_exception=True)
def rivers(request):
    period, year, number, month = _selected(request)
    data = services.river_status(period, year, number, user=request.user)
    return render(request, "water/rivers.html", {
        "title": _("Rivers and lakes"), **_period_context(period, year, number, month), "rivers": data,
    })


@login_required
@permission_required("water.view_section", raise_exception=True)
def drinking(request):
    period, year, number, month = _selected(request)
    data = services.drinking_water(period, year, number, user=request.user)
    target = services.target_for(year)
    trend = []
    for m in range(1, month + 1):
        d = services.drinking_water("month", year, m, user=request.user)
        trend.append([m, float(d["source_rate"]) if d["source_rate"] is not None else None])
    return render(request, "water/drinking.html", {
        "title": _("Drinking-water sources"), **_period_context(period, year, number, month), "data": data,
        "target": target, "chart": {"trend": trend},
    })


@login_required
@permission_required("water.view_compensationentry", raise_exception=True)
def compensation(request):
    _period, year, _number, month = _selected(request)
    ledger = services.compensation_ledger(year, month, user=request.user)
    yearly = services.compensation_year(year, user=request.user, through_month=12)
    chart = {"months": list(range(1, 13)), "series": [{"name": d["county"], "data": d["months"]} for d in yearly]}
    return render(request, "water/compensation.html", {
        "title": _("Ecological compensation ledger"), **_period_context("month", year, month, month),
        "ledger": ledger, "yearly": yearly, "chart": chart,
        "can_recompute": request.user.has_perm("water.change_compensationassignment"),
    })


@login_required
@require_POST
@permission_required("water.change_compensationassignment", raise_exception=True)
def compensation_recompute(request):
    try:
        year, month = int(request.POST["year"]), int(request.POST["month"])
        services.month_bounds(year, month)
    except (KeyError, ValueError):
        messages.error(request, _("Choose a valid month."))
        return redirect("water:compensation")
    assignments = CompensationAssignment.objects.for_user(request.user)
    with acting_as(request.user):
        entries = services.compute_compensation(year, month, assignments=assignments)
    messages.success(request, _("Recomputed %(n)s ledger entries for %(y)s-%(m)02d.") % {"n": len(entries), "y": year, "m": month})
    return redirect(f"{reverse('water:compensation')}?year={year}&month={month}")


class SampleImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel (.xlsx) or CSV file"))


@login_required
@permission_required("water.add_sample", raise_exception=True)
def import_view(request):
    form = SampleImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        result, status = run_upload(form, lambda f: import_samples(f.name, f.read(), request.user))
    return render(request, "water/import.html", {"title": _("Import water samples"), "form": form, "result": result,
                                                 "items": [gb3838.item(k) for k in [*gb3838.TABLE1, *gb3838.TABLE2]]},
                  status=status)


@login_required
@permission_required("water.add_sample", raise_exception=True)
def import_template(request):
    sections = Section.objects.for_user(request.user).select_related("water_body", "region").order_by("code")
    response = HttpResponse(template_workbook(sections),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="water-samples-template.xlsx"'
    return response
