"""The worker's mail task against a mail server that misbehaves, with a signer's mails: a
temporary error is tried again later, until the time for retries is up; a permanent one is
final, and a coordinator can have it sent again."""

import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from letters_app import tasks
from letters_app.models import AuditEvent, Signature, SignerMail
from letters_app.services.signatures import signature_add, signer_mail_resend
from tests.mails import ago, make_due

pytestmark = pytest.mark.django_db

M = SignerMail.Status


@pytest.fixture
def signature(open_letter):
    # Its confirmation mail is written with it; no worker has sent it yet.
    signature, _created = signature_add(
        letter=open_letter, kind=Signature.Kind.ORGANIZATION, email="ada@example.org",
        name="Ligue des droits", consent_public=True,
    )  # fmt: skip
    return signature


def run() -> int:
    """The worker's task, as the beat's tick runs it: how many mails went out."""
    return tasks.mails_send_task.apply().get()


def confirmation(signature) -> SignerMail:
    return SignerMail.objects.get(signature=signature, kind=SignerMail.Kind.CONFIRMATION)


TEMPORARY = [
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "disconnected",
     "Connection unexpectedly closed"),
    (smtplib.SMTPConnectError(421, b"Too many connections"), "server", "421 Too many connections"),
    (smtplib.SMTPResponseException(451, b"Try again later"), "server", "451 Try again later"),
    (smtplib.SMTPDataError(452, b"Insufficient storage"), "message", "452 Insufficient storage"),
    (ConnectionRefusedError(111, "Connection refused"), "unreachable",
     "[Errno 111] Connection refused"),
    (TimeoutError("timed out"), "unreachable", "timed out"),
]  # fmt: skip
PERMANENT = [
    (smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"No such user")}), "recipient",
     "550 No such user"),
    (smtplib.SMTPResponseException(554, b"Transaction failed"), "server",
     "554 Transaction failed"),
    (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), "login", "535 Bad credentials"),
    (smtplib.SMTPSenderRefused(553, b"Sender refused", "cosign@localhost"), "sender",
     "553 Sender refused"),
]  # fmt: skip


def ids(case):
    return type(case[0]).__name__


@pytest.mark.parametrize(("error", "kind", "words"), TEMPORARY, ids=[ids(c) for c in TEMPORARY])
def test_a_temporary_error_is_tried_again_later_until_it_sends(
    flaky, signature, error, kind, words
):
    flaky.reset([error])
    assert run() == 0
    mail = confirmation(signature)
    assert (mail.status, mail.attempts, mail.error_kind, mail.last_error) == (
        M.RETRY, 1, kind, words,
    )  # fmt: skip
    assert mail.due_at > timezone.now()
    assert run() == 0  # not due yet: nothing is tried
    assert flaky.attempts == 1

    make_due(SignerMail.objects.filter(pk=mail.pk))
    assert run() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == (M.SENT, 2, "")
    assert [m.to for m in flaky.sent] == [["ada@example.org"]]


def test_a_temporary_error_that_lasts_fails_once_the_time_for_retries_is_up(
    flaky, signature, settings
):
    settings.MAIL_RETRY_FOR_SECONDS = 300
    SignerMail.objects.filter(signature=signature).update(queued_at=ago(301), attempts=5)
    flaky.reset([smtplib.SMTPServerDisconnected("Connection unexpectedly closed")])
    assert run() == 0
    mail = confirmation(signature)
    assert (mail.status, mail.attempts) == (M.FAILED, 6)
    assert mail.reason == (
        "The mail server closed the connection (Connection unexpectedly closed)."
    )
    assert flaky.sent == []


@pytest.mark.parametrize(("error", "kind", "words"), PERMANENT, ids=[ids(c) for c in PERMANENT])
def test_a_permanent_error_fails_at_once_with_the_servers_words(
    flaky, signature, error, kind, words
):
    flaky.reset([error])
    assert run() == 0
    mail = confirmation(signature)
    assert (mail.status, mail.attempts, mail.error_kind, mail.last_error) == (
        M.FAILED, 1, kind, words,
    )  # fmt: skip
    make_due(SignerMail.objects.filter(pk=mail.pk))
    assert run() == 0  # failed is final
    assert flaky.attempts == 1
    assert flaky.sent == []


def test_running_the_task_twice_sends_each_mail_once(flaky, signature):
    assert (run(), run()) == (1, 0)
    assert [m.to for m in flaky.sent] == [["ada@example.org"]]
    mail = confirmation(signature)
    assert (mail.status, mail.attempts) == (M.SENT, 1)
    assert mail.sent_at is not None


def test_each_kind_of_mail_goes_to_the_signer(flaky, signature):
    for kind in (SignerMail.Kind.ALREADY_SIGNED, SignerMail.Kind.NEW_VERSION):
        SignerMail.objects.create(signature=signature, kind=kind)
    assert run() == 3
    assert [m.to for m in flaky.sent] == [["ada@example.org"]] * 3
    subjects = [m.subject.split(":")[0] for m in flaky.sent]
    assert subjects == [
        "Confirm your signature",
        "You have already signed",
        "The letter you signed has changed",
    ]


def test_a_mail_stuck_in_sending_is_sent_again(flaky, signature, settings):
    SignerMail.objects.filter(signature=signature).update(
        status=M.SENDING, claimed_at=ago(settings.MAIL_STUCK_SECONDS + 1), attempts=1
    )
    assert run() == 0  # another worker may still be sending it
    assert tasks.mails_requeue_stuck_task.apply().get() == 1
    assert run() == 1
    mail = confirmation(signature)
    assert (mail.status, mail.attempts) == (M.SENT, 2)
    assert [m.to for m in flaky.sent] == [["ada@example.org"]]


def test_a_failed_mail_to_a_signer_is_sent_again(flaky, signature, coordinator):
    flaky.reset([smtplib.SMTPResponseException(554, b"Transaction failed")])
    run()
    mail = confirmation(signature)
    assert mail.status == M.FAILED

    signer_mail_resend(mail=mail, actor=coordinator)
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (M.QUEUED, 0)
    assert run() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == (M.SENT, 1, "")
    assert [m.to for m in flaky.sent] == [["ada@example.org"]]
    event = AuditEvent.objects.get(action="signature.mail_resent")
    assert (event.actor, event.detail) == (
        coordinator, {"signature": signature.pk, "kind": "confirmation"},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Only a mail that could not be sent"):
        signer_mail_resend(mail=mail, actor=coordinator)  # sent: not again
    assert run() == 0
