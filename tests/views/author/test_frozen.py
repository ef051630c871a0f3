"""Frozen means read-only on the coordinator's pages: once a letter is finalized, the pages offer
no change to its text, translations, recipients or signatories, and a change posted anyway is
answered with the reason, never a server error, and changes nothing that was frozen."""

import html

import pytest
from django.urls import reverse
from django.utils import translation

from letters_app.forms.author import ImportConfirmForm, LetterForm
from letters_app.models import Letter, LetterTranslation, Signature
from tests.factories import RecipientFactory
from tests.frozen import LATE_FRENCH, frozen_state

pytestmark = pytest.mark.django_db

TEXT = "can no longer change"
TRANSLATIONS = "translations were frozen with it and can no longer change"
SIGNATORIES = "its list of signatories can no longer change"


def url(name, letter, **kwargs):
    return reverse(f"author:{name}", kwargs={"pk": letter.pk, **kwargs})


def _letter_form_data(letter):
    """The edit form as the browser posts it, with a new body."""
    form = LetterForm(instance=letter)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = field.widget.format_value(value) or value
    return data | {"body": "A body written after delivery.", "confirm_new_version": "on"}


def _signature(letter):
    return Signature.objects.filter(letter=letter, is_public=True).first()


# (page, its address's extra arguments, what is posted, the words of the answer)
ATTEMPTS = {
    "edit the text": ("letter-edit", {}, _letter_form_data, TEXT),
    "choose other recipients": (
        "letter-recipients", {}, lambda letter: {"recipients": [RecipientFactory().pk]}, TEXT,
    ),
    "add a new recipient": (
        "letter-recipient-add", {},
        lambda letter: {"new-name": "Late Minister", "new-kind": "government",
                        "new-email": "late@example.org", "new-country": "KH"},
        TEXT,
    ),
    "change a recipient's language": (
        "letter-recipient-languages", {},
        lambda letter: {f"language_{letter.letter_recipients.first().recipient_id}": "fr"},
        TEXT,
    ),
    "add a translation": ("letter-translations", {}, lambda letter: {"language": "km"},
                          TRANSLATIONS),
    "edit a frozen translation": (
        "translation-edit", {"language": "fr"}, lambda letter: {"title": LATE_FRENCH},
        TRANSLATIONS,
    ),
    "mark the draft translation ready": ("translation-ready", {"language": "km"},
                                         lambda letter: {}, TRANSLATIONS),
    "take a frozen translation back to draft": ("translation-draft", {"language": "fr"},
                                                lambda letter: {}, TRANSLATIONS),
    "delete a frozen translation": ("translation-delete", {"language": "fr"},
                                    lambda letter: {}, TRANSLATIONS),
    "reject a signature": (
        "letter-signatures", {},
        lambda letter: {"action": "reject", "signatures": [_signature(letter).pk]},
        SIGNATORIES,
    ),
    "correct a signature": (
        "signature-edit", {"signature_pk": "first"},
        lambda letter: {"name": "Renamed after delivery", "country": "KH"},
        SIGNATORIES,
    ),
    "preview an import": (
        "letter-import", {}, lambda letter: {"kind": "organization", "text": "Late, Cambodia"},
        SIGNATORIES,
    ),
    "confirm an import": (
        "letter-import-confirm", {},
        lambda letter: {"payload": ImportConfirmForm.payload_for(
            letter=letter, kind="organization", source={"text": "Late Coalition, Cambodia"}
        )},
        SIGNATORIES,
    ),
    "publish": ("letter-publish", {}, lambda letter: {}, "cannot become open for signing"),
    "close signing": ("letter-close", {}, lambda letter: {}, "cannot become signing closed"),
    "reopen signing": ("letter-reopen", {}, lambda letter: {}, "cannot become open for signing"),
    "finalize again": ("letter-finalize", {}, lambda letter: {},
                       "Only a letter whose signing is closed can be finalized"),
}  # fmt: skip


@pytest.mark.parametrize("sent", [False, True], ids=["finalized", "sent"])
@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_every_change_posted_to_a_frozen_letter_is_refused_with_its_reason(
    client_for, coordinator, frozen_letter, attempt, sent
):
    if sent:
        Letter.objects.filter(pk=frozen_letter.pk).update(status=Letter.Status.SENT)
        frozen_letter.refresh_from_db()
    name, kwargs, data, reason = ATTEMPTS[attempt]
    if kwargs.get("signature_pk") == "first":
        kwargs = {"signature_pk": _signature(frozen_letter).pk}
    before = frozen_state(frozen_letter)

    response = client_for(coordinator).post(
        url(name, frozen_letter, **kwargs), data(frozen_letter), follow=True
    )

    assert response.status_code == 200
    assert reason in response.text
    assert frozen_state(frozen_letter) == before


def test_the_translation_pages_of_a_frozen_letter_offer_no_change(
    client_for, coordinator, frozen_letter
):
    LetterTranslation.objects.filter(letter=frozen_letter, language="km").delete()  # one to add
    client = client_for(coordinator)

    listing = client.get(url("letter-translations", frozen_letter))
    french = client.get(url("translation-edit", frozen_letter, language="fr"))

    assert TRANSLATIONS in listing.text
    assert "Add a translation" not in listing.text
    assert TRANSLATIONS in french.text
    for offer in ("Mark ready", "Back to draft", "Delete the translation", ">Save<"):
        assert offer not in french.text
    assert 'name="title"' in french.text and "disabled" in french.text


def test_the_signature_pages_of_a_frozen_letter_offer_no_change(
    client_for, coordinator, frozen_letter
):
    client = client_for(coordinator)

    listing = client.get(url("letter-signatures", frozen_letter))
    entry = client.get(
        url("signature-edit", frozen_letter, signature_pk=_signature(frozen_letter).pk)
    )

    for page in (listing, entry):
        assert SIGNATORIES in page.text
    assert "Reject the ticked signatures" not in listing.text
    assert "Import a list of signatories" not in listing.text
    assert 'name="signatures"' not in listing.text
    assert ">Save<" not in entry.text
    assert "Put the suggestion in the form" not in entry.text


def test_the_refusals_name_a_partly_delivered_letter_as_its_badge_does(
    client_for, coordinator, frozen_letter
):
    """A sent letter that has not reached every recipient is "partly delivered" on every page:
    the reasons its pages give for refusing a change say so too, never "sent"."""
    Letter.objects.filter(pk=frozen_letter.pk).update(
        status=Letter.Status.SENT, emailed_count=1, undelivered_count=1, postal_count=1
    )
    client = client_for(coordinator)
    with translation.override("fr"):
        translations_url = url("letter-translations", frozen_letter)

    edited = client.post(url("letter-edit", frozen_letter), {"body": "Late."}, follow=True)
    published = client.post(url("letter-publish", frozen_letter), follow=True)
    finalized = client.post(url("letter-finalize", frozen_letter), follow=True)
    translations = client.get(translations_url)

    assert (
        "Cette lettre a le statut « partiellement remise » : ses traductions ont été figées"
        in html.unescape(translations.text)
    )
    assert "This letter is partly delivered: its text and recipients can no longer change." in (
        edited.text
    )
    assert "A letter that is partly delivered cannot become open for signing." in published.text
    assert (
        "Only a letter whose signing is closed can be finalized; this one is partly delivered."
        in finalized.text
    )
