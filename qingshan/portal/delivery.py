"""Deliver the subscribers' outbox: e-mail through Django's mail settings, SMS through a pluggable sender.

* E-mail: the mail server comes from the environment (``EMAIL_HOST``, ``EMAIL_PORT``,
  ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``/``EMAIL_USE_SSL``,
  ``DEFAULT_FROM_EMAIL``). Without ``EMAIL_HOST`` messages are written as files under
  ``$QINGSHAN_DATA_DIR/mail`` so that a demo or a test deployment shows what would go out.
* SMS: the setting ``QINGSHAN_SMS_BACKEND`` names a callable ``send(phone, text)`` (the bureau's
  SMS gateway, which differs by province and vendor). Without it, SMS messages stay in the
  outbox, unsent, visible to staff.
* Double opt-in: a subscription made on the portal is inactive until the link of its confirmation
  message is opened (:func:`request_confirmation`).
* Every message carries the unsubscribe link of its subscription. A failed message is retried
  on the next run, at most ``MAX_ATTEMPTS`` times; the last error is kept.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Outbox

log = logging.getLogger("qingshan.portal.delivery")
MAX_ATTEMPTS = 5


#: ``Outbox.case_number`` of the confirmation message of a new subscription (double opt-in)
CONFIRM = "confirm"


def _absolute(path: str) -> str:
    return (getattr(settings, "QINGSHAN_PUBLIC_URL", "") or "").rstrip("/") + path


def unsubscribe_url(subscription) -> str:
    return _absolute(reverse("portal:unsubscribe", args=[subscription.token]))


def confirm_url(subscription) -> str:
    return _absolute(reverse("portal:confirm", args=[subscription.token]))


def request_confirmation(subscription) -> Outbox:
    """Queue the confirmation message of a new subscription and try to send it at once.

    Nothing else is sent to the address until the link is opened, so nobody can subscribe
    someone else's mailbox or phone."""
    target = subscription.email or subscription.phone
    what = subscription.enterprise.name if subscription.enterprise_id else subscription.region.name
    msg, _new = Outbox.objects.get_or_create(
        subscription=subscription, case_number=CONFIRM,
        defaults={"to": target, "subject": f"请确认订阅：{what}环境违法信息",
                  "body": f"您在环境信息公开平台订阅了“{what}”的环境违法处罚信息。确认订阅请打开：{confirm_url(subscription)}"
                          "\n如非本人操作，请忽略本消息。"})
    deliver(only=[msg.pk])
    msg.refresh_from_db()
    return msg


def _sms_sender():
    name = getattr(settings, "QINGSHAN_SMS_BACKEND", "") or ""
    return import_string(name) if name else None


def deliver(limit: int = 500, only=None) -> dict:
    """Send what is due; return counts ``{"sent", "failed", "waiting"}`` (waiting: SMS without a gateway).

    Due: unsent messages of active subscriptions, and the confirmation messages of new ones."""
    sms = _sms_sender()
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    due = (Outbox.objects.filter(sent=False, attempts__lt=MAX_ATTEMPTS)
           .filter(Q(subscription__active=True) | Q(case_number=CONFIRM, subscription__confirmed_at__isnull=True)))
    if only is not None:
        due = due.filter(pk__in=only)
    due = due.select_related("subscription").order_by("created", "pk")[:limit]
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
