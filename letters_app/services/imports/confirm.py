"""Confirming an import: the previewed lines added as signatures in one transaction.

Imported signatures carry no e-mail address: `email` is empty, which Django's mailers skip (a
message to nobody is not sent), and `email_normalized` holds `imported:<32 hex digits>`, which
cannot be a normalized address (those always hold an "@"). The constraint "one signature per
address and letter" stays what it was for real addresses, and each imported row is distinct."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app.cache import letter_page_forget
from letters_app.models import AuditAction, Letter, Signature
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.imports.parsing import ImportLine
from letters_app.services.imports.preview import import_preview
from letters_app.services.signatures import (
    ACCEPTS,
    COUNT_FIELDS,
    insert_fields,
    name_normalize,
)

IMPORTED_PREFIX = "imported:"
S = Signature.Status


@dataclass
class ImportResult:
    created: int
    skipped: list[ImportLine]


def import_refusal(letter: Letter, kind: str) -> str:
    """Why this letter takes no import (of this kind) now, or ""."""
    if letter.status in Letter.FROZEN:
        return _("The letter is finalized: its list of signatories can no longer change.")
    if not getattr(letter, ACCEPTS.get(kind, ""), False):
        return _("This letter does not take signatures of this kind.")
    return ""


@transaction.atomic
def import_confirm(
    *, letter: Letter, lines: list[ImportLine], actor: Actor, keep: frozenset[int] = frozenset()
) -> ImportResult:
    """Add every importable line as a listed signature marked as imported by `actor`, in one
    transaction; lines with a blocking problem are skipped and returned, unless the problem may
    be overruled and the line's position is in `keep` (see `import_preview`). Counts the
    letter's signatories and writes one audit row."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)  # one import at a time
    kinds = {line.kind for line in lines}
    for kind in kinds:
        refusal = import_refusal(letter, kind)
        if refusal:
            raise ValidationError(refusal, code="refused")
    # Checked again under the lock: a double click, or a colleague's import, adds nothing twice.
    preview = import_preview(letter=letter, lines=lines, keep=keep)
    now = timezone.now()
    status = S.APPROVED if letter.requires_approval else S.CONFIRMED
    signatures = [_signature(letter, line, actor=actor, status=status, now=now)
                  for line in preview.importable]  # fmt: skip
    # Listed last, in the list's order, numbered on from the letter's total (read under its
    # lock); they share published_at, and their ids are given in the same order.
    for number, signature in enumerate(signatures, start=letter.signature_count + 1):
        signature.number = number
    _signatures_insert(signatures)
    counts: dict[str, int] = {}
    for signature in signatures:
        field_name = COUNT_FIELDS[signature.kind]
        counts[field_name] = counts.get(field_name, 0) + 1
    if counts:
        Letter.objects.filter(pk=letter.pk).update(
            **{name: F(name) + n for name, n in counts.items()}
        )
    if signatures:
        letter_page_forget(letter.slug)
    kept = sum(1 for line in preview.importable if line.kept and line.keepable)
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditAction.SIGNATURES_IMPORTED,
        imported=len(signatures),
        skipped=len(preview.skipped),
        **({"kept": kept} if kept else {}),  # flagged lines the coordinator chose to add
    )
    return ImportResult(created=len(signatures), skipped=preview.skipped)


def _signatures_insert(signatures: list[Signature]) -> None:
    """Signature.objects.bulk_create(signatures), by COPY on PostgreSQL, in the list's order:
    building one INSERT of ten thousand rows of thirty-odd columns took longer than storing them.
    The values are those save() writes."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = insert_fields()
    if db.vendor != "postgresql" or fields is None:
        Signature.objects.bulk_create(signatures, batch_size=1000)
        return
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)  # type: ignore[arg-type]  # concrete fields all have one
    with (
        db.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {quote(Signature._meta.db_table)} ({columns}) FROM STDIN"  # names from the model
        ) as copy,
    ):
        for signature in signatures:
            copy.write_row([f.get_db_prep_save(f.pre_save(signature, True), db) for f in fields])


def _signature(
    letter: Letter, line: ImportLine, *, actor: Actor, status: str, now: datetime
) -> Signature:
    """A listed signature for this line: what `signature_confirm` and `_publish` would leave,
    with no e-mail address (see the module's docstring)."""
    shared = [p.message for p in line.problems if p.code == "acronym_shared"]
    signature = Signature(
        letter=letter,
        status=status,
        is_public=True,
        consent_public=True,  # the coordinator lists the names their signatories agreed to show
        email="",
        email_normalized=f"{IMPORTED_PREFIX}{uuid.uuid4().hex}",
        email_domain="",
        secret=secrets.token_hex(16),
        imported_by=actor_user(actor),
        version=letter.version,
        confirmed_at=now,
        published_at=now,
        is_flagged=bool(shared),
        flag_reason=" ".join(shared)[:300],
        name_normalized=name_normalize(line.name),
        acronym_normalized=name_normalize(line.acronym),
        **line.fields(),
    )
    # Left out: the address, on purpose; the country, a code the parser took from the list;
    # the letter and the actor, known to exist (checking costs a query a row).
    signature.full_clean(
        exclude=["letter", "country", "email", "imported_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return signature
