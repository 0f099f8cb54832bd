"""Surface water: water bodies, monitoring sections, samples, assessments, compensation.

Rules (GB 3838 classes, the 2011 evaluation method, CWQI, compensation schemes)
live in :mod:`qingshan.standards`; this app stores data and the computed
results (:class:`SectionAssessment`, :class:`CompensationEntry`) so that
dashboards and reports read them without recomputing a year of samples.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope, ScopedManager
from qingshan.registry.models import DataLogger, Region
from qingshan.standards import eco_compensation, gb3838


class WaterClassChoice(models.IntegerChoices):
    """GB 3838-2002 class, stored as 1..6 (6 = 劣V), same order as ``gb3838.WaterClass``."""

    I = 1, "Ⅰ"  # noqa: E741
    II = 2, "Ⅱ"
    III = 3, "Ⅲ"
    IV = 4, "Ⅳ"
    V = 5, "Ⅴ"
    V_PLUS = 6, _("worse than Ⅴ")


#: display colours by class (blue I–II, green III, yellow IV, orange V, red 劣V; water.md §2.3)
CLASS_COLOURS = {1: "#3a8ee6", 2: "#67b7f7", 3: "#3cb371", 4: "#f2c12e", 5: "#f08c2c", 6: "#e0443b"}


class WaterBody(AuditedModel):
    class Kind(models.TextChoices):
        RIVER = "river", _("river")
        LAKE = "lake", _("lake")
        RESERVOIR = "reservoir", _("reservoir")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RIVER)
    basin = models.CharField(_("basin"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("managing region"), null=True, blank=True, on_delete=models.PROTECT, related_name="water_bodies",
        help_text=_("Leave empty for a water body shared by several counties."),
    )
    length_km = models.DecimalField(_("length (km)"), max_digits=8, decimal_places=1, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    scope = Scope(region="region", region_nullable_visible=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("water body")
        verbose_name_plural = _("water bodies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("water:waterbody_detail", args=[self.pk])

    @property
    def gb3838_kind(self) -> str:
        return gb3838.RIVER if self.kind == self.Kind.RIVER else gb3838.LAKE


class Section(AuditedModel):
    """A monitoring section (断面) of a river, or a point of a lake or reservoir."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national assessment section")
        PROVINCIAL = "provincial", _("provincial assessment section")
        MUNICIPAL = "municipal", _("municipal assessment section")
        COUNTY = "county", _("county monitoring section")

    class Basis(models.TextChoices):
        MANUAL = "manual", _("manual samples")
        AUTOMATIC = "automatic", _("automatic station daily values")
        ALL = "all", _("all samples")

    code = models.CharField(_("section code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    water_body = models.ForeignKey(WaterBody, verbose_name=_("water body"), on_delete=models.PROTECT, related_name="sections")
    level = models.CharField(_("assessment level"), max_length=12, choices=Level.choices, default=Level.MUNICIPAL)
    region = models.ForeignKey(
        Region, verbose_name=_("responsible county"), on_delete=models.PROTECT, related_name="water_sections",
        help_text=_("The county responsible for the section's water quality."),
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    target_class = models.PositiveSmallIntegerField(_("target class"), choices=WaterClassChoice.choices, default=3)
    is_drinking_source = models.BooleanField(_("drinking-water source"), default=False)
    supply_volume = models.DecimalField(
        _("monthly abstraction (10k t)"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("For drinking-water sources: used for the volume compliance rate."),
    )
    upstream_county = models.ForeignKey(
        Region, verbose_name=_("upstream county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("For a cross-boundary section: the county the water leaves."),
    )
    downstream_county = models.ForeignKey(
        Region, verbose_name=_("downstream county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("For a cross-boundary section: the county the water enters."),
    )
    logger = models.OneToOneField(
        DataLogger, verbose_name=_("automatic station"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="water_section", help_text=_("Data logger of an automatic water station (ST=21)."),
    )
    assessment_basis = models.CharField(_("assessed from"), max_length=10, choices=Basis.choices, default=Basis.MANUAL)
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["code"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self):
        return reverse("water:section_detail", args=[self.pk])

    def clean(self):
        if self.region_id and self.region.level != Region.Level.COUNTY:
            raise ValidationError({"region": _("Choose a county.")})
        if self.upstream_county_id and self.downstream_county_id and self.upstream_county_id == self.downstream_county_id:
            raise ValidationError({"downstream_county": _("Upstream and downstream counties must differ.")})
        if self.logger_id and self.logger.kind != DataLogger.Kind.WATER_STATION:
            raise ValidationError({"logger": _("Choose a data logger of a water quality station.")})

    @property
    def is_cross_boundary(self) -> bool:
        return bool(self.upstream_county_id and self.downstream_county_id)

    @property
    def gb3838_kind(self) -> str:
        return self.water_body.gb3838_kind

    @property
    def target(self) -> gb3838.WaterClass:
        return gb3838.WaterClass(self.target_class)

    @property
    def chart(self) -> dict:
        """Monthly classes and item values for the detail page chart."""
        from .services import section_chart

        return section_chart(self)

    @property
    def latest_assessments(self):
        """The latest month and the year-to-date assessment."""
        month = self.assessments.filter(period="month").order_by("-year", "-number").first()
        year = self.assessments.filter(period="year", year=month.year).first() if month else None
        return [a for a in (month, year) if a is not None]

    def sample_sources(self) -> list[str]:
        if self.assessment_basis == self.Basis.AUTOMATIC:
            return [Sample.Source.AUTOMATIC]
        if self.assessment_basis == self.Basis.MANUAL:
            return [Sample.Source.MANUAL]
        return [Sample.Source.MANUAL, Sample.Source.AUTOMATIC]


def validate_values(value):
    if not isinstance(value, dict):
        raise ValidationError(_("Values must be a mapping of item to value."))
    from qingshan.standards import water_assessment

    for key, v in value.items():
        if key not in gb3838.TABLE1 and key not in gb3838.TABLE2:
            raise ValidationError(_("Unknown item %(item)s."), params={"item": key})
        try:
            water_assessment.parse_measurement(v, key)
        except gb3838.WaterQualityError as exc:
            raise ValidationError(str(exc)) from None


class Sample(AuditedModel):
    """One sampling of a section: item → reported value (numbers, or ``"0.05L"`` below the detection limit)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("manual monitoring")
        AUTOMATIC = "automatic", _("automatic station")

    class Condition(models.TextChoices):
        NORMAL = "normal", _("normal")
        DRY = "dry", _("dry (no flow)")
        FROZEN = "frozen", _("frozen")

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="samples")
    date = models.DateField(_("sampling date"), db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices, default=Condition.NORMAL)
    values = models.JSONField(_("values"), default=dict, blank=True, validators=[validate_values],
                              help_text=_('Item key → value, e.g. {"DO": 6.2, "NH3-N": 0.85, "TP": "0.01L"}'))
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope = Scope(region="section__region")

    class Meta:
        ordering = ["-date", "section__code"]
        unique_together = [("section", "date", "source")]
        verbose_name = _("water sample")
        verbose_name_plural = _("water samples")

    def __str__(self):
        return f"{self.section.name} {self.date}"

    def get_absolute_url(self):
        return reverse("water:sample_detail", args=[self.pk])

    def clean(self):
        if self.condition == self.Condition.NORMAL and not self.values:
            raise ValidationError({"values": _("Give at least one value, or mark the section dry or frozen.")})

    @property
    def values_text(self) -> str:
        """Values as "key value, …" (list and detail pages)."""
        return ", ".join(f"{k} {v}" for k, v in self.values.items())


class SectionAssessment(models.Model):
    """Computed class of a section for a month, quarter or year (year = January to date).

    Written by :func:`qingshan.water.services.assess_sections`; never edited by people.
    """

    class Period(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="assessments")
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    #: month 1–12, quarter 1–4, 0 for the year
    number = models.PositiveSmallIntegerField(default=0)
    #: last month with data inside the period (the year to date ends here)
    through_month = models.PositiveSmallIntegerField(default=12)
    water_class = models.PositiveSmallIntegerField(_("class"), choices=WaterClassChoice.choices, null=True)
    condition = models.CharField(max_length=8, default="normal")
    meets_target = models.BooleanField(_("meets target"), null=True)
    values = models.JSONField(default=dict)
    item_classes = models.JSONField(default=dict)
    main_pollutants = models.JSONField(default=list)
    cwqi = models.FloatField(_("CWQI"), null=True)
    samples = models.PositiveSmallIntegerField(default=0)
    insufficient = models.JSONField(default=list)
    drinking_compliant = models.BooleanField(null=True)
    drinking_exceedances = models.JSONField(default=list)
    computed = models.DateTimeField(auto_now=True)

    scope = Scope(region="section__region")
    objects = ScopedManager()

    class Meta:
        unique_together = [("section", "period", "year", "number")]
        indexes = [models.Index(fields=["period", "year", "number"])]
        verbose_name = _("section assessment")
        verbose_name_plural = _("section assessments")

    def __str__(self):
        return f"{self.section} {self.period_label} {self.class_label}"

    @property
    def period_label(self) -> str:
        if self.period == "month":
            return f"{self.year}-{self.number:02d}"
        if self.period == "quarter":
            return f"{self.year}Q{self.number}"
        return f"{self.year}" if self.through_month == 12 else f"{self.year} 1–{self.through_month}"

    @property
    def wclass(self) -> gb3838.WaterClass | None:
        return None if self.water_class is None else gb3838.WaterClass(self.water_class)

    @property
    def class_label(self) -> str:
        return "" if self.water_class is None else self.wclass.roman

    @property
    def colour(self) -> str:
        return CLASS_COLOURS.get(self.water_class, "#999999")


def scheme_choices():
    return [(s, s) for s in eco_compensation.available_schemes()]


class CompensationScheme(AuditedModel):
    """An ecological compensation scheme adopted by the bureau: rules as data.

    ``definition`` is a scheme in the format of :mod:`qingshan.standards.eco_compensation`
    (validated by its parser). ``based_on`` names the packaged scheme it was copied from;
    a blank definition means "the packaged scheme as it is".
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    based_on = models.CharField(_("based on"), max_length=40, blank=True, choices=scheme_choices,
                                help_text=_("Packaged scheme in qingshan/standards/data/eco_compensation/."))
    definition = models.JSONField(_("definition"), default=dict, blank=True,
                                  help_text=_("Scheme as data (factors, targets, rules, rewards, caps). Empty: the packaged scheme."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    document = models.CharField(_("document number"), max_length=100, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("issuing region"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    scope = Scope(region="region", region_nullable_visible=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("compensation scheme")
        verbose_name_plural = _("compensation schemes")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("water:compensationscheme_detail", args=[self.pk])

    def effective_definition(self) -> dict:
        """The scheme mapping passed to the engine: the definition (or packaged file),
        with this row's code and validity."""
        if self.definition:
            data = dict(self.definition)
        elif self.based_on:
            from importlib import resources

            path = resources.files("qingshan.standards").joinpath("data", "eco_compensation", f"{self.based_on}.json")
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            raise ValidationError(_("Give a definition or choose a packaged scheme."))
        data["id"] = self.code
        data["name"] = self.name or data.get("name", "")
        data["valid_from"] = self.valid_from.isoformat() if self.valid_from else None
        data["valid_to"] = self.valid_to.isoformat() if self.valid_to else None
        return data

    def scheme(self) -> eco_compensation.Scheme:
        return eco_compensation.load_scheme(self.effective_definition())

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        try:
            self.scheme()
        except ValidationError:
            raise
        except eco_compensation.EcoCompensationError as exc:
            raise ValidationError({"definition": str(exc)}) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError({"definition": _("Malformed scheme: %(err)s") % {"err": exc}}) from None

    @property
    def summary(self):
        return eco_compensation.scheme_summary(self.scheme())

    @property
    def definition_text(self) -> str:
        try:
            return json.dumps(self.effective_definition(), ensure_ascii=False, indent=2)
        except (ValidationError, OSError) as exc:
            return str(exc)


class CompensationAssignment(AuditedModel):
    """A cross-boundary section assessed under a scheme, and the county that pays or receives."""

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="compensation")
    scheme = models.ForeignKey(CompensationScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="assignments")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("The county that pays the deduction or receives the reward."))
    inflow_section = models.ForeignKey(
        Section, verbose_name=_("inflow section"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Upstream section whose values exempt the county when the pollutant did not increase."),
    )
    share = models.DecimalField(_("responsibility share"), max_digits=5, decimal_places=4, default=1,
                                help_text=_("Share of the section's amount borne by the county (0–1)."))
    monthly_flow_m3 = models.DecimalField(_("monthly flow (m³)"), max_digits=14, decimal_places=0, null=True, blank=True,
                                          help_text=_("Needed by flux schemes."))
    start = models.DateField(_("assessed from"))
    end = models.DateField(_("assessed until"), null=True, blank=True)

    scope = Scope(region="county")

    class Meta:
        ordering = ["section__code", "start"]
        verbose_name = _("compensation assignment")
        verbose_name_plural = _("compensation assignments")

    def __str__(self):
        return f"{self.section.name} · {self.scheme.code} · {self.county}"

    def get_absolute_url(self):
        return reverse("water:compensationassignment_detail", args=[self.pk])

    def clean(self):
        if self.county_id and self.county.level != Region.Level.COUNTY:
            raise ValidationError({"county": _("Choose a county.")})
        if self.share is not None and not (0 < self.share <= 1):
            raise ValidationError({"share": _("The share must be above 0 and at most 1.")})
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The end is before the start.")})
        if self.inflow_section_id and self.inflow_section_id == self.section_id:
            raise ValidationError({"inflow_section": _("The inflow section must be another section.")})


class CompensationEntry(models.Model):
    """A county's computed deduction (negative) or reward (positive) for one assignment and period."""

    assignment = models.ForeignKey(CompensationAssignment, on_delete=models.CASCADE, related_name="entries")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="+")
    scheme_code = models.CharField(_("scheme"), max_length=40)
    period = models.CharField(_("period"), max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    #: the ledger month the entry is booked in (the last month of the period)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, default="万元")
    complete = models.BooleanField(default=True)
    breakdown = models.JSONField(default=dict)
    error = models.CharField(max_length=300, blank=True)
    computed = models.DateTimeField(auto_now=True)

    scope = Scope(region="county")
    objects = ScopedManager()

    class Meta:
        ordering = ["year", "month", "county__code", "section__code"]
        unique_together = [("assignment", "period_start")]
        indexes = [models.Index(fields=["year", "month"])]
        verbose_name = _("compensation entry")
        verbose_name_plural = _("compensation ledger")

    def __str__(self):
        return f"{self.county} {self.year}-{self.month:02d} {self.amount} {self.unit}"

    @property
    def direction(self) -> str:
        return "reward" if self.amount > 0 else "deduction" if self.amount < 0 else "none"


class ShareTarget(AuditedModel):
    """Annual targets for the share of sections in classes I–III and in 劣V (e.g. 53.4 % and 17.2 %)."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("The city (all sections) or a county (its sections)."))
    good_min = models.DecimalField(_("sections I–III at least (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    v_plus_max = models.DecimalField(_("sections worse than V at most (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    drinking_min = models.DecimalField(_("drinking-water sources compliant at least (%)"), max_digits=5, decimal_places=1,
                                       null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True, help_text=_("e.g. the responsibility letter"))

    scope = Scope(region="region")

    class Meta:
        ordering = ["-year", "region__code"]
        unique_together = [("year", "region")]
        verbose_name = _("water quality target")
        verbose_name_plural = _("water quality targets")

    def __str__(self):
        return f"{self.region} {self.year}"

    def get_absolute_url(self):
        return reverse("water:sharetarget_detail", args=[self.pk])

    def clean(self):
        for f in ("good_min", "v_plus_max", "drinking_min"):
            v = getattr(self, f)
            if v is not None and not (0 <= v <= 100):
                raise ValidationError({f: _("A percentage between 0 and 100.")})
