"""A finalized letter with a frozen French translation and an unfrozen Khmer draft, and a record
of everything finalizing froze, to check that nothing of it changes afterwards. Import the
`*_fixture` functions (and those of tests/views/author/finalized.py) where they are needed."""

import pytest

from letters_app.models import (
    TRANSLATED_FIELDS,
    Letter,
    LetterSnapshot,
    LetterTranslation,
    Signature,
)
from letters_app.services.deliveries import content_sha256, letter_finalize, snapshot_content
from letters_app.services.signatures import DISPLAY_FIELDS
from tests.factories import SignatureFactory
from tests.translations import FRENCH, KHMER, translate

LATE_FRENCH = "Un titre écrit après la livraison"


@pytest.fixture(name="frozen_letter")
def frozen_letter_fixture(closed_letter, coordinator, queued, django_capture_on_commit_callbacks):
    """The closed letter of tests/views/author/finalized.py with a ready French translation and
    a Khmer draft, finalized; one signer who never confirmed is left pending."""
    translate(closed_letter, "fr", FRENCH, coordinator)
    translate(closed_letter, "km", KHMER, coordinator, ready=False)
    SignatureFactory(
        letter=closed_letter, name="Never confirmed", email="pending@example.org", version=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter_finalize(letter=closed_letter, actor=coordinator)
    queued.clear()
    closed_letter.refresh_from_db()
    return closed_letter


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
