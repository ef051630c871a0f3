"""The signatories of the `closed_letter` and `finalized_letter` fixtures (tests/conftest.py),
letters brought to "closed" through the services as people would."""

from letters_app.models import Letter, Signature
from letters_app.services.letters import letter_close, letter_open
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import LetterFactory, SignatureFactory

ORG = Signature.Kind.ORGANIZATION
KHMER_NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FRENCH_NAME = "Collectif des Amis du Cambodge d'Île-de-France"
ABOUT = "Our coalition gathers Khmer associations in Europe and Asia."
SCRIPT = '<script>alert("pwned")</script>'
# Signatories of the `closed_letter`: three organizations from two countries, one member of
# parliament, in the order they sign (and are numbered).
SIGNERS = [
    {"kind": ORG, "name": KHMER_NAME, "acronym": "សខស", "country": "KH"},
    {"kind": ORG, "name": "Phnom Penh Workers' Forum", "acronym": "PPWF", "country": "KH"},
    {"kind": ORG, "name": FRENCH_NAME, "country": "FR"},
    {"kind": Signature.Kind.MP, "name": "Élise Dumont-Chan", "title": "Députée", "country": "FR"},
]


def sign(letter: Letter, n: int, **fields) -> Signature:
    """Sign and confirm by e-mail, through the services; the letter must be open."""
    fields = {"consent_public": True, **fields}
    kind = fields.pop("kind", ORG)
    signature, _created = signature_add(
        letter=letter, kind=kind, email=f"signer{n}@example.org", **fields
    )
    signature_confirm(signature=signature)
    return signature


def letter_closed(coordinator, recipients, signers=("Ligue des droits", "សមាគមខ្មែរ")) -> Letter:
    """A letter to `recipients`, opened, signed and confirmed by `signers` (names), closed."""
    letter = LetterFactory(created_by=coordinator, recipients=recipients)
    letter = letter_open(letter=letter, actor=coordinator)
    for name in signers:
        signature_confirm(signature=SignatureFactory(letter=letter, name=name, version=1))
    return letter_close(letter=letter, actor=coordinator)
