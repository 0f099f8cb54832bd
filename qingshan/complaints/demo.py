"""Demo data: a year of complaints across channels, some overdue, a duplicate, one turned into a case."""

from __future__ import annotations

import datetime
from decimal import Decimal

from qingshan.core.demo import DemoContext
from qingshan.core.geo import locate
from qingshan.registry.models import Enterprise, Region

from .models import Channel, Complaint

TEXTS = {
    "air": ["工厂夜间排放黑烟，气味刺鼻", "烟囱冒浓烟，附近居民无法开窗", "露天焚烧垃圾产生大量烟雾"],
    "water": ["河道出现大量白色泡沫，疑似偷排", "排污口排出黑色污水，河水发臭", "养殖场废水直排入沟渠"],
    "noise": ["夜间施工噪声扰民", "工厂设备噪声持续到深夜"],
    "waste": ["路边倾倒工业固废", "危险废物桶露天堆放"],
    "odour": ["化工厂附近异味严重", "污水处理厂恶臭"],
    "other": ["企业环境违法问题举报"],
}
CHANNEL_WEIGHTS = [(Channel.PHONE, 45), (Channel.WEB, 25), (Channel.LETTER, 10), (Channel.VISIT, 10),
                   (Channel.HIGHER, 7), (Channel.NPC, 3)]


def seed(ctx: DemoContext):
    rng = ctx.rng("complaints")
    full = ctx.size == "full"
    today = ctx.today
    regions = list(Region.objects.filter(level__gte=Region.Level.COUNTY, boundary__isnull=False).only("pk", "level", "boundary", "path"))
    counties = [r for r in regions if r.level == Region.Level.COUNTY]
    enterprises = list(Enterprise.objects.only("pk", "name", "lon", "lat", "region_id").order_by("uscc"))
    n = 700 if full else 24
    channels, weights = zip(*CHANNEL_WEIGHTS)
    rows = []
    for i in range(n):
        channel = rng.choices(channels, weights)[0] if i >= 6 else channels[i % len(channels)]
        topic = rng.choice(list(TEXTS))
        age = rng.randint(0, 364) if i >= 4 else [2, 20, 40, 95][i]
        received = today - datetime.timedelta(days=age)
        ent = rng.choice(enterprises) if (rng.random() < 0.5 or i < 6) else None
        if ent is not None and ent.lon is not None:
            lon, lat = ent.lon + rng.uniform(-0.001, 0.001), ent.lat + rng.uniform(-0.001, 0.001)
        else:
            county = rng.choice(counties)
            (x0, y0), (x1, y1) = county.boundary[0], county.boundary[2]
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        region = locate(lon, lat, regions)
        if region is None:
            continue
        c = Complaint(ticket=Complaint.new_ticket(received, rng), channel=channel, topic=topic, received_on=received,
                      description=rng.choice(TEXTS[topic]), address=f"{ent.name}附近" if ent else "",
                      lon=round(lon, 5), lat=round(lat, 5), region_id=region.pk, enterprise_id=ent.pk if ent else None,
                      enterprise_name=ent.name if ent else "", anonymous=rng.random() < 0.3)
        if not c.anonymous:
            c.complainant_name = rng.choice("王李张刘陈杨") + rng.choice(["先生", "女士"])
            c.complainant_phone = f"13{rng.randint(100000000, 999999999)}"
        _progress(c, rng, today, overdue=(i in (1, 3)))
        c.compute_deadlines()
        rows.append(c)
    Complaint.objects.bulk_create(rows, batch_size=500)
    _reported_figures(ctx)
    # a duplicate: a second report of the first complaint's matter, the next day
    first = Complaint.objects.filter(status="closed").order_by("received_on", "pk").first()
    if first is not None:
        dup = Complaint(ticket=Complaint.new_ticket(first.received_on, rng), channel=Channel.PHONE, topic=first.topic,
                        received_on=first.received_on + datetime.timedelta(days=1), description=first.description,
                        address=first.address, lon=first.lon, lat=first.lat, region_id=first.region_id,
                        enterprise_id=first.enterprise_id, duplicate_of=first, duplicate_score=0.95, anonymous=True,
                        status="closed", accepted_on=first.received_on + datetime.timedelta(days=1),
                        replied_on=first.replied_on or first.received_on + datetime.timedelta(days=2),
                        closed_on=first.closed_on, reply="与在先投诉合并办理。")
        if dup.received_on <= today:
            dup.save()
    # a photo on the first web report (a tiny generated image)
    web = Complaint.objects.filter(channel=Channel.WEB).order_by("received_on", "pk").first()
    if web is not None:
        _demo_photo(web)
    # closed loop: a complaint about an identified enterprise becomes a case
    from qingshan.enforcement import services as enforcement

    for c in Complaint.objects.filter(enterprise__isnull=False, status__in=["accepted", "handling"]).order_by("received_on", "pk")[:2 if not full else 25]:
        enforcement.open_case(c, None, day=max(c.received_on, c.accepted_on or c.received_on))
    ctx.log(f"    complaints: {Complaint.objects.count()}")


def _reported_figures(ctx):
    """Persons per visit, rewards for verified reports, transferred proposals (own random stream)."""
    rng = ctx.rng("complaints-figures")
    changed = []
    for c in Complaint.objects.order_by("pk"):
        if c.channel == Channel.VISIT:
            c.visitors = rng.choices([1, 2, 3, 5, 8], [50, 25, 12, 8, 5])[0]
        elif c.channel == Channel.NPC:
            c.transferred = rng.random() < 0.4
        if c.status == "closed" and c.enterprise_id and not c.anonymous and rng.random() < 0.08:
            c.reward_paid = Decimal(rng.choice([200, 500, 1000, 2000]))
        changed.append(c)
    Complaint.objects.bulk_update(changed, ["visitors", "transferred", "reward_paid"], batch_size=500)


def _progress(c, rng, today, overdue=False):
    age = (today - c.received_on).days
    if overdue:  # never accepted (age 20) or accepted but never replied (age 95)
        if age > 60:
            c.accepted_on = c.received_on + datetime.timedelta(days=3)
            c.status = "handling"
        return
    if age <= 3 and rng.random() < 0.7:
        return  # still "received"
    c.accepted_on = min(today, c.received_on + datetime.timedelta(days=rng.randint(1, 7)))
    c.status = "accepted"
    handling_days = rng.randint(5, 70)
    if (today - c.accepted_on).days < handling_days:
        c.status = rng.choice(["accepted", "handling"])
        return
    if handling_days > 55 and rng.random() < 0.5:
        c.extended_days = 30
        c.extension_reason = "案情复杂，需现场监测"
    c.replied_on = c.accepted_on + datetime.timedelta(days=handling_days)
    c.reply = "经现场核查，已责令企业整改，并将持续跟踪。"
    c.status = "replied"
    if (today - c.replied_on).days > 7:
        c.status = "closed"
        c.closed_on = c.replied_on + datetime.timedelta(days=rng.randint(1, 7))
        c.satisfaction = rng.choices(["satisfied", "basic", "unsatisfied"], [70, 20, 10])[0]


def _demo_photo(complaint):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 110, 90)).save(buf, "PNG")
    complaint.photos.create(image=ContentFile(buf.getvalue(), name=f"demo-{complaint.ticket}.png"), caption="现场照片")
