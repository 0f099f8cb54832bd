"""Keep the cached assessments and the compensation ledger in step with sample edits."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Sample


@receiver(pre_save, sender=Sample)
def _remember_old(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = Sample.objects.filter(pk=instance.pk).values_list("section_id", "date").first()
    instance._water_old = old


@receiver(post_save, sender=Sample)
def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from . import services

    old = getattr(instance, "_water_old", None)
    if old and old != (instance.section_id, instance.date):
        services.sample_changed(*old)
    services.sample_changed(instance.section_id, instance.date)


@receiver(post_delete, sender=Sample)
def _deleted(sender, instance, **kwargs):
    from . import services

    services.sample_changed(instance.section_id, instance.date)
