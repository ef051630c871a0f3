from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from .letters import LETTER_LANGUAGES
from .mails import MailRow


class Partner(models.Model):
    """An organization a coordinator asks to sign a letter: its contact address, the language
    it is written to in, where it stands in the campaign and when it got there. Its `secret`
    makes the personal link it is sent."""

    class Status(models.TextChoices):
        NEW = "new", _("Not invited yet")
        INVITED = "invited", _("Invited")
        MAIL_FAILED = "mail_failed", _("Mail failed")
        OPENED = "opened", _("Opened the link")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    # Invited, and not heard from: neither signed, declined nor unsubscribed.
    SILENT = (Status.INVITED, Status.OPENED)

    class Source(models.TextChoices):
        LIST = "list", _("From a list")
        EARLIER = "earlier", _("Signed an earlier letter")

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("organization"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    country: Country = CountryField(_("country"), blank=True)  # type: ignore[assignment]
    email = models.EmailField(_("contact e-mail"), max_length=254)
    email_normalized = models.CharField(max_length=254, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=LETTER_LANGUAGES)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LIST)
    secret = models.CharField(max_length=64, unique=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When each step was reached (kept when a later step follows), for the funnel and reminders.
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    mail_failed_at = models.DateTimeField(_("mail failed"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    decline_reason = models.TextField(_("reason given"), blank=True)
    mail_error = models.CharField(_("server's answer"), max_length=2000, blank=True)
    signature = models.ForeignKey(
        "letters_app.Signature",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["letter", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "email_normalized"], name="partner_one_per_address"
            ),
        ]
        indexes = [models.Index(fields=["letter", "status"], name="partner_letter_status")]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class PartnerMail(MailRow):
    """One mail to a partner: written with the change that asks for it, then claimed and sent
    by a worker (services/mails.py), which records how it went. One of each kind a partner."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation to sign")
        REMINDER = "reminder", _("Reminder")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reminder = models.ForeignKey(
        "letters_app.PartnerReminder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_mails",
    )

    class Meta:
        verbose_name = _("mail to a partner")
        verbose_name_plural = _("mails to partners")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "kind"],
                condition=Q(reminder__isnull=True),
                name="partner_mail_once",
            ),
            models.UniqueConstraint(fields=["partner", "reminder"], name="partner_reminder_once"),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="partner_mail_stuck"),
            models.Index(
                fields=["due_at"],
                name="partner_mail_due",
                condition=Q(status__in=["queued", "retry"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.partner} ({self.get_status_display()})"
