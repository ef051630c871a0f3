"""Signers' personal data: erased when a signer (or an admin) asks, and their e-mail and IP
addresses removed SIGNER_DATA_RETENTION_DAYS after their letter is sent.

An erased address leaves `email` and `email_domain` empty and `email_normalized` holding
`erased:<signature id>`, as imported names hold `imported:<hex>`: no normalized address is
without an "@", so the constraint "one signature per address and letter" stays unconditional for
real addresses, erased rows never collide with each other, and the same person may sign again.
What the letter lists (the name, its organization, country…) is the public line: a delivered
letter keeps it, as its recipients received it."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from letters_app.cache import letter_page_forget
from letters_app.models import (
    ERASED_PREFIX,
    AuditAction,
    AuditEvent,
    Letter,
    Signature,
    SignerMail,
    SignerNotice,
)
from letters_app.services import signatures as signature_services
from letters_app.services.audit import Actor, audit_record

S = Signature.Status
# A signature still holding what the retention period removes.
HOLDS_ADDRESSES = ~Q(email="") | Q(ip_address__isnull=False)
# Personal fields of the signing person that the public line does not show.
PRIVATE_FIELDS = ("contact_name", "contact_role")


def is_erased(signature: Signature) -> bool:
    return signature.erased_at is not None


@transaction.atomic
def signature_erase(*, signature: Signature, actor: Actor = None) -> Signature:
    """Erase a signer's personal data: their e-mail and IP addresses and the signing person's
    name and role go, every link mailed to them stops working, mails not yet sent to them are
    dropped. The line leaves the public list as a withdrawal takes it off, unless the letter is
    finalized: the delivered list keeps it. Audited, without the data. Erasing twice does
    nothing more."""
    letter = Letter.objects.select_for_update().get(pk=signature.letter_id)  # as list changes
    signature = Signature.objects.select_for_update().select_related("letter").get(pk=signature.pk)
    if is_erased(signature):
        return signature
    frozen = letter.status in Letter.FROZEN
    if not frozen and signature.status not in (S.WITHDRAWN, S.REJECTED):
        signature_services.signature_withdraw(signature=signature, actor=actor)
    # Only blanks: no full_clean, so that a value stored under older rules elsewhere in the
    # row can never stand in the way of an erasure.
    Signature.objects.filter(pk=signature.pk).update(
        email="",
        email_normalized=f"{ERASED_PREFIX}{signature.pk}",
        email_domain="",
        ip_address=None,
        secret=secrets.token_hex(16),  # the confirm and manage links die with the old one
        erased_at=timezone.now(),
        **dict.fromkeys(PRIVATE_FIELDS, ""),
    )
    signer_mails_forget(signatures=Signature.objects.filter(pk=signature.pk))
    letter_page_forget(letter.slug)
    audit_record(
        letter=letter, actor=actor, action=AuditAction.SIGNATURE_ERASED,
        signature=signature.pk, frozen=frozen,
    )  # fmt: skip
    signature.refresh_from_db()
    return signature


def signer_mails_forget(*, signatures: QuerySet[Signature]) -> None:
    """The mails of signers whose address is gone: those not sent yet are dropped (they would
    go to nobody, and could not be sent again), and what mail servers answered about the rest,
    which may quote the address, is cleared. A mail a worker is sending right now is left to
    it. A notice that was sent stays, so the letter's count of signers told stays true."""
    ids = signatures.values("pk")
    SignerMail.objects.filter(signature__in=ids).exclude(status=SignerMail.Status.SENDING).delete()
    N = SignerNotice.Status
    notices = SignerNotice.objects.filter(signature__in=ids)
    notices.filter(status__in=(N.QUEUED, N.FAILED)).delete()
    notices.filter(follow_up__in=(N.QUEUED, N.FAILED)).update(follow_up="")
    notices.exclude(status=N.SENDING).exclude(follow_up=N.SENDING).update(
        response="", last_error="", error_kind=""
    )


def letters_sent_before(cutoff: datetime.datetime) -> QuerySet[Letter]:
    """Sent letters that went out before `cutoff`: when the audit trail recorded the letter as
    sent, else (a letter from before that was recorded) when it was finalized."""
    sent_at = (
        AuditEvent.objects.filter(letter=OuterRef("pk"), action=AuditAction.LETTER_SENT)
        .values("letter")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    return (
        Letter.objects.filter(status=Letter.Status.SENT)
        .annotate(sent_at=Coalesce(Subquery(sent_at), F("snapshot__created_at")))
        .filter(sent_at__lte=cutoff)
    )


def signer_data_purge(*, now: datetime.datetime | None = None) -> int:
    """Periodic: remove the e-mail and IP addresses of the signers of every letter sent more
    than SIGNER_DATA_RETENTION_DAYS ago, letter by letter, each in its own transaction with one
    audit row. The signatory list is untouched. Returns how many signatures it cleared; a
    second run finds nothing left."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SIGNER_DATA_RETENTION_DAYS)
    holding = Signature.objects.filter(HOLDS_ADDRESSES, letter=OuterRef("pk"))
    letters = letters_sent_before(cutoff).filter(Exists(holding)).order_by("pk")
    purged = 0
    for letter_id in letters.values_list("pk", flat=True):
        purged += _letter_purge(letter_id)
    return purged


@transaction.atomic
def _letter_purge(letter_id: int) -> int:
    letter = Letter.objects.select_for_update().get(pk=letter_id)  # one purge of it at a time
    signatures = Signature.objects.filter(HOLDS_ADDRESSES, letter=letter)
    signer_mails_forget(signatures=signatures)
    count = signatures.update(
        email="",
        email_normalized=Concat(Value(ERASED_PREFIX), Cast("pk", output_field=CharField())),
        email_domain="",
        ip_address=None,
    )
    if count:
        audit_record(
            letter=letter, actor=None, action=AuditAction.SIGNERS_PURGED, purged=count,
            days=settings.SIGNER_DATA_RETENTION_DAYS,
        )  # fmt: skip
    return count
