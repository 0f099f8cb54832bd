"""Online monitoring: logger status, ingest counters, alarms and their configuration.

The measurements themselves are not Django models: they live in tables owned
by the measurement store (:mod:`qingshan.monitoring.store`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingshan.core.models import AuditedModel
from qingshan.core.scope import Scope, ScopedManager
from qingshan.registry.models import DataLogger, Enterprise, Outlet, Region


class LoggerStatus(models.Model):
    """When a logger was last heard from (updated in batches by the ingest server)."""

    logger = models.OneToOneField(DataLogger, primary_key=True, on_delete=models.CASCADE, related_name="status",
                                  verbose_name=_("data logger"))
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True, db_index=True)
    last_peer = models.CharField(_("last peer address"), max_length=64, blank=True)
    last_data_time = models.DateTimeField(_("last data time"), null=True, blank=True)
    connected = models.BooleanField(_("connected"), default=False)

    scope = Scope(region="logger__region", enterprise="logger__enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("logger status")
        verbose_name_plural = _("logger statuses")

    def __str__(self):
        return f"{self.logger_id} {self.last_seen}"

    @classmethod
    def touch_many(cls, updates: dict[int, dict]) -> int:
        """Upsert ``{logger_id: {"last_seen": dt, "last_peer": "1.2.3.4:5", ...}}`` (one statement per field set)."""
        if not updates:
            return 0
        groups: dict[tuple, list] = {}
        for pk, values in updates.items():
            groups.setdefault(tuple(sorted(values)), []).append(cls(logger_id=pk, **values))
        with transaction.atomic():
            for fields, rows in groups.items():
                if not fields:
                    cls.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
                    continue
                cls.objects.bulk_create(rows, update_conflicts=True, unique_fields=["logger"],
                                        update_fields=list(fields), batch_size=500)
        return len(updates)


class IngestEvent(models.Model):
    """Per logger (or unknown MN) and day: what the ingest server received and rejected."""

    COUNTERS = ("packets_ok", "measurements", "duplicates", "bad_crc", "auth_failed", "malformed", "acks_sent")

    day = models.DateField(_("day"), db_index=True)
    mn = models.CharField(_("MN"), max_length=64)
    logger = models.ForeignKey(DataLogger, verbose_name=_("data logger"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="ingest_events")
    packets_ok = models.PositiveIntegerField(_("packets stored"), default=0)
    measurements = models.PositiveIntegerField(_("values stored"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    bad_crc = models.PositiveIntegerField(_("bad CRC"), default=0)
    auth_failed = models.PositiveIntegerField(_("authentication failed"), default=0)
    malformed = models.PositiveIntegerField(_("malformed"), default=0)
    acks_sent = models.PositiveIntegerField(_("acknowledgements sent"), default=0)
    last_peer = models.CharField(_("last peer address"), max_length=64, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    # unknown MNs (no logger) are visible to all staff
    scope = Scope(region="logger__region", enterprise="logger__enterprise", region_nullable_visible=True)
    objects = ScopedManager()

    class Meta:
        ordering = ["-day", "mn"]
        unique_together = [("day", "mn")]
        verbose_name = _("ingest counter")
        verbose_name_plural = _("ingest counters")

    def __str__(self):
        return f"{self.day} {self.mn}"

    @classmethod
    def record(cls, counts: dict[tuple[str, datetime.date], dict]) -> None:
        """Add counters in one transaction.

        ``counts`` maps ``(mn, day)`` to ``{"logger_id": id or None, "packets_ok": n, …,
        "last_peer": "...", "last_error": "..."}`` (counter fields are added, text fields replaced).
        """
        if not counts:
            return
        with transaction.atomic():
            for (mn, day), values in counts.items():
                mn = (mn or "?")[:64]
                incs = {k: int(values[k]) for k in cls.COUNTERS if values.get(k)}
                text = {k: str(values[k])[:200] for k in ("last_peer", "last_error") if values.get(k)}
                updated = cls.objects.filter(day=day, mn=mn).update(**{k: F(k) + v for k, v in incs.items()}, **text)
                if not updated:
                    _obj, created = cls.objects.get_or_create(
                        day=day, mn=mn, defaults=dict(logger_id=values.get("logger_id"), **incs, **text))
                    if not created:
                        cls.objects.filter(day=day, mn=mn).update(**{k: F(k) + v for k, v in incs.items()}, **text)


class IngestRejection(models.Model):
    """A rejected packet (bad CRC, unknown MN, wrong password, malformed), kept for diagnosis."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    peer = models.CharField(_("peer address"), max_length=64, blank=True)
    mn = models.CharField(_("MN"), max_length=64, blank=True)
    logger = models.ForeignKey(DataLogger, verbose_name=_("data logger"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=40)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    raw = models.TextField(_("raw packet (excerpt)"), blank=True)

    scope = Scope(region="logger__region", enterprise="logger__enterprise", region_nullable_visible=True)
    objects = ScopedManager()

    #: rows kept per MN (older ones are pruned by the sweep)
    KEEP = 200

    class Meta:
        ordering = ["-time"]
        verbose_name = _("rejected packet")
        verbose_name_plural = _("rejected packets")

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.peer} {self.reason}"


class AlarmRule(AuditedModel):
    """Thresholds of the periodic alarms, per factor (empty factor: the default for all)."""

    factor_code = models.CharField(_("factor code"), max_length=20, blank=True,
                                   help_text=_("HJ 212-2017 code; empty for the default rule."))
    offline_minutes = models.PositiveIntegerField(
        _("offline after (minutes)"), default=120, help_text=_("No data from the logger for this long opens an offline alarm."))
    flat_line_hours = models.PositiveIntegerField(
        _("flat line after (hours)"), default=6, help_text=_("The same hourly value this many hours in a row."))
    zero_hours = models.PositiveIntegerField(_("zero values after (hours)"), default=6)
    range_min = models.FloatField(_("instrument range minimum"), null=True, blank=True)
    range_max = models.FloatField(_("instrument range maximum"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["factor_code"]
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")
        constraints = [models.UniqueConstraint(fields=["factor_code"], name="monitoring_alarmrule_factor_unique")]

    def __str__(self):
        return self.factor_code or str(_("default rule"))


class LoggerRole(AuditedModel):
    """Where a logger measures: the outlet, or the inlet of a treatment facility (for facility efficiency)."""

    class Position(models.TextChoices):
        OUTLET = "outlet", _("outlet (after treatment)")
        INLET = "inlet", _("inlet (before treatment)")

    logger = models.OneToOneField(DataLogger, verbose_name=_("data logger"), on_delete=models.CASCADE,
                                  related_name="monitoring_role")
    position = models.CharField(_("position"), max_length=8, choices=Position.choices, default=Position.OUTLET)
    paired_with = models.ForeignKey(
        DataLogger, verbose_name=_("paired outlet logger"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inlet_roles", help_text=_("For an inlet logger: the logger after the same treatment facility."))
    facility = models.CharField(_("treatment facility"), max_length=100, blank=True)

    scope = Scope(region="logger__region", enterprise="logger__enterprise")

    class Meta:
        verbose_name = _("logger position")
        verbose_name_plural = _("logger positions")

    def __str__(self):
        return f"{self.logger} {self.get_position_display()}"


class Alarm(AuditedModel):
    class Kind(models.TextChoices):
        EXCEEDANCE = "exceedance", _("exceedance")
        OFFLINE = "offline", _("logger offline")
        FLAT_LINE = "flat_line", _("flat line")
        ZERO = "zero", _("zero values")
        OUT_OF_RANGE = "out_of_range", _("out of instrument range")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        EXPLAINED = "explained", _("explained by the enterprise")
        CLOSED = "closed", _("closed")
        ESCALATED = "escalated", _("escalated to a case")

    ACTIVE_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.EXPLAINED)

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, db_index=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN, db_index=True)
    logger = models.ForeignKey(DataLogger, verbose_name=_("data logger"), on_delete=models.CASCADE, related_name="alarms")
    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="alarms")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="alarms")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    factor = models.CharField(_("factor"), max_length=20, blank=True)
    averaging = models.CharField(_("averaging"), max_length=4, blank=True, help_text=_("hour or day"))
    started_at = models.DateTimeField(_("started"), db_index=True)
    last_seen_at = models.DateTimeField(_("last seen"), blank=True)
    ended_at = models.DateTimeField(_("condition ended"), null=True, blank=True,
                                    help_text=_("When the values came back within limits (the alarm may still need closing)."))
    periods = models.PositiveIntegerField(_("periods"), default=1, help_text=_("Hours or days affected."))
    peak_value = models.FloatField(_("peak value"), null=True, blank=True)
    limit_value = models.FloatField(_("limit"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    exceedance_multiple = models.FloatField(
        _("exceedance multiple"), null=True, blank=True,
        help_text=_("(peak − limit) / limit, the multiple by which the limit was exceeded."))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    explanation = models.TextField(_("explanation"), blank=True)
    explanation_file = models.FileField(_("explanation attachment"), upload_to="monitoring/alarms/%Y/%m/", blank=True)
    explained_at = models.DateTimeField(_("explained"), null=True, blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("explained by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    case_id = models.PositiveIntegerField(_("enforcement case"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)

    scope = Scope(region="region", enterprise="enterprise")
    # the attachment is not serialisable by the change log when empty; its name is shown on the page
    changelog_exclude = ("last_updated", "explanation_file")

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        indexes = [models.Index(fields=["logger", "kind", "factor", "status"])]
        permissions = [("explain_alarm", "Can explain an alarm (enterprise)")]

    def __str__(self):
        label = self.get_kind_display()
        return f"{self.logger} {self.factor} {label} {self.started_at:%Y-%m-%d %H:%M}" if self.started_at else str(label)

    def get_absolute_url(self):
        return reverse("monitoring:alarm_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # an alarm recorded by hand (staff form) takes its place from the logger
        if self.logger_id and not self.region_id:
            lg = self.logger
            self.region_id, self.enterprise_id = lg.region_id, lg.enterprise_id
            self.outlet_id = self.outlet_id or lg.outlet_id
        if self.started_at and not self.last_seen_at:
            self.last_seen_at = self.started_at
        if (self.kind == self.Kind.EXCEEDANCE and self.peak_value is not None and self.limit_value
                and self.exceedance_multiple is None):
            self.exceedance_multiple = round((self.peak_value - self.limit_value) / self.limit_value, 3)
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def factor_name(self) -> str:
        from .services import factor_name

        return factor_name(self.factor) if self.factor else ""

    # -- lifecycle ----------------------------------------------------
    # The views and services call these; each saves (so the change log records the actor).

    def acknowledge(self, user=None):
        from .services import WorkflowError

        if self.status != self.Status.OPEN:
            raise WorkflowError(_("Only an open alarm can be acknowledged."))
        self.status = self.Status.ACKNOWLEDGED
        self.acknowledged_at = timezone.now()
        self.acknowledged_by = _user(user)
        self.handled_by = self.handled_by or _user(user)
        self.save()

    def explain(self, text: str, user=None, file=None):
        from .services import WorkflowError

        if self.status not in (self.Status.OPEN, self.Status.ACKNOWLEDGED, self.Status.EXPLAINED):
            raise WorkflowError(_("This alarm is no longer open for an explanation."))
        if not (text or "").strip():
            raise WorkflowError(_("Write an explanation."))
        self.explanation = text.strip()
        if file is not None:
            self.explanation_file = file
        self.status = self.Status.EXPLAINED
        self.explained_at = timezone.now()
        self.explained_by = _user(user)
        self.save()

    def close(self, user=None, note: str = ""):
        from .services import WorkflowError

        if self.status not in self.ACTIVE_STATUSES:
            raise WorkflowError(_("This alarm is already closed or escalated."))
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.close_note = note or self.close_note
        self.handled_by = _user(user) or self.handled_by
        if self.ended_at is None:
            self.ended_at = self.last_seen_at
        self.save()

    def mark_escalated(self, case=None, user=None):
        """Called by ``qingshan.enforcement.services.open_case`` when a case is opened from this alarm."""
        self.status = self.Status.ESCALATED
        if case is not None:
            self.case_id = case.pk
            self.case_number = getattr(case, "number", "") or ""
        self.handled_by = _user(user) or self.handled_by
        self.closed_at = self.closed_at or timezone.now()
        self.save()

    def case_url(self) -> str:
        if not self.case_id:
            return ""
        try:
            return reverse("enforcement:case_detail", args=[self.case_id])
        except Exception:  # enforcement pages not mounted
            return ""


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def as_float(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


class ShutdownDeclaration(AuditedModel):
    """A declared stop (停产/停运申报): production stopped, an outlet or facility out of operation,
    or a data logger under repair (故障维修), from ``start`` to ``end`` (open while unknown).

    It covers one data logger, or every logger of ``outlet`` when no logger is named. Once staff
    approve it, its period leaves the *expected* hours of the effective transmission rate and the
    sweep raises no offline, flat-line or zero alarm for the loggers it covers
    (:mod:`qingshan.monitoring.declarations`). Exceedances are still judged: values sent during a
    declared stop are compared with the limits like any other.
    """

    class Kind(models.TextChoices):
        PRODUCTION_STOPPED = "production_stopped", _("production stopped")
        OUTLET_STOPPED = "outlet_stopped", _("outlet or treatment facility out of operation")
        LOGGER_REPAIR = "logger_repair", _("logger failure or maintenance")

    class Status(models.TextChoices):
        # labels unlike the registry's "approved" / "rejected" (EIA approvals), which translate differently
        PENDING = "pending", _("pending review")
        APPROVED = "approved", _("approved by staff")
        REJECTED = "rejected", _("rejected by staff")
        WITHDRAWN = "withdrawn", _("withdrawn")

    #: declarations that still count: awaiting review or approved (overlaps among them are refused)
    LIVE_STATUSES = (Status.PENDING, Status.APPROVED)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRODUCTION_STOPPED)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    logger = models.ForeignKey(
        DataLogger, verbose_name=_("data logger"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="shutdown_declarations",
        help_text=_("Leave empty to declare for every data logger of the outlet."))
    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="shutdown_declarations")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="shutdown_declarations")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("from"), db_index=True)
    end = models.DateTimeField(
        _("until"), null=True, blank=True,
        help_text=_("Leave empty while the resumption is not known, and record it when operation resumes."))
    reason = models.TextField(_("reason"), max_length=4000)
    attachment = models.FileField(
        _("attachment"), upload_to="monitoring/declarations/%Y/%m/", blank=True,
        help_text=_("Evidence such as the production stop notice or the repair record (at most 20 MB)."))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("declared by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_note = models.TextField(_("review note"), blank=True)

    scope = Scope(region="region", enterprise="enterprise")

    #: largest attachment accepted (bytes)
    MAX_ATTACHMENT = 20 * 1024 * 1024

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("shutdown declaration")
        verbose_name_plural = _("shutdown declarations")
        indexes = [models.Index(fields=["status", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(logger__isnull=False) | models.Q(outlet__isnull=False),
                                   name="monitoring_shutdown_logger_or_outlet"),
            models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gt=F("start")),
                                   name="monitoring_shutdown_end_after_start"),
        ]

    def __str__(self):
        what = self.logger.mn if self.logger_id else (self.outlet.code if self.outlet_id else "?")
        if not self.start:
            return what
        until = f"{timezone.localtime(self.end):%Y-%m-%d %H:%M}" if self.end else "…"
        return f"{what} {self.get_kind_display()} {timezone.localtime(self.start):%Y-%m-%d %H:%M} – {until}"

    def get_absolute_url(self):
        return reverse("monitoring:shutdowndeclaration_detail", args=[self.pk])

    # -- derived place and validation -----------------------------------

    def derive_place(self):
        """Outlet, enterprise and region follow from the logger (else from the outlet)."""
        if self.logger_id:
            lg = self.logger
            self.outlet_id = lg.outlet_id if lg.outlet_id else self.outlet_id
            self.enterprise_id = lg.enterprise_id
            self.region_id = lg.region_id
        elif self.outlet_id:
            self.enterprise_id = self.outlet.enterprise_id
            self.region_id = self.outlet.enterprise.region_id

    def clean(self):
        errors = {}
        if not self.logger_id and not self.outlet_id:
            errors["logger"] = _("Choose the data logger, or the outlet for all its loggers.")
        elif self.logger_id and self.outlet_id and self.logger.outlet_id and self.logger.outlet_id != self.outlet_id:
            errors["outlet"] = _("The data logger %(mn)s is not on this outlet.") % {"mn": self.logger.mn}
        elif not self.logger_id and not self.outlet.loggers.exists():
            errors["outlet"] = _("This outlet has no data logger.")
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)
        self.derive_place()
        if self.start and self.status in self.LIVE_STATUSES:
            clash = self.overlapping().first()
            if clash is not None:
                raise ValidationError(_("This period overlaps declaration %(other)s (%(status)s).")
                                      % {"other": clash, "status": clash.get_status_display()})

    def overlapping(self):
        """Pending or approved declarations of the same loggers whose period overlaps this one's."""
        if self.logger_id:
            same = models.Q(logger_id=self.logger_id)
            if self.logger.outlet_id:
                same |= models.Q(logger__isnull=True, outlet_id=self.logger.outlet_id)
        else:
            same = models.Q(outlet_id=self.outlet_id)
        qs = ShutdownDeclaration.objects.filter(same, status__in=self.LIVE_STATUSES)
        qs = qs.filter(models.Q(end__isnull=True) | models.Q(end__gt=self.start))
        if self.end is not None:
            qs = qs.filter(start__lt=self.end)
        return qs.exclude(pk=self.pk) if self.pk else qs

    def save(self, *args, **kwargs):
        self.derive_place()
        super().save(*args, **kwargs)

    @property
    def is_open_ended(self) -> bool:
        return self.end is None

    def hours(self, now=None) -> float:
        """Length of the period in hours (an open end counts until ``now``)."""
        end = self.end or (now or timezone.now())
        return max(0.0, (end - self.start).total_seconds() / 3600.0)

    # -- workflow ---------------------------------------------------------
    # The views and the demo call these; each saves (so the change log records the actor).

    def approve(self, user=None, note: str = ""):
        from .services import WorkflowError

        if self.status != self.Status.PENDING:
            raise WorkflowError(_("Only a declaration awaiting review can be approved."))
        clash = self.overlapping().filter(status=self.Status.APPROVED).first()
        if clash is not None:
            raise WorkflowError(_("This period overlaps the approved declaration %(other)s.") % {"other": clash})
        self._review(self.Status.APPROVED, user, note)

    def reject(self, user=None, note: str = ""):
        """Reject a pending declaration, or revoke an approval (e.g. an inspection found production running)."""
        from .services import WorkflowError

        if self.status not in self.LIVE_STATUSES:
            raise WorkflowError(_("Only a pending or approved declaration can be rejected."))
        if not (note or "").strip():
            raise WorkflowError(_("Give the reason for the rejection."))
        self._review(self.Status.REJECTED, user, note)

    def _review(self, status, user, note):
        self.status = status
        self.reviewed_at = timezone.now()
        self.reviewed_by = _user(user)
        self.review_note = (note or "").strip()
        self.save()

    def withdraw(self, user=None):
        from .services import WorkflowError

        if self.status != self.Status.PENDING:
            raise WorkflowError(_("Only a declaration awaiting review can be withdrawn."))
        self.status = self.Status.WITHDRAWN
        self.save()

    def record_end(self, end, user=None):
        """Record when operation resumed: closes an open period or shortens it (never lengthens an approved one)."""
        from .services import WorkflowError

        if self.status not in self.LIVE_STATUSES:
            raise WorkflowError(_("Only a pending or approved declaration can be ended."))
        if end is None or timezone.is_naive(end):
            raise WorkflowError(_("Give the date and time operation resumed."))
        if end <= self.start:
            raise WorkflowError(_("The end must be after the start."))
        if self.end is not None and end > self.end and self.status == self.Status.APPROVED:
            raise WorkflowError(_("An approved period cannot be extended: file a new declaration for the extra time."))
        previous, self.end = self.end, end
        clash = self.overlapping().first()
        if clash is not None:
            self.end = previous
            raise WorkflowError(_("This period overlaps declaration %(other)s (%(status)s).")
                                % {"other": clash, "status": clash.get_status_display()})
        self.save()
