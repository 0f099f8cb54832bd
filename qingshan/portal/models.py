from django.db import models
from django.utils.translation import gettext_lazy as _


def _new_token() -> str:
    import secrets

    return secrets.token_hex(16)


class Subscription(models.Model):
    """A member of the public following an enterprise or an area for new published violations."""

    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("registry.Region", verbose_name=_("area"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    #: cases published up to this date have been notified
    notified_until = models.DateField(null=True, blank=True)
    #: a subscription made on the portal starts inactive until its confirmation link is opened
    active = models.BooleanField(default=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    #: secret of the confirmation and unsubscribe links sent with every message
    token = models.CharField(max_length=32, default=_new_token, unique=True, editable=False)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return f"{self.email or self.phone} → {self.enterprise or self.region}"


class Outbox(models.Model):
    """Notifications to subscribers: written by ``qingshan notify_subscribers``, delivered by
    ``qingshan send_outbox`` (e-mail through the configured mail server, SMS through
    ``QINGSHAN_SMS_BACKEND``; see :mod:`qingshan.portal.delivery`)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="messages")
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    case_number = models.CharField(max_length=40)
    created = models.DateTimeField(auto_now_add=True)
    sent = models.BooleanField(_("sent"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        unique_together = [("subscription", "case_number")]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")


class Suggestion(models.Model):
    """建言献策: a suggestion from the public."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    text = models.TextField(_("suggestion"), max_length=5000)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
