"""Enforcement: random inspection draws (双随机), inspections, cases, measures
(penalties and the five EPL measure categories), rectification orders.

Rules (working days, daily continuous penalty, surcharge, the draw) live in
``qingshan.standards``; :mod:`qingshan.enforcement.rules` is the only adapter.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope, ScopedQuerySet
from qingshan.registry.models import Enterprise, Outlet, Region


class InspectionDraw(AuditedModel):
    """A reproducible 双随机 draw: population by filters, inspector pool, ratio, recorded seed."""

    class Population(models.TextChoices):
        KEY = "key", _("key-monitored sources")
        GENERAL = "general", _("general sources")
        ALL = "all", _("all operating enterprises")

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("County (or city) whose enterprises form the population."))
    population_kind = models.CharField(_("population"), max_length=10, choices=Population.choices, default=Population.KEY)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    ratio = models.DecimalField(_("ratio"), max_digits=5, decimal_places=4, default=Decimal("0.25"),
                                help_text=_("Share of the population to inspect, e.g. 0.25 for 25 %."))
    inspectors_per_team = models.PositiveSmallIntegerField(_("inspectors per enterprise"), default=2)
    inspector_pool = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspector pool"), related_name="+")
    seed = models.CharField(_("seed"), max_length=64, blank=True, help_text=_("Recorded so anyone can repeat the draw."))
    population = models.JSONField(_("population (enterprise ids)"), default=list, blank=True, editable=False)
    pool = models.JSONField(_("pool (user names)"), default=list, blank=True, editable=False)
    result = models.JSONField(_("result"), default=list, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True, editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)

    scope = Scope(region="region")

    class Meta:
        ordering = ["-period_start", "name"]
        verbose_name = _("random inspection draw")
        verbose_name_plural = _("random inspection draws")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enforcement:inspectiondraw_detail", args=[self.pk])

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})
        if self.ratio is not None and not (Decimal("0") < self.ratio <= Decimal("1")):
            raise ValidationError({"ratio": _("The ratio must be greater than 0 and at most 1.")})

    @property
    def drawn(self) -> bool:
        return self.drawn_at is not None

    def verify(self):
        """(ok, differences): re-run the recorded draw on its stored snapshot."""
        from . import services

        return services.verify_draw(self)


class Inspection(AuditedModel):
    class Kind(models.TextChoices):
        RANDOM = "random", _("random inspection")
        ROUTINE = "routine", _("routine inspection")
        COMPLAINT = "complaint", _("complaint verification")
        ALARM = "alarm", _("alarm verification")
        FOLLOW_UP = "follow_up", _("follow-up inspection")
        CAMPAIGN = "campaign", _("special campaign")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROUTINE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    draw = models.ForeignKey(InspectionDraw, verbose_name=_("random draw"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="inspections")
    rectification = models.ForeignKey("Rectification", verbose_name=_("follows up rectification"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="follow_ups")
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), blank=True, related_name="+")
    staff_count = models.PositiveSmallIntegerField(_("staff dispatched"), default=2,
                                                   help_text=_("Staff-times dispatched (人次)."))
    outlets = models.ManyToManyField(Outlet, verbose_name=_("outlets inspected"), blank=True, related_name="inspections")
    findings = models.TextField(_("findings"), blank=True)
    problem_found = models.BooleanField(_("problem found"), default=False)
    attachment = models.FileField(_("photos / attachments"), upload_to="enforcement/inspections/%Y/%m/", blank=True)

    scope = Scope(region="enterprise__region", enterprise="enterprise")
    # empty FileFields break core.audit._jsonable (hasattr(.url) raises ValueError); see docs/enforcement.md
    changelog_exclude = ("last_updated",)

    class Meta:
        ordering = ["-inspected_on", "-planned_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        day = self.inspected_on or self.planned_on
        return f"{self.enterprise} {day or ''}".strip()

    def get_absolute_url(self):
        return reverse("enforcement:inspection_detail", args=[self.pk])

    @property
    def cases(self):
        from .services import cases_for_source

        return cases_for_source(self)

    def clean(self):
        if self.status == self.Status.DONE and not self.inspected_on:
            raise ValidationError({"inspected_on": _("A completed inspection needs its date.")})
        if self.inspected_on and self.inspected_on > timezone.localdate():
            raise ValidationError({"inspected_on": _("The inspection date is in the future.")})


class ViolationType(models.TextChoices):
    EXCEEDANCE = "exceedance", _("discharge over the standard")
    NO_PERMIT = "no_permit", _("discharge without a permit")
    EVASION = "evasion", _("evading supervision (concealed pipe, falsified data)")
    FACILITY = "facility", _("abnormal operation of treatment facilities")
    EIA = "eia", _("construction without EIA approval")
    HAZARDOUS_WASTE = "hazardous_waste", _("illegal hazardous waste handling")
    NOISE = "noise", _("noise nuisance")
    OTHER = "other", _("other violation")


class MeasureCategory(models.TextChoices):
    """The five EPL 2014 measure categories plus ordinary penalty (keys of legal_basis.json subjects)."""

    GENERAL = "general_penalty", _("ordinary administrative penalty")
    DAILY = "daily_penalty", _("daily continuous penalty")
    SEIZURE = "seizure", _("seizure and detention")
    PRODUCTION_LIMIT = "production_limit", _("production limit / suspension")
    DETENTION = "detention_referral", _("transfer for administrative detention")
    CRIMINAL = "criminal_referral", _("transfer for suspected crime")
    NO_PENALTY = "no_penalty", _("no penalty")


FIVE_CATEGORIES = [MeasureCategory.DAILY, MeasureCategory.SEIZURE, MeasureCategory.PRODUCTION_LIMIT,
                   MeasureCategory.DETENTION, MeasureCategory.CRIMINAL]


class CaseQuerySet(ScopedQuerySet):
    def published(self):
        """Cases whose penalty decision is published (public, no login needed)."""
        return self.filter(published_on__isnull=False, published_on__lte=timezone.localdate())

    def open(self):
        return self.exclude(status__in=[Case.Status.CLOSED])


class CaseManager(models.Manager.from_queryset(CaseQuerySet)):
    pass


class Case(AuditedModel):
    """An enforcement case (案件), opened from an inspection, a complaint, an alarm or directly."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("inspection")
        COMPLAINT = "complaint", _("complaint")
        ALARM = "alarm", _("monitoring alarm")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open (investigating)")
        DECIDED = "decided", _("penalty decided")
        RECTIFYING = "rectifying", _("rectifying")
        CLOSED = "closed", _("case closed")

    number = models.CharField(_("case number"), max_length=40, unique=True)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="cases")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    source_kind = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.OTHER)
    source_type = models.ForeignKey(ContentType, verbose_name=_("source type"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    violation_type = models.CharField(_("violation type"), max_length=20, choices=ViolationType.choices,
                                      default=ViolationType.EXCEEDANCE)
    facts = models.TextField(_("facts"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=40, blank=True,
                                   help_text=_("Id of an entry of the legal basis table (standards/data/legal_basis.json)."))
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True,
                                    help_text=_("Date the penalty decision was disclosed to the public."))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    objects = CaseManager()
    scope = Scope(region="region", enterprise="enterprise")

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"{self.number} {self.enterprise}"

    def get_absolute_url(self):
        return reverse("enforcement:case_detail", args=[self.pk])

    def clean(self):
        if self.enterprise_id:
            self.region_id = self.enterprise.region_id
        if self.decided_on and self.opened_on and self.decided_on < self.opened_on:
            raise ValidationError({"decided_on": _("The decision is dated before the case was opened.")})
        if self.published_on and not self.decided_on:
            raise ValidationError({"published_on": _("Only a decided penalty can be published.")})

    def save(self, *args, **kwargs):
        if not self.region_id and self.enterprise_id:
            self.region_id = self.enterprise.region_id
        if self.number or self.pk:
            super().save(*args, **kwargs)
            return
        from django.db import IntegrityError, transaction

        for attempt in range(5):  # two staff opening cases at once: take the next number
            self.number = Case.next_number(self.opened_on or timezone.localdate())
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if attempt == 4 or Case.objects.filter(number=self.number).count() == 0:
                    raise

    @staticmethod
    def next_number(day: datetime.date) -> str:
        prefix = f"QSHF{day.year}"
        last = Case.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
        n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
        return f"{prefix}{n:05d}"

    def get_legal_basis_display(self) -> str:
        from . import rules

        return rules.legal_basis_label(self.legal_basis) if self.legal_basis else ""

    @property
    def total_fine(self) -> Decimal:
        return sum((m.amount or Decimal("0")) for m in self.measures.all())

    @property
    def categories(self) -> list[str]:
        return sorted({m.category for m in self.measures.all()})


class Measure(AuditedModel):
    """A penalty decision or one of the five EPL measures within a case."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="measures")
    category = models.CharField(_("category"), max_length=20, choices=MeasureCategory.choices, default=MeasureCategory.GENERAL)
    legal_basis = models.CharField(_("legal basis"), max_length=40, blank=True)
    decided_on = models.DateField(_("decision date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                 help_text=_("Fine; for a daily continuous penalty computed from the dates below."))
    # daily continuous penalty (按日连续处罚)
    original_fine = models.DecimalField(_("original fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    correction_order_on = models.DateField(_("order to correct served on"), null=True, blank=True)
    reinspection_on = models.DateField(_("re-inspection on"), null=True, blank=True)
    penalty_days = models.PositiveIntegerField(_("days"), null=True, blank=True, editable=False)
    # payment and late-payment surcharge (加处罚款)
    payment_due = models.DateField(_("payment due"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    scope = Scope(region="case__region", enterprise="case__enterprise")

    class Meta:
        ordering = ["case", "decided_on", "pk"]
        verbose_name = _("penalty / measure")
        verbose_name_plural = _("penalties and measures")

    def __str__(self):
        amount = f" ¥{self.amount:,.2f}" if self.amount is not None else ""
        return f"{self.case.number} {self.get_category_display()}{amount}"

    def get_absolute_url(self):
        return reverse("enforcement:measure_detail", args=[self.pk])

    def clean(self):
        from . import rules

        if self.category == MeasureCategory.DAILY:
            missing = {f: _("Required for a daily continuous penalty.") for f in
                       ("original_fine", "correction_order_on", "reinspection_on")
                       if getattr(self, f) in (None, "")}
            if missing:
                raise ValidationError(missing)
            try:
                result = rules.daily_penalty(self.original_fine, self.correction_order_on, self.reinspection_on)
            except ValueError as exc:
                raise ValidationError({"reinspection_on": str(exc)})
            self.penalty_days = result.days
            self.amount = result.amount

    def save(self, *args, **kwargs):
        from . import rules

        if self.category == MeasureCategory.DAILY and self.original_fine and self.correction_order_on and self.reinspection_on:
            result = rules.daily_penalty(self.original_fine, self.correction_order_on, self.reinspection_on)
            self.penalty_days, self.amount = result.days, result.amount
        super().save(*args, **kwargs)

    def get_legal_basis_display(self) -> str:
        from . import rules

        return rules.legal_basis_label(self.legal_basis) if self.legal_basis else ""

    def daily_breakdown(self):
        from . import rules

        if self.category != MeasureCategory.DAILY or not (self.original_fine and self.correction_order_on and self.reinspection_on):
            return None
        try:
            return rules.daily_penalty(self.original_fine, self.correction_order_on, self.reinspection_on)
        except ValueError:
            return None

    def surcharge(self, as_of=None):
        """Late-payment surcharge as of a date (or the payment date), None when not due."""
        from . import rules

        if not self.amount or not self.payment_due:
            return None
        until = self.paid_on or as_of or timezone.localdate()
        return rules.late_surcharge(self.amount, self.payment_due, until)


class Rectification(AuditedModel):
    """An order to rectify by a deadline (限期整改), optionally under listed supervision (挂牌督办)."""

    class Status(models.TextChoices):
        OPEN = "open", _("rectifying")
        VERIFIED = "verified", _("rectified, awaiting close-out")
        CLOSED_OUT = "closed_out", _("closed out")

    class Level(models.TextChoices):
        NONE = "", _("not listed")
        CITY = "city", _("listed by the city")
        PROVINCE = "province", _("listed by the province")

    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="rectifications")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="rectifications")
    requirement = models.TextField(_("requirement"))
    ordered_on = models.DateField(_("ordered on"))
    workdays = models.PositiveSmallIntegerField(_("working days allowed"), null=True, blank=True,
                                                help_text=_("Deadline counted in working days from the order date; or give a due date."))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    listed_supervision = models.CharField(_("listed supervision"), max_length=10, choices=Level.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    closed_out_on = models.DateField(_("closed out on"), null=True, blank=True)
    close_out_evidence = models.TextField(_("close-out evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="enforcement/rectifications/%Y/%m/", blank=True)

    scope = Scope(region="enterprise__region", enterprise="enterprise")
    changelog_exclude = ("last_updated",)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")

    def __str__(self):
        return f"{self.enterprise} · {self.requirement[:30]}"

    def get_absolute_url(self):
        return reverse("enforcement:rectification_detail", args=[self.pk])

    def clean(self):
        from . import rules

        if self.case_id and self.enterprise_id and self.case.enterprise_id != self.enterprise_id:
            raise ValidationError({"enterprise": _("The case concerns another enterprise.")})
        if not self.due_on and not self.workdays:
            raise ValidationError({"workdays": _("Give the working days allowed or a due date.")})
        if self.workdays and self.ordered_on:
            self.due_on = rules.add_workdays(self.ordered_on, self.workdays)
        if self.status == self.Status.CLOSED_OUT and not (self.close_out_evidence or self.evidence_file):
            raise ValidationError({"close_out_evidence": _("Close-out needs evidence.")})

    def save(self, *args, **kwargs):
        from . import rules

        if self.case_id and not self.enterprise_id:
            self.enterprise_id = self.case.enterprise_id
        if self.workdays and self.ordered_on and not self.due_on:
            self.due_on = rules.add_workdays(self.ordered_on, self.workdays)
        super().save(*args, **kwargs)

    def deadline_status(self, as_of=None):
        from . import rules

        if not self.due_on:
            return None
        done = self.rectified_on or self.closed_out_on
        return rules.status(self.due_on, as_of or timezone.localdate(), completed_on=done)

    def close_out(self, evidence: str, day=None):
        if not (evidence or "").strip() and not self.evidence_file:
            raise ValidationError({"close_out_evidence": _("Close-out needs evidence.")})
        self.close_out_evidence = evidence
        self.closed_out_on = day or timezone.localdate()
        self.rectified_on = self.rectified_on or self.closed_out_on
        self.status = self.Status.CLOSED_OUT
        self.save()
