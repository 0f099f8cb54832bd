"""Credit app: enterprise credit ratings, replies and repair requests, reported
emissions and monthly environmental-protection tax sheets.

The rules live in :mod:`qingshan.standards.credit_rating` and
:mod:`qingshan.standards.envtax`; this app stores inputs and results, keeps
the review workflow and attributes every change (``AuditedModel``).
See docs/credit-app.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope
from qingshan.registry.models import Enterprise, Outlet

ENTERPRISE_SCOPE = Scope(region="enterprise__region", enterprise="enterprise")


class Colour(models.TextChoices):
    GREEN = "green", _("green")
    BLUE = "blue", _("blue")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")
    BLACK = "black", _("black")


class CreditRating(AuditedModel):
    """The credit rating of one enterprise for one year under one rule set."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEWED = "reviewed", _("reviewed")
        PUBLISHED = "published", _("published")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="credit_ratings")
    year = models.PositiveSmallIntegerField(_("year"))
    ruleset = models.CharField(_("rule set"), max_length=40)
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    level_name = models.CharField(_("level"), max_length=40, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    record = models.JSONField(_("enterprise record"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    #: colour after an accepted credit repair (the original stays in ``colour``)
    repaired_colour = models.CharField(_("colour after repair"), max_length=10, choices=Colour.choices, blank=True)

    scope = ENTERPRISE_SCOPE

    class Meta:
        ordering = ["-year", "enterprise__name"]
        unique_together = [("enterprise", "year", "ruleset")]
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")

    def __str__(self):
        return f"{self.enterprise} {self.year} {self.get_colour_display()}"

    def get_absolute_url(self):
        return reverse("credit:rating", args=[self.pk])

    @property
    def current_colour(self) -> str:
        return self.repaired_colour or self.colour

    def findings(self) -> list[dict]:
        return list((self.explanation or {}).get("findings", []))


class RatingRequest(AuditedModel):
    """An enterprise's reply (objection) to its rating or its request for credit repair, with staff review."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("reply / objection")
        REPAIR = "repair", _("credit repair request")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending review")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    rating = models.ForeignKey(CreditRating, verbose_name=_("credit rating"), on_delete=models.CASCADE, related_name="requests")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="credit_requests")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("statement"))
    rectification = models.TextField(_("rectification done"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="credit/evidence/%Y/", blank=True)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    #: result of standards.credit_rating.repair_eligibility at filing / review time
    eligibility = models.JSONField(_("repair eligibility"), default=dict, blank=True)
    reviewer = models.CharField(_("reviewer"), max_length=150, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    scope = ENTERPRISE_SCOPE
    #: core.audit cannot serialise an empty FileField yet (see docs); the file name is kept in the row itself
    changelog_exclude = ("last_updated",)

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("rating reply or repair request")
        verbose_name_plural = _("rating replies and repair requests")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.enterprise} · {self.rating.year}"

    def clean(self):
        if self.rating_id and self.enterprise_id and self.rating.enterprise_id != self.enterprise_id:
            raise ValidationError({"rating": _("The rating belongs to another enterprise.")})


class EmissionReport(AuditedModel):
    """Emissions of one outlet, month and pollutant reported by the enterprise (or estimated by staff).

    Used for the tax sheet where the outlet has no data logger in the
    monitoring store, and for the emission totals of the reduction targets.
    """

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="emission_reports")
    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), on_delete=models.CASCADE, related_name="emission_reports")
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    pollutant = models.CharField(_("pollutant"), max_length=40, help_text=_("name, abbreviation or HJ 212 code, e.g. SO2, COD, a21026"))
    emission_kg = models.DecimalField(_("emission (kg)"), max_digits=14, decimal_places=3)
    mean_concentration = models.DecimalField(_("mean concentration"), max_digits=12, decimal_places=4, null=True, blank=True)
    max_concentration = models.DecimalField(
        _("max hourly/daily mean"), max_digits=12, decimal_places=4, null=True, blank=True,
        help_text=_("highest hourly (air) or daily (water) mean of the month"),
    )
    standard = models.DecimalField(_("emission standard"), max_digits=12, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, default="reported")

    scope = ENTERPRISE_SCOPE

    class Meta:
        ordering = ["-month", "enterprise__name", "outlet__code", "pollutant"]
        unique_together = [("outlet", "month", "pollutant")]
        verbose_name = _("emission report")
        verbose_name_plural = _("emission reports")

    def __str__(self):
        return f"{self.outlet} {self.month:%Y-%m} {self.pollutant}"

    def clean(self):
        if self.month and self.month.day != 1:
            self.month = self.month.replace(day=1)
        if self.outlet_id and self.enterprise_id and self.outlet.enterprise_id != self.enterprise_id:
            raise ValidationError({"outlet": _("The outlet belongs to another enterprise.")})
        if self.emission_kg is not None and self.emission_kg < 0:
            raise ValidationError({"emission_kg": _("Must not be negative.")})
        if self.outlet_id and self.pollutant:
            from qingshan.standards import envtax

            try:
                envtax.Tables.default().pollutant(self.pollutant, self.outlet.medium)
            except envtax.EnvTaxError as exc:
                raise ValidationError({"pollutant": str(exc)}) from None


class TaxSheet(AuditedModel):
    """The monthly environmental-protection tax sheet of one enterprise (computed by standards.envtax)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="tax_sheets")
    month = models.DateField(_("month"))
    items = models.JSONField(_("items"), default=dict, blank=True)
    total = models.DecimalField(_("total tax (yuan)"), max_digits=14, decimal_places=2)
    air_tax = models.DecimalField(_("air tax (yuan)"), max_digits=14, decimal_places=2, default=0)
    water_tax = models.DecimalField(_("water tax (yuan)"), max_digits=14, decimal_places=2, default=0)
    source_summary = models.CharField(_("data source"), max_length=300, blank=True)
    computed_by = models.CharField(_("computed by"), max_length=150, blank=True)

    scope = ENTERPRISE_SCOPE

    class Meta:
        ordering = ["-month", "enterprise__name"]
        unique_together = [("enterprise", "month")]
        verbose_name = _("tax sheet")
        verbose_name_plural = _("tax sheets")

    def __str__(self):
        return f"{self.enterprise} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("credit:taxsheet", args=[self.pk])




class CreditFact(AuditedModel):
    """A fact of an enterprise's record entered by staff (or by the demo).

    The collector (:mod:`qingshan.credit.record`) merges these with the facts
    the other apps expose. ``kind`` ``event`` adds an event of ``event_type``
    (incident, permit_violation, case, rectification, …, see docs/credit.md);
    ``metric`` sets the metric named ``metric`` (e.g. green_addon_items,
    risk_management_items) to ``value``.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("event")
        METRIC = "metric", _("metric")

    class EventType(models.TextChoices):
        CASE = "case", _("administrative case")
        INCIDENT = "incident", _("environmental incident")
        PERMIT_VIOLATION = "permit_violation", _("permit violation")
        RECTIFICATION = "rectification", _("rectification")
        COMPLAINT = "complaint", _("verified complaint")
        EXCEEDANCE_DAY = "exceedance_day", _("exceedance day")
        CRIMINAL_REFERRAL = "criminal_referral", _("criminal referral")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="credit_facts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EVENT)
    date = models.DateField(_("date"))
    event_type = models.CharField(_("event type"), max_length=20, choices=EventType.choices, blank=True)
    metric = models.CharField(_("metric"), max_length=50, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4, null=True, blank=True)
    attributes = models.JSONField(
        _("attributes"), default=dict, blank=True,
        help_text=_('event fields read by the rule sets, e.g. {"grade": "general"} or {"status": "done"}'),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = ENTERPRISE_SCOPE

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("credit record fact")
        verbose_name_plural = _("credit record facts")

    def __str__(self):
        what = self.get_event_type_display() if self.kind == self.Kind.EVENT else self.metric
        return f"{self.enterprise} {self.date} {what}"

    def clean(self):
        if self.kind == self.Kind.EVENT and not self.event_type:
            raise ValidationError({"event_type": _("An event needs a type.")})
        if self.kind == self.Kind.METRIC and (not self.metric or self.value is None):
            raise ValidationError({"metric": _("A metric needs a name and a value.")})
        if not isinstance(self.attributes, dict):
            raise ValidationError({"attributes": _("Attributes must be a JSON object.")})
