"""Finalizing a letter and delivering it: the snapshot, the PDF, and the delivery ledger that
sends each recipient the letter exactly once (see STYLE.md, "Exactly-once delivery")."""

import datetime
import hashlib
import json
import math
import random
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app.mail import reply_text
from letters_app.models import (
    TEXT_FIELDS,
    TRANSLATED_FIELDS,
    Delivery,
    Letter,
    LetterSnapshot,
    LetterVersion,
    Recipient,
    Signature,
    SignerNotice,
    language_name,
)
from letters_app.rendering import SIGNATORY_FIELDS, address_blocks, signatory_lines
from letters_app.services.audit import audit_record
from letters_app.services.letters import _transition

D = Delivery.Status
# Signer notices; deliveries read DELIVERY_MAX_ATTEMPTS.
MAX_ATTEMPTS = 8


# --- finalize ----------------------------------------------------------------------------------


def letter_finalize_problems(letter: Letter) -> list[str]:
    problems = []
    if letter.status != Letter.Status.CLOSED:
        problems.append(
            _("Only a letter whose signing is closed can be finalized; this one is %(s)s.")
            % {"s": letter.get_shown_status_display().lower()}
        )
    if not letter.letter_recipients.exists():
        problems.append(_("The letter has no recipient."))
    if not letter.signatures.filter(is_public=True).exists():
        problems.append(_("Nobody is listed as a signatory yet."))
    problems += _recipient_language_problems(letter)
    return problems


def _recipient_language_problems(letter: Letter) -> list[str]:
    """A recipient set to a translation that is not ready, or made from an older text version,
    stops finalizing rather than being sent the original instead: the coordinator chose that
    language for them, and a letter in another language than the one chosen, sent once and for
    all, is the surprise they would least expect."""
    current = {t.language: t for t in letter.translations.all() if t.is_current}
    problems = []
    for lr in letter.letter_recipients.select_related("recipient").exclude(language=""):
        if lr.language == letter.language or lr.language in current:
            continue
        problems.append(
            _(
                "%(name)s is to receive the %(language)s translation, which is not ready for "
                "the present text: mark it ready, or choose another language for them."
            )
            % {"name": lr.recipient, "language": language_name(lr.language)}
        )
    return problems


def snapshot_content(letter: Letter) -> dict:
    """The letter as it will be sent: what the SHA-256 covers. Published as it is (public
    letter-json), so it holds only what the letter shows: no recipient's e-mail address. Each
    text's To: blocks and signatory lines are written in that text's language (the original's,
    and each translation's), whatever language is active: finalizing from any interface gives
    the same content."""
    version = LetterVersion.objects.get(letter=letter, number=letter.version)
    letter_recipients = list(letter.letter_recipients.select_related("recipient"))
    recipients = [lr.recipient for lr in letter_recipients]
    # Every ready translation of the present text is frozen, whoever receives it: the public
    # PDF is offered in each of them.
    translations = [t for t in letter.translations.order_by("language") if t.is_current]
    signatures = letter.signatures.filter(is_public=True).order_by("number")
    rows = list(signatures.values_list(*SIGNATORY_FIELDS).iterator(chunk_size=2000))
    lines = signatory_lines(rows, letter.language)
    return {
        "letter": {
            "slug": letter.slug,
            "version": version.number,
            "date": letter.letter_date.isoformat() if letter.letter_date else None,
            "language": letter.language,
            **{name: getattr(version, name) for name in TEXT_FIELDS},
        },
        "translations": {
            t.language: {
                **{name: getattr(t, name) for name in TRANSLATED_FIELDS},
                "address_lines": address_blocks(recipients, t.language),
                "signatory_lines": signatory_lines(rows, t.language),
            }
            for t in translations
        },
        "recipients": [
            {
                "id": lr.recipient.pk,
                "address_lines": address_lines,
                "salutation": lr.recipient.salutation,
                "language": lr.language or letter.language,
            }
            for lr, address_lines in zip(
                letter_recipients, address_blocks(recipients, letter.language), strict=True
            )
        ],
        "signatories": [
            {"n": n, "line": line, "kind": row[0], "country": row[-1]}
            for n, (row, line) in enumerate(zip(rows, lines, strict=True), start=1)
        ],
    }


def canonical_json(content: dict) -> bytes:
    """The form the SHA-256 is taken of, and the bytes the public JSON serves (README,
    "Verifying a delivered letter"): keys sorted, no spaces, characters as UTF-8, not escaped."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_sha256(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


@transaction.atomic
def letter_finalize(*, letter: Letter, actor) -> LetterSnapshot:
    """Freeze the text, the numbered signatories and the recipients; make one delivery per
    recipient and queue the PDF, which queues the deliveries once it is stored. Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    problems = letter_finalize_problems(letter)
    if problems:
        raise ValidationError(problems)
    content = snapshot_content(letter)
    snapshot = LetterSnapshot.objects.create(
        letter=letter,
        version=letter.version,
        content=content,
        sha256=content_sha256(content),
        signatory_count=len(content["signatories"]),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for lr in letter.letter_recipients.select_related("recipient"):  # in the To: block's order
        _delivery_create(letter=letter, recipient=lr.recipient)
    _transition(
        letter, Letter.Status.FINALIZED, actor=actor, sha256=snapshot.sha256,
        signatories=snapshot.signatory_count,
    )  # fmt: skip
    transaction.on_commit(lambda: _tasks().letter_pdf_task.delay(letter_id=letter.pk))
    return snapshot


def _delivery_create(*, letter: Letter, recipient: Recipient, document=Delivery.Document.LETTER):
    return Delivery.objects.create(
        letter=letter,
        recipient=recipient,
        document=document,
        email=recipient.email,
        status=D.QUEUED if recipient.email else D.POSTAL,
        message_id=_message_id(letter, recipient, document),
    )


def _message_id(letter: Letter, recipient: Recipient, document: str) -> str:
    """The same for every attempt, so a duplicate is recognisable as one."""
    domain = urlsplit(settings.SITE_URL).hostname or "cosign.invalid"
    return f"<{document}-{letter.pk}-{recipient.pk}@{domain}>"


def _tasks():
    from letters_app import tasks  # tasks import the services

    return tasks


# --- the PDF -----------------------------------------------------------------------------------


def snapshot_pdf_make(*, letter_id: int) -> None:
    """Render and store the finalized letter's PDF, then queue what waits for it."""
    from letters_app.exports.letter_pdf import render_letter_pdf

    snapshot = LetterSnapshot.objects.select_related("letter").get(letter_id=letter_id)
    if snapshot.pdf_status == LetterSnapshot.PdfStatus.READY:
        # The task ran again (a redelivered message): the stored PDF stays the one sent.
        deliveries_queue(letter_id=letter_id)
        return
    try:
        pdf = render_letter_pdf(snapshot)
        translated = {
            language: render_letter_pdf(snapshot, language=language)
            for language in snapshot.content.get("translations", {})
        }
    except Exception as exc:
        LetterSnapshot.objects.filter(pk=snapshot.pk).update(
            pdf_status=LetterSnapshot.PdfStatus.FAILED, pdf_error=f"{type(exc).__name__}: {exc}"
        )
        raise
    name = f"{snapshot.letter.slug}-{snapshot.sha256[:12]}"
    translation_pdfs = {}
    for language, content in translated.items():
        stored = snapshot.pdf.storage.save(f"letters/{name}-{language}.pdf", ContentFile(content))
        translation_pdfs[language] = stored
    snapshot.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    LetterSnapshot.objects.filter(pk=snapshot.pk).update(
        pdf=snapshot.pdf.name,
        translation_pdfs=translation_pdfs,
        pdf_status=LetterSnapshot.PdfStatus.READY,
        pdf_error="",
    )
    deliveries_queue(letter_id=letter_id)


def deliveries_queue(*, letter_id: int) -> int:
    """Queue a send task for every delivery of the letter that waits to be sent."""
    ids = list(
        Delivery.objects.filter(letter_id=letter_id, status__in=Delivery.CLAIMABLE).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: _tasks().delivery_send_task.delay(delivery_id=pk))
    letter_mark_sent_if_done(letter_id=letter_id)
    return len(ids)


# --- sending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: int | None = None


def delivery_send(*, delivery_id: int) -> SendOutcome | None:
    """Claim the delivery, send it outside any transaction, record the outcome. Returns None when
    another worker holds it or it has ended."""
    from letters_app import emails

    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status__in=Delivery.CLAIMABLE).update(
        status=D.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if claimed != 1:
        return None
    delivery = Delivery.objects.select_related("letter__snapshot", "recipient").get(pk=delivery_id)
    try:
        message = emails.DELIVERY_BUILDERS[delivery.document](delivery)
        message.send()
    except Exception as exc:  # classified below; nothing may leave the row in "sending"
        return _delivery_failed(delivery, exc)
    Delivery.objects.filter(pk=delivery_id, status=D.SENDING).update(
        status=D.SENT,
        sent_at=timezone.now(),
        response=server_reply(message)[:500],
        last_error="",
        error_kind="",
        updated_at=timezone.now(),
    )
    letter_mark_sent_if_done(letter_id=delivery.letter_id)
    return SendOutcome(D.SENT)


def server_reply(message) -> str:
    """What the server answered to the message: the SMTP reply to its DATA ("250 2.0.0 Ok:
    queued as 4bX2"), or a provider's status and message id; "" from a backend that has none
    (the outbox folder)."""
    if getattr(message, "smtp_reply", ""):
        return message.smtp_reply
    status = getattr(message, "anymail_status", None)
    if status is None or status.message_id in (None, ""):
        return ""
    return " ".join([*sorted(status.status or ()), str(status.message_id)])


def delivery_error(exc: Exception) -> tuple[str, str]:
    """What ended a try: its kind (a key of DELIVERY_REASONS, which explains it in plain
    language) and the server's code and words, or the system's words when no server spoke."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient", "; ".join(reply_text(*reply) for reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        kind = {
            smtplib.SMTPSenderRefused: "sender",
            smtplib.SMTPDataError: "message",
            smtplib.SMTPAuthenticationError: "login",
        }.get(type(exc), "server")
        return kind, reply_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "disconnected", str(exc)
    if isinstance(exc, smtplib.SMTPException):
        return "server", str(exc)
    if isinstance(exc, AnymailError):
        return "provider", " ".join(str(exc).split())
    if isinstance(exc, OSError):  # refused connection, unknown host, timeout
        return "unreachable", str(exc)
    return "other", f"{type(exc).__name__}: {exc}"


def is_temporary(exc: Exception) -> bool:
    """4xx answers, refused or dropped connections and timeouts pass; anything else does not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        # An OSError too, but one the server will say again: no AUTH, no STARTTLS, a bad answer.
        return False
    status = getattr(exc, "status_code", None)  # django-anymail's API errors
    if status is not None:
        return status == 429 or status >= 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError))


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after `attempts` failed ones: doubling from the base, less up
    to a quarter at random (so that deliveries refused together do not return together), and
    never above the cap, which settings keep below the broker's visibility timeout."""
    delay = min(
        settings.DELIVERY_RETRY_CAP_SECONDS,
        settings.DELIVERY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return max(1, math.ceil(delay * random.uniform(0.75, 1.0)))  # noqa: S311 - jitter


def _delivery_failed(delivery: Delivery, exc: Exception) -> SendOutcome:
    kind, words = delivery_error(exc)
    error = {"last_error": words[:2000], "error_kind": kind, "updated_at": timezone.now()}
    if is_temporary(exc) and delivery.attempts < settings.DELIVERY_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk, status=D.SENDING).update(status=D.RETRY, **error)
        return SendOutcome(D.RETRY, retry_in=retry_delay(delivery.attempts))
    Delivery.objects.filter(pk=delivery.pk, status=D.SENDING).update(status=D.FAILED, **error)
    letter_mark_sent_if_done(letter_id=delivery.letter_id)
    return SendOutcome(D.FAILED)


def letter_mark_sent_if_done(*, letter_id: int) -> bool:
    """Count the e-mail recipients the letter has not reached yet, all its e-mail recipients and
    those it is to be posted to; once no letter delivery is waiting, the letter is sent and its
    signers are told. Called after every change of a delivery's status: counted under the
    letter's lock, the last count sees every change."""
    deliveries = Delivery.objects.filter(letter_id=letter_id, document=Delivery.Document.LETTER)
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        counts = deliveries.aggregate(
            undelivered_count=Count("pk", filter=~Q(status__in=(D.SENT, D.POSTAL))),
            emailed_count=Count("pk", filter=~Q(status=D.POSTAL)),
            postal_count=Count("pk", filter=Q(status=D.POSTAL)),
        )
        changed = {name: n for name, n in counts.items() if getattr(letter, name) != n}
        if changed:
            Letter.objects.filter(pk=letter_id).update(**changed)
        if letter.status == Letter.Status.SENT and changed.get("undelivered_count") == 0:
            signer_follow_ups_create(letter_id=letter_id)  # it has reached everyone now
        if letter.status != Letter.Status.FINALIZED:
            return False
        if deliveries.exclude(status__in=Delivery.ENDED).exists():
            return False
        _transition(letter, Letter.Status.SENT, actor=None)
        signer_notices_create(letter=letter)
    return True


def deliveries_requeue_stuck(*, older_than: datetime.timedelta | None = None) -> int:
    """Periodic: a delivery left in "sending" by a worker that died goes back in the queue, and
    one whose task was lost (queued or waiting to retry long past its time) gets a new task.
    Stuck signer notices are queued again too. Returns how many deliveries were requeued."""
    older_than = older_than or datetime.timedelta(seconds=settings.DELIVERY_STUCK_SECONDS)
    now = timezone.now()
    cutoff = now - older_than
    stuck = list(
        Delivery.objects.filter(status=D.SENDING, claimed_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    requeued = 0
    for pk in stuck:
        if Delivery.objects.filter(pk=pk, status=D.SENDING, claimed_at__lt=cutoff).update(
            status=D.RETRY, last_error="", error_kind="worker", updated_at=now
        ):
            _tasks().delivery_send_task.delay(delivery_id=pk)
            requeued += 1
    requeued += _deliveries_requeue_lost(cutoff=cutoff, now=now)
    letters = set(
        SignerNotice.objects.filter(
            status=SignerNotice.Status.SENDING, claimed_at__lt=cutoff
        ).values_list("signature__letter_id", flat=True)
    )
    SignerNotice.objects.filter(status=SignerNotice.Status.SENDING, claimed_at__lt=cutoff).update(
        status=SignerNotice.Status.QUEUED
    )
    follow_ups = SignerNotice.objects.filter(
        follow_up=SignerNotice.Status.SENDING, claimed_at__lt=cutoff
    )
    letters |= set(follow_ups.values_list("signature__letter_id", flat=True))
    follow_ups.update(follow_up=SignerNotice.Status.QUEUED)
    for letter_id in letters:  # the task that claimed them died with them
        _tasks().signer_notices_send_task.delay(letter_id=letter_id)
    return requeued


def _deliveries_requeue_lost(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """A task can be lost without its row saying so: the broker was down when it was queued, or
    a worker died between taking the message and claiming the row. A second task is harmless
    (the claim lets one through), so rows idle past the cutoff get one; `updated_at` moves on,
    so that a long queue is not queued again at every run."""
    retry_cutoff = cutoff - datetime.timedelta(seconds=settings.DELIVERY_RETRY_CAP_SECONDS)
    idle = Delivery.objects.filter(
        Q(status=D.QUEUED, updated_at__lt=cutoff) | Q(status=D.RETRY, updated_at__lt=retry_cutoff),
        letter__snapshot__pdf_status=LetterSnapshot.PdfStatus.READY,  # else the PDF task queues it
    )
    ids = list(idle.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, status__in=Delivery.CLAIMABLE).update(updated_at=now)
    for pk in ids:
        _tasks().delivery_send_task.delay(delivery_id=pk)
    return len(ids)


# --- coordinator actions -------------------------------------------------------------------------


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor) -> None:
    """Send a failed delivery again. Audited."""
    if delivery.status != D.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    Delivery.objects.filter(pk=delivery.pk, status=D.FAILED).update(
        status=D.RETRY, attempts=0, updated_at=timezone.now()
    )
    if delivery.document == Delivery.Document.LETTER:
        letter_mark_sent_if_done(letter_id=delivery.letter_id)  # counted as on its way again
    audit_record(
        letter=delivery.letter, actor=actor, action="delivery.retried",
        recipient=str(delivery.recipient),
    )  # fmt: skip
    transaction.on_commit(lambda: _tasks().delivery_send_task.delay(delivery_id=delivery.pk))


@transaction.atomic
def snapshot_pdf_retry(*, letter: Letter, actor) -> None:
    """Make a PDF that failed again; its deliveries follow once it is stored. Audited."""
    if not LetterSnapshot.objects.filter(
        letter=letter, pdf_status=LetterSnapshot.PdfStatus.FAILED
    ).update(pdf_status=LetterSnapshot.PdfStatus.PENDING, pdf_error=""):
        raise ValidationError(_("Only a PDF that could not be made is made again."))
    audit_record(letter=letter, actor=actor, action="letter.pdf_retried")
    transaction.on_commit(lambda: _tasks().letter_pdf_task.delay(letter_id=letter.pk))


@transaction.atomic
def letter_add_late_recipient(*, letter: Letter, recipient: Recipient, actor) -> Delivery:
    """Deliver a finalized or sent letter to one more recipient, with the same PDF. Audited."""
    if letter.status not in (Letter.Status.FINALIZED, Letter.Status.SENT):
        raise ValidationError(_("Only a finalized letter can be sent to a late recipient."))
    if Delivery.objects.filter(
        letter=letter, recipient=recipient, document=Delivery.Document.LETTER
    ).exists():
        raise ValidationError(_("%(name)s already receives this letter.") % {"name": recipient})
    delivery = _delivery_create(letter=letter, recipient=recipient)
    letter_mark_sent_if_done(letter_id=letter.pk)  # not reached yet: partly delivered till then
    audit_record(letter=letter, actor=actor, action="delivery.late", recipient=str(recipient))
    snapshot = letter.snapshot
    if delivery.status == D.QUEUED and snapshot.pdf_status == LetterSnapshot.PdfStatus.READY:
        transaction.on_commit(lambda: _tasks().delivery_send_task.delay(delivery_id=delivery.pk))
    return delivery


# --- signer notices ------------------------------------------------------------------------------


def signer_notices_create(*, letter: Letter) -> int:
    """One notice per listed signer who can be mailed (imported names have no address)."""
    signatures = Signature.objects.filter(letter=letter, is_public=True, notice__isnull=True)
    signatures = signatures.exclude(email="")
    notices = [SignerNotice(signature_id=pk) for pk in signatures.values_list("pk", flat=True)]
    SignerNotice.objects.bulk_create(notices, batch_size=1000, ignore_conflicts=True)
    transaction.on_commit(lambda: _tasks().signer_notices_send_task.delay(letter_id=letter.pk))
    return len(notices)


def signer_follow_ups_create(*, letter_id: int) -> int:
    """Queue one follow-up for each signer told the letter had not reached every recipient
    yet; called under the letter's lock once it has. Never twice for the same notice."""
    told_partly = SignerNotice.objects.filter(
        signature__letter_id=letter_id, outcome="partly", follow_up=""
    )
    queued = told_partly.update(follow_up=SignerNotice.Status.QUEUED, attempts=0)
    if queued:
        transaction.on_commit(lambda: _tasks().signer_notices_send_task.delay(letter_id=letter_id))
    return queued


def signer_notices_send(*, letter_id: int, batch: int = 200) -> int:
    """Send up to `batch` queued notices, then up to `batch` queued follow-ups, each claimed
    first; returns how many went out."""
    from letters_app import emails

    letter_deliveries = Delivery.objects.filter(
        letter_id=letter_id, document=Delivery.Document.LETTER
    ).select_related("recipient")
    notices = SignerNotice.objects.filter(signature__letter_id=letter_id)
    sent = 0
    for field in ("status", "follow_up"):  # follow-ups read after the notices, with what changed
        queued = notices.filter(**{field: SignerNotice.Status.QUEUED}).values_list("pk", flat=True)
        ids = list(queued[:batch])
        # .all(): read again, as a delivery may have arrived since the notices were written.
        delivered = emails.DeliveredList(list(letter_deliveries.all())) if ids else None
        for pk in ids:
            sent += _signer_notice_send(pk, delivered, field=field)
    return sent


def _signer_notice_send(pk: int, delivered, *, field: str) -> int:
    """Claim the notice (`field` "status") or its follow-up ("follow_up"), send it, record the
    outcome; 1 if it went out."""
    from letters_app import emails

    N = SignerNotice.Status
    if not SignerNotice.objects.filter(pk=pk, **{field: N.QUEUED}).update(
        **{field: N.SENDING}, claimed_at=timezone.now(), attempts=F("attempts") + 1
    ):
        return 0
    notice = SignerNotice.objects.select_related("signature__letter").get(pk=pk)
    follow_up = field == "follow_up"
    try:
        emails.signer_delivered_notice(notice.signature, delivered, follow_up=follow_up).send()
    except Exception as exc:  # kept on the row; the letter is delivered whatever happens here
        status = N.QUEUED if is_temporary(exc) and notice.attempts < MAX_ATTEMPTS else N.FAILED
        SignerNotice.objects.filter(pk=pk).update(**{field: status}, last_error=str(exc)[:2000])
        return 0
    if follow_up:
        SignerNotice.objects.filter(pk=pk).update(follow_up=N.SENT)
    elif delivered.outcome == "partly":
        # Under the letter's lock, as signer_follow_ups_create: a letter that reached everyone
        # while this notice was being sent gets it followed up all the same.
        fields = {"status": N.SENT, "sent_at": timezone.now(), "outcome": "partly"}
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=notice.signature.letter_id)
            if not letter.undelivered_count:
                fields |= {"follow_up": N.QUEUED, "attempts": 0}
            SignerNotice.objects.filter(pk=pk).update(**fields)
    else:
        SignerNotice.objects.filter(pk=pk).update(
            status=N.SENT, sent_at=timezone.now(), outcome=delivered.outcome
        )
    return 1
