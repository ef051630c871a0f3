"""Finalizing and delivering a letter, tested through their effects: the snapshot, the delivery
and notice rows, the mails in the outbox, the tasks queued on commit, the audit trail."""

import datetime
import smtplib
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString

from letters_app import tasks
from letters_app.celery import app as celery_app
from letters_app.models import (
    AuditEvent,
    Delivery,
    Letter,
    LetterRecipient,
    LetterSnapshot,
    Recipient,
    Signature,
    SignerNotice,
)
from letters_app.rendering import (
    render_view_html,
    render_view_text,
    snapshot_render,
    snapshot_view,
)
from letters_app.services import deliveries, mails
from letters_app.services.deliveries import (
    DeliveryOutbox,
    content_sha256,
    letter_finalize,
    letter_mark_sent_if_done,
    signer_notices_resend,
    snapshot_content,
    snapshot_pdf_make,
)
from letters_app.services.letters import letter_close, letter_open
from letters_app.services.signatures import signature_confirm, signature_withdraw
from tests.clock import MIDDAY
from tests.factories import LetterFactory, RecipientFactory, SignatureFactory
from tests.mails import ago, make_due, send_due

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

D = Delivery.Status
PDF = b"%PDF-1.7 the letter as finalized"
SIGNERS = ["Ligue des droits", "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស", "Association Française"]


@pytest.fixture(autouse=True)
def _pdf_and_media(settings, tmp_path, monkeypatch):
    # The PDF's own tests render it; here it only has to be stored and attached.
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("letters_app.services.deliveries.render_letter_pdf", lambda snapshot: PDF)


@pytest.fixture
def recipients(db):
    return [
        RecipientFactory(name="Muntarbhorn", salutation="Dear Professor Muntarbhorn,"),
        RecipientFactory(name="Türk", salutation="Monsieur le Haut-Commissaire,"),
        RecipientFactory(name="Postal Office", email="", salutation="Dear Sir or Madam,"),
    ]


@pytest.fixture
def make_letter(coordinator):
    """A letter opened, signed by `signers` (listed), then closed unless told otherwise."""

    def make_letter(*, recipients, signers=SIGNERS, close=True):
        letter = LetterFactory(created_by=coordinator, recipients=recipients)
        letter = letter_open(letter=letter, actor=coordinator)
        for name in signers:
            signature = SignatureFactory(letter=letter, name=name, version=1)
            signature_confirm(signature=signature)
        if close:
            letter_close(letter=letter, actor=coordinator)
        letter.refresh_from_db()
        return letter

    return make_letter


@pytest.fixture
def closed_letter(make_letter, recipients):
    return make_letter(recipients=recipients)


@pytest.fixture
def finalize(coordinator, django_capture_on_commit_callbacks):
    """Finalize as the coordinator would, running everything it queues (PDF, sends, notices)."""

    def finalize(letter, *, execute=True):
        try:
            with django_capture_on_commit_callbacks(execute=execute) as callbacks:
                finalize.callbacks = callbacks  # filled in place, read by the tests
                return letter_finalize(letter=letter, actor=coordinator)
        finally:
            letter.refresh_from_db()

    return finalize


@pytest.fixture
def finalized(closed_letter, finalize):
    """Finalized with its PDF stored, the deliveries due (no worker has sent them yet)."""
    finalize(closed_letter, execute=False)
    snapshot_pdf_make(letter_id=closed_letter.pk)  # its own on-commit sends are not run
    return closed_letter


def run_send_task() -> int:
    """The worker's task, as the beat's tick or a wake-up runs it: how many mails went out."""
    return tasks.mails_send_task.apply().get()


def letter_mails(sent=None):
    """The letter's copies among mails sent (the outbox unless told): they carry its PDF."""
    return [m for m in (mail.outbox if sent is None else sent) if m.attachments]


def requeue_stuck() -> int:
    return tasks.mails_requeue_stuck_task.apply().get()


def delivery_of(letter, recipient) -> Delivery:
    return Delivery.objects.get(letter=letter, recipient=recipient)


# Finalizing ------------------------------------------------------------------------------------


def test_an_open_letter_is_refused_with_the_reason(make_letter, recipients, finalize):
    letter = make_letter(recipients=recipients, close=False)
    with pytest.raises(ValidationError) as refused:
        finalize(letter)
    assert refused.value.messages == [
        "Only a letter whose signing is closed can be finalized; this one is open for signing."
    ]
    assert letter.status == Letter.Status.OPEN
    assert not LetterSnapshot.objects.exists()
    assert not Delivery.objects.exists()
    assert finalize.callbacks == []


@pytest.mark.parametrize("run_tasks, status", [(False, "finalized"), (True, "sent")])
def test_a_finalized_letter_is_refused_a_second_time(closed_letter, finalize, run_tasks, status):
    first = finalize(closed_letter, execute=run_tasks)
    with pytest.raises(ValidationError) as refused:
        finalize(closed_letter)
    assert refused.value.messages == [
        f"Only a letter whose signing is closed can be finalized; this one is {status}."
    ]
    assert list(LetterSnapshot.objects.all()) == [first]
    assert Delivery.objects.count() == 3
    assert finalize.callbacks == []


def test_a_letter_without_recipients_or_signatories_is_refused_with_both_reasons(
    make_letter, recipients, finalize
):
    letter = make_letter(recipients=recipients, signers=[])
    LetterRecipient.objects.filter(letter=letter).delete()
    with pytest.raises(ValidationError) as refused:
        finalize(letter)
    assert refused.value.messages == [
        "The letter has no recipient.",
        "Nobody is listed as a signatory yet.",
    ]
    assert letter.status == Letter.Status.CLOSED
    assert not LetterSnapshot.objects.exists()


def test_a_rolled_back_finalization_queues_nothing(
    closed_letter, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            letter_finalize(letter=closed_letter, actor=coordinator)
            raise RuntimeError("the request failed after finalizing")
    assert callbacks == []
    closed_letter.refresh_from_db()
    assert closed_letter.status == Letter.Status.CLOSED
    assert not LetterSnapshot.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_the_snapshot_freezes_text_signatories_and_recipients_with_their_hash(
    closed_letter, recipients, finalize, coordinator
):
    snapshot = finalize(closed_letter, execute=False)
    content = snapshot.content
    assert content["letter"]["version"] == 1
    assert content["letter"]["title"] == closed_letter.title
    assert [(s["n"], s["line"].split(",")[0]) for s in content["signatories"]] == [
        (1, SIGNERS[0]), (2, SIGNERS[1]), (3, SIGNERS[2]),
    ]  # fmt: skip
    assert [r["id"] for r in content["recipients"]] == [r.pk for r in recipients]
    assert snapshot.signatory_count == 3
    assert (
        snapshot.sha256
        == content_sha256(content)
        == content_sha256(snapshot_content(closed_letter))
    )
    assert len(snapshot.sha256) == 64
    assert snapshot.created_by == coordinator
    event = AuditEvent.objects.get(letter=closed_letter, action="letter.finalized")
    assert (event.actor, event.from_status, event.to_status) == (
        coordinator, Letter.Status.CLOSED, Letter.Status.FINALIZED,
    )  # fmt: skip
    assert event.detail == {"sha256": snapshot.sha256, "signatories": 3}
    # Only the PDF is queued; it queues the deliveries once stored.
    assert len(finalize.callbacks) == 1


def test_nothing_done_after_finalization_changes_the_snapshot(closed_letter, finalize):
    snapshot = finalize(closed_letter, execute=False)
    before = (snapshot.content, snapshot.sha256)
    signature = Signature.objects.filter(letter=closed_letter).first()
    with pytest.raises(ValidationError):
        signature_withdraw(signature=signature)
    # Even a change behind the services' back leaves the frozen copy alone.
    Signature.objects.filter(pk=signature.pk).update(is_public=False, name="Changed")
    Recipient.objects.update(salutation="Hello,")
    snapshot = LetterSnapshot.objects.get(pk=snapshot.pk)
    assert (snapshot.content, snapshot.sha256) == before
    assert content_sha256(snapshot.content) == snapshot.sha256


# Delivering ------------------------------------------------------------------------------------


def test_each_recipient_gets_one_mail_with_the_pdf_and_their_salutation(
    closed_letter, recipients, finalize, coordinator
):
    finalize(closed_letter)

    muntarbhorn, turk, postal = recipients
    mails = {m.to[0]: m for m in letter_mails()}
    assert len(letter_mails()) == 2
    assert set(mails) == {muntarbhorn.email, turk.email}
    for recipient in (muntarbhorn, turk):
        message = mails[recipient.email]
        delivery = delivery_of(closed_letter, recipient)
        assert delivery.status == D.SENT
        assert delivery.attempts == 1
        assert message.attachments == [(f"{closed_letter.slug}.pdf", PDF, "application/pdf")]
        assert recipient.salutation in message.body
        assert message.subject == closed_letter.title
        assert message.reply_to == [coordinator.email]
        assert message.message()["Message-ID"] == delivery.message_id
        assert delivery.message_id == f"<letter-{closed_letter.pk}-{recipient.pk}@localhost>"
    assert "Dear Professor Muntarbhorn," not in mails[turk.email].body
    # The postal-only recipient is skipped by e-mail but listed in the letter.
    assert delivery_of(closed_letter, postal).status == D.POSTAL
    assert delivery_of(closed_letter, postal).get_status_display() == "Postal only"
    snapshot = LetterSnapshot.objects.get(letter=closed_letter)
    assert postal.pk in [r["id"] for r in snapshot.content["recipients"]]
    assert snapshot.pdf_status == LetterSnapshot.PdfStatus.READY
    assert closed_letter.status == Letter.Status.SENT


def test_each_copy_is_the_letter_as_rendered_for_its_recipient_alone(finalized, recipients):
    # Copies share one rendering of the frozen letter per language; each must still be exactly
    # the letter rendered for its recipient alone, the salutation escaped in HTML only.
    snapshot = LetterSnapshot.objects.get(letter=finalized)
    special = 'Chère <Dara> & "Sophea",'
    salutations = [special, "Dear Professor Muntarbhorn,", "", "Two  spaces ,"]
    for salutation in [*salutations, *salutations]:  # the second time from what was kept
        lv = snapshot_view(snapshot, salutation=salutation)
        view, html, text = snapshot_render(snapshot, salutation=salutation, language=lv.language)
        assert (html, text) == (render_view_html(lv), render_view_text(lv))
        assert isinstance(html, SafeString)  # not escaped again by the mail's template
        assert view == lv

    muntarbhorn, turk, _postal = recipients
    Recipient.objects.filter(pk=turk.pk).update(salutation=special)
    send_due()
    for recipient in (muntarbhorn, turk):
        assert delivery_of(finalized, recipient).status == D.SENT
    to_turk = next(m for m in mail.outbox if m.to == [turk.email])
    assert special in to_turk.body and "Dear Professor Muntarbhorn," not in to_turk.body
    assert "Chère &lt;Dara&gt; &amp; &quot;Sophea&quot;," in to_turk.alternatives[0].content


def test_each_signer_is_told_every_delivery_and_its_time_in_their_own_language(
    closed_letter, finalize, recipients
):
    Recipient.objects.filter(pk=recipients[0].pk).update(name="Muntarbhorn <b>& co</b>")
    french, english, _other = Signature.objects.filter(letter=closed_letter).order_by("pk")
    Signature.objects.filter(pk=french.pk).update(language="fr")
    finalize(closed_letter)

    notices = {m.to[0]: m for m in mail.outbox if not m.attachments}
    sent = Delivery.objects.filter(letter=closed_letter, status=D.SENT).select_related("recipient")
    assert len(sent) == 2
    # Each line as a template's date filter writes it, in the signer's language.
    when = Template('{{ t|date:"DATETIME_FORMAT" }} {{ t|date:"e" }}')
    lines = {}
    for signature, language in ((french, "fr"), (english, "en")):
        message = notices[signature.email]
        with translation.override(language):
            lines[language] = [f"{d.recipient}, {when.render(Context({'t': d.sent_at}))}"
                               for d in sent]  # fmt: skip
        for line in lines[language]:
            assert f"- {line}\n" in message.body
            assert f"<li>{escape(line)}</li>" in message.alternatives[0].content
    assert lines["fr"] != lines["en"]  # the dates are written in each signer's language
    html = notices[english.email].alternatives[0].content
    assert "Muntarbhorn &lt;b&gt;&amp; co&lt;/b&gt;" in html


def test_every_listed_signer_is_told_once_when_all_deliveries_ended(closed_letter, finalize):
    finalize(closed_letter)

    signers = sorted(Signature.objects.filter(letter=closed_letter).values_list("email", flat=True))
    notices = [m for m in mail.outbox if not m.attachments]
    assert sorted(m.to[0] for m in notices) == signers
    assert SignerNotice.objects.filter(status=SignerNotice.Status.SENT).count() == 3
    # Run again, the worker's task and the check that created them send nothing more.
    assert run_send_task() == 0
    assert letter_mark_sent_if_done(letter_id=closed_letter.pk) is False
    assert SignerNotice.objects.count() == 3
    assert len(mail.outbox) == 2 + 3


def test_running_the_send_task_twice_sends_each_mail_once(finalized, recipients):
    first, second = run_send_task(), run_send_task()
    assert (first, second) == (2 + len(SIGNERS), 0)  # the copies, then the signers' notices
    assert sorted(m.to[0] for m in letter_mails()) == sorted(r.email for r in recipients[:2])
    assert len(mail.outbox) == 2 + len(SIGNERS)
    for recipient in recipients[:2]:
        delivery = delivery_of(finalized, recipient)
        assert (delivery.status, delivery.attempts) == (D.SENT, 1)
    notices = SignerNotice.objects.filter(signature__letter=finalized)
    assert list(notices.values_list("status", "attempts").distinct()) == [("sent", 1)]


def test_a_delivery_held_by_another_worker_is_left_alone(finalized, recipients):
    held, other, _postal = (delivery_of(finalized, r) for r in recipients)
    Delivery.objects.filter(pk=held.pk).update(
        status=D.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert send_due() == 1
    assert [m.to for m in mail.outbox] == [[other.email]]
    held.refresh_from_db()
    assert (held.status, held.attempts) == (D.SENDING, 1)  # its worker records how it went
    finalized.refresh_from_db()
    assert finalized.status == Letter.Status.FINALIZED  # nobody is told before it has ended


def test_deliveries_wait_until_the_pdf_is_stored(closed_letter, recipients, finalize):
    finalize(closed_letter, execute=False)  # the PDF task has not run
    assert run_send_task() == 0
    rows = Delivery.objects.filter(letter=closed_letter)
    assert list(rows.order_by("pk").values_list("status", "due_at")) == [
        (D.QUEUED, None), (D.QUEUED, None), (D.POSTAL, None),
    ]  # fmt: skip
    assert mail.outbox == []

    snapshot_pdf_make(letter_id=closed_letter.pk)
    assert rows.filter(status=D.QUEUED, due_at__lte=timezone.now()).count() == 2
    assert run_send_task() == 2 + len(SIGNERS)
    assert len(letter_mails()) == 2


def test_the_pdf_task_run_twice_keeps_the_stored_pdf(finalized, monkeypatch):
    snapshot = LetterSnapshot.objects.get(letter=finalized)
    monkeypatch.setattr(
        "letters_app.services.deliveries.render_letter_pdf", lambda s: pytest.fail("rendered")
    )
    snapshot_pdf_make(letter_id=finalized.pk)
    assert LetterSnapshot.objects.get(pk=snapshot.pk).pdf.name == snapshot.pdf.name


# Mail servers that say no ----------------------------------------------------------------------


@pytest.mark.time_machine(MIDDAY, tick=False)  # the delays measured exactly
def test_a_temporary_error_is_retried_later_with_a_growing_delay(finalized, recipients, flaky):
    delivery = delivery_of(finalized, recipients[0])
    greylisted = smtplib.SMTPRecipientsRefused({delivery.email: (451, b"4.7.1 Greylisted")})
    flaky.reset([greylisted, None, greylisted])  # None: the second recipient's copy goes

    before = timezone.now()
    send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.RETRY, 1)
    assert delivery.last_error == "451 4.7.1 Greylisted"  # the server's words
    assert delivery.reason == (
        "The recipient's mail server refused the address (451 4.7.1 Greylisted)."
    )
    waited = delivery.due_at - before
    assert datetime.timedelta(seconds=30 * 0.75) <= waited <= datetime.timedelta(seconds=31)
    assert send_due() == 0  # not due yet
    assert letter_mails(flaky.sent) == [m for m in flaky.sent if m.to == [recipients[1].email]]

    make_due(Delivery.objects.filter(pk=delivery.pk))
    before = timezone.now()
    send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.RETRY, 2)
    waited = delivery.due_at - before
    assert datetime.timedelta(seconds=60 * 0.75) <= waited <= datetime.timedelta(seconds=61)

    make_due(Delivery.objects.filter(pk=delivery.pk))
    send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (D.SENT, 3, "")
    assert [m.to for m in letter_mails(flaky.sent)] == [[recipients[1].email], [delivery.email]]


def test_an_unreachable_server_puts_the_whole_batch_back_after_one_try(
    finalized, recipients, flaky
):
    flaky.reset(refusals=[ConnectionRefusedError(111, "Connection refused")])
    assert send_due() == 0
    assert flaky.connections == 1  # not once for each mail
    assert flaky.attempts == 0
    rows = [delivery_of(finalized, r) for r in recipients[:2]]
    for row in rows:
        assert (row.status, row.attempts, row.error_kind) == (D.RETRY, 1, "unreachable")
        assert "Connection refused" in row.last_error
        assert row.due_at > timezone.now()
    assert rows[0].reason == (
        "The mail server could not be reached ([Errno 111] Connection refused)."
    )

    # The server is back: the next try sends them both, over one connection.
    make_due(Delivery.objects.filter(pk__in=[row.pk for row in rows]))
    assert send_due(DeliveryOutbox) == 2
    assert flaky.connections == 2
    assert sorted(m.to[0] for m in letter_mails(flaky.sent)) == [r.email for r in rows]


def test_a_copy_that_cannot_be_made_fails_alone_and_blames_no_mail_server(
    finalized, recipients, flaky, monkeypatch
):
    # Its PDF gone from storage: no server was tried, and the rest of the batch still goes.
    from letters_app import emails

    build = emails.DELIVERY_BUILDERS[Delivery.Document.LETTER]
    broken = delivery_of(finalized, recipients[0])

    def build_or_miss_the_file(delivery):
        if delivery.pk == broken.pk:
            raise FileNotFoundError(2, "No such file or directory", "letters/x.pdf")
        return build(delivery)

    monkeypatch.setitem(emails.DELIVERY_BUILDERS, Delivery.Document.LETTER, build_or_miss_the_file)
    send_due(DeliveryOutbox)
    broken.refresh_from_db()
    assert (broken.status, broken.error_kind) == (D.FAILED, "other")
    assert "No such file or directory" in broken.reason
    assert "mail server" not in broken.reason
    assert [m.to for m in flaky.sent] == [[recipients[1].email]]


def test_retries_grow_to_the_cap_with_jitter_and_stop_when_the_time_is_up(settings):
    settings.MAIL_RETRY_BASE_SECONDS, settings.MAIL_RETRY_CAP_SECONDS = 30, 300
    settings.MAIL_RETRY_FOR_SECONDS = 3600
    now = timezone.now()

    def wait(attempts, queued_at=now):
        row = SimpleNamespace(attempts=attempts, queued_at=queued_at)
        return (mails.retry_at(row) - timezone.now()).total_seconds()

    first = [wait(1) for _ in range(50)]
    assert 30 * 0.75 - 1 <= min(first) and max(first) <= 30
    assert max(wait(n) for n in range(1, 30) for _ in range(5)) <= 300
    assert len({round(wait(4), 3) for _ in range(50)}) > 1  # jittered
    # The last try falls at the end of the time, then there is none.
    assert wait(20, queued_at=ago(3600 - 10)) <= 10
    assert mails.retry_at(SimpleNamespace(attempts=1, queued_at=ago(3600))) is None


@pytest.mark.parametrize(
    ("error", "words", "reason", "french"),
    [
        (
            smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.1.1 No such\n user")}),
            "550 5.1.1 No such user",
            "The recipient's mail server refused the address (550 5.1.1 No such user).",
            "Le serveur de messagerie du destinataire a refusé l'adresse (550 5.1.1 No such user).",
        ),
        (
            smtplib.SMTPDataError(554, b"5.7.1 Message rejected"),
            "554 5.7.1 Message rejected",
            "The mail server refused the message (554 5.7.1 Message rejected).",
            "Le serveur de messagerie a refusé le message (554 5.7.1 Message rejected).",
        ),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not owned", "cosign@localhost"),
            "553 5.7.1 Sender not owned",
            "The mail server refused the sender's address (553 5.7.1 Sender not owned).",
            "Le serveur de messagerie a refusé l'adresse de l'expéditeur (553 5.7.1 Sender not "
            "owned).",
        ),
        (
            smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server."),
            "SMTP AUTH extension not supported by server.",
            "The mail server answered with an error (SMTP AUTH extension not supported by "
            "server.).",
            "Le serveur de messagerie a répondu par une erreur (SMTP AUTH extension not "
            "supported by server.).",
        ),
    ],
    ids=lambda e: type(e).__name__ if isinstance(e, Exception) else "",
)
def test_a_permanent_error_fails_at_once_with_the_servers_words_in_plain_language(
    finalized, recipients, flaky, error, words, reason, french
):
    delivery = delivery_of(finalized, recipients[0])
    flaky.reset([error])
    send_due(DeliveryOutbox)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.FAILED, 1)
    assert delivery.due_at < timezone.now()  # not to be tried again
    assert delivery.last_error == words  # recorded as the server said it
    assert delivery.reason == reason  # explained in the reader's language
    with translation.override("fr"):
        assert delivery.reason == french
    # Tried once; the next recipient of the batch still gets theirs.
    assert flaky.attempts == 2
    assert [m.to for m in flaky.sent] == [[recipients[1].email]]
    assert send_due(DeliveryOutbox) == 0
    assert flaky.attempts == 2


def test_a_temporary_error_that_lasts_fails_once_the_time_for_retries_is_up(
    finalized, recipients, flaky, settings
):
    settings.MAIL_RETRY_FOR_SECONDS = 600
    delivery, other, _postal = (delivery_of(finalized, r) for r in recipients)
    Delivery.objects.filter(pk=delivery.pk).update(queued_at=ago(601), attempts=6)
    Delivery.objects.filter(pk=other.pk).update(due_at=ago(-3600))  # not this batch
    flaky.reset([smtplib.SMTPResponseException(421, b"4.3.2 Service not available")])
    send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.FAILED, 7)
    assert delivery.last_error == "421 4.3.2 Service not available"
    assert delivery.reason == (
        "The mail server answered with an error (421 4.3.2 Service not available)."
    )
    assert flaky.sent == []


def test_a_temporary_error_within_the_time_for_retries_is_tried_again(
    finalized, recipients, flaky, settings
):
    settings.MAIL_RETRY_FOR_SECONDS = 600
    delivery = delivery_of(finalized, recipients[0])
    Delivery.objects.filter(pk=delivery.pk).update(queued_at=ago(590), attempts=6)
    flaky.reset([smtplib.SMTPResponseException(421, b"4.3.2 Service not available")])
    send_due(DeliveryOutbox)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.RETRY, 7)
    # The last try falls when the time is up, not after.
    assert timezone.now() < delivery.due_at <= delivery.queued_at + datetime.timedelta(seconds=600)


def test_the_letter_is_sent_once_every_delivery_ended_even_a_failed_one(
    finalized, recipients, flaky, django_capture_on_commit_callbacks
):
    first, second, _postal = (delivery_of(finalized, r) for r in recipients)
    Delivery.objects.filter(pk=second.pk).update(due_at=ago(-60))  # the next batch
    flaky.reset([smtplib.SMTPDataError(554, b"Rejected")])
    with django_capture_on_commit_callbacks(execute=True):
        send_due()
        first.refresh_from_db()
        finalized.refresh_from_db()
        assert (first.status, finalized.status) == (D.FAILED, Letter.Status.FINALIZED)
        assert not SignerNotice.objects.exists()
        make_due(Delivery.objects.filter(pk=second.pk))
        send_due()
    finalized.refresh_from_db()
    assert finalized.status == Letter.Status.SENT
    assert AuditEvent.objects.filter(letter=finalized, action="letter.sent").count() == 1
    notices = SignerNotice.objects.filter(signature__letter=finalized)
    assert list(notices.values_list("status", flat=True)) == [SignerNotice.Status.SENT] * 3


def test_a_letter_that_missed_a_recipient_is_partly_delivered_until_it_reaches_them(
    finalized, recipients, flaky, coordinator, django_capture_on_commit_callbacks
):
    first, second, _postal = (delivery_of(finalized, r) for r in recipients)
    flaky.reset([smtplib.SMTPRecipientsRefused({first.email: (550, b"5.1.1 mailbox unavailable")})])
    send_due()
    finalized.refresh_from_db()
    assert (finalized.status, finalized.undelivered_count) == (Letter.Status.SENT, 1)
    assert finalized.shown_status == Letter.PARTLY_DELIVERED
    assert finalized.get_shown_status_display() == "Partly delivered"

    # Sent again: partly delivered while it is on its way, sent once it has arrived.
    first.refresh_from_db()
    deliveries.delivery_retry(delivery=first, actor=coordinator)
    finalized.refresh_from_db()
    assert (finalized.undelivered_count, finalized.shown_status) == (1, Letter.PARTLY_DELIVERED)
    send_due()
    assert delivery_of(finalized, recipients[0]).status == D.SENT
    finalized.refresh_from_db()
    assert (finalized.undelivered_count, finalized.shown_status) == (0, Letter.Status.SENT)
    assert finalized.get_shown_status_display() == "Sent"

    # A late recipient: partly delivered until their copy has gone out.
    late = deliveries.letter_add_late_recipient(
        letter=finalized, recipient=RecipientFactory(), actor=coordinator
    )
    finalized.refresh_from_db()
    assert finalized.shown_status == Letter.PARTLY_DELIVERED
    send_due()
    assert Delivery.objects.get(pk=late.pk).status == D.SENT
    finalized.refresh_from_db()
    assert finalized.shown_status == Letter.Status.SENT


def notices_in(sent) -> list:
    """The signers' notices among mails sent: the letter's copies carry its PDF."""
    return [m for m in sent if not m.attachments]


def test_signers_told_it_had_not_reached_everyone_are_told_once_when_it_has(
    finalized, recipients, flaky, coordinator, django_capture_on_commit_callbacks
):
    first, second, _postal = (delivery_of(finalized, r) for r in recipients)
    flaky.reset([smtplib.SMTPRecipientsRefused({first.email: (550, b"5.1.1 mailbox unavailable")})])
    with django_capture_on_commit_callbacks(execute=True):
        send_due()
    told = notices_in(flaky.sent)
    assert len(told) == len(SIGNERS)
    assert {m.subject for m in told} == {f"Partly delivered: {finalized.title}"}
    assert set(SignerNotice.objects.values_list("outcome", "follow_up")) == {("partly", "")}

    # Sent again, it arrives: each signer gets one short follow-up, and only one.
    flaky.sent.clear()
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):  # which sends it
        deliveries.delivery_retry(delivery=first, actor=coordinator)
    assert delivery_of(finalized, recipients[0]).status == D.SENT
    follow_ups = notices_in(flaky.sent)
    signers = finalized.signatures.values_list("email", flat=True)
    assert sorted(m.to[0] for m in follow_ups) == sorted(signers)
    for message in follow_ups:
        assert message.subject == f"Now delivered: {finalized.title}"
        assert "has now reached every recipient it was e-mailed to." in message.body
        assert "Not received (yet):" not in message.body
        assert f"{recipients[0]}, " in message.body  # received, with the time
    assert set(SignerNotice.objects.values_list("follow_up", flat=True)) == {D.SENT}

    flaky.sent.clear()
    assert run_send_task() == 0
    # A late recipient who then receives it changes nothing for the signers: told already.
    with django_capture_on_commit_callbacks(execute=True):  # which sends it
        late = deliveries.letter_add_late_recipient(
            letter=finalized, recipient=RecipientFactory(), actor=coordinator
        )
    assert Delivery.objects.get(pk=late.pk).status == D.SENT
    assert notices_in(flaky.sent) == []


def test_signers_told_it_was_delivered_get_no_follow_up(
    finalized, recipients, flaky, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_due()
    assert {m.subject for m in notices_in(flaky.sent)} == {f"Delivered: {finalized.title}"}
    flaky.sent.clear()
    # A late recipient not reached at first, then reached: the signers were never told otherwise.
    flaky.reset([smtplib.SMTPDataError(554, b"Rejected")])
    with django_capture_on_commit_callbacks(execute=True):  # which fails to send it
        late = deliveries.letter_add_late_recipient(
            letter=finalized, recipient=RecipientFactory(), actor=coordinator
        )
    late.refresh_from_db()
    assert late.status == D.FAILED
    finalized.refresh_from_db()
    assert finalized.shown_status == Letter.PARTLY_DELIVERED
    with django_capture_on_commit_callbacks(execute=True):  # which sends it
        deliveries.delivery_retry(delivery=late, actor=coordinator)
    assert Delivery.objects.get(pk=late.pk).status == D.SENT
    assert notices_in(flaky.sent) == []
    assert set(SignerNotice.objects.values_list("outcome", "follow_up")) == {("delivered", "")}


def test_a_notice_still_queued_when_the_letter_reached_everyone_says_delivered_once(
    finalized, recipients, flaky, coordinator, django_capture_on_commit_callbacks
):
    first, second, _postal = (delivery_of(finalized, r) for r in recipients)
    flaky.reset([smtplib.SMTPDataError(554, b"Rejected")])
    send_due(DeliveryOutbox)  # the notices wait in their queue
    assert SignerNotice.objects.filter(status=SignerNotice.Status.QUEUED).count() == len(SIGNERS)
    first.refresh_from_db()
    deliveries.delivery_retry(delivery=first, actor=coordinator)
    assert send_due(DeliveryOutbox) == 1
    assert delivery_of(finalized, recipients[0]).status == D.SENT

    assert run_send_task() == len(SIGNERS)
    assert {m.subject for m in notices_in(flaky.sent)} == {f"Delivered: {finalized.title}"}
    assert set(SignerNotice.objects.values_list("outcome", "follow_up")) == {("delivered", "")}


def test_a_notice_that_said_partly_while_the_letter_reached_everyone_is_followed_up(
    finalized, recipients, flaky, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    first, second, _postal = (delivery_of(finalized, r) for r in recipients)
    flaky.reset([smtplib.SMTPDataError(554, b"Rejected")])
    send_due(DeliveryOutbox)  # the notices wait in their queue
    # The letter reaches everyone while the first notice is on its way, written as partly.
    from letters_app import emails

    build = emails.signer_delivered_notice

    def build_then_deliver(signature, delivered, **kwargs):
        message = build(signature, delivered, **kwargs)
        failed = Delivery.objects.filter(pk=first.pk, status=D.FAILED).first()
        if failed:
            deliveries.delivery_retry(delivery=failed, actor=coordinator)
            assert send_due(DeliveryOutbox) == 1
        return message

    monkeypatch.setattr(emails, "signer_delivered_notice", build_then_deliver)
    assert run_send_task() == 2 * len(SIGNERS)  # the notices, then their follow-ups
    subjects = [m.subject for m in notices_in(flaky.sent)]
    assert subjects.count(f"Partly delivered: {finalized.title}") == len(SIGNERS)
    assert subjects.count(f"Now delivered: {finalized.title}") == len(SIGNERS)
    assert set(SignerNotice.objects.values_list("outcome", "follow_up")) == {("partly", D.SENT)}


def test_a_letter_to_postal_recipients_only_is_to_be_posted_not_sent(make_letter, finalize):
    postal = [RecipientFactory(email=""), RecipientFactory(email="")]
    letter = make_letter(recipients=postal)
    finalize(letter)

    assert letter.status == Letter.Status.SENT  # nothing is left to send
    assert (letter.emailed_count, letter.postal_count, letter.undelivered_count) == (0, 2, 0)
    assert letter.shown_status == Letter.TO_BE_POSTED
    assert letter.get_shown_status_display() == "To be posted"
    with translation.override("fr"):
        assert letter.get_shown_status_display() == "À envoyer par courrier postal"
    # The signers are told it is to be posted, not that it was sent.
    notices = [m for m in mail.outbox if not m.attachments]
    assert len(notices) == len(SIGNERS)
    for notice in notices:
        assert notice.subject == f"To be posted: {letter.title}"
        assert "It is to be posted with you listed as:" in notice.body
        assert "It was sent" not in notice.body
        assert "The final letter (PDF):" in notice.body
        assert "as sent" not in notice.body
        assert "It is to be posted with you listed as:" in notice.alternatives[0].content


def test_a_letter_emailed_to_some_and_posted_to_others_is_sent_with_both_counted(
    closed_letter, finalize
):
    finalize(closed_letter)
    assert (closed_letter.emailed_count, closed_letter.postal_count) == (2, 1)
    assert closed_letter.shown_status == Letter.Status.SENT
    (notice, *_others) = [m for m in mail.outbox if not m.attachments]
    assert "It was sent with you listed as:" in notice.body


def test_a_late_email_recipient_of_a_letter_to_be_posted_is_counted(
    make_letter, finalize, coordinator, django_capture_on_commit_callbacks
):
    letter = make_letter(recipients=[RecipientFactory(email="")])
    finalize(letter)
    assert letter.shown_status == Letter.TO_BE_POSTED
    with django_capture_on_commit_callbacks(execute=True):
        deliveries.letter_add_late_recipient(
            letter=letter, recipient=RecipientFactory(), actor=coordinator
        )
    letter.refresh_from_db()
    assert (letter.emailed_count, letter.postal_count, letter.undelivered_count) == (1, 1, 0)
    assert letter.shown_status == Letter.Status.SENT


def test_a_providers_status_and_message_id_are_kept_as_its_response(
    finalized, recipients, settings
):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    delivery = delivery_of(finalized, recipients[0])
    send_due(DeliveryOutbox)
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    # The test provider's message id is the message's place in its outbox.
    assert delivery.response == "sent 0"


def test_a_worker_that_stopped_is_explained_in_the_readers_language(
    finalized, recipients, monkeypatch
):
    delivery = delivery_of(finalized, recipients[0])
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(status=D.SENDING, claimed_at=long_ago)
    with translation.override("km"):  # whatever language the worker runs in
        requeue_stuck()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_kind) == (D.RETRY, "worker")
    assert delivery.reason == "The worker sending it stopped; sending again."
    with translation.override("fr"):
        assert (
            delivery.reason == "Le processus d'envoi s'est interrompu\u00a0; nouvel envoi en cours."
        )


# Header injection ------------------------------------------------------------------------------


def test_a_recipient_address_with_a_line_break_is_refused_at_entry(recipients):
    recipient = recipients[0]
    recipient.email = "rapporteur@example.org\r\nBcc: everyone@example.org"
    with pytest.raises(ValidationError) as refused:
        recipient.full_clean()
    assert "email" in refused.value.message_dict


def test_a_line_break_that_reaches_a_header_is_refused_by_the_mail_and_kept_as_reason(
    finalized, recipients
):
    delivery = delivery_of(finalized, recipients[0])
    # Past the form's validation, straight into the row.
    Delivery.objects.filter(pk=delivery.pk).update(email="a@example.org\r\nBcc: x@example.org")
    send_due(DeliveryOutbox)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.FAILED, 1)
    assert "linefeed or carriage return" in delivery.last_error
    assert [m.to for m in mail.outbox] == [[recipients[1].email]]  # the others still go


def test_line_breaks_in_the_title_name_or_salutation_never_make_a_header(finalized, recipients):
    recipient = recipients[0]
    evil = "Evil\r\nBcc: everyone@example.org"
    Recipient.objects.filter(pk=recipient.pk).update(name=evil, salutation=f"Dear {evil},")
    snapshot = LetterSnapshot.objects.get(letter=finalized)
    snapshot.content["letter"]["title"] = "Title\r\nBcc: everyone@example.org"
    LetterSnapshot.objects.filter(pk=snapshot.pk).update(content=snapshot.content)

    send_due(DeliveryOutbox)
    assert delivery_of(finalized, recipient).status == D.SENT
    (message,) = [m for m in mail.outbox if m.to == [recipient.email]]
    assert message.bcc == []
    parsed = message.message()
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Title Bcc: everyone@example.org"
    assert "Dear Evil" in message.body


# Stuck and lost mails ---------------------------------------------------------------------------


def test_a_delivery_stuck_in_sending_is_sent_again_after_the_timeout(
    finalized, recipients, settings
):
    stuck, recent, _postal = (delivery_of(finalized, r) for r in recipients)
    past = ago(settings.MAIL_STUCK_SECONDS + 1)
    Delivery.objects.filter(pk=stuck.pk).update(status=D.SENDING, claimed_at=past, attempts=1)
    Delivery.objects.filter(pk=recent.pk).update(status=D.SENDING, claimed_at=timezone.now())

    assert requeue_stuck() == 1
    assert run_send_task() == 1

    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (D.SENT, 2)
    assert recent.status == D.SENDING  # its worker may still be sending it
    assert [m.to for m in mail.outbox] == [[stuck.email]]
    # The same Message-ID as the first try: a duplicate is recognisable as one.
    assert mail.outbox[0].message()["Message-ID"] == stuck.message_id
    assert requeue_stuck() == 0


def test_a_wake_up_lost_with_the_broker_down_costs_nothing_and_the_tick_sends_it(
    finalized, recipients, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    delivery = delivery_of(finalized, recipients[0])
    Delivery.objects.filter(pk=delivery.pk).update(status=D.FAILED)
    delivery.refresh_from_db()

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(celery_app.tasks[mails.SEND_TASK], "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        deliveries.delivery_retry(delivery=delivery, actor=coordinator)  # does not raise
    delivery.refresh_from_db()
    assert delivery.status == D.QUEUED
    monkeypatch.undo()

    run_send_task()  # the beat's next tick
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert [m.to for m in letter_mails()].count([delivery.email]) == 1


def test_stuck_signer_notices_are_queued_again(closed_letter, finalize, settings):
    finalize(closed_letter)
    notice = SignerNotice.objects.first()
    SignerNotice.objects.filter(pk=notice.pk).update(
        status=SignerNotice.Status.SENDING, claimed_at=ago(settings.MAIL_STUCK_SECONDS + 1)
    )
    outbox_before = len(mail.outbox)

    assert requeue_stuck() == 1
    assert run_send_task() == 1

    notice.refresh_from_db()
    assert notice.status == SignerNotice.Status.SENT
    assert [m.to for m in mail.outbox[outbox_before:]] == [[notice.signature.email]]


# Sending again what failed ------------------------------------------------------------------------


def test_a_failed_delivery_is_sent_again_with_its_tries_started_over(
    finalized, recipients, flaky, coordinator, settings
):
    settings.MAIL_RETRY_FOR_SECONDS = 60
    delivery = delivery_of(finalized, recipients[0])
    Delivery.objects.filter(pk=delivery.pk).update(queued_at=ago(61))
    flaky.reset([smtplib.SMTPServerDisconnected("Connection unexpectedly closed")])
    send_due(DeliveryOutbox)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_kind) == (D.FAILED, "disconnected")

    deliveries.delivery_retry(delivery=delivery, actor=coordinator)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.QUEUED, 0)
    assert delivery.queued_at > ago(5)  # a new window for its retries
    assert send_due(DeliveryOutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (D.SENT, 1, "")
    assert [m.to for m in letter_mails(flaky.sent)].count([delivery.email]) == 1
    event = AuditEvent.objects.get(action="delivery.retried")
    assert (event.actor, event.detail) == (coordinator, {"recipient": str(recipients[0])})
    with pytest.raises(ValidationError):  # sent now: not again
        deliveries.delivery_retry(delivery=delivery, actor=coordinator)


def test_failed_signer_notices_and_follow_ups_are_sent_again(
    finalized, recipients, flaky, coordinator
):
    first, _second, _postal = (delivery_of(finalized, r) for r in recipients)
    # The first recipient refuses the letter; the first signer's notice cannot be sent.
    flaky.reset([
        smtplib.SMTPRecipientsRefused({first.email: (550, b"5.1.1 mailbox unavailable")}),
        None,  # the second recipient's copy
        smtplib.SMTPDataError(554, b"5.7.1 Rejected"),
    ])  # fmt: skip
    send_due()
    notices = SignerNotice.objects.filter(signature__letter=finalized).order_by("pk")
    failed = notices.first()
    assert list(notices.values_list("status", flat=True)) == ["failed", "sent", "sent"]
    assert failed.reason == "The mail server refused the message (554 5.7.1 Rejected)."

    assert signer_notices_resend(letter=finalized, actor=coordinator) == 1
    assert send_due() == 1
    failed.refresh_from_db()
    assert (failed.status, failed.outcome, failed.attempts) == ("sent", "partly", 1)
    told = [m for m in notices_in(flaky.sent) if m.to == [failed.signature.email]]
    assert [m.subject for m in told] == [f"Partly delivered: {finalized.title}"]

    # The letter reaches everyone; the first follow-up fails, then is sent again.
    flaky.errors.extend([None, smtplib.SMTPDataError(554, b"5.7.1 Rejected")])
    first.refresh_from_db()
    deliveries.delivery_retry(delivery=first, actor=coordinator)
    send_due()
    assert list(notices.values_list("follow_up", flat=True)) == ["failed", "sent", "sent"]
    assert signer_notices_resend(letter=finalized, actor=coordinator) == 1
    assert signer_notices_resend(letter=finalized, actor=coordinator) == 0  # queued already
    assert send_due() == 1
    assert set(notices.values_list("status", "follow_up")) == {("sent", "sent")}
    told = [m for m in notices_in(flaky.sent) if m.to == [failed.signature.email]]
    assert [m.subject for m in told] == [
        f"Partly delivered: {finalized.title}", f"Now delivered: {finalized.title}",
    ]  # fmt: skip
    assert [e.detail for e in AuditEvent.objects.filter(action="notices.resent")] == [
        {"count": 1}, {"count": 1},
    ]  # fmt: skip
