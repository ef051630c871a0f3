"""Reminders to a letter's partners who were invited and have not answered: scheduled some days
before the signing deadline or on a fixed date, sent by a beat task when due; or sent at once to
the partners of the statuses the coordinator chose. The mails are PartnerMail rows, unique per
partner and reminder, paced by PARTNER_MAILS_PER_MINUTE like the invitations.

A scheduled reminder the beat first reaches more than LATE_AFTER after its time (the workers
were down) is not sent, and the partners page says so: a nudge arriving days late, maybe
together with the next one, would surprise the partners more than help; the coordinator can
still send one at once."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app.models import AuditAction, Letter, Partner, PartnerMail, PartnerReminder
from letters_app.services import mails
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.partners import REMINDED, partner_mails_pace

R = PartnerReminder
LATE_AFTER = datetime.timedelta(days=1)
MAX_DAYS_BEFORE = 365


def reminder_refusal(letter: Letter) -> str:
    """Why no reminder can be scheduled or sent for the letter now, or ""."""
    if letter.status != Letter.Status.OPEN:
        return _("Reminders are sent while the letter is open for signing.")
    return ""


@transaction.atomic
def reminder_schedule(
    *,
    letter: Letter,
    actor: Actor,
    days_before: int | None = None,
    at: datetime.datetime | None = None,
) -> PartnerReminder:
    """Schedule a reminder `days_before` the signing deadline, or `at` a fixed time. Refuses
    (ValidationError, nothing written) a time in the past or after the deadline, days before a
    deadline the letter does not have, or one scheduled already. Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    refusal = reminder_refusal(letter)
    if refusal:
        raise ValidationError(refusal, code="refused")
    now, deadline = timezone.now(), letter.signing_deadline
    if (days_before is None) == (at is None):
        raise ValidationError(_("Give either a number of days or a date."), code="invalid")
    scheduled = R.objects.filter(letter=letter, state=R.State.SCHEDULED)
    if days_before is not None:
        if not 1 <= days_before <= MAX_DAYS_BEFORE:
            raise ValidationError(
                _("Give a number of days from 1 to %(n)s.") % {"n": MAX_DAYS_BEFORE}
            )
        if deadline is None:
            raise ValidationError(
                _("The letter has no signing deadline: set one first, or choose a date.")
            )
        reminder = R(letter=letter, kind=R.Kind.BEFORE, days_before=days_before)
        due = reminder.due_at = reminder.due(deadline)
        if due is not None and due <= now:
            raise ValidationError(
                _("%(n)s days before the deadline has passed already.") % {"n": days_before}
            )
        if scheduled.filter(kind=R.Kind.BEFORE, days_before=days_before).exists():
            raise ValidationError(_("This reminder is scheduled already."))
    elif at is not None:
        if at <= now:
            raise ValidationError(_("This time has passed: choose one to come."))
        if deadline and at >= deadline:
            raise ValidationError(_("This time is after the signing deadline."))
        if scheduled.filter(kind=R.Kind.ON, fixed_at=at).exists():
            raise ValidationError(_("This reminder is scheduled already."))
        reminder = R(letter=letter, kind=R.Kind.ON, fixed_at=at, due_at=at)
    reminder.created_by = actor_user(actor)
    reminder.save()
    audit_record(letter=letter, actor=actor, action=AuditAction.REMINDER_SCHEDULED,
                 days_before=days_before, at=at.isoformat() if at else None)  # fmt: skip
    return reminder


@transaction.atomic
def reminder_cancel(*, reminder: PartnerReminder, actor: Actor) -> bool:
    """Cancel a reminder not sent yet (it is deleted). Returns whether it was; audited."""
    deleted, _rows = R.objects.filter(pk=reminder.pk, state=R.State.SCHEDULED).delete()
    if deleted:
        audit_record(letter=reminder.letter, actor=actor, action=AuditAction.REMINDER_CANCELLED,
                     days_before=reminder.days_before)  # fmt: skip
    return bool(deleted)


def reminder_recipients(letter: Letter, statuses: Iterable[str] = REMINDED) -> QuerySet[Partner]:
    """The partners a reminder goes to: of these statuses (invited or opened: waiting for an
    answer), whose invitation was sent."""
    statuses = [s for s in statuses if s in REMINDED]
    invitation_sent = PartnerMail.objects.filter(
        partner=OuterRef("pk"),
        kind=PartnerMail.Kind.INVITATION,
        status=PartnerMail.Status.SENT,
    )
    return (
        Partner.objects.filter(letter=letter, status__in=statuses, unsubscribed_at__isnull=True)
        .filter(Exists(invitation_sent))
        .order_by("pk")
    )


def _queue(reminder: PartnerReminder, partners: QuerySet[Partner]) -> int:
    """One mail of the reminder to each partner that has none, paced; call with the letter
    locked. Returns how many were written."""
    partners = partners.exclude(mails__reminder=reminder)
    start, step = partner_mails_pace(reminder.letter)
    now = timezone.now()
    rows = [
        PartnerMail(
            partner=partner,
            kind=PartnerMail.Kind.REMINDER,
            reminder=reminder,
            due_at=start + step * n,
            queued_at=now,
        )  # fmt: skip
        for n, partner in enumerate(partners)
    ]
    PartnerMail.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        mails.mails_kick_on_commit()
    return len(rows)


@transaction.atomic
def reminder_send_now(
    *, letter: Letter, statuses: list[str], key: str, actor: Actor
) -> PartnerReminder:
    """Send a reminder at once to the partners of `statuses` (see reminder_recipients). A form
    sent twice with the same `key` sends once: the reminder it made is returned. Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    done = R.objects.filter(letter=letter, key=key).first() if key else None
    if done is not None:
        return done
    refusal = reminder_refusal(letter)
    if refusal:
        raise ValidationError(refusal, code="refused")
    statuses = [s for s in REMINDED if s in statuses]
    if not statuses:
        raise ValidationError(_("Choose the partners to remind: invited, opened, or both."))
    now = timezone.now()
    reminder = R.objects.create(
        letter=letter, kind=R.Kind.NOW, state=R.State.SENT, due_at=now, done_at=now,
        statuses=",".join(statuses), key=key, created_by=actor_user(actor),
    )  # fmt: skip
    reminder.mails = _queue(reminder, reminder_recipients(letter, statuses))
    reminder.save(update_fields=["mails"])
    audit_record(letter=letter, actor=actor, action=AuditAction.REMINDER_SENT,
                 reminded=reminder.mails, statuses=statuses)  # fmt: skip
    return reminder


def reminders_send_due() -> int:
    """Beat: send each scheduled reminder that is due to its partners, once; one the beat
    reaches more than LATE_AFTER late, or when the letter is no longer open, is marked so and
    not sent. Returns how many mails were queued."""
    queued = 0
    due = R.objects.filter(state=R.State.SCHEDULED, due_at__lte=timezone.now())
    for pk in due.order_by("due_at", "pk").values_list("pk", flat=True):
        queued += _send_due(pk)
    return queued


@transaction.atomic
def _send_due(pk: int) -> int:
    reminder = R.objects.select_related("letter").filter(pk=pk).first()
    if reminder is None:
        return 0
    letter = Letter.objects.select_for_update().get(pk=reminder.letter_id)
    # Locked after the letter, as the other services lock: another run sent it meanwhile.
    reminder = R.objects.select_for_update().filter(pk=pk, state=R.State.SCHEDULED).first()
    if reminder is None:
        return 0
    reminder.letter = letter
    now = timezone.now()
    if letter.status != Letter.Status.OPEN:
        reminder.state = R.State.CLOSED
    elif reminder.due_at is None or now - reminder.due_at > LATE_AFTER:
        reminder.state = R.State.LATE
    else:
        reminder.state = R.State.SENT
        reminder.mails = _queue(reminder, reminder_recipients(letter))
    reminder.done_at = now
    reminder.save(update_fields=["state", "done_at", "mails"])
    return reminder.mails


def reminder_list(letter: Letter) -> list[PartnerReminder]:
    """The letter's reminders, the latest to come last, each with how many of its mails were
    `sent` and `failed`."""
    rows = R.objects.filter(letter=letter).annotate(
        sent=Count("partner_mails", filter=Q(partner_mails__status=PartnerMail.Status.SENT)),
        failed=Count("partner_mails", filter=Q(partner_mails__status=PartnerMail.Status.FAILED)),
    )
    return list(rows.order_by("due_at", "pk"))


def reminder_get(letter: Letter, pk: int) -> PartnerReminder | None:
    return R.objects.filter(letter=letter, pk=pk).first()
