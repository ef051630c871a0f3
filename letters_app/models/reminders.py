import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PartnerReminder(models.Model):
    """A reminder to a letter's partners who have not answered yet: some days before the signing
    deadline (its time moves with the deadline), on a fixed date, or sent at once to the
    partners of the statuses chosen. Each partner gets it at most once: its mails are
    PartnerMail rows, unique per partner and reminder."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Days before the deadline")
        ON = "on", _("On a date")
        NOW = "now", _("Sent at once")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        LATE = "late", _("Not sent: the mail workers reached it more than a day late")
        CLOSED = "closed", _("Not sent: the letter was no longer open for signing")

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="partner_reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"), null=True)
    fixed_at = models.DateTimeField(_("date and time"), null=True)
    # When it is due: the fixed time, or the deadline less the days (None without a deadline).
    due_at = models.DateTimeField(null=True, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    done_at = models.DateTimeField(null=True)
    mails = models.PositiveIntegerField(default=0)  # mails queued when it was sent
    statuses = models.CharField(max_length=100, blank=True)  # a one-off's chosen statuses
    key = models.CharField(max_length=64, blank=True)  # a one-off's form: sent once
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder to partners")
        verbose_name_plural = _("reminders to partners")
        ordering = ["letter", "due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="before", days_before__isnull=False, fixed_at__isnull=True)
                | Q(kind="on", days_before__isnull=True, fixed_at__isnull=False)
                | Q(kind="now", days_before__isnull=True, fixed_at__isnull=True),
                name="partner_reminder_kind_fields",
            ),
            models.UniqueConstraint(
                fields=["letter", "days_before"],
                condition=Q(state="scheduled", kind="before"),
                name="partner_reminder_one_per_days",
            ),
            models.UniqueConstraint(
                fields=["letter", "fixed_at"],
                condition=Q(state="scheduled", kind="on"),
                name="partner_reminder_one_per_time",
            ),
            models.UniqueConstraint(
                fields=["letter", "key"], condition=~Q(key=""), name="partner_reminder_key"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    def due(self, deadline: datetime.datetime | None) -> datetime.datetime | None:
        """When it is due with this signing deadline."""
        if self.kind != self.Kind.BEFORE:
            return self.fixed_at or self.due_at
        if deadline is None or self.days_before is None:
            return None
        return deadline - datetime.timedelta(days=self.days_before)
