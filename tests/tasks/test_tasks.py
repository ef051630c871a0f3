"""The mail task against a mail server that misbehaves: a temporary error is retried with
backoff, a permanent one is final."""

import smtplib

import pytest

from letters_app.models import Signature
from letters_app.services.signatures import signature_add
from letters_app.tasks import signature_mail_task
from tests.tasks.backends import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.tasks.backends.FlakyBackend"}}
    FlakyBackend.reset()
    yield FlakyBackend
    FlakyBackend.reset()


@pytest.fixture
def signature(open_letter):
    # Not run on commit: the test runs the task itself.
    signature, _created = signature_add(
        letter=open_letter, kind=Signature.Kind.ORGANIZATION, email="ada@example.org",
        name="Ligue des droits", consent_public=True,
    )  # fmt: skip
    return signature


def run(signature, kind="confirmation"):
    return signature_mail_task.apply(kwargs={"signature_id": signature.pk, "kind": kind})


TEMPORARY = [
    smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    smtplib.SMTPConnectError(421, b"Too many connections"),
    smtplib.SMTPResponseException(451, b"Try again later"),
    smtplib.SMTPDataError(452, b"Insufficient storage"),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError("timed out"),
]
PERMANENT = [
    smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"No such user")}),
    smtplib.SMTPResponseException(554, b"Transaction failed"),
    smtplib.SMTPAuthenticationError(535, b"Bad credentials"),
    smtplib.SMTPSenderRefused(553, b"Sender refused", "cosign@localhost"),
]


@pytest.mark.parametrize("error", TEMPORARY, ids=lambda e: type(e).__name__)
def test_a_temporary_error_is_retried_until_it_sends(flaky, signature, error):
    flaky.reset([error, error])
    result = run(signature)
    assert result.successful()
    assert flaky.attempts == 3
    assert [m.to for m in flaky.sent] == [["ada@example.org"]]


def test_retries_back_off(flaky, signature, monkeypatch):
    countdowns = []
    retry = signature_mail_task.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(signature_mail_task, "retry", spy)
    flaky.reset([smtplib.SMTPServerDisconnected()] * 3)
    assert run(signature).successful()
    assert countdowns == [30, 60, 120]


def test_a_temporary_error_that_lasts_gives_up_after_the_cap(flaky, signature):
    flaky.reset([smtplib.SMTPServerDisconnected()] * 20)
    result = run(signature)
    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
    assert flaky.attempts == signature_mail_task.max_retries + 1
    assert flaky.sent == []


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: type(e).__name__)
def test_a_permanent_error_gives_up_at_once(flaky, signature, error):
    flaky.reset([error])
    result = run(signature)
    assert result.failed()
    assert result.result is error
    assert flaky.attempts == 1
    assert flaky.sent == []


def test_each_kind_of_mail_goes_to_the_signer(flaky, signature):
    for kind in ("confirmation", "already_signed", "new_version"):
        assert run(signature, kind).successful()
    assert [m.to for m in flaky.sent] == [["ada@example.org"]] * 3
    subjects = [m.subject.split(":")[0] for m in flaky.sent]
    assert subjects == [
        "Confirm your signature",
        "You have already signed",
        "The letter you signed has changed",
    ]
