from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deliveries import delivery_reason


class MailRow(models.Model):
    """What every mail row shares: written in the transaction that asks for the mail, then
    claimed and sent by a worker (services/mails.py), which records how it went here."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRY = "retry", _("Waiting to retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    CLAIMABLE = (Status.QUEUED, Status.RETRY)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    error_kind = models.CharField(max_length=20, blank=True, editable=False)
    response = models.CharField(_("server response or message id"), max_length=500, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def reason(self) -> str:
        return delivery_reason(self.error_kind, self.last_error)


class SignerMail(MailRow):
    """One mail to a signer about their signature: written in the transaction that asks for it,
    then claimed and sent by a worker (services/mails.py), which records how it went."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation link")
        ALREADY_SIGNED = "already_signed", _("Already signed")
        NEW_VERSION = "new_version", _("New text of the letter")
        WITHDRAWN = "withdrawn", _("Withdrawal, with a link to undo it")

    signature = models.ForeignKey(
        "letters_app.Signature", on_delete=models.CASCADE, related_name="mails"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("mail to a signer")
        verbose_name_plural = _("mails to signers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="signer_mail_stuck"),
            models.Index(
                fields=["due_at"],
                name="signer_mail_due",
                condition=Q(status__in=["queued", "retry"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.signature} ({self.get_status_display()})"
