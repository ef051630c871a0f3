"""Letters brought to "closed" and "finalized" through the services, as people would, and a
record of the Celery tasks they queue. Import the `*_fixture` functions into a test module that
needs them: pytest knows them by their names without the suffix."""

import pytest

from letters_app import tasks
from letters_app.celery import app
from letters_app.models import Letter, Signature
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close, letter_open
from letters_app.services.mails import SEND_TASK
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import RecipientFactory

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


@pytest.fixture(name="queued")
def queued_fixture(monkeypatch):
    """The tasks queued, as (task name, kwargs), instead of a broker: the letter's PDF, and a
    worker woken to send the mail rows just written ("mails_send_task", {})."""
    calls = []
    monkeypatch.setattr(
        tasks.letter_pdf_task,
        "apply_async",
        lambda *a, **kw: calls.append(("letter_pdf_task", kw["kwargs"])),
    )
    monkeypatch.setattr(
        app.tasks[SEND_TASK], "apply_async", lambda *a, **kw: calls.append(("mails_send_task", {}))
    )
    return calls


@pytest.fixture(name="postal_recipient")
def postal_recipient_fixture(db):
    return RecipientFactory(name="Sok Dara", email="", kind="parliament")


@pytest.fixture(name="closed_letter")
def closed_letter_fixture(letter, coordinator, postal_recipient):
    """The letter, with a second recipient who has no e-mail, published, signed by SIGNERS and
    closed."""
    Letter.objects.filter(pk=letter.pk).update(accepts_mps=True, about_sender=ABOUT)
    letter.refresh_from_db()
    letter.letter_recipients.create(recipient=postal_recipient, position=1)
    open_letter = letter_open(letter=letter, actor=coordinator)
    for n, fields in enumerate(SIGNERS):
        sign(open_letter, n, **fields)
    return letter_close(letter=open_letter, actor=coordinator)


@pytest.fixture(name="finalized_letter")
def finalized_letter_fixture(
    closed_letter, coordinator, queued, django_capture_on_commit_callbacks
):
    """The closed letter, finalized: snapshot made, deliveries waiting for the PDF, which is
    still being made."""
    with django_capture_on_commit_callbacks(execute=True):
        letter_finalize(letter=closed_letter, actor=coordinator)
    queued.clear()
    closed_letter.refresh_from_db()
    return closed_letter
