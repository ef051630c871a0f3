"""The Translations pages and the recipients' languages, tried by every persona."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from letters_app.models import AuditEvent, LetterRecipient, LetterTranslation
from tests.translations import FRENCH, KHMER, translate

pytestmark = pytest.mark.django_db
RUNNERS = ["coordinator", "co_coordinator", "admin"]
SCRIPT = '<script>alert("pwned")</script>'


def url(name, letter, language=None):
    kwargs = {"pk": letter.pk} | ({"language": language} if language else {})
    return reverse(f"author:{name}", kwargs=kwargs)


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_open_its_translation_pages(
    request, client_for, open_letter, coordinator, persona
):
    translate(open_letter, "fr", FRENCH, coordinator)
    client = client_for(request.getfixturevalue(persona))

    listing = client.get(url("letter-translations", open_letter))
    edit = client.get(url("translation-edit", open_letter, "fr"))

    assert listing.status_code == edit.status_code == 200
    assert list(listing.context["translations"]) == [open_letter.translations.get()]
    assert edit.context["form"].initial["title"] == FRENCH["title"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("letter-translations", "get"),
        ("translation-edit", "get"),
        ("translation-edit", "post"),
        ("translation-ready", "post"),
        ("translation-draft", "post"),
        ("translation-delete", "post"),
        ("letter-recipient-languages", "post"),
    ],
)
def test_a_stranger_gets_404_and_changes_nothing(
    client_for, stranger, open_letter, coordinator, recipient, name, method
):
    translate(open_letter, "fr", FRENCH, coordinator, ready=False)
    language = None if name.startswith("letter-") else "fr"
    data = {**FRENCH, "title": "Pirate", f"language_{recipient.pk}": "fr"}

    response = getattr(client_for(stranger), method)(url(name, open_letter, language), data)

    assert response.status_code == 404
    translation = open_letter.translations.get()
    assert (translation.title, translation.status) == (FRENCH["title"], "draft")
    assert LetterRecipient.objects.get().language == ""


def test_anonymous_visitors_are_sent_to_log_in(client, open_letter):
    response = client.get(url("letter-translations", open_letter))
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.parametrize("name", ["translation-ready", "translation-draft", "translation-delete"])
def test_actions_refuse_get(client_for, coordinator, open_letter, name):
    translate(open_letter, "fr", FRENCH, coordinator)
    response = client_for(coordinator).get(url(name, open_letter, "fr"))
    assert response.status_code == 405
    assert open_letter.translations.get().status == "ready"


def test_actions_need_the_csrf_token(coordinator, open_letter):
    translate(open_letter, "fr", FRENCH, coordinator, ready=False)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)

    response = browser.post(url("translation-ready", open_letter, "fr"))

    assert response.status_code == 403
    assert open_letter.translations.get().status == "draft"


@pytest.mark.parametrize("language", ["en", "de", "xx"])
def test_the_original_language_and_unknown_ones_are_404(client_for, coordinator, letter, language):
    response = client_for(coordinator).get(url("translation-edit", letter, language))
    assert response.status_code == 404


def test_a_coordinator_adds_fills_and_marks_a_translation_ready(client_for, co_coordinator, letter):
    client = client_for(co_coordinator)

    added = client.post(url("letter-translations", letter), {"language": "km"})
    assert added.url == url("translation-edit", letter, "km")
    page = client.get(added.url)
    assert page.context["translation"] is None
    assert escape(letter.body.split("**")[0]) in page.content.decode()  # the original beside
    saved = client.post(added.url, KHMER, follow=True)
    assert flash(saved) == ["The translation is saved."]
    ready = client.post(url("translation-ready", letter, "km"), follow=True)

    translation = LetterTranslation.objects.get(letter=letter, language="km")
    assert translation.status == "ready"
    assert translation.title == KHMER["title"]
    assert translation.updated_by == co_coordinator
    assert flash(ready) == ["The translation is ready: readers are offered it."]
    assert 'lang="km"' in saved.content.decode()  # the form's fields are typed in Khmer
    assert AuditEvent.objects.filter(letter=letter, action="translation.ready").count() == 1


def test_the_language_list_offers_only_languages_not_taken(client_for, coordinator, letter):
    translate(letter, "fr", FRENCH, coordinator, ready=False)
    response = client_for(coordinator).get(url("letter-translations", letter))
    assert [c[0] for c in response.context["form"].fields["language"].choices] == ["km"]


def test_marking_ready_a_translation_missing_parts_says_which(client_for, coordinator, letter):
    client = client_for(coordinator)
    client.post(url("translation-edit", letter, "fr"), {"title": FRENCH["title"]}, follow=True)

    response = client.post(url("translation-ready", letter, "fr"), follow=True)

    assert letter.translations.get().status == "draft"
    message = flash(response)[0]
    assert "Salutation is missing" in message
    assert "Body is missing" in message
    page = response.content.decode()
    assert "Before it can be marked ready:" in page
    assert "Signatory heading is missing" in page


def test_an_outdated_translation_is_badged(client_for, coordinator, open_letter):
    translate(open_letter, "fr", FRENCH, coordinator)
    open_letter.version = 2
    open_letter.save()

    listing = client_for(coordinator).get(url("letter-translations", open_letter))
    edit = client_for(coordinator).get(url("translation-edit", open_letter, "fr"))

    assert "Outdated" in listing.content.decode()
    assert "The original changed after this translation was made" in edit.content.decode()


def test_draft_and_delete(client_for, coordinator, open_letter):
    translate(open_letter, "fr", FRENCH, coordinator)
    client = client_for(coordinator)

    client.post(url("translation-draft", open_letter, "fr"))
    assert open_letter.translations.get().status == "draft"
    response = client.post(url("translation-delete", open_letter, "fr"))
    assert response.url == url("letter-translations", open_letter)
    assert not open_letter.translations.exists()


def test_a_title_with_markup_is_shown_as_text(client_for, coordinator, open_letter):
    translate(open_letter, "fr", {**FRENCH, "title": SCRIPT}, coordinator)
    response = client_for(coordinator).get(url("letter-translations", open_letter))
    edit = client_for(coordinator).get(url("translation-edit", open_letter, "fr"))
    assert SCRIPT not in edit.content.decode()
    assert escape(SCRIPT) in edit.content.decode()  # shown, as text
    assert SCRIPT not in response.content.decode()


def test_oversized_input_is_refused_by_field(client_for, coordinator, letter):
    response = client_for(coordinator).post(
        url("translation-edit", letter, "fr"), {**FRENCH, "title": "x" * 301}
    )
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not letter.translations.exists()


# Recipients' languages --------------------------------------------------------------------------


def test_the_recipients_page_sets_a_language_per_recipient(
    client_for, coordinator, open_letter, recipient
):
    translate(open_letter, "fr", FRENCH, coordinator, ready=False)
    client = client_for(coordinator)
    page = client.get(url("letter-recipients", open_letter))
    field = page.context["language_form"][f"language_{recipient.pk}"]
    assert [c[0] for c in field.field.choices] == ["", "fr"]

    response = client.post(
        url("letter-recipient-languages", open_letter), {f"language_{recipient.pk}": "fr"}
    )

    assert response.status_code == 302
    assert LetterRecipient.objects.get(recipient=recipient).language == "fr"


def test_a_language_the_letter_is_not_translated_into_is_refused(
    client_for, coordinator, open_letter, recipient
):
    response = client_for(coordinator).post(
        url("letter-recipient-languages", open_letter), {f"language_{recipient.pk}": "km"}
    )
    assert response.status_code == 200
    assert response.context["language_form"].errors
    assert LetterRecipient.objects.get(recipient=recipient).language == ""


def test_the_finalize_page_names_each_copys_language_and_what_stops_it(
    client_for, coordinator, open_letter, recipient
):
    from letters_app.services.letters import letter_close, letter_set_recipient_languages

    translate(open_letter, "fr", FRENCH, coordinator, ready=False)
    letter_set_recipient_languages(
        letter=open_letter, languages={recipient.pk: "fr"}, actor=coordinator
    )
    letter_close(letter=open_letter, actor=coordinator)

    response = client_for(coordinator).get(url("letter-finalize", open_letter))

    content = response.content.decode()
    assert f'{escape(str(recipient))} <span class="badge text-bg-light"' in content
    assert "Français</span>" in content
    assert escape(f"{recipient} is to receive the French translation") in content


@pytest.mark.parametrize(
    ("interface", "sentence", "heading"),
    [
        ("en", "The original is in English.", "French translation"),
        ("fr", "L'original est en anglais.", "Traduction en français"),
        ("km", "ច្បាប់ដើមសរសេរជាភាសាអង់គ្លេស។", "ការបកប្រែជាភាសាបារាំង"),
    ],
)
def test_sentences_name_languages_in_the_interfaces_language(
    client_for, coordinator, open_letter, interface, sentence, heading
):
    """Not "L'original est en English" nor "Français translation": a language's own name is for
    the pickers; a sentence names it in the language it is written in."""
    translate(open_letter, "fr", FRENCH, coordinator)
    client = client_for(coordinator)
    with translation.override(interface):
        listing = client.get(url("letter-translations", open_letter)).content.decode()
        edit = client.get(url("translation-edit", open_letter, "fr")).content.decode()

    assert sentence in listing
    assert f">{heading}</h2>" in edit
    original = {"en": "The original (English)", "fr": "L'original (anglais)",
                "km": "ច្បាប់ដើម (ភាសាអង់គ្លេស)"}  # fmt: skip
    assert f">{original[interface]}</h2>" in edit


def test_a_ready_translation_reads_ready_in_french_as_a_translation_is_feminine(
    client_for, coordinator, open_letter
):
    translate(open_letter, "fr", FRENCH, coordinator)
    with translation.override("fr"):
        listing = client_for(coordinator).get(url("letter-translations", open_letter))

    badges = re.findall(r'<span class="badge text-bg-success">([^<]*)</span>', listing.text)
    assert badges == ["Prête"]
