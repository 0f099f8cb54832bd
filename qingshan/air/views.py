import datetime

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingshan.core.entity import EntityViewSet
from qingshan.core.geo import feature_collection
from qingshan.core.importexport import run_upload
from qingshan.registry.models import Region
from qingshan.standards import hj663

from . import services
from .importer import import_hourly
from .models import DailyAQI, HeavyPollutionAlert, Station

LEVEL_COLOURS = {1: "#00e400", 2: "#ffff00", 3: "#ff7e00", 4: "#ff0000", 5: "#99004c", 6: "#7e0023"}


class StationViews(EntityViewSet):
    model = Station
    list_columns = ["code", "name", "level", "region", "logger", "active"]
    filters = ["region", "level", "active"]
    search = ["code", "name"]
    form_fields = ["code", "name", "level", "region", "lon", "lat", "logger", "active"]
    select_related = ["region", "logger"]
    detail_extra_template = "air/_station_extra.html"


class AlertViews(EntityViewSet):
    model = HeavyPollutionAlert
    list_columns = ["region", "level", "basis", "start", "end", "rule_set"]
    filters = ["region", "level", "basis"]
    search = ["reason"]
    form_fields = ["region", "level", "basis", "start", "end", "rule_set", "reason", "lifted_reason"]
    select_related = ["region"]


VIEWSETS = [StationViews, AlertViews]


def _parse_date(value, default):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _latest_date(user):
    row = DailyAQI.objects.for_user(user).order_by("-date").values_list("date", flat=True).first()
    return row or timezone.localdate()


@login_required
@permission_required("air.view_dailyaqi", raise_exception=True)
def overview(request):
    user = request.user
    day = _parse_date(request.GET.get("date"), _latest_date(user))
    bulletin = services.daily_bulletin(day, user)
    regions = [r["region"] for r in bulletin["rows"]]
    focus = next((r for r in regions if r.level == Region.Level.CITY), regions[0] if regions else None)
    series = []
    if focus is not None:
        series = list(DailyAQI.objects.for_user(user).filter(region=focus, kind__in=["city", "county"],
                                                           date__gt=day - datetime.timedelta(days=366), date__lte=day)
                      .order_by("date").values_list("date", "aqi", "pm25", "level"))
    counties = [r["region"] for r in bulletin["rows"] if r["kind"] == "county"]
    chart = {
        "dates": [d.isoformat() for d, *_ in series],
        "aqi": [a for _d, a, _p, _l in series],
        "pm25": [p for _d, _a, p, _l in series],
        "calendar": [[d.isoformat(), a] for d, a, _p, _l in series if a is not None],
        "year": day.year,
        "map": feature_collection(counties),
        "map_values": [{"name": r["region"].name, "value": r["aqi"], "level": r["level"]} for r in bulletin["rows"] if r["kind"] == "county"],
        "colours": LEVEL_COLOURS,
    }
    alerts = HeavyPollutionAlert.objects.for_user(user).filter(start__lte=day).order_by("-start")[:5]
    return render(request, "air/overview.html", {
        "title": _("Air quality"), "day": day, "bulletin": bulletin, "focus": focus, "alerts": alerts,
        "chart": chart,
    })


@login_required
@permission_required("air.view_dailyaqi", raise_exception=True)
def bulletin(request):
    day = _parse_date(request.GET.get("date"), _latest_date(request.user))
    data = services.daily_bulletin(day, request.user)
    return render(request, "air/bulletin.html", {"title": _("Daily air quality bulletin"), "day": day, "bulletin": data})


@login_required
@permission_required("air.view_dailyaqi", raise_exception=True)
def ranking(request):
    latest = _latest_date(request.user)
    try:
        year = int(request.GET.get("year") or latest.year)
        month = int(request.GET.get("month") or latest.month)
        start, end = services.month_bounds(year, month)
    except ValueError:
        year, month = latest.year, latest.month
        start, end = services.month_bounds(year, month)
    period = request.GET.get("period", "month")
    if period == "year":
        # year to date: whole calendar months only (HJ 663 period statistics)
        last = datetime.date(year, 12, 31)
        if latest < last:
            last = hj663.last_whole_month_end(latest)
        start, end = datetime.date(year, 1, 1), last
    rows = services.county_ranking(start, end)
    return render(request, "air/ranking.html", {"title": _("County ranking by composite index"), "rows": rows,
                                                 "year": year, "month": month, "period": period, "start": start, "end": end})


class HourlyImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or Excel file"))


@login_required
@permission_required("air.add_hourlyvalue", raise_exception=True)
def import_view(request):
    form = HourlyImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        result, status = run_upload(form, lambda f: import_hourly(f.name, f.read(), request.user))
    return render(request, "air/import.html", {"title": _("Import hourly air data"), "form": form, "result": result}, status=status)


@login_required
@permission_required("air.view_station", raise_exception=True)
def station_hourly(request, pk):
    from django.shortcuts import get_object_or_404

    station = get_object_or_404(Station.objects.for_user(request.user), pk=pk)
    latest = HourlyValueDate.latest(station)
    day = _parse_date(request.GET.get("date"), latest)
    rows = services.hourly_aqi(station, day)
    chart = {"hours": [timezone.localtime(r["time"]).strftime("%H:%M") for r in rows], "aqi": [r["aqi"] for r in rows],
             "pm25": [r["pm25"] for r in rows], "o3": [r["o3"] for r in rows]}
    daily = DailyAQI.objects.filter(station=station, date=day).first()
    return render(request, "air/station_hourly.html", {"title": _("Hourly AQI"), "station": station, "day": day,
                                                        "rows": rows, "chart": chart, "daily": daily})


class HourlyValueDate:
    @staticmethod
    def latest(station):
        from .models import HourlyValue

        t = HourlyValue.objects.filter(station=station).order_by("-time").values_list("time", flat=True).first()
        if t is None:
            return timezone.localdate()
        local = timezone.localtime(t)
        return local.date() if local.hour else local.date() - datetime.timedelta(days=1)


class ForecastForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=gettext_lazy("Region"))
    start = forms.DateField(label=gettext_lazy("First forecast day"), widget=forms.DateInput(attrs={"type": "date"}))
    aqi = forms.CharField(label=gettext_lazy("Forecast daily AQI"), help_text=gettext_lazy("One value per day, separated by commas, e.g. 180, 230, 260"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.for_user(user).filter(
            level__in=[Region.Level.CITY, Region.Level.COUNTY]).order_by("code")

    def clean_aqi(self):
        values = []
        for part in self.cleaned_data["aqi"].replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if part.upper() == "NA":
                values.append(None)
                continue
            try:
                v = int(part)
            except ValueError:
                raise forms.ValidationError(_("%(v)s is not a whole number") % {"v": part}) from None
            if not 0 <= v <= 500:
                raise forms.ValidationError(_("%(v)s is outside 0–500") % {"v": v})
            values.append(v)
        if not values or len(values) > 10:
            raise forms.ValidationError(_("Give 1 to 10 daily values."))
        return values


@login_required
@permission_required("air.view_heavypollutionalert", raise_exception=True)
def forecast(request):
    form = ForecastForm(request.POST or None, user=request.user, initial={"start": timezone.localdate()})
    decision = None
    if request.method == "POST" and form.is_valid():
        region, start, values = form.cleaned_data["region"], form.cleaned_data["start"], form.cleaned_data["aqi"]
        decision = services.forecast_alert(region, values, start)
        if request.POST.get("issue") and decision.level:
            if not request.user.has_perm("air.add_heavypollutionalert"):
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied
            alert = services.issue_forecast_alert(region, decision, request.user)
            from django.shortcuts import redirect

            return redirect(alert.get_absolute_url())
    return render(request, "air/forecast.html", {"title": _("Alert from a forecast"), "form": form, "decision": decision})
