"""A finalized letter with a frozen French translation and an unfrozen Khmer draft, and a record
of everything finalizing froze, to check that nothing of it changes afterwards (the letter is the
`frozen_letter` fixture of tests/conftest.py)."""

from letters_app.models import (
    TRANSLATED_FIELDS,
    Letter,
    LetterSnapshot,
    LetterTranslation,
    Signature,
)
from letters_app.services.deliveries import content_sha256, snapshot_content
from letters_app.services.signatures import DISPLAY_FIELDS

LATE_FRENCH = "Un titre écrit après la livraison"


def frozen_state(letter: Letter) -> dict:
    """What finalizing froze, as the database holds it now, and the snapshot's hash recomputed
    from the live rows: equal before and after an attempt that changed nothing."""
    letter = Letter.objects.get(pk=letter.pk)
    snapshot = LetterSnapshot.objects.get(letter=letter)
    fields = [f.attname for f in Letter._meta.concrete_fields if f.name != "updated_at"]
    return {
        "snapshot": (snapshot.sha256, snapshot.content, snapshot.pdf.name, snapshot.pdf_status),
        "recomputed": content_sha256(snapshot_content(letter)),
        "letter": {name: getattr(letter, name) for name in fields},
        "recipients": list(
            letter.letter_recipients.values_list("recipient_id", "position", "language")
        ),
        "translations": list(
            LetterTranslation.objects.filter(letter=letter)
            .order_by("language")
            .values("language", "status", "source_version", *TRANSLATED_FIELDS)
        ),
        "signatures": list(
            Signature.objects.filter(letter=letter)
            .order_by("pk")
            .values("pk", "status", "is_public", "published_at", "version", *DISPLAY_FIELDS)
        ),
    }
