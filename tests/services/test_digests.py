"""Coordinators kept informed: each chooses, per letter, no e-mail, one per new signature or a
daily summary; the summary goes out once per coordinator, letter and day, and not at all on a
quiet day."""

import datetime
import smtplib
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from letters_app.models import (
    AuditAction,
    AuditEvent,
    CoordinatorMail,
    CoordinatorMails,
    Partner,
    Signature,
)
from letters_app.services import mails
from letters_app.services.digests import (
    CoordinatorMailOutbox,
    digest_day,
    digest_window,
    digests_queue,
    funnel_movement,
    mails_choose,
    mails_chosen,
)
from letters_app.services.incidents import user_language_set
from letters_app.services.signatures import signature_confirm, signature_moderate
from tests.factories import SignatureFactory, listed
from tests.mails import make_due
from tests.partners import partners_add

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Wednesday in Paris, mid-morning: the day's summary (DIGEST_HOUR 7) covers Tuesday 07:00 to
# Wednesday 07:00.
TUESDAY_NOON = datetime.datetime(2026, 3, 3, 12, 0, tzinfo=PARIS)
WEDNESDAY_0659 = datetime.datetime(2026, 3, 4, 6, 59, tzinfo=PARIS)
WEDNESDAY_0705 = datetime.datetime(2026, 3, 4, 7, 5, tzinfo=PARIS)
THURSDAY_0705 = datetime.datetime(2026, 3, 5, 7, 5, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.DIGEST_HOUR = 7


def send() -> int:
    return mails.mails_send_due(outboxes=[CoordinatorMailOutbox])


# --- the choice ---------------------------------------------------------------------------------


def test_by_default_the_creator_gets_the_summary_and_a_co_coordinator_nothing(
    letter, coordinator, co_coordinator
):
    assert mails_chosen(letter, coordinator) == CoordinatorMails.DAILY
    assert mails_chosen(letter, co_coordinator) == CoordinatorMails.NONE


def test_a_coordinator_chooses_for_themselves_audited(letter, coordinator, co_coordinator):
    mails_choose(letter=letter, user=co_coordinator, mails=CoordinatorMails.EACH)
    assert mails_chosen(letter, co_coordinator) == CoordinatorMails.EACH
    assert mails_chosen(letter, coordinator) == CoordinatorMails.DAILY
    event = AuditEvent.objects.get(action=AuditAction.COORDINATOR_MAILS)
    assert (event.actor, event.letter, event.detail) == (co_coordinator, letter, {"mails": "each"})
    assert event.describe() == "One e-mail per new signature"
    # The same choice again changes nothing, and is not recorded again.
    mails_choose(letter=letter, user=co_coordinator, mails=CoordinatorMails.EACH)
    assert AuditEvent.objects.filter(action=AuditAction.COORDINATOR_MAILS).count() == 1


def test_only_the_people_who_run_the_letter_choose(letter, stranger, admin):
    for user in (stranger, admin):
        with pytest.raises(ValidationError):
            mails_choose(letter=letter, user=user, mails=CoordinatorMails.EACH)
    with pytest.raises(ValidationError):
        mails_choose(letter=letter, user=letter.created_by, mails="hourly")
    assert not AuditEvent.objects.filter(action=AuditAction.COORDINATOR_MAILS).exists()


# --- one mail per new signature ----------------------------------------------------------------


def test_a_confirmed_signature_mails_who_asked_once(open_letter, coordinator, co_coordinator):
    mails_choose(letter=open_letter, user=co_coordinator, mails=CoordinatorMails.EACH)
    signature = SignatureFactory(
        letter=open_letter, name="Amnesty Cambodge", email="private@ngo.example", version=1
    )
    assert not CoordinatorMail.objects.exists()  # signing alone: not yet confirmed

    assert signature_confirm(signature=signature) is True
    row = CoordinatorMail.objects.get()
    assert (row.user, row.kind, row.signature, row.to) == (
        co_coordinator, CoordinatorMail.Kind.SIGNATURE, signature, co_coordinator.email,
    )  # fmt: skip
    assert signature_confirm(signature=signature) is False  # the link clicked again
    assert CoordinatorMail.objects.count() == 1

    assert send() == 1
    assert send() == 0
    (message,) = mail.outbox
    assert message.to == [co_coordinator.email]
    assert open_letter.title in message.subject
    assert "Amnesty Cambodge (Organization) signed" in message.body
    assert "Listed as number 1." in message.body
    assert f"/coordinate/letters/{open_letter.pk}/signatures/" in message.body
    assert "private@ngo.example" not in message.body + message.alternatives[0].content


def test_a_signature_waiting_for_approval_says_so(open_letter, coordinator):
    open_letter.requires_approval = True
    open_letter.save()
    mails_choose(letter=open_letter, user=coordinator, mails=CoordinatorMails.EACH)
    signature = listed(open_letter, name="Licadho")
    assert signature.status == Signature.Status.CONFIRMED
    send()
    (message,) = mail.outbox
    assert "The signature is waiting for your approval." in message.body
    # Approving it is the coordinator's own act: no second mail.
    signature_moderate(
        signatures=Signature.objects.filter(pk=signature.pk), approve=True, actor=coordinator
    )
    assert send() == 0
    assert CoordinatorMail.objects.count() == 1


def test_without_the_choice_no_mail_per_signature(open_letter, coordinator, co_coordinator):
    listed(open_letter)
    assert not CoordinatorMail.objects.exists()


def test_signer_names_are_escaped_in_the_html(open_letter, coordinator):
    mails_choose(letter=open_letter, user=coordinator, mails=CoordinatorMails.EACH)
    script = '<script>alert("pwned")</script>'
    listed(open_letter, name=f"{script} Org")
    send()
    html = mail.outbox[0].alternatives[0].content
    assert script not in html
    assert "&lt;script&gt;" in html
    assert script in mail.outbox[0].body  # plain text shows it as text


def test_the_mail_speaks_the_coordinators_language(open_letter, coordinator):
    user_language_set(user=coordinator, language="fr")
    mails_choose(letter=open_letter, user=coordinator, mails=CoordinatorMails.EACH)
    listed(open_letter, name="Licadho")
    send()
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "fr"
    assert "Nouvelle signature" in message.subject
    assert f"/fr/coordinate/letters/{open_letter.pk}/signatures/" in message.body


def test_a_4xx_is_tried_again_and_a_5xx_fails(open_letter, coordinator, co_coordinator, flaky):
    for user in (coordinator, co_coordinator):
        mails_choose(letter=open_letter, user=user, mails=CoordinatorMails.EACH)
    flaky.reset([
        smtplib.SMTPRecipientsRefused({coordinator.email: (451, b"4.7.1 Try again later")}),
        smtplib.SMTPRecipientsRefused({co_coordinator.email: (550, b"5.1.1 No such user")}),
    ])  # fmt: skip
    listed(open_letter)
    assert send() == 0
    by_user = {row.user: row for row in CoordinatorMail.objects.order_by("pk")}
    assert by_user[coordinator].status == CoordinatorMail.Status.RETRY
    assert by_user[co_coordinator].status == CoordinatorMail.Status.FAILED
    assert "No such user" in by_user[co_coordinator].reason

    make_due(CoordinatorMail.objects.filter(status=CoordinatorMail.Status.RETRY))
    assert send() == 1
    assert [m.to for m in flaky.sent] == [[coordinator.email]]
    assert CoordinatorMail.objects.get(user=coordinator).status == CoordinatorMail.Status.SENT


# --- the daily summary ----------------------------------------------------------------------


def test_the_summary_day_and_what_it_covers(settings):
    assert digest_day(WEDNESDAY_0659) == datetime.date(2026, 3, 3)
    assert digest_day(WEDNESDAY_0705) == datetime.date(2026, 3, 4)
    start, end = digest_window(datetime.date(2026, 3, 4))
    assert start == datetime.datetime(2026, 3, 3, 7, 0, tzinfo=PARIS)
    assert end == datetime.datetime(2026, 3, 4, 7, 0, tzinfo=PARIS)


def test_a_quiet_funnel_moves_nowhere():
    start, end = digest_window(datetime.date(2026, 3, 4))
    assert funnel_movement(letter_ids=None, start=start, end=end) == {}


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("en", ["Invited: 2", "Signed: 1", "Declined: 1"]),
        ("fr", ["Invité : 2", "A signé : 1", "A décliné : 1"]),
    ],
)
def test_the_summary_tells_the_partners_funnel_in_the_coordinators_language(
    open_letter, coordinator, time_machine, language, lines
):
    user_language_set(user=coordinator, language=language)
    time_machine.move_to(TUESDAY_NOON, tick=False)
    first, second = partners_add(
        open_letter,
        coordinator,
        "Ligue (LI), France, li@example.org\nAdhoc (AD), Cambodia, ad@example.org",
    )
    Partner.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=Partner.Status.INVITED, invited_at=timezone.now()
    )
    Partner.objects.filter(pk=first.pk).update(
        status=Partner.Status.SIGNED, signed_at=timezone.now()
    )
    Partner.objects.filter(pk=second.pk).update(
        status=Partner.Status.DECLINED, declined_at=timezone.now()
    )
    time_machine.move_to(WEDNESDAY_0705, tick=False)
    assert digests_queue() == 1  # the funnel moved, though no signature came in by the form
    assert send() == 1
    (message,) = mail.outbox
    for line in lines:
        assert line in message.body
    time_machine.move_to(THURSDAY_0705, tick=False)
    assert digests_queue() == 0  # nothing moved since


def test_the_summary_goes_once_a_day_after_the_hour(
    open_letter, coordinator, co_coordinator, time_machine
):
    time_machine.move_to(TUESDAY_NOON, tick=False)
    listed(open_letter, name="Licadho")
    listed(open_letter, name="សមាគម ខ្មែរ", kind=Signature.Kind.INDIVIDUAL)
    time_machine.move_to(WEDNESDAY_0659, tick=False)
    assert digests_queue() == 0  # the hour has not struck: Tuesday's (quiet) is the last due

    time_machine.move_to(WEDNESDAY_0705, tick=False)
    assert digests_queue() == 1  # the creator, by default; the co-coordinator chose nothing
    assert digests_queue() == 0
    row = CoordinatorMail.objects.get()
    assert (row.user, row.kind, row.day) == (coordinator, "digest", datetime.date(2026, 3, 4))
    assert send() == 1
    assert send() == 0
    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert message.subject == f"“{open_letter.title}”: 2 new signatures"
    assert "- Licadho (Organization)\n- សមាគម ខ្មែរ (Individual)\n" in message.body
    assert "The letter now lists 2 signatures." in message.body

    # Thursday: nothing happened since Wednesday 07:00; no summary.
    time_machine.move_to(THURSDAY_0705, tick=False)
    assert digests_queue() == 0
    assert CoordinatorMail.objects.count() == 1


def test_the_summary_follows_each_coordinators_choice(
    open_letter, coordinator, co_coordinator, stranger, time_machine
):
    mails_choose(letter=open_letter, user=coordinator, mails=CoordinatorMails.NONE)
    mails_choose(letter=open_letter, user=co_coordinator, mails=CoordinatorMails.DAILY)
    time_machine.move_to(TUESDAY_NOON, tick=False)
    listed(open_letter)
    time_machine.move_to(WEDNESDAY_0705, tick=False)
    assert digests_queue() == 1
    assert CoordinatorMail.objects.get().user == co_coordinator


def test_the_summary_counts_signatures_waiting_for_approval(open_letter, coordinator, time_machine):
    open_letter.requires_approval = True
    open_letter.save()
    time_machine.move_to(TUESDAY_NOON, tick=False)
    for n in range(3):
        listed(open_letter, name=f"Waiting {n}")
    time_machine.move_to(WEDNESDAY_0705, tick=False)
    digests_queue()
    send()
    (message,) = mail.outbox
    assert "3 signatures are waiting for your approval." in message.body
    assert "The letter now lists 0 signatures." in message.body


def test_the_summary_speaks_french_with_french_grouping(
    open_letter, coordinator, time_machine, settings, monkeypatch
):
    user_language_set(user=coordinator, language="fr")
    time_machine.move_to(TUESDAY_NOON, tick=False)
    listed(open_letter, name="Licadho")
    type(open_letter).objects.filter(pk=open_letter.pk).update(count_organizations=12345)
    time_machine.move_to(WEDNESDAY_0705, tick=False)
    digests_queue()
    send()
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "fr"
    assert "1 nouvelle signature" in message.subject
    assert "12\u202f345" in message.body


def test_a_signature_withdrawn_before_the_hour_makes_no_summary(
    open_letter, coordinator, time_machine
):
    time_machine.move_to(TUESDAY_NOON, tick=False)
    signature = listed(open_letter)
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.WITHDRAWN)
    time_machine.move_to(WEDNESDAY_0705, tick=False)
    assert digests_queue() == 0
