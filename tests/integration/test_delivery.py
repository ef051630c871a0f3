"""Delivering a finalized letter on the real parts: a Celery worker on the configured broker, an
SMTP server (aiosmtpd) that can refuse or be slow, and the test database."""

import collections
import datetime
import os
import signal

import pytest
from django.utils import timezone

from letters_app.models import Delivery, Letter, LetterSnapshot, SignerNotice
from letters_app.services.deliveries import letter_finalize
from letters_app.services.mails import mails_requeue_stuck
from letters_app.tasks import OUTBOXES, mails_send_task
from tests.factories import RecipientFactory
from tests.finalized import letter_closed
from tests.waiting import wait_until
from tests.workers import smtp_env

pytestmark = pytest.mark.integration

D = Delivery.Status
GREYLISTED = "greylisted@example.org"
REFUSED = "nobody@example.org"


@pytest.fixture
def worker_env(smtp_server):
    # A greylisted delivery comes back after a second, not after half a minute.
    return smtp_env(
        smtp_server,
        SMTP_TIMEOUT="10",
        MAIL_RETRY_BASE_SECONDS="1",
        MAIL_RETRY_CAP_SECONDS="2",
    )


def received(inbox, letter) -> dict[str, list]:
    """The letter's messages the server accepted, by recipient address."""
    by_address = collections.defaultdict(list)
    for rcpt_tos, message in inbox.messages:
        if str(message["Message-ID"]).startswith(f"<letter-{letter.pk}-"):
            for address in rcpt_tos:
                by_address[address].append(message)
    return by_address


def all_ended(letter) -> bool:
    return (
        Letter.objects.get(pk=letter.pk).status == Letter.Status.SENT
        and not SignerNotice.objects.filter(signature__letter=letter)
        .exclude(status=SignerNotice.Status.SENT)
        .exists()
    )


def test_every_recipient_gets_the_letter_once_a_4xx_is_retried_and_a_5xx_fails(
    smtp_server, celery_worker_process, celery_beat_process, coordinator
):
    inbox = smtp_server.inbox
    inbox.refuse(GREYLISTED, "451 4.7.1 Greylisted, please try again later", times=1)
    inbox.refuse(REFUSED, "550 5.1.1 No such user here")
    people = [
        RecipientFactory(name="Muntarbhorn", salutation="Dear Professor Muntarbhorn,"),
        RecipientFactory(name="Türk", salutation="Monsieur le Haut-Commissaire,"),
        RecipientFactory(name="Sok", salutation="ជម្រាបសួរ លោក សុខ,"),
        RecipientFactory(name="Grey", email=GREYLISTED, salutation="Dear Ms Grey,"),
        RecipientFactory(name="Nobody", email=REFUSED, salutation="Dear Nobody,"),
        RecipientFactory(name="Postal", email="", salutation="Dear Sir or Madam,"),
    ]
    letter = letter_closed(coordinator, people)

    letter_finalize(letter=letter, actor=coordinator)

    assert wait_until(lambda: all_ended(letter), timeout=60), list(
        Delivery.objects.values_list("email", "status", "last_error")
    )
    mails = received(inbox, letter)
    delivered = [r for r in people if r.email not in ("", REFUSED)]
    assert sorted(mails) == sorted(r.email for r in delivered)
    for recipient in delivered:
        (message,) = mails[recipient.email]  # exactly one each
        delivery = Delivery.objects.get(letter=letter, recipient=recipient)
        assert delivery.status == D.SENT
        assert message["Message-ID"] == delivery.message_id
        assert message["Subject"] == letter.title
        assert message["Reply-To"] == coordinator.email
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert recipient.salutation in body
        others = [r.salutation for r in people if r != recipient]
        assert not [s for s in others if s in body]
        (pdf,) = message.iter_attachments()
        assert pdf.get_filename() == f"{letter.slug}.pdf"
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_content().startswith(b"%PDF-")

    grey = Delivery.objects.get(letter=letter, email=GREYLISTED)
    assert (grey.status, grey.attempts, inbox.rcpt_attempts[GREYLISTED]) == (D.SENT, 2, 2)
    refused = Delivery.objects.get(letter=letter, email=REFUSED)
    assert (refused.status, refused.attempts, inbox.rcpt_attempts[REFUSED]) == (D.FAILED, 1, 1)
    assert "550" in refused.last_error and "No such user here" in refused.last_error
    postal = Delivery.objects.get(letter=letter, recipient=people[-1])
    assert postal.status == D.POSTAL
    assert LetterSnapshot.objects.get(letter=letter).pdf_status == LetterSnapshot.PdfStatus.READY

    # Each listed signer is told once that the letter went out.
    notices = [m for _to, m in inbox.messages if m not in sum(mails.values(), [])]
    signer_addresses = sorted(SignerNotice.objects.values_list("signature__email", flat=True))
    assert sorted(str(m["To"]) for m in notices) == signer_addresses
    assert len(signer_addresses) == 2

    # The worker, woken twice more, sends nothing more.
    sent = Delivery.objects.get(letter=letter, recipient=people[0])
    again = [mails_send_task.delay() for _ in range(2)]
    log = celery_worker_process.log_path
    assert wait_until(lambda: all(f"[{r.id}] succeeded" in log.read_text() for r in again))
    assert len(received(inbox, letter)[sent.email]) == 1
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (D.SENT, 1)


def test_a_worker_killed_mid_run_and_restarted_delivers_to_everyone(
    smtp_server, start_worker, coordinator, settings
):
    inbox = smtp_server.inbox
    inbox.delay = 0.2  # per message: the run lasts long enough to be interrupted
    people = [RecipientFactory(email=f"office{n}@example.org") for n in range(40)]
    letter = letter_closed(coordinator, people)
    worker = start_worker()

    letter_finalize(letter=letter, actor=coordinator)
    assert inbox.wait(lambda: len(inbox.messages) >= 10, timeout=60)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    claimed = Delivery.objects.filter(letter=letter, status=D.SENDING).count()
    sent_before = Delivery.objects.filter(letter=letter, status=D.SENT).count()
    assert claimed >= 1, "the kill came between two batches"
    assert sent_before < 40, "the kill came too late to interrupt anything"

    start_worker()
    # What the periodic task does once MAIL_STUCK_SECONDS have passed; here a second is
    # plenty, as a send takes a fifth of one.
    stuck_since = timezone.now()
    assert wait_until(lambda: timezone.now() - stuck_since > datetime.timedelta(seconds=1.5))
    settings.MAIL_STUCK_SECONDS = 1
    assert mails_requeue_stuck(outboxes=OUTBOXES) == claimed
    mails_send_task.delay()

    assert wait_until(lambda: all_ended(letter), timeout=60), list(
        Delivery.objects.exclude(status=D.SENT).values_list("email", "status", "last_error")
    )
    assert Delivery.objects.filter(letter=letter, status=D.SENT).count() == 40
    mails = received(inbox, letter)
    assert sorted(mails) == sorted(r.email for r in people)
    duplicates = sum(len(messages) - 1 for messages in mails.values())
    # A duplicate is possible only for the one message the server took just before the kill;
    # its Message-ID is the first one's, so the recipient's mail program can recognise it.
    assert duplicates <= 1
    for address, messages in mails.items():
        assert len({m["Message-ID"] for m in messages}) == 1, address
