from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .letters import LETTER_LANGUAGES
from .mails import MailRow


class CoordinatorMails(models.TextChoices):
    """What a coordinator is told by e-mail about a letter's new signatures."""

    NONE = "none", _("No e-mail")
    EACH = "each", _("One e-mail per new signature")
    DAILY = "daily", _("A daily summary")


class CoordinatorMailChoice(models.Model):
    """One coordinator's choice for one letter. Without a row, the letter's creator gets the
    daily summary and a co-coordinator nothing (services/digests.py: mails_choice)."""

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="mail_choices"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mails = models.CharField(_("e-mails"), max_length=10, choices=CoordinatorMails.choices)

    class Meta:
        verbose_name = _("coordinator's e-mail choice")
        verbose_name_plural = _("coordinators' e-mail choices")
        constraints = [
            models.UniqueConstraint(fields=["letter", "user"], name="one_mail_choice_per_letter"),
        ]

    def __str__(self):
        return f"{self.user} · {self.letter}: {self.mails}"


class CoordinatorMail(MailRow):
    """A mail to a coordinator about a letter's signatures: one new signature, or the daily
    summary of `day`. Written in the transaction that causes it, then claimed and sent by a
    worker (services/mails.py). The constraints make each go out once."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("New signature")
        DIGEST = "digest", _("Daily summary")

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="coordinator_mails"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    signature = models.ForeignKey(
        "letters_app.Signature", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The summary's day, in TIME_ZONE: it covers the day up to DIGEST_HOUR on that date.
    day = models.DateField(_("day"), null=True, blank=True)
    to = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=10, choices=LETTER_LANGUAGES)

    class Meta:
        verbose_name = _("mail to a coordinator")
        verbose_name_plural = _("mails to coordinators")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "letter", "day"],
                condition=Q(day__isnull=False),
                name="one_digest_per_coordinator_letter_day",
            ),
            models.UniqueConstraint(
                fields=["user", "signature"],
                condition=Q(signature__isnull=False),
                name="one_mail_per_coordinator_signature",
            ),
            models.CheckConstraint(
                condition=(Q(kind="digest", day__isnull=False, signature__isnull=True))
                | Q(kind="signature", day__isnull=True, signature__isnull=False),
                name="coordinator_mail_digest_or_signature",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="coordinator_mail_stuck"),
            models.Index(
                fields=["due_at"],
                name="coordinator_mail_due",
                condition=Q(status__in=["queued", "retry"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to} ({self.get_status_display()})"
