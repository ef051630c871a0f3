import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .mails import MailRow


class WebhookEventType(models.TextChoices):
    """What a webhook can be told about, as its payload's "type" names it."""

    SIGNATURE_CONFIRMED = "signature.confirmed", _("A signature is confirmed")
    SIGNATURE_WITHDRAWN = "signature.withdrawn", _("A signature is withdrawn")
    LETTER_FINALIZED = "letter.finalized", _("The letter is finalized")
    DELIVERY_SENT = "delivery.sent", _("The letter reached a recipient")
    DELIVERY_FAILED = "delivery.failed", _("The letter could not be sent to a recipient")
    PARTNER_STATUS_CHANGED = "partner.status_changed", _("A partner answered")
    # Sent to one webhook when its coordinator asks for a test: never subscribed to.
    PING = "ping", _("Test event")


SUBSCRIBABLE = [t for t in WebhookEventType if t != WebhookEventType.PING]


def webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def all_event_types() -> list[str]:
    return [str(t) for t in SUBSCRIBABLE]


class Webhook(models.Model):
    """An address told of a letter's events by a signed POST. Its secret signs each request: it
    is shown to the letter's coordinators, so it is stored as it is (not hashed)."""

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(max_length=80, default=webhook_secret, editable=False)
    events = models.JSONField(_("events"), default=all_event_types)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["letter", "pk"]
        indexes = [models.Index(fields=["letter", "is_active"], name="webhook_letter_active")]

    def __str__(self):
        return self.url

    def subscribes(self, event_type: str) -> bool:
        return event_type == WebhookEventType.PING or event_type in self.events


class WebhookEvent(models.Model):
    """Something that happened to a letter, as its webhooks are told it: its id is the one every
    attempt to send it carries, so that a receiver can drop a duplicate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    payload = models.JSONField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.type} {self.id}"


class WebhookDelivery(models.Model):
    """One event to one webhook: claimed by one worker at a time, tried again after a failure
    with a growing wait, for WEBHOOK_RETRY_DELAYS, then failed with the error kept."""

    # Claimed, sent and tried again as a mail row is.
    Status = MailRow.Status
    CLAIMABLE = MailRow.CLAIMABLE

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="one_delivery_per_webhook")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status__in=["queued", "retry"]),
            ),
            models.Index(
                fields=["claimed_at"],
                name="webhook_delivery_sending",
                condition=Q(status="sending"),
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook} ({self.get_status_display()})"
