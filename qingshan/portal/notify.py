"""Turn newly published cases into outbox messages for subscribers."""

from __future__ import annotations

from django.utils import timezone

from .models import Outbox, Subscription
from .published import cases


def notify_subscribers(today=None) -> int:
    today = today or timezone.localdate()
    created = 0
    for sub in Subscription.objects.filter(active=True).select_related("enterprise", "region"):
        qs = cases().filter(published_on__lte=today)
        if sub.enterprise_id:
            qs = qs.filter(enterprise=sub.enterprise)
        elif sub.region_id:
            qs = qs.filter(enterprise__region__path__startswith=sub.region.path)
        else:
            continue
        since = sub.notified_until or sub.created.date()
        qs = qs.filter(published_on__gt=since) if sub.notified_until else qs.filter(published_on__gte=since)
        for case in qs:
            created += _message(sub, case)
        sub.notified_until = today
        sub.save(update_fields=["notified_until"])
    return created


def _message(sub, case) -> int:
    _obj, new = Outbox.objects.get_or_create(
        subscription=sub, case_number=case.number,
        defaults={"to": sub.email or sub.phone, "subject": f"环境违法信息公开：{case.enterprise.name}",
                  "body": f"{case.enterprise.name}（案件 {case.number}，{case.get_violation_type_display()}）"
                          f"于{case.published_on}公开处罚决定 {case.decision_number}。"})
    return int(new)


def notify_case(case, today=None) -> int:
    """Outbox messages for one case as soon as its decision is published (called on save)."""
    today = today or timezone.localdate()
    if not case.published_on or case.published_on > today:
        return 0
    subs = Subscription.objects.filter(active=True)
    if not subs.exists():
        return 0
    path = case.enterprise.region.path
    created = 0
    for sub in subs.select_related("region"):
        if sub.enterprise_id == case.enterprise_id or (sub.region_id and path.startswith(sub.region.path)):
            created += _message(sub, case)
    return created


def on_case_saved(sender, instance, **kwargs):
    """post_save of enforcement.Case: notify followers of a newly published decision (never breaks the save)."""
    import logging

    from django.db import transaction

    if not instance.published_on:
        return
    try:
        with transaction.atomic():
            notify_case(instance)
    except Exception:  # noqa: BLE001 - notification must not block the enforcement workflow
        logging.getLogger(__name__).exception("notifying subscribers of case %s failed", instance.pk)
