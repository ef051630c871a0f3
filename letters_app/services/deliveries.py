"""Finalizing a letter and delivering it: the snapshot, the PDF, and the delivery ledger that
sends each recipient the letter exactly once (see STYLE.md, "Exactly-once delivery")."""

import hashlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app import emails
from letters_app.celery import queue_on_commit
from letters_app.exports.letter_pdf import render_letter_pdf
from letters_app.models import (
    TEXT_FIELDS,
    TRANSLATED_FIELDS,
    AuditAction,
    Delivery,
    Letter,
    LetterSnapshot,
    LetterVersion,
    Recipient,
    Signature,
    SignerNotice,
    WebhookEventType,
    language_name,
)
from letters_app.rendering import SIGNATORY_FIELDS, address_blocks, signatory_lines
from letters_app.services import mails, webhooks
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.letters import letter_status_change

D = Delivery.Status


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
def letter_finalize(*, letter: Letter, actor: Actor) -> LetterSnapshot:
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
        created_by=actor_user(actor),
    )
    for lr in letter.letter_recipients.select_related("recipient"):  # in the To: block's order
        delivery_create(letter=letter, recipient=lr.recipient, due=False)  # once the PDF is made
    letter = letter_status_change(
        letter, Letter.Status.FINALIZED, actor=actor, sha256=snapshot.sha256,
        signatories=snapshot.signatory_count,
    )  # fmt: skip
    webhooks.webhook_event_emit(letter=letter, type=WebhookEventType.LETTER_FINALIZED,
                                data=webhooks.finalized_data(snapshot))  # fmt: skip
    queue_on_commit("letter_pdf_task", letter_id=letter.pk)
    return snapshot


def delivery_create(
    *, letter: Letter, recipient: Recipient, due: bool, document: str = Delivery.Document.LETTER
) -> Delivery:
    """The recipient's row, to be sent now (`due`) or once the letter's PDF is stored; a
    recipient without an e-mail address gets the letter by post."""
    return Delivery.objects.create(
        letter=letter,
        recipient=recipient,
        document=document,
        email=recipient.email,
        status=D.QUEUED if recipient.email else D.POSTAL,
        message_id=_message_id(letter, recipient, document),
        due_at=timezone.now() if due and recipient.email else None,
    )


def _message_id(letter: Letter, recipient: Recipient, document: str) -> str:
    """The same for every attempt, so a duplicate is recognisable as one."""
    domain = urlsplit(settings.SITE_URL).hostname or "cosign.invalid"
    return f"<{document}-{letter.pk}-{recipient.pk}@{domain}>"


# --- the PDF -----------------------------------------------------------------------------------


def snapshot_pdf_make(*, letter_id: int) -> None:
    """Render and store the finalized letter's PDF, then queue what waits for it."""
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
    """Make the letter's deliveries due, now that its PDF is stored; returns how many."""
    now = timezone.now()
    due = Delivery.objects.filter(
        letter_id=letter_id, status__in=Delivery.CLAIMABLE, due_at__isnull=True
    ).update(due_at=now, queued_at=now, updated_at=now)
    if due:
        mails.mails_kick_on_commit()
    letter_mark_sent_if_done(letter_id=letter_id)
    return due


# --- sending -----------------------------------------------------------------------------------


class DeliveryOutbox(mails.Outbox):
    """The letter or its press release to one recipient; the letter is sent once every
    recipient's delivery has ended."""

    model = Delivery
    batch = 20  # each carries the letter's PDF
    select_related = ("letter__snapshot", "letter__created_by", "recipient")

    def build(self, row: Delivery) -> EmailMessage:
        return emails.DELIVERY_BUILDERS[row.document](row)

    def update(self, row: Delivery, **fields: Any) -> int:
        changed = super().update(row, **fields, updated_at=timezone.now())
        if changed:  # sent, or failed for good: the letter's webhooks are told
            webhooks.webhook_delivery_outcome_emit(delivery=row, fields=fields)
        return changed

    def done(self, rows: list[Delivery]) -> None:
        for letter_id in sorted({row.letter_id for row in rows}):
            letter_mark_sent_if_done(letter_id=letter_id)


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
        letter_status_change(letter, Letter.Status.SENT, actor=None)
        signer_notices_create(letter=letter)
    return True


# --- coordinator actions -------------------------------------------------------------------------


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor: Actor) -> None:
    """Send a failed delivery again. Audited."""
    if delivery.status != D.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    mails.rows_resend(DeliveryOutbox(), Delivery.objects.filter(pk=delivery.pk))
    if delivery.document == Delivery.Document.LETTER:
        letter_mark_sent_if_done(letter_id=delivery.letter_id)  # counted as on its way again
    audit_record(
        letter=delivery.letter, actor=actor, action=AuditAction.DELIVERY_RETRIED,
        recipient=str(delivery.recipient),
    )  # fmt: skip
    mails.mails_kick_on_commit()


@transaction.atomic
def snapshot_pdf_retry(*, letter: Letter, actor: Actor) -> None:
    """Make a PDF that failed again; its deliveries follow once it is stored. Audited."""
    if not LetterSnapshot.objects.filter(
        letter=letter, pdf_status=LetterSnapshot.PdfStatus.FAILED
    ).update(pdf_status=LetterSnapshot.PdfStatus.PENDING, pdf_error=""):
        raise ValidationError(_("Only a PDF that could not be made is made again."))
    audit_record(letter=letter, actor=actor, action=AuditAction.LETTER_PDF_RETRIED)
    queue_on_commit("letter_pdf_task", letter_id=letter.pk)


@transaction.atomic
def letter_add_late_recipient(*, letter: Letter, recipient: Recipient, actor: Actor) -> Delivery:
    """Deliver a finalized or sent letter to one more recipient, with the same PDF. Audited."""
    if letter.status not in Letter.FROZEN:
        raise ValidationError(_("Only a finalized letter can be sent to a late recipient."))
    if Delivery.objects.filter(
        letter=letter, recipient=recipient, document=Delivery.Document.LETTER
    ).exists():
        raise ValidationError(_("%(name)s already receives this letter.") % {"name": recipient})
    pdf_ready = letter.snapshot.pdf_status == LetterSnapshot.PdfStatus.READY
    delivery = delivery_create(letter=letter, recipient=recipient, due=pdf_ready)
    letter_mark_sent_if_done(letter_id=letter.pk)  # not reached yet: partly delivered till then
    audit_record(
        letter=letter, actor=actor, action=AuditAction.DELIVERY_LATE, recipient=str(recipient)
    )
    mails.mails_kick_on_commit()
    return delivery


# --- signer notices ------------------------------------------------------------------------------


def signer_notices_create(*, letter: Letter) -> int:
    """One notice per listed signer who can be mailed (imported names have no address)."""
    signatures = Signature.objects.filter(letter=letter, is_public=True, notice__isnull=True)
    signatures = signatures.exclude(email="")
    notices = [SignerNotice(signature_id=pk) for pk in signatures.values_list("pk", flat=True)]
    SignerNotice.objects.bulk_create(notices, batch_size=1000, ignore_conflicts=True)
    mails.mails_kick_on_commit()
    return len(notices)


def signer_follow_ups_create(*, letter_id: int) -> int:
    """Queue one follow-up for each signer told the letter had not reached every recipient
    yet; called under the letter's lock once it has. Never twice for the same notice."""
    now = timezone.now()
    told_partly = SignerNotice.objects.filter(
        signature__letter_id=letter_id, outcome="partly", follow_up=""
    ).exclude(signature__email="")  # an address erased since: nobody to tell
    queued = told_partly.update(
        follow_up=SignerNotice.Status.QUEUED, attempts=0, due_at=now, queued_at=now
    )
    if queued:
        mails.mails_kick_on_commit()
    return queued


@transaction.atomic
def signer_notices_resend(*, letter: Letter, actor: Actor) -> int:
    """Send the letter's failed signer notices and follow-ups again. Audited."""
    done = 0
    for outbox in (NoticeOutbox(), FollowUpOutbox()):
        done += mails.rows_resend(outbox, SignerNotice.objects.filter(signature__letter=letter))
    if done:
        audit_record(letter=letter, actor=actor, action=AuditAction.NOTICES_RESENT, count=done)
        mails.mails_kick_on_commit()
    return done


class NoticeOutbox(mails.Outbox):
    """Signers told which recipients received the letter they signed. The list of deliveries
    is read and written once per letter for the whole batch."""

    model = SignerNotice
    claimable = (SignerNotice.Status.QUEUED,)
    retry_status = SignerNotice.Status.QUEUED
    batch = 200
    select_related = ("signature__letter",)

    def load(self, ids: list[int]) -> list[SignerNotice]:
        rows = super().load(ids)
        letters = {row.signature.letter_id for row in rows}
        deliveries = Delivery.objects.filter(
            letter_id__in=letters, document=Delivery.Document.LETTER
        ).select_related("recipient")
        by_letter: dict[int, list[Delivery]] = {pk: [] for pk in letters}
        for delivery in deliveries:
            by_letter[delivery.letter_id].append(delivery)
        self.delivered = {pk: emails.DeliveredList(d) for pk, d in by_letter.items()}
        return rows

    def build(self, row: SignerNotice) -> EmailMessage:
        delivered = self.delivered[row.signature.letter_id]
        return emails.signer_delivered_notice(
            row.signature, delivered, follow_up=self.field == "follow_up"
        )

    def sent(self, row: SignerNotice, *, reply: str, now: datetime) -> None:
        N = SignerNotice.Status
        delivered = self.delivered[row.signature.letter_id]
        fields = {"status": N.SENT, "sent_at": now, "response": reply[:500], "last_error": "",
                  "error_kind": "", "outcome": delivered.outcome}  # fmt: skip
        if delivered.outcome != "partly":
            self.update(row, **fields)
            return
        # Under the letter's lock, as signer_follow_ups_create: a letter that reached everyone
        # while this notice was being sent gets it followed up all the same.
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=row.signature.letter_id)
            if not letter.undelivered_count:
                fields |= {"follow_up": N.QUEUED, "attempts": 0, "due_at": now, "queued_at": now}
                mails.mails_kick_on_commit()
            self.update(row, **fields)


class FollowUpOutbox(NoticeOutbox):
    """The short follow-up once a partly delivered letter has reached everyone."""

    field = "follow_up"

    def sent(self, row: SignerNotice, *, reply: str, now: datetime) -> None:
        self.update(row, follow_up=SignerNotice.Status.SENT, response=reply[:500],
                    last_error="", error_kind="")  # fmt: skip
