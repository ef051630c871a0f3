"""A letter for the public API's tests: listed signatories of every kind, with French and Khmer
names, beside signatures the public list never shows."""

import pytest

from letters_app.models import Letter, Signature
from tests.factories import LetterFactory, SignatureFactory
from tests.finalized import FRENCH_NAME, KHMER_NAME, sign

MP = Signature.Kind.MP
INDIVIDUAL = Signature.Kind.INDIVIDUAL
# Listed, in this order (numbers 1 to 4).
LISTED = [
    {"name": KHMER_NAME, "acronym": "សខស", "country": "KH"},
    {"name": FRENCH_NAME, "acronym": "CACIF", "country": "FR"},
    {"kind": INDIVIDUAL, "name": "Sokha Chea", "title": "Lawyer", "affiliation": "", "country": ""},
    {"kind": MP, "name": "Élise Dumont-Chan", "title": "Députée", "party": "Les Verts",
     "country": "FR"},
]  # fmt: skip
# Never on the public list: each e-mail must appear nowhere in the API.
HIDDEN = {
    "pending": {"status": Signature.Status.PENDING},
    "rejected": {"status": Signature.Status.REJECTED},
    "withdrawn": {"status": Signature.Status.WITHDRAWN},
    "confirmed-not-consenting": {"status": Signature.Status.CONFIRMED, "consent_public": False},
}


@pytest.fixture
def api_letter(open_letter):
    """The open letter, signed (and confirmed) by LISTED, and by HIDDEN who are not listed."""
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True, accepts_mps=True)
    open_letter.refresh_from_db()
    for n, fields in enumerate(LISTED):
        sign(open_letter, n, **fields)
    for name, fields in HIDDEN.items():
        SignatureFactory(
            letter=open_letter, name=f"Hidden {name}", email=f"{name}@hidden.example.org",
            version=1, **fields,
        )  # fmt: skip
    open_letter.refresh_from_db()
    return open_letter


@pytest.fixture
def draft_letter(coordinator):
    return LetterFactory(created_by=coordinator, slug="a-draft-nobody-may-read")
