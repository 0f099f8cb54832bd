"""Demo air stations and hourly data for 青山市.

Two or three stations per county, each registered as an HJ 212 data logger
(ST=22), with hourly concentrations following a seasonal and diurnal pattern,
day-to-day weather persistence and one multi-day heavy-pollution episode ten
days before ``ctx.today`` (so an alert is raised). Full size: one year; small:
40 days. Deterministic from the seed.
"""

from __future__ import annotations

import datetime
import math

from django.utils import timezone

from qingshan.core.demo import DemoContext
from qingshan.registry.models import DataLogger, Region

from . import services
from .models import HourlyValue, Station

AIR_FACTORS = ["a21026", "a21004", "a34002", "a21005", "a05024", "a34004"]  # SO2 NO2 PM10 CO O3 PM2.5 (HJ 212-2017 B.2)


def seed(ctx: DemoContext):
    rng = ctx.rng("air")
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    stations = []
    for ci, county in enumerate(counties):
        towns = list(county.children.order_by("code"))
        n = 3 if ci < 2 and ctx.size == "full" else 2
        for k in range(n):
            town = towns[(k * 3 + 1) % len(towns)]
            code = f"{county.code}A{k + 1:02d}"
            logger = DataLogger.objects.create(
                mn=f"QSAIR{code}", password=f"{rng.randint(0, 999999):06d}", kind="air_station", system_code="22",
                region=town, factors=AIR_FACTORS, manufacturer="聚光科技", installed_on=ctx.today - datetime.timedelta(days=900),
            )
            stations.append(Station.objects.create(
                code=code, name=f"{county.name}{town.name[:2]}站", region=town, logger=logger,
                level="national" if ci < 2 and k == 0 else "provincial" if k == 0 else "county",
                lon=town.lon, lat=town.lat,
            ))
    days = 365 if ctx.size == "full" else 40
    start = ctx.today - datetime.timedelta(days=days - 1)
    episode = {ctx.today - datetime.timedelta(days=d) for d in range(8, 13)}  # 5 days, peak in the middle
    tz = timezone.get_current_timezone()
    # one city-wide weather factor per day (persistence), plus station offsets
    weather, w = {}, 1.0
    for i in range(days):
        day = start + datetime.timedelta(days=i)
        w = max(0.35, min(2.2, 0.7 * w + 0.3 * rng.lognormvariate(0, 0.35)))
        if day in episode:
            mid = ctx.today - datetime.timedelta(days=10)
            w = 3.6 - 0.45 * abs((day - mid).days)
        weather[day] = w
    rows = []
    for si, station in enumerate(stations):
        offset = 0.85 + 0.3 * rng.random()
        for i in range(days):
            day = start + datetime.timedelta(days=i)
            doy = day.timetuple().tm_yday
            winter = 0.5 + 0.5 * math.cos(2 * math.pi * (doy - 15) / 365)  # 1 in mid-January, 0 in mid-July
            if day in episode:
                winter = max(winter, 0.7)  # a regional haze episode: winter-like particulate levels whatever the season
            for h in range(1, 25):
                if rng.random() < 0.01:
                    continue  # a missing hour now and then
                traffic = 1 + 0.35 * math.exp(-((h - 8) ** 2) / 4) + 0.45 * math.exp(-((h - 21) ** 2) / 6)
                sun = max(0.0, math.sin(math.pi * (h - 6) / 14)) if 6 <= h <= 20 else 0.0
                f = weather[day] * offset * traffic * rng.uniform(0.85, 1.15)
                pm25 = (22 + 55 * winter) * f
                t = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(hours=h)
                rows.append(HourlyValue(
                    station=station, time=t.replace(tzinfo=tz), source="demo",
                    pm25=round(pm25, 0), pm10=round(pm25 * rng.uniform(1.45, 1.9), 0),
                    so2=round((6 + 10 * winter) * f, 0), no2=round((18 + 18 * winter) * f * traffic, 0),
                    co=round((0.5 + 0.6 * winter) * f, 1),
                    o3=round((25 + (95 + 60 * (1 - winter)) * sun) * rng.uniform(0.8, 1.2) / max(0.6, weather[day] ** 0.3), 0),
                ))
        if len(rows) > 20000:
            HourlyValue.objects.bulk_create(rows, batch_size=5000)
            rows = []
    HourlyValue.objects.bulk_create(rows, batch_size=5000)
    ctx.log(f"    air: {len(stations)} stations, {days} days of hourly data")
    from qingshan.standards import air_alerts

    from .models import AlertRule

    city = Region.objects.filter(level=Region.Level.CITY).first()
    if city is not None:  # the city's heavy-pollution plan follows the 2024 national guidance (环大气〔2024〕6号)
        AlertRule.objects.update_or_create(region=city, defaults={"rule_set": air_alerts.DEFAULT_RULE_SET})
    services.compute_daily(start, ctx.today)
    alerts = services.evaluate_alerts(start, ctx.today)
    ctx.log(f"    air: daily AQI computed, {len(alerts)} heavy-pollution alert(s)")
