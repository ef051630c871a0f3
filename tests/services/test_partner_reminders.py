"""Reminders to partners: scheduled before the deadline (moving with it) or on a date, sent by
the beat once per partner and reminder, never to those who answered, unsubscribed or whose mail
failed; or sent at once to the partners of a status; bad times refused with nothing written."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from letters_app.models import (
    AuditAction,
    AuditEvent,
    Letter,
    Partner,
    PartnerMail,
    PartnerReminder,
)
from letters_app.services import letters as letter_services
from letters_app.services import partners as partner_services
from letters_app.services import reminders
from letters_app.services.partners import PartnerMailOutbox
from tests.clock import MIDDAY
from tests.mails import make_due, send_due
from tests.partners import partners_add

pytestmark = pytest.mark.django_db
P = Partner.Status
R = PartnerReminder
DAY = datetime.timedelta(days=1)
DEADLINE = MIDDAY + 10 * DAY
PARTNERS = """\
Invited Org, France, invited@example.org, fr
Opened Org, France, opened@example.org, km
Signed Org, France, signed@example.org, en
Declined Org, France, declined@example.org, en
Unsubscribed Org, France, unsubscribed@example.org, en
Failed Org, France, failed@example.org, en
"""


@pytest.fixture
def letter_with_deadline(open_letter, time_machine):
    time_machine.move_to(MIDDAY, tick=False)
    Letter.objects.filter(pk=open_letter.pk).update(signing_deadline=DEADLINE)
    open_letter.refresh_from_db()
    return open_letter


@pytest.fixture
def partners(letter_with_deadline, coordinator):
    """Six partners, invited (their invitations sent), at each status a partner reaches; and a
    seventh never invited."""
    added = partners_add(letter_with_deadline, coordinator, PARTNERS)
    partner_services.partners_invite(letter=letter_with_deadline, actor=coordinator)
    make_due(PartnerMail.objects.all())
    send_due(PartnerMailOutbox)
    mail.outbox.clear()
    for partner, status in zip(added[1:], [P.OPENED, P.SIGNED, P.DECLINED], strict=False):
        Partner.objects.filter(pk=partner.pk).update(status=status)
    partner_services.partner_unsubscribe(partner=added[4])
    Partner.objects.filter(pk=added[5].pk).update(status=P.MAIL_FAILED)
    partners_add(letter_with_deadline, coordinator, "Never Invited, France, new@example.org, en")
    return {p.email.partition("@")[0]: p for p in Partner.objects.all()}


def _reminded() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def test_days_before_the_deadline_move_with_it(letter_with_deadline, coordinator):
    reminder = reminders.reminder_schedule(
        letter=letter_with_deadline, actor=coordinator, days_before=7
    )
    assert reminder.due_at == DEADLINE - 7 * DAY
    letter_services.letter_update(
        letter=letter_with_deadline,
        data={"signing_deadline": DEADLINE + 5 * DAY},
        actor=coordinator,
    )
    reminder.refresh_from_db()
    assert reminder.due_at == DEADLINE - 2 * DAY
    letter_services.letter_update(
        letter=letter_with_deadline, data={"signing_deadline": None}, actor=coordinator
    )
    reminder.refresh_from_db()
    assert reminder.due_at is None  # waits for a deadline: never sent meanwhile
    assert reminders.reminders_send_due() == 0
    assert AuditEvent.objects.filter(action=AuditAction.REMINDER_SCHEDULED).count() == 1


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"days_before": 12}, "has passed already"),
        ({"days_before": 0}, "from 1 to 365"),
        ({"at": MIDDAY - DAY}, "This time has passed"),
        ({"at": DEADLINE + DAY}, "after the signing deadline"),
    ],
)
def test_bad_times_are_refused_with_nothing_written(
    letter_with_deadline, coordinator, when, message
):
    with pytest.raises(ValidationError) as refused:
        reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, **when)
    assert message in " ".join(refused.value.messages)
    assert not R.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.REMINDER_SCHEDULED).exists()


def test_days_before_need_a_deadline_and_come_once(open_letter, coordinator, time_machine):
    time_machine.move_to(MIDDAY, tick=False)
    with pytest.raises(ValidationError, match="no signing deadline"):
        reminders.reminder_schedule(letter=open_letter, actor=coordinator, days_before=2)
    reminders.reminder_schedule(letter=open_letter, actor=coordinator, at=MIDDAY + DAY)
    with pytest.raises(ValidationError, match="scheduled already"):
        reminders.reminder_schedule(letter=open_letter, actor=coordinator, at=MIDDAY + DAY)
    assert R.objects.count() == 1


def test_each_waiting_partner_gets_a_reminder_once(
    letter_with_deadline, coordinator, partners, time_machine
):
    reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, days_before=7)
    reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, days_before=2)
    assert reminders.reminders_send_due() == 0  # not yet

    time_machine.move_to(DEADLINE - 7 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert reminders.reminders_send_due() == 2
    assert reminders.reminders_send_due() == 0  # the beat again: nothing twice
    make_due(PartnerMail.objects.filter(kind="reminder"))
    assert send_due(PartnerMailOutbox) == 2
    assert send_due(PartnerMailOutbox) == 0
    assert _reminded() == ["invited@example.org", "opened@example.org"]
    french = next(m for m in mail.outbox if m.to[0] == "invited@example.org")
    assert french.subject.startswith("Rappel")
    assert french.extra_headers["Content-Language"] == "fr"
    assert french.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    secret = partners["invited"].secret
    assert f"/fr/invitations/{secret}/#decline" in french.body
    assert "Nous ne pouvons pas signer cette fois" in french.body
    assert "15 mars 2026" in french.body  # the deadline, in the partner's language
    khmer = next(m for m in mail.outbox if m.to[0] == "opened@example.org")
    assert khmer.extra_headers["Content-Language"] == "km"

    mail.outbox.clear()
    time_machine.move_to(DEADLINE - 2 * DAY + datetime.timedelta(minutes=1), tick=False)
    Partner.objects.filter(pk=partners["opened"].pk).update(status=P.SIGNED)
    assert reminders.reminders_send_due() == 1
    make_due(PartnerMail.objects.filter(kind="reminder"))
    send_due(PartnerMailOutbox)
    assert _reminded() == ["invited@example.org"]
    assert list(R.objects.values_list("state", flat=True)) == [R.State.SENT, R.State.SENT]
    assert partners["invited"].mails.filter(kind="reminder").count() == 2  # one per reminder
    # The invitation's date is the invitation's: a reminder does not move it.
    invited = Partner.objects.get(pk=partners["invited"].pk)
    assert invited.invited_at < MIDDAY + DAY


def test_a_partner_that_answers_before_its_reminder_leaves_gets_none(
    letter_with_deadline, coordinator, partners, time_machine
):
    reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, at=MIDDAY + DAY)
    time_machine.move_to(MIDDAY + DAY, tick=False)
    assert reminders.reminders_send_due() == 2
    partner_services.partner_decline(partner=partners["invited"])
    make_due(PartnerMail.objects.filter(kind="reminder"))
    assert send_due(PartnerMailOutbox) == 1
    assert _reminded() == ["opened@example.org"]
    assert not PartnerMail.objects.filter(kind="reminder", status="sending").exists()


def test_a_reminder_reached_more_than_a_day_late_is_not_sent(
    letter_with_deadline, coordinator, partners, time_machine
):
    reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, days_before=7)
    reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, days_before=2)
    # The workers were down for a week: the first is stale, the second is due now.
    time_machine.move_to(DEADLINE - 2 * DAY + datetime.timedelta(hours=3), tick=False)
    assert reminders.reminders_send_due() == 2
    states = list(R.objects.order_by("days_before").values_list("days_before", "state"))
    assert states == [(2, R.State.SENT), (7, R.State.LATE)]


def test_no_reminder_once_the_letter_is_closed(
    letter_with_deadline, coordinator, partners, time_machine
):
    reminders.reminder_schedule(letter=letter_with_deadline, actor=coordinator, days_before=2)
    letter_services.letter_close(letter=letter_with_deadline, actor=coordinator)
    time_machine.move_to(DEADLINE - 2 * DAY, tick=False)
    assert reminders.reminders_send_due() == 0
    assert R.objects.get().state == R.State.CLOSED
    assert not PartnerMail.objects.filter(kind="reminder").exists()


def test_a_reminder_now_to_the_statuses_chosen_once_per_form(
    letter_with_deadline, coordinator, partners
):
    sent = reminders.reminder_send_now(
        letter=letter_with_deadline, actor=coordinator, statuses=["opened"], key="k1"
    )
    again = reminders.reminder_send_now(
        letter=letter_with_deadline, actor=coordinator, statuses=["opened"], key="k1"
    )
    assert (sent.mails, again.pk) == (1, sent.pk)  # the form sent twice: once
    make_due(PartnerMail.objects.filter(kind="reminder"))
    send_due(PartnerMailOutbox)
    assert _reminded() == ["opened@example.org"]
    event = AuditEvent.objects.get(action=AuditAction.REMINDER_SENT)
    assert (event.detail["reminded"], event.detail["statuses"]) == (1, ["opened"])
    assert event.actor == coordinator
    # Signed, declined, unsubscribed or failed: never, even when asked for.
    with pytest.raises(ValidationError, match="Choose the partners"):
        reminders.reminder_send_now(
            letter=letter_with_deadline, actor=coordinator, statuses=["signed"], key="k2"
        )
    assert R.objects.count() == 1


def test_reminders_are_paced_retried_on_4xx_and_failed_on_5xx(
    letter_with_deadline, coordinator, partners, flaky, settings
):
    settings.PARTNER_MAILS_PER_MINUTE = 2
    reminder = reminders.reminder_send_now(
        letter=letter_with_deadline, actor=coordinator, statuses=["invited", "opened"], key="k"
    )
    dues = sorted(reminder.partner_mails.values_list("due_at", flat=True))
    assert dues[1] - dues[0] == datetime.timedelta(seconds=30)
    flaky.reset([
        smtplib.SMTPRecipientsRefused({"invited@example.org": (451, b"4.7.1 Try again later")}),
        smtplib.SMTPRecipientsRefused({"opened@example.org": (550, b"5.1.1 No such user")}),
    ])  # fmt: skip
    make_due(reminder.partner_mails.all())
    send_due(PartnerMailOutbox)
    rows = dict(reminder.partner_mails.values_list("partner__email", "status"))
    assert rows == {"invited@example.org": "retry", "opened@example.org": "failed"}
    make_due(reminder.partner_mails.filter(status="retry"))
    assert send_due(PartnerMailOutbox) == 1
    assert [m.to[0] for m in flaky.sent] == ["invited@example.org"]


def test_a_scheduled_reminder_can_be_cancelled_until_sent(letter_with_deadline, coordinator):
    reminder = reminders.reminder_schedule(
        letter=letter_with_deadline, actor=coordinator, days_before=3
    )
    assert reminders.reminder_cancel(reminder=reminder, actor=coordinator) is True
    assert not R.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.REMINDER_CANCELLED).count() == 1


def test_reminders_waiting_when_the_letter_closes_are_dropped(
    letter_with_deadline, coordinator, partners
):
    reminders.reminder_send_now(
        letter=letter_with_deadline, actor=coordinator, statuses=["invited", "opened"], key="k"
    )
    letter_services.letter_close(letter=letter_with_deadline, actor=coordinator)
    make_due(PartnerMail.objects.filter(kind="reminder"))
    assert send_due(PartnerMailOutbox) == 0
    assert mail.outbox == []
    assert not PartnerMail.objects.filter(kind="reminder").exists()


def test_deleting_a_letter_takes_its_reminders_and_their_mails(
    letter_with_deadline, coordinator, partners
):
    reminders.reminder_send_now(
        letter=letter_with_deadline, actor=coordinator, statuses=["invited"], key="k"
    )
    Letter.objects.filter(pk=letter_with_deadline.pk).delete()
    assert not R.objects.exists()
    assert not PartnerMail.objects.exists()
