"""Complaints and petitions (信访 / 12369): intake, routing, legal time limits, reply, satisfaction.

Time limits and duplicate scoring are rules of ``qingshan.standards.petitions``;
working days come from ``qingshan.standards.workdays`` (via
:mod:`qingshan.enforcement.rules`, the one adapter).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope
from qingshan.registry.models import Enterprise, Region


class Channel(models.TextChoices):
    PHONE = "phone_12369", _("12369 hotline")
    LETTER = "letter", _("letter")
    VISIT = "visit", _("visit")
    WEB = "web", _("web portal")
    HIGHER = "higher_level", _("transferred from a higher level")
    NPC = "npc_cppcc", _("NPC / CPPCC proposal")


class Topic(models.TextChoices):
    AIR = "air", _("air pollution")
    WATER = "water", _("water pollution")
    NOISE = "noise", _("noise")
    WASTE = "waste", _("solid / hazardous waste")
    ODOUR = "odour", _("odour")
    SOIL = "soil", _("soil")
    RADIATION = "radiation", _("radiation")
    OTHER = "other", _("other")


class Complaint(AuditedModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        ACCEPTED = "accepted", _("accepted / routed")
        HANDLING = "handling", _("handling")
        REPLIED = "replied", _("replied")
        CLOSED = "closed", _("completed")
        REJECTED = "rejected", _("not accepted")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASIC = "basic", _("basically satisfied")
        UNSATISFIED = "unsatisfied", _("unsatisfied")

    ticket = models.CharField(_("ticket number"), max_length=24, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=14, choices=Channel.choices, default=Channel.PHONE)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices, default=Topic.AIR)
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name = models.CharField(_("complainant"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("complainant phone"), max_length=30, blank=True)
    enterprise_name = models.CharField(_("enterprise named by complainant"), max_length=200, blank=True)
    # routing
    region = models.ForeignKey(Region, verbose_name=_("grid / region"), on_delete=models.PROTECT, related_name="complaints",
                               help_text=_("Set from the location (deepest region containing it)."))
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="complaints")
    # workflow and time limits
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    accept_due = models.DateField(_("accept/route due"), null=True, blank=True, editable=False)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    handle_due = models.DateField(_("handling due"), null=True, blank=True, editable=False)
    extended_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.CharField(_("extension reason"), max_length=300, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("reply to the complainant"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")
    duplicate_score = models.FloatField(_("duplicate score"), null=True, blank=True, editable=False)
    #: figures the bureau reports (work summaries): persons of a visit, rewards paid, proposals transferred
    visitors = models.PositiveSmallIntegerField(_("visitors (persons)"), null=True, blank=True,
                                                help_text=_("For a visit: how many people came."))
    reward_paid = models.DecimalField(_("reward paid (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                      help_text=_("Reward for a verified report (有奖举报) paid to the complainant."))
    transferred = models.BooleanField(_("transferred by another office"), default=False,
                                      help_text=_("For an NPC/CPPCC proposal: handed to the bureau by another office (转办)."))

    scope = Scope(region="region", enterprise="enterprise")
    changelog_exclude = ("last_updated",)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return f"{self.ticket} {self.get_topic_display()}"

    def get_absolute_url(self):
        return reverse("complaints:complaint_detail", args=[self.pk])

    @staticmethod
    def new_ticket(day, rng=None) -> str:
        suffix = "".join((rng or secrets.SystemRandom()).choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))
        return f"{day:%Y%m%d}-{suffix}"

    def clean(self):
        if (self.lon is None) != (self.lat is None):
            raise ValidationError(_("Give both longitude and latitude."))
        if self.lon is not None and not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValidationError({"lon": _("The location is not a valid longitude/latitude.")})
        if self.extended_days > 30:
            raise ValidationError({"extended_days": _("The handling period may be extended by at most 30 days.")})
        if self.extended_days and not self.accepted_on:
            raise ValidationError({"extended_days": _("Only an accepted complaint can be extended.")})
        if self.accepted_on and self.received_on and self.accepted_on < self.received_on:
            raise ValidationError({"accepted_on": _("Accepted before it was received.")})
        if self.replied_on and not self.accepted_on:
            raise ValidationError({"replied_on": _("Accept the complaint before replying.")})
        if self.replied_on and self.accepted_on and self.replied_on < self.accepted_on:
            raise ValidationError({"replied_on": _("Replied before it was accepted.")})

    def save(self, *args, **kwargs):
        if not self.ticket:
            self.ticket = Complaint.new_ticket(self.received_on or timezone.localdate())
        self.compute_deadlines()
        super().save(*args, **kwargs)

    # -- time limits (standards.petitions on the working-day calendar) -------------
    def compute_deadlines(self):
        from qingshan.enforcement import rules

        try:
            tl = rules.petition_timeline(self)
        except ValueError:
            return
        intake, handle, review = tl.stage("intake"), tl.stage("handle"), tl.stage("review")
        self.accept_due = intake.due if intake else None
        self.handle_due = handle.due if handle else None
        self.review_due = review.due if review else None

    def timeline(self, as_of=None):
        from qingshan.enforcement import rules

        try:
            return rules.petition_timeline(self, as_of or timezone.localdate())
        except ValueError:
            return None

    @property
    def cases(self):
        """Enforcement cases opened from this complaint."""
        from qingshan.enforcement.services import cases_for_source

        return cases_for_source(self)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ACCEPTED, self.Status.HANDLING)

    def current_due(self):
        """The deadline that applies now: accepting while received, handling afterwards."""
        if self.status == self.Status.RECEIVED:
            return self.accept_due
        if self.is_open:
            return self.handle_due
        return None

    def deadline_status(self, as_of=None):
        """The open stage with the earliest due date (or the handling stage once done), as of a date."""
        tl = self.timeline(as_of)
        if tl is None:
            return None
        return tl.current_stage or tl.stage("handle") or tl.stage("intake")

    def is_overdue(self, as_of=None) -> bool:
        tl = self.timeline(as_of)
        return tl is not None and tl.state == "overdue"

    @property
    def handled_on_time(self) -> bool | None:
        done = self.replied_on or self.closed_on
        if not done or not self.handle_due:
            return None
        return done <= self.handle_due


def validate_image_size(f):
    from django.conf import settings

    limit = getattr(settings, "COMPLAINT_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    if f.size > limit:
        raise ValidationError(_("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})


class ComplaintPhoto(AuditedModel):
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/", validators=[validate_image_size])
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    scope = Scope(region="complaint__region", enterprise="complaint__enterprise")

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")

    def __str__(self):
        return f"{self.complaint.ticket} {self.image.name}"
