"""A small fixed-window rate limiter on Django's cache (LocMemCache by default).

``hit(key, limit, window)`` counts one request for ``key`` and returns False once more than
``limit`` requests fell into the current ``window`` seconds. Used by the open API (per token or
per client address) and by the portal's public forms.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

API_LIMIT = getattr(settings, "QINGSHAN_API_RATE", (120, 60))  # requests, seconds
FORM_LIMIT = getattr(settings, "QINGSHAN_FORM_RATE", (10, 600))


def hit(key: str, limit: int, window: int) -> bool:
    slot = int(time.time() // window)
    ck = f"rl:{key}:{slot}"
    cache.add(ck, 0, window + 1)
    try:
        n = cache.incr(ck)
    except ValueError:
        cache.set(ck, 1, window + 1)
        n = 1
    return n <= limit


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "?")
