"""The organizations a coordinator asks to sign a letter (its partners): added from a list,
through the import's reading, parsing and preview, or from the signatories of the coordinator's
earlier letters."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from letters_app import emails
from letters_app.models import AuditAction, Letter, Partner, PartnerMail, Signature
from letters_app.selectors import letter_list_for_coordinator
from letters_app.services import mails, webhooks
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.imports import ImportLine, import_preview_partners
from letters_app.services.signatures import email_normalize, signature_add

MAX_PARTNERS = 5_000  # per letter
S = Signature.Status
P = Partner.Status
# Where a partner stands before it answers: it may still open its link, sign or decline.
WAITING = (P.NEW, P.INVITED, P.MAIL_FAILED, P.OPENED)
# Who a reminder goes to: invited (the invitation sent) and not answered, nor unsubscribed.
REMINDED = (P.INVITED, P.OPENED)


@dataclass
class PartnersResult:
    created: int
    skipped: list[ImportLine]


def partners_refusal(letter: Letter) -> str:
    """Why this letter takes no partners now, or ""."""
    if letter.status in Letter.FROZEN:
        return _("The letter is finalized: no one can sign it any more.")
    return ""


def _too_many() -> str:
    return _("A letter has at most %(n)s partners: add fewer, or remove some first.") % {
        "n": number_format(MAX_PARTNERS, force_grouping=True)
    }


def partners_room(letter: Letter, adding: int) -> str:
    """Why `adding` more partners would be too many for the letter, or ""."""
    if Partner.objects.filter(letter=letter).count() + adding > MAX_PARTNERS:
        return _too_many()
    return ""


@transaction.atomic
def partners_add(
    *,
    letter: Letter,
    lines: list[ImportLine],
    actor: Actor,
    keep: frozenset[int] = frozenset(),
    source: str = Partner.Source.LIST,
) -> PartnersResult:
    """Add every line that passes the partners' preview as a partner of the letter, not yet
    invited, in one transaction; the others are skipped and returned. Refuses the whole list
    (ValidationError, nothing written) when the letter is finalized or would pass
    MAX_PARTNERS. Writes one audit row."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)  # one list at a time
    refusal = partners_refusal(letter)
    if refusal:
        raise ValidationError(refusal, code="refused")
    preview = import_preview_partners(letter=letter, lines=lines, keep=keep)
    lines = preview.importable
    refusal = partners_room(letter, len(lines))
    if refusal:
        raise ValidationError(refusal, code="too_many")
    added_by = actor_user(actor)
    partners = []
    for line in lines:
        partner = Partner(
            letter=letter,
            name=line.name,
            acronym=line.acronym,
            country=line.country,
            email=line.email,
            email_normalized=email_normalize(line.email),
            language=line.language,
            source=source,
            secret=secrets.token_urlsafe(24),
            added_by=added_by,
        )
        partner.full_clean(exclude=["letter", "added_by", "signature"], validate_unique=False,
                           validate_constraints=False)  # fmt: skip
        partners.append(partner)
    Partner.objects.bulk_create(partners, batch_size=1000)
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditAction.PARTNERS_ADDED,
        imported=len(partners),
        skipped=len(preview.skipped),
        source=source,
    )
    return PartnersResult(created=len(partners), skipped=preview.skipped)


def partner_candidates(letter: Letter, user: object) -> list[Signature]:
    """The organizations that signed the person's other letters with an address, one per
    address (its latest signature), less those already partners or signatories of `letter`.
    Reads; writes nothing."""
    others = letter_list_for_coordinator(user).exclude(pk=letter.pk)  # type: ignore[arg-type]
    signatures: QuerySet[Signature] = (
        Signature.objects.filter(
            letter__in=others.values("pk"),
            kind=Signature.Kind.ORGANIZATION,
            status__in=[S.CONFIRMED, S.APPROVED],
            erased_at__isnull=True,
            email__contains="@",
        )
        .select_related("letter")
        .order_by("-confirmed_at", "-pk")
    )
    signatures = signatures[: MAX_PARTNERS * 4]
    if not signatures:  # the usual case: the letter's own addresses need not be read
        return []
    taken = set(Partner.objects.filter(letter=letter).values_list("email_normalized", flat=True))
    taken |= set(
        Signature.objects.filter(letter=letter).exclude(status__in=[S.WITHDRAWN, S.REJECTED])
        .values_list("email_normalized", flat=True)
    )  # fmt: skip
    found: dict[str, Signature] = {}
    for signature in signatures:
        if signature.email_normalized not in taken:
            found.setdefault(signature.email_normalized, signature)
    return sorted(found.values(), key=lambda s: s.name.casefold())


def partners_add_earlier(
    *, letter: Letter, signature_ids: list[int], user: object, actor: Actor
) -> PartnersResult:
    """Add the chosen signatories of the person's earlier letters as partners, as
    `partners_add` does (same checks, same audit)."""
    chosen = set(signature_ids)
    lines = [
        ImportLine(
            position=position,
            raw=signature.display_line,
            kind=Signature.Kind.ORGANIZATION,
            name=signature.name,
            acronym=signature.acronym,
            country=str(signature.country or ""),
            email=signature.email,
            language=signature.language,
        )
        for position, signature in enumerate(
            (s for s in partner_candidates(letter, user) if s.pk in chosen), start=1
        )
    ]
    return partners_add(letter=letter, lines=lines, actor=actor, source=Partner.Source.EARLIER)


# --- inviting ------------------------------------------------------------------------------------


def invite_refusal(letter: Letter) -> str:
    """Why the letter's partners cannot be invited now, or ""."""
    if letter.status != Letter.Status.OPEN:
        return _("Partners are invited while the letter is open for signing.")
    return ""


def partner_mails_pace(letter: Letter) -> tuple[datetime, timedelta]:
    """When the next mail to the letter's partners is due, and the time between two: they leave
    PARTNER_MAILS_PER_MINUTE a minute for the letter, after those it already has waiting. Call
    with the letter locked, and due the n-th new mail at start + step * n."""
    now = timezone.now()
    step = timedelta(seconds=60 / max(settings.PARTNER_MAILS_PER_MINUTE, 1))
    waiting = PartnerMail.objects.filter(
        partner__letter=letter, status__in=PartnerMail.CLAIMABLE
    ).aggregate(last=Max("due_at"))["last"]
    return (max(now, waiting + step) if waiting else now), step


@transaction.atomic
def partners_invite(*, letter: Letter, actor: Actor, partner_ids: list[int] | None = None) -> int:
    """Queue one invitation mail to each chosen partner (all when `partner_ids` is None) not
    invited yet, or whose invitation failed, and mark them invited. The mails are due one
    after another, PARTNER_MAILS_PER_MINUTE a minute for the letter, after those it already
    has waiting. Returns how many were queued; audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)  # one queue at a time
    refusal = invite_refusal(letter)
    if refusal:
        raise ValidationError(refusal, code="refused")
    chosen = Partner.objects.filter(letter=letter)
    if partner_ids is None:
        chosen = chosen.filter(status=P.NEW)
    else:
        chosen = chosen.filter(pk__in=partner_ids, status__in=[P.NEW, P.MAIL_FAILED])
    partners = list(chosen.order_by("pk"))
    if not partners:
        return 0
    now = timezone.now()
    start, step = partner_mails_pace(letter)
    failed = {m.partner_id: m for m in PartnerMail.objects.filter(
        partner__in=partners, kind=PartnerMail.Kind.INVITATION)}  # fmt: skip
    new_rows = []
    for position, partner in enumerate(partners):
        due = start + step * position
        row = failed.get(partner.pk)
        if row is None:
            new_rows.append(PartnerMail(partner=partner, kind=PartnerMail.Kind.INVITATION,
                                        due_at=due, queued_at=now))  # fmt: skip
        else:  # a failed invitation, tried again from the start
            PartnerMail.objects.filter(pk=row.pk, status=PartnerMail.Status.FAILED).update(
                status=PartnerMail.Status.QUEUED, attempts=0, due_at=due, queued_at=now,
                last_error="", error_kind="",
            )  # fmt: skip
    PartnerMail.objects.bulk_create(new_rows)
    Partner.objects.filter(pk__in=[p.pk for p in partners]).update(
        status=P.INVITED, invited_at=now, mail_error=""
    )
    audit_record(letter=letter, actor=actor, action=AuditAction.PARTNERS_INVITED,
                 invited=len(partners))  # fmt: skip
    mails.mails_kick_on_commit()
    return len(partners)


def _still_waiting(partner: Partner) -> bool:
    """Whether a reminder still makes sense: the partner has not answered, and may sign."""
    return partner.status in REMINDED and partner.letter.status == Letter.Status.OPEN


class PartnerMailOutbox(mails.Outbox):
    """A partner's invitation or reminder. Sent, an invitation dates the invitation; failed for
    good, the partner's status says so, with the server's answer. A reminder whose partner
    answered (or unsubscribed), or whose letter closed, while it waited is dropped, not sent."""

    model = PartnerMail
    select_related = ("partner__letter", "reminder")

    def load(self, ids: list[int]) -> list[PartnerMail]:
        rows = super().load(ids)
        stale = [r.pk for r in rows if r.reminder_id and not _still_waiting(r.partner)]
        if stale:
            PartnerMail.objects.filter(pk__in=stale, status=PartnerMail.Status.SENDING).delete()
        return [r for r in rows if r.pk not in stale]

    def build(self, row: PartnerMail) -> EmailMessage:
        if row.reminder_id:
            return emails.partner_reminder(row.partner)
        return emails.partner_invitation(row.partner)

    def sent(self, row: PartnerMail, *, reply: str, now: datetime) -> None:
        super().sent(row, reply=reply, now=now)
        if not row.reminder_id:
            Partner.objects.filter(pk=row.partner_id, status=P.INVITED).update(invited_at=now)

    def failed(self, row: PartnerMail, *, kind: str, words: str, retry_at: datetime | None) -> None:
        super().failed(row, kind=kind, words=words, retry_at=retry_at)
        if retry_at is None and Partner.objects.filter(pk=row.partner_id, status=P.INVITED).update(
            status=P.MAIL_FAILED, mail_failed_at=timezone.now(), mail_error=words[:2000]
        ):
            webhooks.webhook_partners_emit(partners=Partner.objects.filter(pk=row.partner_id))


# --- the partner's answers, through its personal link -------------------------------------------


def partner_get_by_secret(secret: str) -> Partner | None:
    """The partner whose personal link holds `secret`, or None."""
    if not secret or len(secret) > 64:
        return None
    return Partner.objects.select_related("letter").filter(secret=secret).first()


def partner_open(*, partner: Partner) -> bool:
    """The partner opened the sign form from its link: dated once, and "opened" unless it has
    answered already. Returns whether this call changed it."""
    now = timezone.now()
    first = Partner.objects.filter(pk=partner.pk, opened_at__isnull=True).update(opened_at=now)
    moved = Partner.objects.filter(
        pk=partner.pk, status__in=[P.NEW, P.INVITED, P.MAIL_FAILED]
    ).update(status=P.OPENED)
    if moved:
        webhooks.webhook_partners_emit(partners=Partner.objects.filter(pk=partner.pk))
    return bool(first or moved)


@transaction.atomic
def partner_sign(
    *,
    partner: Partner,
    email: str,
    language: str = "",
    ip_address: str | None = None,
    **fields: Any,
) -> Signature:
    """Sign the partner's letter through its personal link (see `signature_add`): with the
    address the link came to, confirmed at once and the partner "signed"; with another, the
    address is confirmed by mail first, and the partner is "signed" when it is."""
    signature, _created = signature_add(
        letter=partner.letter, email=email, language=language, ip_address=ip_address,
        mailed_to=partner.email, **fields,
    )  # fmt: skip
    now = timezone.now()
    partner_open(partner=partner)
    signed = signature.status in (S.CONFIRMED, S.APPROVED)
    changes: dict[str, Any] = {"signature": signature}
    if signed:
        changes |= {"status": P.SIGNED, "signed_at": now}
    if Partner.objects.filter(pk=partner.pk).exclude(status=P.SIGNED).update(**changes) and signed:
        webhooks.webhook_partners_emit(partners=Partner.objects.filter(pk=partner.pk))
    return signature


def partner_decline(*, partner: Partner, reason: str = "") -> bool:
    """The partner cannot sign this time, maybe saying why. Returns whether this call changed
    it: a partner that signed or unsubscribed stays so."""
    declined = Partner.objects.filter(pk=partner.pk, status__in=WAITING).update(
        status=P.DECLINED, declined_at=timezone.now(), decline_reason=reason.strip()[:2000]
    )
    if declined:
        webhooks.webhook_partners_emit(partners=Partner.objects.filter(pk=partner.pk))
    return bool(declined)


def partner_unsubscribe(*, partner: Partner) -> bool:
    """The partner wants no more mail about the letter. Dated once; its status says so unless
    it signed. Returns whether this call changed it."""
    now = timezone.now()
    first = Partner.objects.filter(pk=partner.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now
    )
    if (
        Partner.objects.filter(pk=partner.pk)
        .filter(~Q(status__in=[P.SIGNED, P.UNSUBSCRIBED]))
        .update(status=P.UNSUBSCRIBED)
    ):
        webhooks.webhook_partners_emit(partners=Partner.objects.filter(pk=partner.pk))
    return bool(first)


# --- the funnel ----------------------------------------------------------------------------------


def partner_counts(letter: Letter) -> dict[str, int]:
    """How many of the letter's partners stand at each status, every status named (one query)."""
    rows = (
        Partner.objects.filter(letter=letter)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    return {status: counts.get(status, 0) for status in P.values}


def partner_list(letter: Letter, *, status: str = "") -> QuerySet[Partner]:
    """The letter's partners in the order they were added; of one status if `status` is one."""
    partners = Partner.objects.filter(letter=letter).order_by("pk")
    return partners.filter(status=status) if status in P.values else partners
