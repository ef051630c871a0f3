"""Signers are written to in the language they signed in; each recipient is sent the letter, and
its PDF, in the language the coordinator chose for them."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from letters_app import emails
from letters_app.models import Delivery, Signature
from letters_app.services.deliveries import DeliveryOutbox, letter_finalize, snapshot_pdf_make
from letters_app.services.letters import (
    letter_close,
    letter_set_recipient_languages,
    letter_update,
)
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import RecipientFactory, SignatureFactory
from tests.mails import send_due
from tests.translations import FRENCH, translate

pytestmark = pytest.mark.django_db


def sign_in(letter, language: str, email="lea@example.org") -> Signature:
    """Sign as from a page in `language`, as the sign request does."""
    signature, _created = signature_add(
        letter=letter, kind=Signature.Kind.ORGANIZATION, email=email, language=language,
        name="Ligue cambodgienne des droits", country="FR", consent_public=True,
    )  # fmt: skip
    return signature


def test_the_signature_keeps_the_language_it_was_made_in(open_letter):
    assert sign_in(open_letter, "fr").language == "fr"
    assert sign_in(open_letter, "km", email="dara@example.org").language == "km"
    assert sign_in(open_letter, "de", email="hans@example.org").language == "en"  # not offered


def test_a_signer_who_signed_in_french_is_written_to_in_french(open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator)
    signature = sign_in(open_letter, "fr")

    builders = (emails.signature_confirmation, emails.signature_already_signed,
                emails.signature_withdrawn)  # fmt: skip
    for build in builders:
        message = build(signature)
        assert message.extra_headers["Content-Language"] == "fr"
        assert FRENCH["title"] in message.subject
        assert FRENCH["title"] in message.body
        assert open_letter.title not in message.body
        assert f"{open_letter.get_absolute_url()}?lang=fr" in message.body
        assert '<html lang="fr">' in message.alternatives[0][0]


def test_the_withdrawals_mail_and_its_undo_link_speak_the_signers_language(
    open_letter, coordinator
):
    translate(open_letter, "fr", FRENCH, coordinator)
    message = emails.signature_withdrawn(sign_in(open_letter, "fr"))
    assert message.subject == f"Votre signature est retirée : {FRENCH['title']}"
    assert "S’il s’agit d’une erreur, ce lien rétablit votre signature" in message.body
    assert re.search(r"https?://\S+/fr/\S+/restore/", message.body)


def test_a_title_with_an_apostrophe_and_an_ampersand_reaches_the_subject_as_typed(
    open_letter, coordinator
):
    title = "Lettre à l'Assemblée & au Rapporteur <spécial>"
    translate(open_letter, "fr", {**FRENCH, "title": title}, coordinator)
    signature = sign_in(open_letter, "fr")

    confirmation = emails.signature_confirmation(signature)
    assert confirmation.subject.startswith("Confirmez votre signature")
    for message in (confirmation, emails.signature_already_signed(signature)):
        assert message.subject.endswith(f" {title}")
        assert title in message.body  # the plain-text part, as typed too


def test_a_signer_in_english_gets_the_original(open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator)
    message = emails.signature_confirmation(sign_in(open_letter, "en"))

    assert message.extra_headers["Content-Language"] == "en"
    assert open_letter.title in message.subject
    assert FRENCH["title"] not in message.body


def test_a_draft_translation_is_not_mailed(open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator, ready=False)
    message = emails.signature_confirmation(sign_in(open_letter, "fr"))

    assert open_letter.title in message.subject
    assert message.extra_headers["Content-Language"] == "fr"


@pytest.mark.parametrize(
    ("language", "removed", "added", "heading", "quoted"),
    [
        ("fr", "Supprimé :", "Ajouté :", "Ce qui a changé depuis votre signature :",
         "Cité d'après le texte original de la lettre."),
        ("km", "បានដកចេញ៖", "បានបន្ថែម៖", "អ្វីដែលបានផ្លាស់ប្តូរ ចាប់តាំងពីអ្នកបានចុះហត្ថលេខា៖",
         "ដកស្រង់ពីអត្ថបទដើមនៃលិខិត។"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("eager_tasks")
def test_the_new_version_mail_shows_what_changed_labelled_in_the_signers_language(
    open_letter,
    coordinator,
    language,
    removed,
    added,
    heading,
    quoted,
    django_capture_on_commit_callbacks,
):
    translate(open_letter, "fr", FRENCH, coordinator)
    signature = sign_in(open_letter, language)
    signature_confirm(signature=signature)
    assert send_due() == 1  # the confirmation link
    mail.outbox.clear()
    body = open_letter.body.replace("**urge** you to act.", "**urge** you to act today.")
    with django_capture_on_commit_callbacks(execute=True):
        letter_update(letter=open_letter, data={"body": body}, actor=coordinator,
                      confirm_new_version=True)  # fmt: skip
    [message] = mail.outbox

    assert message.extra_headers["Content-Language"] == language
    assert (
        f"- {removed} We, the undersigned organizations, **urge** you to act.\n"
        f"+ {added} We, the undersigned organizations, **urge** you to act today.\n"
    ) in message.body
    # The changes are the original's, in English: the note says so in a sentence of its own.
    assert f"\n\n{heading}\n{quoted}\n\n" in message.body
    assert "First demand" not in message.body  # not the whole text again
    assert "Removed:" not in message.body and "Added:" not in message.body
    html = message.alternatives[0][0]
    assert f"<strong>{removed}</strong>" in html and f"<strong>{added}</strong>" in html
    assert '<ins lang="en"' in html


def test_an_imported_signature_has_no_language_and_gets_the_original(open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator)
    signature = SignatureFactory(letter=open_letter)  # as the import makes them: no language

    assert signature.language == ""
    message = emails.signature_confirmation(signature)
    assert message.extra_headers["Content-Language"] == "en"
    assert open_letter.title in message.subject


# Delivery ---------------------------------------------------------------------------------------


@pytest.fixture
def pdfs(settings, tmp_path, monkeypatch):
    """A stand-in PDF per language (the PDF's own tests render real ones)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def render(snapshot, *, language=""):
        return f"%PDF-1.7 {language or 'original'}".encode()

    monkeypatch.setattr("letters_app.services.deliveries.render_letter_pdf", render)


@pytest.fixture
def french_delivery(open_letter, coordinator, recipient, pdfs, django_capture_on_commit_callbacks):
    """The letter translated into French, sent to `recipient` in French and to another in the
    original; finalized with its PDFs made, nothing sent yet."""
    english = RecipientFactory(salutation="Dear Mr Türk,")
    open_letter.letter_recipients.create(recipient=english, position=1)
    translate(open_letter, "fr", FRENCH, coordinator)
    letter_set_recipient_languages(
        letter=open_letter, languages={recipient.pk: "fr"}, actor=coordinator
    )
    signature_confirm(signature=sign_in(open_letter, "fr"))
    letter = letter_close(letter=open_letter, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        letter_finalize(letter=letter, actor=coordinator)
    snapshot_pdf_make(letter_id=letter.pk)
    mail.outbox.clear()
    return letter, english


def test_a_recipient_set_to_french_is_sent_the_french_letter_and_pdf(
    french_delivery, recipient, coordinator
):
    letter, english = french_delivery
    # Changed after finalizing (behind the services' back, which refuse it): nothing sent changes.
    letter.translations.filter(language="fr").update(title="Autre titre")

    assert send_due(DeliveryOutbox) == 2

    french, original = mail.outbox
    assert Delivery.objects.get(letter=letter, recipient=recipient).status == "sent"
    assert french.to == [recipient.email]
    assert french.subject == FRENCH["title"]
    assert FRENCH["salutation"] in french.body
    assert "Nous, organisations soussignées" in french.body
    assert letter.body not in french.body
    assert french.extra_headers["Content-Language"] == "fr"
    assert 'lang="fr"' in french.alternatives[0][0]
    assert french.attachments == [(f"{letter.slug}-fr.pdf", b"%PDF-1.7 fr", "application/pdf")]
    assert original.subject == letter.title
    assert "Dear Mr Türk," in original.body
    assert original.attachments == [(f"{letter.slug}.pdf", b"%PDF-1.7 original", "application/pdf")]


def test_the_signer_is_told_of_the_delivery_in_french(french_delivery):
    letter, _english = french_delivery
    signature = letter.signatures.get()

    message = emails.signer_delivered_notice(signature, [])

    assert FRENCH["title"] in message.subject
    assert reverse("public:letter-pdf", kwargs={"slug": letter.slug}) + "?lang=fr" in message.body
    assert message.extra_headers["Content-Language"] == "fr"
