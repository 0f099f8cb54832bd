"""Framework models: the change log, API tokens, notifications, demo runs."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scope import Scope, ScopedManager


class AuditedModel(models.Model):
    """Base of every model edited by people: timestamps and a change log.

    Every create, update and delete of a subclass is written to
    :class:`ChangeLog` with the acting user (see :mod:`qingshan.core.audit`).
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    #: fields left out of the change log (noise or secrets)
    changelog_exclude: tuple[str, ...] = ("last_updated",)


class ChangeLog(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    user_name = models.CharField(_("user name"), max_length=150)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("type"))
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    region_path = models.CharField(_("region path"), max_length=255, blank=True, db_index=True)
    prechange_data = models.JSONField(_("before"), null=True, blank=True)
    postchange_data = models.JSONField(_("after"), null=True, blank=True)

    # The change log is scoped by the region of the changed object at change time.
    scope = Scope(region=None, path_field="region_path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ApiToken(models.Model):
    """A bearer token for the open API, acting with its user's role and region."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    write_enabled = models.BooleanField(_("write enabled"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str, *, write_enabled=False, expires=None) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=cls.hash(key), prefix=key[:8], write_enabled=write_enabled, expires=expires
        )
        return token, key

    @classmethod
    def authenticate(cls, key: str):
        token = cls.objects.select_related("user").filter(key_hash=cls.hash(key)).first()
        if token is None or (token.expires and token.expires < timezone.now()) or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return token


class Notification(models.Model):
    """An in-app message to one user (alarms, overdue items, assignments)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    time = models.DateTimeField(default=timezone.now, db_index=True)
    level = models.CharField(max_length=10, default="info")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    read = models.BooleanField(_("read"), default=False)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.title


class DemoRun(models.Model):
    """Which app's demo data was seeded with which seed (makes `qingshan demo` idempotent)."""

    app_label = models.CharField(max_length=50)
    seed = models.IntegerField()
    size = models.CharField(max_length=10)
    finished = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("app_label", "seed", "size")]


class JobRun(models.Model):
    """One run of a periodic job (``qingshan jobs``, see :mod:`qingshan.core.jobs`)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=60, db_index=True)
    command = models.CharField(_("command"), max_length=300)
    started = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    output = models.TextField(_("output (last lines)"), blank=True)

    class Meta:
        ordering = ["-started"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self):
        return f"{self.job} {self.started:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def seconds(self) -> float | None:
        return None if self.finished is None else (self.finished - self.started).total_seconds()
