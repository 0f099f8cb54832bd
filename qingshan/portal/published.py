"""Published (public) querysets: the only data the portal and the public API show."""

from __future__ import annotations


def enterprises():
    from qingshan.registry.models import Enterprise

    return Enterprise.objects.select_related("region", "industry").order_by("name")


def cases():
    from qingshan.enforcement.models import Case

    return Case.objects.published().select_related("enterprise", "region").order_by("-published_on", "number")


def ratings(year=None):
    try:
        from qingshan.credit.services import published_ratings
    except ImportError:
        return []
    return published_ratings(year)
