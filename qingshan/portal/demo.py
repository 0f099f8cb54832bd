"""Demo data of the portal: a few followers of enterprises and areas, suggestions, and their outbox."""

from __future__ import annotations

import datetime

from django.utils import timezone

SUGGESTIONS = [
    ("李女士", "建议在工业园区周边增设空气微站，并在门户公开实时数据。"),
    ("匿名", "希望公开重点排污企业的在线监测小时数据，方便群众监督。"),
    ("张先生", "建议夜间加强对餐饮油烟和施工噪声的巡查。"),
    ("", "饮用水源地周边的垃圾堆放点应尽快清理。"),
]


def seed(ctx):
    from qingshan.enforcement.models import Case
    from qingshan.registry.models import Enterprise, Region

    from .models import Subscription, Suggestion
    from .notify import notify_subscribers

    rng = ctx.rng("portal")
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    published = list(Case.objects.published().order_by("number").values_list("enterprise_id", flat=True).distinct())
    followed = published[:2] or list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:2])
    subs = [Subscription(email=f"follower{i + 1}@example.org", enterprise_id=pk) for i, pk in enumerate(followed)]
    subs += [Subscription(phone=f"1390000{i:04d}", region=c) for i, c in enumerate(counties[:2])]
    Subscription.objects.bulk_create(subs)
    since = timezone.make_aware(datetime.datetime.combine(ctx.today - datetime.timedelta(days=180), datetime.time(9)))
    Subscription.objects.update(created=since)
    n = len(SUGGESTIONS) if ctx.size == "small" else len(SUGGESTIONS) * 3
    Suggestion.objects.bulk_create([Suggestion(name=SUGGESTIONS[i % len(SUGGESTIONS)][0],
                                               contact="" if rng.random() < 0.5 else f"1380000{i:04d}",
                                               text=SUGGESTIONS[i % len(SUGGESTIONS)][1]) for i in range(n)])
    sent = notify_subscribers(today=ctx.today)
    ctx.log(f"    portal: {len(subs)} subscriptions, {n} suggestions, {sent} outbox messages")
