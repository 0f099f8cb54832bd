"""Deliver the subscribers' outbox: e-mail through Django's mail settings, SMS through a pluggable sender.

* E-mail: the mail server comes from the environment (``EMAIL_HOST``, ``EMAIL_PORT``,
  ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``/``EMAIL_USE_SSL``,
  ``DEFAULT_FROM_EMAIL``). Without ``EMAIL_HOST`` messages are written as files under
  ``$QINGSHAN_DATA_DIR/mail`` so that a demo or a test deployment shows what would go out.
* SMS: the setting ``QINGSHAN_SMS_BACKEND`` names a callable ``send(phone, text)`` (the bureau's
  SMS gateway, which differs by province and vendor). Without it, SMS messages stay in the
  outbox, unsent, visible to staff.
* Every message carries the unsubscribe link of its subscription. A failed message is retried
  on the next run, at most ``MAX_ATTEMPTS`` times; the last error is kept.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Outbox

log = logging.getLogger("qingshan.portal.delivery")
MAX_ATTEMPTS = 5


def unsubscribe_url(subscription) -> str:
    base = (getattr(settings, "QINGSHAN_PUBLIC_URL", "") or "").rstrip("/")
    return base + reverse("portal:unsubscribe", args=[subscription.token])


def _sms_sender():
    name = getattr(settings, "QINGSHAN_SMS_BACKEND", "") or ""
    return import_string(name) if name else None


def deliver(limit: int = 500) -> dict:
    """Send what is due; return counts ``{"sent", "failed", "waiting"}`` (waiting: SMS without a gateway)."""
    sms = _sms_sender()
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    due = (Outbox.objects.filter(sent=False, attempts__lt=MAX_ATTEMPTS, subscription__active=True)
           .select_related("subscription").order_by("created", "pk")[:limit])
    for msg in due:
        text = f"{msg.body}\n\n退订 / Unsubscribe: {unsubscribe_url(msg.subscription)}"
        is_email = "@" in msg.to
        if not is_email and sms is None:
            counts["waiting"] += 1
            continue
        try:
            if is_email:
                send_mail(msg.subject, text, None, [msg.to], fail_silently=False)
            else:
                sms(msg.to, f"{msg.subject}：{msg.body}")
        except Exception as exc:  # any transport error: keep the message, retry later
            msg.attempts += 1
            msg.error = f"{type(exc).__name__}: {exc}"[:300]
            msg.save(update_fields=["attempts", "error"])
            log.warning("outbox message %s to %s failed: %s", msg.pk, msg.to, msg.error)
            counts["failed"] += 1
            continue
        msg.sent, msg.sent_at, msg.error = True, timezone.now(), ""
        msg.attempts += 1
        msg.save(update_fields=["sent", "sent_at", "attempts", "error"])
        counts["sent"] += 1
    return counts
