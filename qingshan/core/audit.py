"""Change log: every create/update/delete of an :class:`AuditedModel`.

Signal handlers capture the state before and after each save or delete and
write one :class:`ChangeLog` row attributed to :func:`current_actor`. Bulk
operations that bypass signals (``bulk_create``, ``update``) are reserved for
machine data (measurements) which is not edited by people.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .actor import current_actor
from .models import AuditedModel, ChangeLog
from .scope import region_path_of


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def serialize(instance) -> dict:
    data = {}
    exclude = set(getattr(instance, "changelog_exclude", ()))
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        key = field.attname if isinstance(field, models.ForeignKey) else field.name
        data[field.name] = _jsonable(getattr(instance, key))
    return data


def _write(instance, action, before, after, region_path=None):
    actor = current_actor()
    ChangeLog.objects.create(
        user_id=actor.user_id,
        user_name=actor.username,
        request_id=actor.request_id,
        remote_addr=actor.remote_addr,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        region_path=(region_path if region_path is not None else region_path_of(instance)) or "",
        prechange_data=before,
        postchange_data=after,
    )


def _audited(sender) -> bool:
    return issubclass(sender, AuditedModel)


@receiver(pre_save)
def _capture_before(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    before = None
    if instance.pk is not None:
        old = sender._base_manager.filter(pk=instance.pk).first()
        before = serialize(old) if old is not None else None
    instance._changelog_before = before


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    before = getattr(instance, "_changelog_before", None)
    after = serialize(instance)
    if not created and before == after:
        return
    _write(instance, ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE, before, after)


@receiver(pre_delete)
def _capture_delete(sender, instance, **kwargs):
    if _audited(sender):
        instance._changelog_region = region_path_of(instance)
        instance._changelog_before = serialize(instance)


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if _audited(sender):
        _write(
            instance,
            ChangeLog.Action.DELETE,
            getattr(instance, "_changelog_before", None),
            None,
            region_path=getattr(instance, "_changelog_region", "") or "",
        )


def history(instance):
    """The change log of one object, newest first."""
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
    )
