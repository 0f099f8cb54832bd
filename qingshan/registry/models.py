"""Registry: regions and grids, enterprises, outlets, permits, data loggers, EIA.

Names follow ``shared/GLOSSARY.md``. Every model declares its :class:`Scope`
so that :mod:`qingshan.core.scope` can restrict it to a user's region.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.roles import Role
from qingshan.core.scope import Scope
from qingshan.standards import gb32100


def validate_uscc(value: str):
    try:
        gb32100.validate(value)
    except gb32100.USCCError as exc:
        raise ValidationError(_("Invalid unified social credit code: %(reason)s"), params={"reason": str(exc)})


class Region(AuditedModel):
    """A node of the administrative tree: province → city → county → town → grid."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        CITY = 2, _("city")
        COUNTY = 3, _("county")
        TOWN = 4, _("town")
        GRID = 5, _("grid")

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "admin", _("administrative")
        TOWN = "town", _("town")
        STREET = "street", _("street")
        PARK = "park", _("industrial park")
        GRID = "grid", _("grid")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ADMINISTRATIVE)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    #: materialised path of codes, "/<province>/<city>/…/<self>/"; subtree = path__startswith
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    #: polygon [[lon, lat], …] of the area, used to route complaints by location
    boundary = models.JSONField(_("boundary"), null=True, blank=True)

    scope = Scope(region="")

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.parent.level >= self.level:
            raise ValidationError({"parent": _("The parent must be a higher level than the region.")})

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    def get_absolute_url(self):
        return reverse("registry:region_detail", args=[self.pk])

    def ancestor(self, level: int) -> "Region | None":
        node = self
        while node is not None and node.level > level:
            node = node.parent
        return node if node is not None and node.level == level else None

    @property
    def county(self):
        return self.ancestor(self.Level.COUNTY)

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)

    def contains_point(self, lon: float, lat: float) -> bool:
        from qingshan.core.geo import point_in_polygon

        return bool(self.boundary) and point_in_polygon(lon, lat, self.boundary)


class Industry(models.Model):
    """GB/T 4754-2017 national economy industry classification (category level)."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    section = models.CharField(_("section"), max_length=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self):
        return f"{self.code} {self.name}"


class KeyLevel(models.TextChoices):
    NATIONAL = "national", _("national key")
    PROVINCIAL = "provincial", _("provincial key")
    MUNICIPAL = "municipal", _("municipal key")
    NONE = "none", _("not key-monitored")


class Enterprise(AuditedModel):
    class Status(models.TextChoices):
        OPERATING = "operating", _("operating")
        CONSTRUCTION = "construction", _("under construction")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("name"), max_length=200, db_index=True)
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), on_delete=models.PROTECT)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region / grid"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_("The grid (or town) the enterprise is located in."),
    )
    key_level = models.CharField(_("key-monitored level"), max_length=12, choices=KeyLevel.choices, default=KeyLevel.NONE)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPERATING)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    scope = Scope(region="region", enterprise="pk")

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = (self.uscc or "").strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:enterprise_detail", args=[self.pk])

    @property
    def grid(self):
        return self.region if self.region.level == Region.Level.GRID else None

    @property
    def county(self):
        return self.region.county

    @property
    def is_key(self) -> bool:
        return self.key_level != KeyLevel.NONE


class Medium(models.TextChoices):
    WATER = "water", _("water")
    AIR = "air", _("air")


class Outlet(AuditedModel):
    class Kind(models.TextChoices):
        MAIN = "main", _("main outlet")
        GENERAL = "general", _("general outlet")
        OTHER = "other", _("other")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="outlets")
    code = models.CharField(_("outlet code"), max_length=20, help_text=_("e.g. DA001 (air) or DW001 (water)"))
    name = models.CharField(_("name"), max_length=100)
    medium = models.CharField(_("medium"), max_length=5, choices=Medium.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    standards_applied = models.CharField(_("standards applied"), max_length=200, blank=True)
    stack_height_m = models.DecimalField(_("stack height (m)"), max_digits=6, decimal_places=1, null=True, blank=True)
    receiving_water = models.CharField(_("receiving water body"), max_length=100, blank=True)

    scope = Scope(region="enterprise__region", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise__name", "code"]
        unique_together = [("enterprise", "code")]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self):
        return f"{self.enterprise.name} {self.code}"

    def get_absolute_url(self):
        return reverse("registry:outlet_detail", args=[self.pk])


class Permit(AuditedModel):
    class ManagementClass(models.TextChoices):
        KEY = "key", _("key management")
        SIMPLIFIED = "simplified", _("simplified management")
        REGISTRATION = "registration", _("registration")

    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="permits")
    number = models.CharField(_("permit number"), max_length=40, unique=True)
    management_class = models.CharField(
        _("management class"), max_length=12, choices=ManagementClass.choices, default=ManagementClass.KEY
    )
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    issuer = models.CharField(_("issuing authority"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)

    scope = Scope(region="enterprise__region", enterprise="enterprise")

    class Meta:
        ordering = ["-valid_to"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")

    def __str__(self):
        return self.number

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})

    def get_absolute_url(self):
        return reverse("registry:permit_detail", args=[self.pk])

    def is_valid_on(self, day) -> bool:
        return self.status == self.Status.VALID and self.valid_from <= day <= self.valid_to


class PermitLimit(AuditedModel):
    """A permitted concentration limit and/or annual cap for one pollutant."""

    class Averaging(models.TextChoices):
        HOURLY = "hourly", _("hourly mean")
        DAILY = "daily", _("daily mean")

    permit = models.ForeignKey(Permit, verbose_name=_("permit"), on_delete=models.CASCADE, related_name="limits")
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="limits",
        help_text=_("Empty for an enterprise-wide annual cap."),
    )
    factor_code = models.CharField(_("pollutant code"), max_length=10, help_text=_("HJ 212-2017 code, e.g. a21026"))
    pollutant = models.CharField(_("pollutant"), max_length=50)
    concentration_limit = models.DecimalField(_("concentration limit"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="mg/m3")
    averaging = models.CharField(_("averaging"), max_length=8, choices=Averaging.choices, default=Averaging.HOURLY)
    annual_cap_t = models.DecimalField(_("annual cap (t/a)"), max_digits=14, decimal_places=4, null=True, blank=True)

    scope = Scope(region="permit__enterprise__region", enterprise="permit__enterprise")

    class Meta:
        ordering = ["permit", "outlet", "factor_code"]
        verbose_name = _("permit limit")
        verbose_name_plural = _("permit limits")

    def __str__(self):
        return f"{self.permit} {self.outlet.code if self.outlet else '*'} {self.pollutant}"

    def clean(self):
        if self.outlet_id and self.permit_id and self.outlet.enterprise_id != self.permit.enterprise_id:
            raise ValidationError({"outlet": _("The outlet belongs to another enterprise.")})
        if self.concentration_limit is None and self.annual_cap_t is None:
            raise ValidationError(_("Give a concentration limit, an annual cap, or both."))


class DataLogger(AuditedModel):
    """An HJ 212 data logger (数采仪) identified by its MN."""

    class Kind(models.TextChoices):
        OUTLET = "outlet", _("enterprise outlet")
        AIR_STATION = "air_station", _("air quality station")
        WATER_STATION = "water_station", _("water quality station")

    class Protocol(models.TextChoices):
        HJ212_2017 = "2017", "HJ 212-2017"
        HJ212_2005 = "2005", "HJ/T 212-2005"

    mn = models.CharField(_("MN"), max_length=24, unique=True)
    password = models.CharField(_("access password"), max_length=32, default="123456")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.OUTLET)
    system_code = models.CharField(_("system code (ST)"), max_length=2, default="32")
    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices, default=Protocol.HJ212_2017)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="loggers")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.CASCADE, related_name="loggers"
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.CASCADE, related_name="loggers"
    )
    factors = models.JSONField(_("factors"), default=list, blank=True, help_text=_("HJ 212-2017 factor codes"))
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(region="region", enterprise="enterprise")
    changelog_exclude = ("last_updated", "password")

    class Meta:
        ordering = ["mn"]
        verbose_name = _("data logger")
        verbose_name_plural = _("data loggers")

    def __str__(self):
        return self.mn

    def clean(self):
        if self.outlet_id:
            self.enterprise = self.outlet.enterprise
        if self.enterprise_id and self.region_id is None:
            self.region = self.enterprise.region

    def save(self, *args, **kwargs):
        if self.outlet_id and not self.enterprise_id:
            self.enterprise = self.outlet.enterprise
        if self.enterprise_id and not self.region_id:
            self.region = self.enterprise.region
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:datalogger_detail", args=[self.pk])


class EIAApproval(AuditedModel):
    """Environmental impact assessment (环评) of a construction project."""

    class Category(models.TextChoices):
        REPORT = "report", _("EIA report")
        FORM = "form", _("EIA report form")
        REGISTRATION = "registration", _("registration form")

    class Status(models.TextChoices):
        PRE_REVIEW = "pre_review", _("pre-review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="eia_approvals")
    project = models.CharField(_("project"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.FORM)
    document_number = models.CharField(_("approval document number"), max_length=60, blank=True)
    received_on = models.DateField(_("received on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PRE_REVIEW)
    investment_10k_yuan = models.DecimalField(_("investment (10k yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    environmental_investment_10k_yuan = models.DecimalField(
        _("environmental investment (10k yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    scope = Scope(region="enterprise__region", enterprise="enterprise")

    class Meta:
        ordering = ["-received_on"]
        verbose_name = _("EIA approval")
        verbose_name_plural = _("EIA approvals")

    def __str__(self):
        return self.project

    def get_absolute_url(self):
        return reverse("registry:eiaapproval_detail", args=[self.pk])


class CompletionAcceptance(AuditedModel):
    """Completion acceptance (三同时 验收) of a project's pollution controls."""

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")
        PENDING = "pending", _("pending")

    eia_approval = models.ForeignKey(
        EIAApproval, verbose_name=_("EIA approval"), on_delete=models.CASCADE, related_name="acceptances"
    )
    accepted_on = models.DateField(_("date"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, default=Result.PENDING)
    three_simultaneities = models.BooleanField(
        _("three simultaneities met"),
        default=True,
        help_text=_("Controls designed, built and put into operation together with the main works."),
    )
    notes = models.TextField(_("notes"), blank=True)

    scope = Scope(region="eia_approval__enterprise__region", enterprise="eia_approval__enterprise")

    class Meta:
        ordering = ["-accepted_on"]
        verbose_name = _("completion acceptance")
        verbose_name_plural = _("completion acceptances")

    def __str__(self):
        return f"{self.eia_approval} {self.accepted_on}"

    def get_absolute_url(self):
        return reverse("registry:completionacceptance_detail", args=[self.pk])


class UserProfile(AuditedModel):
    """A user's role, department and region (what they may see and edit)."""

    class Department(models.TextChoices):
        OFFICE = "office", _("general office")
        MONITORING = "monitoring", _("monitoring")
        ENFORCEMENT = "enforcement", _("enforcement")
        COMPLAINTS = "complaints", _("complaints")
        PLANNING = "planning", _("planning")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.CharField(_("department"), max_length=12, choices=Department.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    extra_regions = models.ManyToManyField(
        Region, verbose_name=_("extra regions granted"), blank=True, related_name="+"
    )
    all_regions = models.BooleanField(_("sees all regions"), default=False)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    scope = Scope(region="region", enterprise="enterprise")

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self):
        return f"{self.user.get_username()} ({self.get_role_display()})"

    def clean(self):
        if self.role == Role.ENTERPRISE and not self.enterprise_id:
            raise ValidationError({"enterprise": _("An enterprise user needs an enterprise.")})
        if self.role not in (Role.ENTERPRISE, Role.PUBLIC) and not self.region_id and not self.all_regions:
            raise ValidationError({"region": _("Staff need a region.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        groups = Group.objects.filter(name__in=Role.group_names())
        self.user.groups.remove(*groups)
        group, _created = Group.objects.get_or_create(name=Role.group_name(self.role))
        self.user.groups.add(group)
