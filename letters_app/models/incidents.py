from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .letters import LETTER_LANGUAGES
from .mails import MailRow


class Incident(models.Model):
    """A burst of signatures on one letter from one source: one address or IPv6 network, one
    e-mail domain, or names that look alike. Opened by the worker (services/incidents.py),
    which mails the admins once; closed when an admin invalidates its signatures or marks it
    resolved. A new burst from the same source after that opens a new one."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("One address or network")
        DOMAIN = "domain", _("One e-mail domain")
        NAME = "name", _("Look-alike names")

    class Resolution(models.TextChoices):
        INVALIDATED = "invalidated", _("Signatures invalidated")
        DISMISSED = "dismissed", _("Marked resolved")

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The address ("203.0.113.5"), the IPv6 network ("2001:db8:1:2::/64"), the domain, or the
    # names' common form (services.incidents.name_key).
    key = models.CharField(_("source"), max_length=254)
    count = models.PositiveIntegerField(_("signatures"), default=0)
    first_at = models.DateTimeField(_("first signature at"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last counted at"), default=timezone.now)
    closed_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, blank=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("unusual signing alert")
        verbose_name_plural = _("unusual signing alerts")
        constraints = [
            # One open incident per source: two runs of the detection cannot both open it.
            models.UniqueConstraint(
                fields=["letter", "kind", "key"],
                condition=Q(closed_at__isnull=True),
                name="one_open_incident",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key} ({self.letter})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class IncidentMail(MailRow):
    """The alert about one incident to one admin: a mail row, written with the incident, then
    claimed and sent by a worker (services/mails.py)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="mails")
    to = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=10, choices=LETTER_LANGUAGES)

    class Meta:
        verbose_name = _("alert mail to an admin")
        verbose_name_plural = _("alert mails to admins")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "to"], name="one_alert_per_admin"),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="incident_mail_stuck"),
            models.Index(
                fields=["due_at"],
                name="incident_mail_due",
                condition=Q(status__in=["queued", "retry"]),
            ),
        ]

    def __str__(self):
        return f"{self.incident} → {self.to} ({self.get_status_display()})"


class UserLanguage(models.Model):
    """The language a signed-in person last chose with the language switch: the mails the site
    sends them (an admin's alerts) speak it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="chosen_language",
    )
    language = models.CharField(_("language"), max_length=10, choices=LETTER_LANGUAGES)

    class Meta:
        verbose_name = _("chosen language")
        verbose_name_plural = _("chosen languages")

    def __str__(self):
        return f"{self.user}: {self.language}"
