"""Credit pages: declared lists (ratings, requests, facts, emission reports,
tax sheets) and the hand-written workflow pages (rating explanation with
review / publication / reply / repair, tax sheet, colour overview)."""

from __future__ import annotations


from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qingshan.core.entity import EntityDetail, EntityExport, EntityHistory, EntityList, EntityViewSet
from qingshan.core.importexport import Column, ImportSpec
from qingshan.core.scope import reach_of
from qingshan.registry.models import Enterprise, Outlet
from qingshan.standards import credit_rating, envtax

from . import services
from .models import Colour, CreditFact, CreditRating, EmissionReport, RatingRequest, TaxSheet

FINDING_KINDS = {
    "indicator": gettext_lazy("indicator"), "deduction": gettext_lazy("deduction"), "bonus": gettext_lazy("bonus"),
    "veto": gettext_lazy("one-vote veto"), "downgrade": gettext_lazy("downgrade"), "ceiling": gettext_lazy("ceiling"),
    "cap": gettext_lazy("cap"), "clamp": gettext_lazy("score limit"),
}
COLOUR_CSS = {"green": "success", "blue": "primary", "yellow": "warning", "red": "danger", "black": "dark"}


def _today():
    return timezone.localdate()


# --------------------------------------------------------------------------- declared pages


def readonly_urls(vs, detail_view, add_view):
    """List, export and history of a computed model; its detail is a workflow page and
    "add" the page that computes or files it; edit and delete lead back to the detail."""
    s = vs.slug()

    def not_here(request, pk):
        get_object_or_404(vs.model.objects.for_user(request.user), pk=pk)
        return redirect(vs.full_url_name("detail"), pk=pk)

    return [
        path(f"{s}/", EntityList.as_view(viewset=vs), name=vs.url_name("list")),
        path(f"{s}/add/", add_view, name=vs.url_name("add")),
        path(f"{s}/export.xlsx", EntityExport.as_view(viewset=vs), name=vs.url_name("export")),
        path(f"{s}/<int:pk>/", detail_view, name=vs.url_name("detail")),
        path(f"{s}/<int:pk>/edit/", login_required(not_here), name=vs.url_name("edit")),
        path(f"{s}/<int:pk>/delete/", login_required(not_here), name=vs.url_name("delete")),
        path(f"{s}/<int:pk>/history/", EntityHistory.as_view(viewset=vs), name=vs.url_name("history")),
    ]


@login_required
def _choose_rating(request):
    """Replies and repair requests are filed from a published rating's page: pick the rating."""
    _need(request.user, "credit.view_creditrating")
    ratings = CreditRating.objects.for_user(request.user).filter(status=CreditRating.Status.PUBLISHED).select_related("enterprise")[:200]
    return render(request, "credit/choose_rating.html", {"title": _("Reply or request credit repair"), "ratings": ratings})


class CreditRatingViews(EntityViewSet):
    model = CreditRating
    list_columns = ["enterprise", "year", "ruleset", "colour", "score", "vetoed", "status", "published_on", "repaired_colour"]
    filters = ["year", "colour", "status", "enterprise__region"]
    search = ["enterprise__name", "enterprise__uscc"]
    select_related = ["enterprise"]

    @classmethod
    def urls(cls):
        # computed records: no generic add/edit/delete, the workflow pages change them
        return readonly_urls(cls, rating_detail, overview)


class RatingRequestViews(EntityViewSet):
    model = RatingRequest
    list_columns = ["enterprise", "rating__year", "kind", "filed_on", "status", "reviewer", "reviewed_on"]
    filters = ["kind", "status", "enterprise__region"]
    search = ["enterprise__name", "text"]
    select_related = ["enterprise", "rating"]

    @classmethod
    def urls(cls):
        return readonly_urls(cls, EntityDetail.as_view(viewset=cls), _choose_rating)


class CreditFactForm(forms.ModelForm):
    class Meta:
        model = CreditFact
        fields = ["enterprise", "kind", "date", "event_type", "metric", "value", "attributes", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class CreditFactViews(EntityViewSet):
    model = CreditFact
    list_columns = ["enterprise", "date", "kind", "event_type", "metric", "value", "note"]
    filters = ["kind", "event_type", "enterprise__region"]
    search = ["enterprise__name", "note", "metric"]
    form_class = CreditFactForm
    select_related = ["enterprise"]


def _report_enterprise(text, row, user):
    ent = Enterprise.objects.for_user(user).filter(uscc=str(text).strip().upper()).first()
    if ent is None:
        raise ValueError(f"{text} not found")
    return ent


def _report_outlet(text, row, user):
    ent = row.get("enterprise")
    if ent is None:
        raise ValueError("enterprise first")
    outlet = Outlet.objects.for_user(user).filter(enterprise=ent, code=str(text).strip()).first()
    if outlet is None:
        raise ValueError(f"{text} not found for {ent}")
    return outlet


class EmissionReportViews(EntityViewSet):
    model = EmissionReport
    list_columns = ["enterprise", "outlet", "month", "pollutant", "emission_kg", "mean_concentration", "max_concentration", "standard", "source"]
    filters = ["enterprise__region", "pollutant", "source"]
    search = ["enterprise__name", "outlet__code", "pollutant"]
    form_fields = ["enterprise", "outlet", "month", "pollutant", "emission_kg", "mean_concentration", "max_concentration", "standard", "source"]
    select_related = ["enterprise", "outlet"]
    import_spec = ImportSpec(
        model=EmissionReport,
        columns=[
            Column("enterprise", resolver=_report_enterprise), Column("outlet", resolver=_report_outlet), Column("month"),
            Column("pollutant"), Column("emission_kg"), Column("mean_concentration", required_header=False),
            Column("max_concentration", required_header=False), Column("standard", required_header=False),
            Column("source", required_header=False),
        ],
        key=("outlet", "month", "pollutant"),
    )


class TaxSheetViews(EntityViewSet):
    model = TaxSheet
    list_columns = ["enterprise", "month", "air_tax", "water_tax", "total", "source_summary", "computed_by"]
    filters = ["enterprise__region"]
    search = ["enterprise__name", "enterprise__uscc"]
    select_related = ["enterprise"]

    @classmethod
    def urls(cls):
        return readonly_urls(cls, taxsheet_detail, taxsheet_compute)


VIEWSETS = [CreditRatingViews, RatingRequestViews, CreditFactViews, EmissionReportViews, TaxSheetViews]


# --------------------------------------------------------------------------- rating workflow


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=RatingRequest.Kind.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    text = forms.CharField(label=gettext_lazy("statement"), widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))
    rectification = forms.CharField(label=gettext_lazy("rectification done"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    evidence = forms.FileField(label=gettext_lazy("evidence"), required=False, widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("decision"), choices=[("accept", gettext_lazy("accept")), ("reject", gettext_lazy("reject"))],
                                 widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    note = forms.CharField(label=gettext_lazy("review note"), widget=forms.Textarea(attrs={"rows": 3}))


def _need(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def _own_enterprise(user, rating) -> bool:
    return reach_of(user).enterprise_id == rating.enterprise_id


@login_required
def rating_detail(request, pk):
    _need(request.user, "credit.view_creditrating")
    rating = get_object_or_404(CreditRating.objects.for_user(request.user).select_related("enterprise"), pk=pk)
    can_review = request.user.has_perm("credit.change_creditrating")
    can_file = _own_enterprise(request.user, rating) and rating.status == CreditRating.Status.PUBLISHED
    form = RequestForm(request.POST or None, request.FILES or None) if can_file else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                services.file_request(rating, request.user, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
                                      rectification=form.cleaned_data["rectification"], evidence=form.cleaned_data["evidence"],
                                      on=_today())
            except (services.WorkflowError, credit_rating.CreditRatingError, ValidationError) as exc:
                form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Your request was filed and awaits review."))
                return redirect("credit:rating", pk=rating.pk)
    elif request.method == "POST":
        raise PermissionDenied
    ctx = {
        "title": _("Credit rating"),
        "rating": rating,
        "css": COLOUR_CSS.get(rating.current_colour, "secondary"),
        "findings": [{**f, "kind_label": FINDING_KINDS.get(f["kind"], f["kind"])} for f in rating.findings()],
        "sources": (rating.explanation or {}).get("sources", []),
        "requests": rating.requests.for_user(request.user).order_by("-filed_on", "-pk"),
        "can_review": can_review,
        "can_decide": request.user.has_perm("credit.change_ratingrequest"),
        "review_form": ReviewForm(),
        "form": form,
    }
    return render(request, "credit/rating_detail.html", ctx, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def rating_action(request, pk, action):
    _need(request.user, "credit.change_creditrating")
    rating = get_object_or_404(CreditRating.objects.for_user(request.user), pk=pk)
    try:
        if action == "review":
            services.mark_reviewed(rating, request.user)
        elif action == "publish":
            services.publish(rating, _today())
        elif action == "recompute":
            services.rate_enterprise(rating.enterprise, rating.year, rating.ruleset)
        else:
            raise PermissionDenied
    except (services.WorkflowError, credit_rating.CreditRatingError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("credit:rating", pk=rating.pk)


@login_required
@require_POST
def request_review(request, pk):
    _need(request.user, "credit.change_ratingrequest")
    req = get_object_or_404(RatingRequest.objects.for_user(request.user).select_related("rating"), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give the reason."))
    else:
        try:
            services.review_request(req, request.user, accept=form.cleaned_data["decision"] == "accept",
                                    note=form.cleaned_data["note"], on=_today())
        except (services.WorkflowError, credit_rating.CreditRatingError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("credit:rating", pk=req.rating_id)


class ComputeForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    ruleset = forms.ChoiceField(label=gettext_lazy("rule set"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruleset"].choices = [(r, r) for r in credit_rating.available_rulesets()]


@login_required
def overview(request):
    _need(request.user, "credit.view_creditrating")
    today = _today()
    try:
        year = int(request.GET.get("year") or today.year - 1)
    except ValueError:
        year = today.year - 1
    form = ComputeForm(request.POST or None, initial={"year": today.year - 1, "ruleset": services.default_ruleset()})
    if request.method == "POST":
        _need(request.user, "credit.add_creditrating")
        if form.is_valid():
            ents = Enterprise.objects.for_user(request.user).exclude(status=Enterprise.Status.CLOSED)
            counts = services.rate_all(ents, form.cleaned_data["year"], form.cleaned_data["ruleset"])
            messages.success(request, _("%(computed)s rating(s) computed, %(skipped)s published rating(s) left unchanged.") % counts)
            return redirect(f"{reverse('credit:overview')}?year={form.cleaned_data['year']}")
    counts = services.ratings_by_colour(year, user=request.user)
    qs = CreditRating.objects.for_user(request.user).filter(year=year)
    chart = [{"name": str(Colour(c).label), "value": counts.get(c, 0), "colour": c} for c in Colour.values if counts.get(c)]
    ctx = {
        "title": _("Credit ratings"),
        "year": year,
        "counts": [(Colour(c).label, counts.get(c, 0), COLOUR_CSS[c]) for c in Colour.values],
        "chart": chart,
        "pending_review": qs.filter(status=CreditRating.Status.DRAFT).count(),
        "published": qs.filter(status=CreditRating.Status.PUBLISHED).count(),
        "pending_requests": RatingRequest.objects.for_user(request.user).filter(status=RatingRequest.Status.PENDING).count(),
        "worst": qs.filter(colour__in=["red", "black", "yellow"]).select_related("enterprise").order_by("score")[:20],
        "form": form,
        "can_compute": request.user.has_perm("credit.add_creditrating"),
    }
    return render(request, "credit/overview.html", ctx)


# --------------------------------------------------------------------------- tax sheets


class TaxForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=gettext_lazy("enterprise"), queryset=Enterprise.objects.none())
    month = forms.DateField(label=gettext_lazy("month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user)


@login_required
def taxsheet_compute(request):
    _need(request.user, "credit.add_taxsheet")
    form = TaxForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.compute_tax_sheet(form.cleaned_data["enterprise"], form.cleaned_data["month"], request.user)
        except (services.WorkflowError, envtax.EnvTaxError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Tax sheet computed."))
            return redirect("credit:taxsheet", pk=sheet.pk)
    return render(request, "credit/taxsheet_form.html", {"title": _("Compute a tax sheet"), "form": form},
                  status=400 if form.errors else 200)


@login_required
def taxsheet_detail(request, pk):
    _need(request.user, "credit.view_taxsheet")
    sheet = get_object_or_404(TaxSheet.objects.for_user(request.user).select_related("enterprise"), pk=pk)
    return render(request, "credit/taxsheet_detail.html", {"title": _("Tax sheet"), "sheet": sheet, "data": sheet.items or {}})


urlpatterns = [
    path("", overview, name="overview"),
    path("rating/<int:pk>/", rating_detail, name="rating"),
    path("rating/<int:pk>/<str:action>/", rating_action, name="rating_action"),
    path("request/<int:pk>/review/", request_review, name="request_review"),
    path("tax/compute/", taxsheet_compute, name="taxsheet_compute"),
    path("tax/<int:pk>/", taxsheet_detail, name="taxsheet"),
]
