"""Ambient air quality: stations, hourly concentrations, daily values and alerts.

Rules (AQI, validity, composite index, alert levels) live in
:mod:`qingshan.standards.hj633`, :mod:`~qingshan.standards.hj663` and
:mod:`~qingshan.standards.air_alerts`; this app stores data and results.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope, ScopedManager
from qingshan.registry.models import DataLogger, Region

#: the six pollutants, field name -> (label, unit)
POLLUTANTS = {
    "so2": ("SO2", "µg/m³"),
    "no2": ("NO2", "µg/m³"),
    "pm10": ("PM10", "µg/m³"),
    "co": ("CO", "mg/m³"),
    "o3": ("O3", "µg/m³"),
    "pm25": ("PM2.5", "µg/m³"),
}


class Station(AuditedModel):
    class Level(models.TextChoices):
        NATIONAL = "national", _("national control station")
        PROVINCIAL = "provincial", _("provincial control station")
        COUNTY = "county", _("county station")

    code = models.CharField(_("station code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.COUNTY)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="air_stations")
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    logger = models.OneToOneField(
        DataLogger, verbose_name=_("data logger"), null=True, blank=True, on_delete=models.SET_NULL, related_name="air_station"
    )
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(region="region", region_nullable_visible=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("air quality station")
        verbose_name_plural = _("air quality stations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("air:station_detail", args=[self.pk])


class HourlyValue(models.Model):
    """One station-hour of concentrations (µg/m³; CO mg/m³); time = end of the hour, local time."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hourly")
    time = models.DateTimeField(_("time"), db_index=True)
    so2 = models.FloatField(null=True, blank=True)
    no2 = models.FloatField(null=True, blank=True)
    pm10 = models.FloatField(null=True, blank=True)
    co = models.FloatField(null=True, blank=True)
    o3 = models.FloatField(null=True, blank=True)
    pm25 = models.FloatField(null=True, blank=True)
    #: pollutant fields flagged invalid by the analyser (HJ 212 flags other than N)
    invalid = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, default="ingest")  # ingest | import | demo

    scope = Scope(region="station__region")
    objects = ScopedManager()

    class Meta:
        unique_together = [("station", "time")]
        ordering = ["station", "time"]
        verbose_name = _("hourly value")
        verbose_name_plural = _("hourly values")

    def __str__(self):
        return f"{self.station} {self.time:%Y-%m-%d %H}"


class DailyAQI(models.Model):
    """Daily concentrations and AQI of a station, a county or the city (natural day)."""

    class Kind(models.TextChoices):
        STATION = "station", _("station")
        COUNTY = "county", _("county")
        CITY = "city", _("city")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.CASCADE, related_name="daily")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="air_daily")
    date = models.DateField(_("date"), db_index=True)
    so2 = models.FloatField(null=True)
    no2 = models.FloatField(null=True)
    pm10 = models.FloatField(null=True)
    co = models.FloatField(null=True)
    o3_8h = models.FloatField(null=True)
    o3_1h = models.FloatField(null=True)
    pm25 = models.FloatField(null=True)
    aqi = models.IntegerField(_("AQI"), null=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True)
    category = models.CharField(_("category"), max_length=10, blank=True)
    primary_pollutants = models.JSONField(_("primary pollutants"), default=list)
    iaqi = models.JSONField(default=dict)
    standard = models.CharField(max_length=4)
    #: pollutants missing a valid daily value (HJ 663 / GB 3095 Table 4)
    missing = models.JSONField(default=list)

    scope = Scope(region="region")
    objects = ScopedManager()

    class Meta:
        unique_together = [("kind", "station", "region", "date")]
        ordering = ["-date"]
        verbose_name = _("daily AQI")
        verbose_name_plural = _("daily AQI")

    def __str__(self):
        return f"{self.station or self.region} {self.date} AQI {self.aqi}"


class AlertRule(models.Model):
    """Which heavy-pollution warning rule set a region uses (thresholds are data in standards.air_alerts)."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="air_alert_rule")
    rule_set = models.CharField(_("rule set"), max_length=40)

    scope = Scope(region="region")
    objects = ScopedManager()


class HeavyPollutionAlert(AuditedModel):
    class Level(models.TextChoices):
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        ORANGE = "orange", _("orange")
        RED = "red", _("red")

    class Basis(models.TextChoices):
        OBSERVED = "observed", _("observed")
        FORECAST = "forecast", _("forecast")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="air_alerts")
    level = models.CharField(_("alert level"), max_length=8, choices=Level.choices)
    basis = models.CharField(_("basis"), max_length=8, choices=Basis.choices, default=Basis.OBSERVED)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    rule_set = models.CharField(_("rule set"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    lifted_reason = models.TextField(_("reason for lifting"), blank=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["-start"]
        verbose_name = _("heavy pollution alert")
        verbose_name_plural = _("heavy pollution alerts")

    def __str__(self):
        return f"{self.region} {self.get_level_display()} {self.start}"

    def get_absolute_url(self):
        return reverse("air:heavypollutionalert_detail", args=[self.pk])

    @property
    def active(self):
        return self.end is None
