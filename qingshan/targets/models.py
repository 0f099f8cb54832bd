"""Targets app: emission-reduction targets and projects, campaigns (task →
item with assignees, deadlines, progress reports and evidence), county
target-responsibility assessment (score sheets, rankings) and
accountability records. See docs/targets.md.

The forecast and completion rules live in :mod:`qingshan.standards.reduction`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope
from qingshan.registry.models import Enterprise, Region, UserProfile

#: default pollutant list; a deployment adds more (e.g. VOCs) with QINGSHAN_REDUCTION_POLLUTANTS
DEFAULT_POLLUTANTS = [("COD", "COD"), ("NH3-N", "NH3-N"), ("SO2", "SO2"), ("NOx", "NOx"), ("VOCs", "VOCs")]


def pollutant_choices():
    return [(p, p) for p in getattr(settings, "QINGSHAN_REDUCTION_POLLUTANTS", [c for c, _l in DEFAULT_POLLUTANTS])]


# --------------------------------------------------------------------------- reduction


class ReductionTarget(AuditedModel):
    """A region's reduction target for one pollutant and year (目标责任书)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="reduction_targets")
    year = models.PositiveSmallIntegerField(_("year"))
    pollutant = models.CharField(_("pollutant"), max_length=20, choices=pollutant_choices)
    baseline_t = models.DecimalField(_("baseline (t)"), max_digits=14, decimal_places=3)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_reduction_t = models.DecimalField(_("target reduction (t)"), max_digits=14, decimal_places=3, null=True, blank=True)
    target_rate = models.DecimalField(
        _("target reduction rate"), max_digits=6, decimal_places=4, null=True, blank=True,
        help_text=_("fraction of the baseline, e.g. 0.08 for 8 %"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["-year", "region__path", "pollutant"]
        unique_together = [("region", "year", "pollutant")]
        verbose_name = _("reduction target")
        verbose_name_plural = _("reduction targets")

    def __str__(self):
        return f"{self.region} {self.year} {self.pollutant}"

    def clean(self):
        if (self.target_reduction_t is None) == (self.target_rate is None):
            raise ValidationError(_("Give either the target reduction in tonnes or the target rate, not both."))
        if self.baseline_t is not None and self.baseline_t <= 0:
            raise ValidationError({"baseline_t": _("The baseline must be positive.")})
        if self.target_rate is not None and not (0 < self.target_rate < 1):
            raise ValidationError({"target_rate": _("The rate must be between 0 and 1.")})
        if self.target_reduction_t is not None and self.baseline_t is not None and not (0 < self.target_reduction_t <= self.baseline_t):
            raise ValidationError({"target_reduction_t": _("The reduction must be positive and at most the baseline.")})


class EmissionTotal(AuditedModel):
    """Monthly emission total of a region and pollutant (tonnes), from monitoring or reported data."""

    class Source(models.TextChoices):
        MONITORING = "monitoring", _("monitoring data")
        REPORTED = "reported", _("reported data")
        STATISTICS = "statistics", _("statistical survey")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="emission_totals")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    pollutant = models.CharField(_("pollutant"), max_length=20, choices=pollutant_choices)
    total_t = models.DecimalField(_("total (t)"), max_digits=14, decimal_places=3)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.REPORTED)

    scope = Scope(region="region")

    class Meta:
        ordering = ["region__path", "pollutant", "year", "month"]
        unique_together = [("region", "year", "month", "pollutant")]
        verbose_name = _("monthly emission total")
        verbose_name_plural = _("monthly emission totals")

    def __str__(self):
        return f"{self.region} {self.year}-{self.month:02d} {self.pollutant}"

    def clean(self):
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValidationError({"month": _("The month must be 1 to 12.")})
        if self.total_t is not None and self.total_t < 0:
            raise ValidationError({"total_t": _("Must not be negative.")})


class ReductionProject(AuditedModel):
    """A project in the reduction ledger (减排项目台账)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONSTRUCTION = "construction", _("under construction")
        COMPLETED = "completed", _("completed, awaiting acceptance")
        ACCEPTED = "accepted", _("accepted")
        FAILED = "failed", _("failed acceptance")

    name = models.CharField(_("project"), max_length=200)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="reduction_projects")
    year = models.PositiveSmallIntegerField(_("target year"))
    pollutant = models.CharField(_("pollutant"), max_length=20, choices=pollutant_choices)
    expected_reduction_t = models.DecimalField(_("expected reduction (t)"), max_digits=12, decimal_places=3)
    deadline = models.DateField(_("deadline"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    verified_reduction_t = models.DecimalField(_("verified reduction (t)"), max_digits=12, decimal_places=3, null=True, blank=True)

    scope = Scope(region="enterprise__region", enterprise="enterprise")

    class Meta:
        ordering = ["deadline", "name"]
        verbose_name = _("reduction project")
        verbose_name_plural = _("reduction projects")

    def __str__(self):
        return self.name

    def clean(self):
        if self.progress is not None and self.progress > 100:
            raise ValidationError({"progress": _("Progress is at most 100 %.")})
        if self.status == self.Status.ACCEPTED and not self.accepted_on:
            raise ValidationError({"accepted_on": _("An accepted project needs the acceptance date.")})


# --------------------------------------------------------------------------- campaigns


class Campaign(AuditedModel):
    """A special action (专项行动), e.g. the autumn–winter hundred-day action."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("organising region"), null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns",
        help_text=_("a county for a county campaign; blank for a city-wide campaign (visible to every staff member)"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    description = models.TextField(_("description"), blank=True)

    scope = Scope(region="region", region_nullable_visible=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("targets:campaign_board", args=[self.pk])

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end is before the start.")})


class CampaignTask(AuditedModel):
    """A task of a campaign (e.g. "加强工业企业污染防治")."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    lead_department = models.CharField(_("lead department"), max_length=100, blank=True)

    scope = Scope(region="campaign__region", region_nullable_visible=True)

    class Meta:
        ordering = ["campaign", "number"]
        unique_together = [("campaign", "number")]
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")

    def __str__(self):
        return f"{self.number}. {self.title}"


class CampaignItem(AuditedModel):
    """One item of a task, assigned to a department, a county (region) and/or a person, with a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    task = models.ForeignKey(CampaignTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("number"), max_length=10)
    title = models.CharField(_("item"), max_length=300)
    assignee_department = models.CharField(
        _("assigned department"), max_length=12, choices=UserProfile.Department.choices, blank=True
    )
    assignee_region = models.ForeignKey(
        Region, verbose_name=_("assigned region"), on_delete=models.PROTECT, related_name="campaign_items",
        help_text=_("the county (or the city for city-wide items) responsible"),
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned person"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="campaign_items",
    )
    deadline = models.DateField(_("deadline"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    scope = Scope(region="assignee_region")

    class Meta:
        ordering = ["task__campaign", "task__number", "number", "assignee_region__path"]
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")

    def __str__(self):
        return f"{self.number} {self.title[:40]} · {self.assignee_region}"

    def get_absolute_url(self):
        return reverse("targets:item_progress", args=[self.pk])

    def is_overdue(self, today) -> bool:
        return self.status != self.Status.DONE and self.deadline < today

    def clean(self):
        if self.progress is not None and self.progress > 100:
            raise ValidationError({"progress": _("Progress is at most 100 %.")})


class ProgressReport(AuditedModel):
    """A progress report on a campaign item, with optional evidence (photo, document)."""

    item = models.ForeignKey(CampaignItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="reports")
    date = models.DateField(_("date"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("report"))
    evidence = models.FileField(_("evidence"), upload_to="targets/evidence/%Y/%m/", blank=True)
    reported_by = models.CharField(_("reported by"), max_length=150, blank=True)

    scope = Scope(region="item__assignee_region")
    #: core.audit cannot serialise an empty FileField yet (see docs); the file name is kept in the row itself
    changelog_exclude = ("last_updated",)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self):
        return f"{self.item.number} {self.date} {self.progress}%"

    def clean(self):
        if self.progress is not None and self.progress > 100:
            raise ValidationError({"progress": _("Progress is at most 100 %.")})


# --------------------------------------------------------------------------- assessment


class ScoreSheet(AuditedModel):
    """A target-responsibility score sheet: indicators with weights and sources.

    ``indicators`` is a list of ``{"key", "name", "weight", "source", "target"?,
    "lower_is_better"?}`` where ``source`` is the name of an automatic provider
    (see :mod:`qingshan.targets.providers`) or ``"manual"``.
    """

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="score_sheets",
        help_text=_("blank: the city's sheet for all counties (visible to every staff member)"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicators = models.JSONField(_("indicators"), default=list)

    scope = Scope(region="region", region_nullable_visible=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self):
        return f"{self.name} ({self.year})"

    def get_absolute_url(self):
        return reverse("targets:ranking", args=[self.pk])

    def clean(self):
        from .providers import PROVIDERS

        if not isinstance(self.indicators, list) or not self.indicators:
            raise ValidationError({"indicators": _("Give at least one indicator.")})
        keys = set()
        for i, ind in enumerate(self.indicators, 1):
            if not isinstance(ind, dict) or not ind.get("key") or "weight" not in ind:
                raise ValidationError({"indicators": _("Indicator %(n)s needs a key and a weight.") % {"n": i}})
            if ind["key"] in keys:
                raise ValidationError({"indicators": _("Duplicate indicator key %(k)s.") % {"k": ind["key"]}})
            keys.add(ind["key"])
            source = ind.get("source", "manual")
            if source != "manual" and source not in PROVIDERS:
                raise ValidationError({"indicators": _("Unknown source %(s)s; use manual or one of: %(p)s")
                                       % {"s": source, "p": ", ".join(sorted(PROVIDERS))}})
            try:
                if float(ind["weight"]) <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                raise ValidationError({"indicators": _("Indicator %(k)s: the weight must be a positive number.") % {"k": ind["key"]}}) from None


class CountyAssessment(AuditedModel):
    """A county's assessment for a score sheet: values, scores, total and rank."""

    sheet = models.ForeignKey(ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="assessments")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="assessments")
    period = models.CharField(_("period"), max_length=20)
    #: {"key": value or null}; null = no data
    values = models.JSONField(_("values"), default=dict, blank=True)
    #: {"key": {"score": …, "weighted": …, "source": …, "note": …}}
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    #: manual values entered by staff, {"key": value}
    manual_values = models.JSONField(_("manual values"), default=dict, blank=True)
    total = models.DecimalField(_("total score"), max_digits=7, decimal_places=2, default=0)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    scope = Scope(region="county")

    class Meta:
        ordering = ["sheet", "period", "rank"]
        unique_together = [("sheet", "county", "period")]
        verbose_name = _("county assessment")
        verbose_name_plural = _("county assessments")

    def __str__(self):
        return f"{self.county} {self.period}: {self.total}"


class AccountabilityRecord(AuditedModel):
    """Commendation, interview (约谈), notice (通报) or listed supervision (挂牌督办)."""

    class Kind(models.TextChoices):
        COMMENDATION = "commendation", _("commendation")
        INTERVIEW = "interview", _("interview (约谈)")
        NOTICE = "notice", _("notice of criticism (通报)")
        LISTED_SUPERVISION = "listed_supervision", _("listed supervision (挂牌督办)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="accountability_records")
    person = models.CharField(_("person"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    assessment = models.ForeignKey(
        CountyAssessment, verbose_name=_("assessment"), null=True, blank=True, on_delete=models.SET_NULL, related_name="accountability"
    )
    follow_up = models.TextField(_("follow-up"), blank=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.region} · {self.date}"
