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

    def water():
        from qingshan.water.services import share_good

        latest = published.water_latest_month()
        return share_good("month", *latest) if latest else None

    return render(request, "portal/home.html", {
        "title": _("Environmental information"), "aqi": _safe(aqi), "water": _safe(water),
        "cases": list(published.cases()[:10]), "enterprise_count": published.enterprises().count(),
    })


def air(request):
    def history():
        from qingshan.air.models import DailyAQI

        return list(DailyAQI.objects.filter(kind="city").order_by("-date")[:60])

    rows = _safe(history, [])
    day, now = _safe(published.air_latest, (None, [])) or (None, [])
    chart = {"dates": [r.date.isoformat() for r in reversed(rows)], "aqi": [r.aqi for r in reversed(rows)]}
    return render(request, "portal/air.html", {"title": _("Air quality"), "rows": rows, "day": day, "now": now,
                                               "chart": chart})


def water(request):
    """Monthly classes of the surface-water sections (public)."""
    latest = _safe(published.water_latest_month)
    year = month = None
    if latest:
        year, month = latest
        try:
            if request.GET.get("month"):
                y, m = (int(x) for x in request.GET["month"].split("-"))
                if 1 <= m <= 12 and (y, m) <= latest:
                    year, month = y, m
        except ValueError:
            messages.error(request, _("Invalid month, showing the latest one."))
    rows = _safe(lambda: published.water_classes(year, month), []) if latest else []
    good = sum(1 for r in rows if r.water_class is not None and r.water_class <= 3)
    classed = sum(1 for r in rows if r.water_class is not None)
    return render(request, "portal/water.html", {
        "title": _("Surface water quality"), "rows": rows, "year": year, "month": month, "latest": latest,
        "good_share": round(100.0 * good / classed, 1) if classed else None,
    })


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
    for r in ratings:
        r.colour_label = published.colour_label(r.current_colour)
    return render(request, "portal/enterprise.html", {
        "title": ent.name, "ent": ent, "ratings": ratings,
        "monitoring": _safe(lambda: published.monitoring_summary(ent)),
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
            w.writerow([r.enterprise.name, r.year, published.colour_label(r.current_colour)])
    elif what == "water":
        w.writerow(["年份", "月份", "断面编码", "断面名称", "水体", "责任区县", "考核级别", "目标类别", "水质类别", "是否达标", "主要污染物"])
        latest = _safe(published.water_latest_month)
        if latest:
            roman = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}
            for a in _safe(lambda: published.water_classes(*latest), []):
                sec = a.section
                w.writerow([a.year, a.number, sec.code, sec.name, sec.water_body.name, sec.region.name,
                            sec.get_level_display(), roman.get(sec.target_class, ""), roman.get(a.water_class, ""),
                            "" if a.meets_target is None else ("是" if a.meets_target else "否"),
                            "、".join(str(p) for p in (a.main_pollutants or []))])
    elif what == "air":
        w.writerow(["日期", "区域", "AQI", "级别", "类别", "首要污染物", "PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h"])

        def rows():
            from qingshan.air.models import DailyAQI

            return (DailyAQI.objects.filter(kind__in=("city", "county")).select_related("region")
                    .order_by("-date", "kind", "region__code")[:20000])

        for r in _safe(lambda: list(rows()), []):
            w.writerow([r.date, r.region.name, r.aqi, r.level, r.category, "、".join(r.primary_pollutants or []),
                        r.pm25, r.pm10, r.so2, r.no2, r.co, r.o3_8h])
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
            from .delivery import request_confirmation

            sub = Subscription.objects.create(email=d.get("email") or "", phone=d.get("phone") or "",
                                              enterprise_id=d.get("enterprise"), region=d.get("region"), active=False)
            msg = request_confirmation(sub)
            if msg.sent:
                messages.success(request, _("We sent a confirmation link to %(to)s: open it to start the notifications.")
                                 % {"to": msg.to})
            else:
                messages.info(request, _("Your request is recorded; the confirmation link will be sent to %(to)s shortly.")
                              % {"to": msg.to})
            return redirect("portal:home")
    return render(request, "portal/form.html", {"title": _("Follow an enterprise or area"), "form": form})


def confirm(request, token):
    """The link of the confirmation message: start the subscription (double opt-in)."""
    from django.utils import timezone

    sub = get_object_or_404(Subscription, token=token)
    if sub.confirmed_at is None:
        sub.confirmed_at, sub.active = timezone.now(), True
        sub.notified_until = timezone.localdate()  # from now on; history is on the portal
        sub.save(update_fields=["confirmed_at", "active", "notified_until"])
    messages.success(request, _("Subscription confirmed: you will be notified of newly published violations."))
    return redirect("portal:home")


def unsubscribe(request, token):
    """The link in every message: confirm (GET), then stop the subscription (POST)."""
    sub = get_object_or_404(Subscription, token=token)
    if request.method == "POST":
        if sub.active:
            sub.active = False
            sub.save(update_fields=["active"])
        messages.success(request, _("You will no longer receive these notifications."))
        return redirect("portal:home")
    return render(request, "portal/unsubscribe.html", {"title": _("Unsubscribe"), "subscription": sub})


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
