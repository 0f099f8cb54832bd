import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingshan.air import services
from qingshan.air.models import DailyAQI, HeavyPollutionAlert, HourlyValue, Station
from qingshan.standards import hj633

TODAY = datetime.date(2026, 6, 30)


def test_demo_has_a_month_of_data_bulletin_ranking_and_an_alert(db):
    assert Station.objects.count() >= 4
    days = DailyAQI.objects.filter(kind="city").count()
    assert days >= 35
    bulletin = services.daily_bulletin(TODAY)
    assert {r["kind"] for r in bulletin["rows"]} == {"city", "county"}
    assert all(r["aqi"] is not None for r in bulletin["rows"])
    start, end = services.month_bounds(2026, 6)
    ranking = services.county_ranking(start, end)
    assert [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking) and len(ranking) == 2
    assert HeavyPollutionAlert.objects.exists()


def test_city_aqi_matches_the_standard_on_stored_daily_values(db):
    row = services.latest_city_aqi()
    again = services._aqi(row.date, {"so2": row.so2, "no2": row.no2, "pm10": row.pm10, "co": row.co,
                                     "o3_8h": row.o3_8h, "o3_1h": row.o3_1h, "pm25": row.pm25})
    assert again.aqi == row.aqi and again.standard == row.standard


def test_pages_render_for_county_staff_and_leader(client_for):
    for user in ("donghu", "leader"):
        client = client_for(user)
        for name in ("air:overview", "air:bulletin", "air:ranking", "air:station_list", "air:heavypollutionalert_list"):
            assert client.get(reverse(name)).status_code == 200, (user, name)


def test_county_staff_see_only_their_stations_daily_rows(users):
    user = users["donghu"]
    own = DailyAQI.objects.for_user(user).exclude(kind="city")
    assert own.exists()
    assert all(r.region.path.startswith(user.profile.region.path) for r in own.select_related("region")[:200])


def test_import_keeps_good_rows_and_reports_bad_ones(client_for, users):
    station = Station.objects.for_user(users["donghu"]).first()
    other = Station.objects.exclude(pk__in=Station.objects.for_user(users["donghu"]).values("pk")).first()
    csv = (
        "station,time,SO2,NO2,PM10,CO,O3,PM2.5\n"
        f"{station.code},2026-06-30 10:00,10,30,80,0.8,120,45\n"
        f"{station.code},not a time,10,30,80,0.8,120,45\n"
        f"{station.code},2026-06-30 11:00,10,abc,80,0.8,120,45\n"
        f"{other.code},2026-06-30 10:00,10,30,80,0.8,120,45\n"
        f"{station.code},2026-06-30 12:00,10,30,99999,0.8,120,45\n"
    ).encode()
    r = client_for("donghu").post(reverse("air:import"), {"file": SimpleUploadedFile("h.csv", csv)})
    assert r.status_code == 200
    result = r.context["result"]
    assert result.stored == 1 and [row for row, _m in result.errors] == [3, 4, 5, 6]
    from django.utils import timezone

    ten = timezone.make_aware(datetime.datetime(2026, 6, 30, 10, 0))
    assert HourlyValue.objects.get(station=station, time=ten).source == "import"


def test_unreadable_import_file_is_a_clear_error(client_for):
    r = client_for("monitoring").post(reverse("air:import"), {"file": SimpleUploadedFile("h.xlsx", b"garbage")})
    assert r.status_code == 400 and "Excel" in r.content.decode()


def test_station_hourly_aqi_page(client_for, users):
    station = Station.objects.for_user(users["donghu"]).first()
    r = client_for("donghu").get(reverse("air:station_hourly", args=[station.pk]) + "?date=2026-06-29")
    assert r.status_code == 200
    rows = r.context["rows"]
    assert len(rows) == 24 and sum(1 for x in rows if x["aqi"] is not None) >= 20
    sample = next(x for x in rows if x["aqi"] is not None)
    again = hj633.hourly_aqi({"SO2_1h": sample["so2"], "NO2_1h": sample["no2"], "PM10_1h": sample["pm10"],
                              "CO_1h": sample["co"], "O3_1h": sample["o3"], "PM2.5_1h": sample["pm25"]}, "2026")
    assert again.aqi == sample["aqi"]
    other = Station.objects.exclude(pk__in=Station.objects.for_user(users["donghu"]).values("pk")).first()
    assert client_for("donghu").get(reverse("air:station_hourly", args=[other.pk])).status_code == 404


def test_forecast_alert_evaluation_and_issue(client_for, users):
    county = users["donghu"].profile.region
    client = client_for("monitoring")
    data = {"region": county.pk, "start": "2026-07-01", "aqi": "180, 230, 260"}
    r = client.post(reverse("air:forecast"), data)
    assert r.status_code == 200 and r.context["decision"].level is not None
    bad = client.post(reverse("air:forecast"), {**data, "aqi": "180, abc"})
    assert bad.status_code == 200 and bad.context["decision"] is None and "abc" in bad.content.decode()
    r = client.post(reverse("air:forecast"), {**data, "issue": "1"})
    alert = HeavyPollutionAlert.objects.get(region=county, basis="forecast", start__gte=datetime.date(2026, 7, 1))
    assert r.status_code == 302 and alert.level in ("yellow", "orange", "red")
    # county staff may evaluate but monitoring department issues; a grid officer may not see the page at all
    assert client_for("grid990101001001").get(reverse("air:forecast")).status_code == 403
