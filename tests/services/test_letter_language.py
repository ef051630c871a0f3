"""A letter is frozen, made into PDFs and mailed in its own language and its translations', never
in the interface language of the coordinator who finalizes it: finalized from the English, French
or Khmer pages, the same letter gives the same snapshot, SHA-256 and PDF text."""

import json
import subprocess

import pytest
from django.db import transaction
from django.utils import translation

from letters_app import emails
from letters_app.exports.letter_pdf import render_letter_pdf
from letters_app.models import Delivery, LetterRecipient, LetterSnapshot
from letters_app.rendering import snapshot_view
from letters_app.services.deliveries import content_sha256, letter_finalize
from letters_app.services.letters import letter_close
from tests.factories import RecipientFactory
from tests.finalized import sign
from tests.letter_languages import (
    CAMBODIA,
    DATE,
    INTERFACES,
    SWITZERLAND,
    english_letter,
    signatory_lines,
)

pytestmark = pytest.mark.django_db


class _Undone(Exception):
    """Rolls a finalization back, so that the same letter can be finalized again."""


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                            check=True, timeout=60)  # fmt: skip
    return " ".join(result.stdout.decode().split())


def frozen(letter, finalize, interface: str) -> dict:
    """Finalize the letter with `finalize()` and read back what was frozen, with `interface`
    active throughout; then undo it all."""
    try:
        with transaction.atomic(), translation.override(interface):
            finalize()
            snapshot = LetterSnapshot.objects.get(letter=letter)
            result = {
                "json": json.dumps(snapshot.content, ensure_ascii=False, sort_keys=True),
                "sha256": snapshot.sha256,
                "pdf": {
                    language: pdf_text(render_letter_pdf(snapshot, language=language))
                    for language in ("en", "fr", "km")
                },
            }
            raise _Undone
    except _Undone:
        return result


@pytest.fixture
def closed(coordinator):
    letter = english_letter(coordinator, translations=("fr", "km"))
    return letter_close(letter=letter, actor=coordinator)


def test_finalized_from_any_interface_the_letter_is_frozen_in_its_own_languages(
    closed, coordinator
):
    runs = {
        interface: frozen(
            closed, lambda: letter_finalize(letter=closed, actor=coordinator), interface
        )  # fmt: skip
        for interface in INTERFACES
    }
    english = runs["en"]
    assert runs["fr"] == english
    assert runs["km"] == english

    content = json.loads(english["json"])
    assert english["sha256"] == content_sha256(content)
    assert content["letter"]["date"] == "2026-03-05"
    assert content["recipients"][0]["address_lines"][-1] == SWITZERLAND["en"]
    assert [s["line"] for s in content["signatories"]] == signatory_lines("en")
    for language in ("fr", "km"):
        translated = content["translations"][language]
        assert translated["address_lines"][0][-1] == SWITZERLAND[language]
        assert translated["signatory_lines"] == signatory_lines(language)

    pdf = english["pdf"]["en"]
    assert f"Paris, France, {DATE['en']}" in pdf
    assert f"Geneva 10 {SWITZERLAND['en']}" in pdf
    assert f"2. Cambodian League (CL), {CAMBODIA['en']}" in pdf
    assert SWITZERLAND["fr"] not in pdf
    french = english["pdf"]["fr"]
    assert f"Paris, France, {DATE['fr']}" in french
    assert f"Geneva 10 {SWITZERLAND['fr']}" in french
    assert f"2. Cambodian League (CL), {CAMBODIA['fr']}" in french


def test_finalized_through_the_french_and_khmer_pages_the_letter_is_the_same(
    closed, coordinator, client_for
):
    client = client_for(coordinator)

    def through_page(prefix: str):
        def finalize():
            response = client.post(f"{prefix}/coordinate/letters/{closed.pk}/finalize/")
            assert response.status_code == 302, response.content[:2000]

        return finalize

    english = frozen(closed, lambda: letter_finalize(letter=closed, actor=coordinator), "en")
    for prefix, interface in (("", "en"), ("/fr", "fr"), ("/km", "km")):
        assert frozen(closed, through_page(prefix), interface) == english, interface


def test_a_snapshot_frozen_without_translated_lines_shows_the_original_ones(closed, coordinator):
    snapshot = letter_finalize(letter=closed, actor=coordinator)
    for language in ("fr", "km"):
        del snapshot.content["translations"][language]["address_lines"]
        del snapshot.content["translations"][language]["signatory_lines"]
    lv = snapshot_view(snapshot, language="fr")
    assert lv.to_blocks[0][-1] == SWITZERLAND["en"]
    assert [s["line"] for s in lv.signatories] == signatory_lines("en")


# --- the mails that carry or quote the letter -----------------------------------------------------


@pytest.fixture
def finalized(coordinator):
    """Finalized, with a Khmer signer, and a second recipient who gets the French copy."""
    letter = english_letter(coordinator, translations=("fr",))
    # signed from the Khmer pages: their mails speak Khmer
    sign(letter, 3, name="Khmer Youth", country="KH", language="km")
    french_office = LetterRecipient.objects.create(
        letter=letter,
        recipient=RecipientFactory(name="Bureau de Genève", country="CH"),
        position=1,
        language="fr",
    )
    letter = letter_close(letter=letter, actor=coordinator)
    letter_finalize(letter=letter, actor=coordinator)
    letter.refresh_from_db()
    return letter, french_office.recipient


def _bodies(message) -> tuple[str, str]:
    return message.body, message.alternatives[0][0]


def test_each_recipient_gets_the_letter_in_its_language_whoever_is_looking(finalized):
    letter, french_office = finalized
    english = Delivery.objects.get(letter=letter, recipient__name="Vitit Muntarbhorn")
    french = Delivery.objects.get(letter=letter, recipient=french_office)
    # Built first from the Khmer interface, which fills the per-process cache, then again.
    with translation.override("km"):
        first = _bodies(emails.letter_delivery(english))
        first_french = _bodies(emails.letter_delivery(french))
    with translation.override("en"):
        assert _bodies(emails.letter_delivery(english)) == first
    with translation.override("fr"):
        assert _bodies(emails.letter_delivery(french)) == first_french

    text, html = first
    assert f"Geneva 10\n{SWITZERLAND['en']}" in text
    assert DATE["en"] in text and DATE["en"] in html
    assert f"3. Khmer Youth, {CAMBODIA['en']}" in text
    assert SWITZERLAND["km"] not in text + html
    text, html = first_french
    assert f"Geneva 10\n{SWITZERLAND['fr']}" in text
    assert DATE["fr"] in text and DATE["fr"] in html
    assert f"3. Khmer Youth, {CAMBODIA['fr']}" in text


def test_a_khmer_signer_is_told_how_the_english_letter_listed_them(finalized):
    letter, _office = finalized
    khmer = letter.signatures.get(name="Khmer Youth")
    assert khmer.language == "km"
    notice = emails.signer_delivered_notice(khmer, [])
    assert notice.extra_headers["Content-Language"] == "km"
    for body in _bodies(notice):
        assert f"Khmer Youth, {CAMBODIA['en']}" in body
        assert CAMBODIA["km"] not in body
    french = letter.signatures.get(name="Ligue des droits")
    french.language = "fr"  # the letter was frozen in French too: their notice points to it
    for body in _bodies(emails.signer_delivered_notice(french, [])):
        assert "Ligue des droits (LDH), France" in body
    cambodian = letter.signatures.get(name="Cambodian League")
    cambodian.language = "fr"
    for body in _bodies(emails.signer_delivered_notice(cambodian, [])):
        assert f"Cambodian League (CL), {CAMBODIA['fr']}" in body


def test_signer_mails_quote_the_letter_in_the_language_of_the_text_they_link_to(coordinator):
    letter = english_letter(coordinator, translations=("fr",))
    # signed from the Khmer pages: their mails speak Khmer
    sign(letter, 3, name="Khmer Youth", country="KH", language="km")
    khmer = letter.signatures.get(name="Khmer Youth")
    # No Khmer translation: the link opens the English letter, which lists them in English.
    for body in _bodies(emails.signature_confirmation(khmer)):
        assert f"Khmer Youth, {CAMBODIA['en']}" in body
        assert CAMBODIA["km"] not in body

    cambodian = letter.signatures.get(name="Cambodian League")
    cambodian.language = "fr"
    with translation.override("km"):  # a mail built while the Khmer pages are active
        confirmation = emails.signature_confirmation(cambodian)
    for body in _bodies(confirmation):
        assert f"Cambodian League (CL), {CAMBODIA['fr']}" in body
