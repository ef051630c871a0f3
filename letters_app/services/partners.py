"""The organizations a coordinator asks to sign a letter (its partners): added from a list,
through the import's reading, parsing and preview, or from the signatories of the coordinator's
earlier letters."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from letters_app.models import AuditAction, Letter, Partner, Signature
from letters_app.selectors import letter_list_for_coordinator
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.imports import ImportLine, import_preview_partners
from letters_app.services.signatures import email_normalize

MAX_PARTNERS = 5_000  # per letter
S = Signature.Status


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
    taken = set(Partner.objects.filter(letter=letter).values_list("email_normalized", flat=True))
    taken |= set(
        Signature.objects.filter(letter=letter).exclude(status__in=[S.WITHDRAWN, S.REJECTED])
        .values_list("email_normalized", flat=True)
    )  # fmt: skip
    found: dict[str, Signature] = {}
    for signature in signatures[: MAX_PARTNERS * 4]:
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
