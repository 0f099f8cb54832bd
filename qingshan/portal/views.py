import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingshan.api import ratelimit
from qingshan.registry.models import Region

from . import published
from .models import Outbox, Subscription, Suggestion


def _safe(fn, default=None):
    from django.db import transaction

    try:
        with transaction.atomic():
            return fn()
    except Exception:  # noqa: BLE001 - a domain without data shows "no data"
        return default


def home(request):
    def aqi():
        from qingshan.air.services import latest_city_aqi

        return latest_city_aqi()

    return render(request, "portal/home.html", {
        "title": _("Environmental information"), "aqi": _safe(aqi),
        "cases": list(published.cases()[:10]), "enterprise_count": published.enterprises().count(),
    })


def air(request):
    def history():
        from qingshan.air.models import DailyAQI

        return list(DailyAQI.objects.filter(kind="city").order_by("-date")[:60])

    return render(request, "portal/air.html", {"title": _("Air quality"), "rows": _safe(history, [])})


def enterprises(request):
    qs = published.enterprises()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "portal/enterprises.html", {"title": _("Enterprises"), "page": page, "q": q})


def enterprise(request, pk):
    ent = get_object_or_404(published.enterprises(), pk=pk)
    ratings = [r for r in _safe(lambda: list(published.ratings()), []) if r.enterprise_id == ent.pk]
    return render(request, "portal/enterprise.html", {
        "title": ent.name, "ent": ent, "ratings": ratings,
        "cases": list(published.cases().filter(enterprise=ent)), "form": SubscribeForm(initial={"enterprise": ent.pk}),
    })


def download(request, what):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}.csv"'
    response.write("\ufeff")
    w = csv.writer(response)
    if what == "cases":
        w.writerow(["案件编号", "企业", "违法类型", "处罚决定书", "决定日期", "公开日期"])
        for c in published.cases():
            w.writerow([c.number, c.enterprise.name, c.get_violation_type_display(), c.decision_number, c.decided_on, c.published_on])
    elif what == "enterprises":
        w.writerow(["统一社会信用代码", "企业名称", "所在区域", "重点级别", "行业"])
        for e in published.enterprises():
            w.writerow([e.uscc, e.name, e.region.name, e.get_key_level_display(), e.industry])
    elif what == "ratings":
        w.writerow(["企业", "年度", "信用颜色"])
        for r in published.ratings():
            w.writerow([r.enterprise.name, r.year, r.current_colour])
    else:
        return HttpResponse(status=404)
    return response


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    phone = forms.RegexField(label=gettext_lazy("Phone"), regex=r"^[0-9+\- ]{6,20}$", required=False)
    enterprise = forms.IntegerField(widget=forms.HiddenInput, required=False)
    region = forms.ModelChoiceField(label=gettext_lazy("or an area"), required=False,
                                    queryset=Region.objects.filter(level__in=(3, 4)).order_by("path"))

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number."))
        if not data.get("enterprise") and not data.get("region"):
            raise forms.ValidationError(_("Choose an enterprise or an area to follow."))
        if data.get("enterprise") and not published.enterprises().filter(pk=data["enterprise"]).exists():
            raise forms.ValidationError(_("Unknown enterprise."))
        return data


def _limited(request, name):
    limit, window = ratelimit.FORM_LIMIT
    return not ratelimit.hit(f"form:{name}:{ratelimit.client_ip(request)}", limit, window)


def subscribe(request):
    form = SubscribeForm(request.POST or None, initial={"enterprise": request.GET.get("enterprise")})
    if request.method == "POST":
        if _limited(request, "subscribe"):
            return render(request, "portal/form.html", {"title": _("Follow"), "form": form,
                                                        "error": _("Too many requests, please try again later.")}, status=429)
        if form.is_valid():
            d = form.cleaned_data
            Subscription.objects.create(email=d.get("email") or "", phone=d.get("phone") or "",
                                        enterprise_id=d.get("enterprise"), region=d.get("region"))
            messages.success(request, _("You will be notified of newly published violations."))
            return redirect("portal:home")
    return render(request, "portal/form.html", {"title": _("Follow an enterprise or area"), "form": form})


class SuggestionForm(forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ["name", "contact", "text"]


def suggest(request):
    form = SuggestionForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "suggest"):
            return render(request, "portal/form.html", {"title": _("Suggestions"), "form": form,
                                                        "error": _("Too many requests, please try again later.")}, status=429)
        if form.is_valid():
            form.save()
            messages.success(request, _("Thank you for your suggestion."))
            return redirect("portal:home")
    return render(request, "portal/form.html", {"title": _("Suggestions"), "form": form})


@login_required
@permission_required("portal.view_outbox", raise_exception=True)
def outbox(request):
    return render(request, "portal/outbox.html", {"title": _("Subscriber outbox"),
                                                  "messages_out": Outbox.objects.select_related("subscription")[:200],
                                                  "suggestions": Suggestion.objects.all()[:100]})
