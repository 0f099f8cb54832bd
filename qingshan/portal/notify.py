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
            _obj, new = Outbox.objects.get_or_create(
                subscription=sub, case_number=case.number,
                defaults={"to": sub.email or sub.phone, "subject": f"环境违法信息公开：{case.enterprise.name}",
                          "body": f"{case.enterprise.name}（案件 {case.number}，{case.get_violation_type_display()}）"
                                  f"于{case.published_on}公开处罚决定 {case.decision_number}。"})
            created += new
        sub.notified_until = today
        sub.save(update_fields=["notified_until"])
    return created
