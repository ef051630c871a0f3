"""A letter's public page in its translations, over one signatory list, and its PDFs."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from letters_app.services.deliveries import letter_finalize, snapshot_pdf_make
from letters_app.services.letters import letter_close, letter_update
from letters_app.services.signatures import signature_confirm
from tests.factories import SignatureFactory
from tests.translations import FRENCH, KHMER, translate

pytestmark = pytest.mark.django_db


def page(client, letter, **query):
    return client.get(reverse("public:letter-detail", kwargs={"slug": letter.slug}), query)


@pytest.fixture
def translated(open_letter, coordinator):
    """An English letter with ready French and Khmer translations and a draft of neither."""
    translate(open_letter, "fr", FRENCH, coordinator)
    translate(open_letter, "km", KHMER, coordinator)
    for name in ("Licadho", "Ligue des droits de l'Homme"):
        signature_confirm(signature=SignatureFactory(letter=open_letter, name=name, version=1))
    open_letter.refresh_from_db()
    return open_letter


def test_the_page_offers_each_ready_translation(client, translated):
    content = page(client, translated).content.decode()

    assert '<article class="letter" lang="en" dir="ltr">' in content
    assert f'href="{translated.get_absolute_url()}?lang=fr" hreflang="fr" lang="fr">Français' in (
        content
    )
    assert f'href="{translated.get_absolute_url()}?lang=km" hreflang="km" lang="km">ខ្មែរ' in content


@pytest.mark.parametrize(("language", "text"), [("fr", FRENCH), ("km", KHMER)])
def test_each_translation_shows_over_the_same_signatory_list(client, translated, language, text):
    content = page(client, translated, lang=language).content.decode()

    assert f'<article class="letter" lang="{language}" dir="ltr">' in content
    assert f'<h1 class="letter-title">{escape(text["title"])}</h1>' in content
    assert escape(text["signatory_heading"]) in content
    assert escape(translated.title) not in content.split("<article", 1)[1]
    assert "Licadho" in content
    assert escape("Ligue des droits de l'Homme") in content
    assert "2 signatures" in content


def test_a_reader_of_french_pages_gets_the_french_translation_and_can_go_back_to_the_original(
    client, translated
):
    url = reverse("public:letter-detail", kwargs={"slug": translated.slug})
    assert url.startswith("/letters/")

    content = client.get(f"/fr{url}").content.decode()
    assert '<article class="letter" lang="fr" dir="ltr">' in content
    assert f'href="/fr{url}?lang=en" hreflang="en" lang="en">English' in content

    original = client.get(f"/fr{url}", {"lang": "en"}).content.decode()
    assert '<article class="letter" lang="en" dir="ltr">' in original


def test_a_draft_translation_is_not_offered_nor_shown(client, translated, coordinator):
    translated.translations.filter(language="km").update(status="draft")

    content = page(client, translated, lang="km").content.decode()

    assert "?lang=km" not in content
    assert escape(KHMER["title"]) not in content
    assert f'<h1 class="letter-title">{escape(translated.title)}</h1>' in content


def test_an_outdated_translation_is_shown_with_a_notice(client, translated, coordinator):
    letter_update(letter=translated, data={"body": "New."}, actor=coordinator,
                  confirm_new_version=True)  # fmt: skip

    content = page(client, translated, lang="fr").content.decode()

    assert escape(FRENCH["title"]) in content
    assert "The original text has changed since this translation was made" in content
    assert "The original text has changed" not in page(client, translated).content.decode()


def test_markup_in_a_translation_is_escaped_or_sanitized(client, open_letter, coordinator):
    script = '<script>alert("pwned")</script>'
    data = {**FRENCH, "title": script, "body": f"Texte {script} [lien](javascript:alert(1))"}
    translate(open_letter, "fr", data, coordinator)

    content = page(client, open_letter, lang="fr").content.decode()

    assert script not in content
    assert escape(script) in content
    assert "javascript:" not in content


@pytest.fixture
def finalized(translated, coordinator, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    letter = letter_close(letter=translated, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        letter_finalize(letter=letter, actor=coordinator)
    snapshot_pdf_make(letter_id=letter.pk)  # real PDFs: the original, French and Khmer
    letter.refresh_from_db()
    return letter


def test_the_pdf_is_offered_in_each_frozen_translation(client, finalized):
    pdf_url = reverse("public:letter-pdf", kwargs={"slug": finalized.slug})

    original = client.get(pdf_url)
    khmer = client.get(pdf_url, {"lang": "km"})
    missing = client.get(pdf_url, {"lang": "de"})

    assert original.status_code == khmer.status_code == 200
    assert b"".join(khmer.streaming_content).startswith(b"%PDF-")
    assert khmer["Content-Disposition"].endswith(f'filename="{finalized.slug}-km.pdf"')
    assert original["Content-Disposition"].endswith(f'filename="{finalized.slug}.pdf"')
    assert missing.status_code == 404
    assert f"{pdf_url}?lang=km" in page(client, finalized, lang="km").content.decode()


def test_the_pdf_link_names_the_language_as_the_interface_does(client, finalized):
    """A language's own name belongs to the switcher; in a sentence, the interface names it."""
    with translation.override("fr"):
        french_pages = reverse("public:letter-detail", kwargs={"slug": finalized.slug})

    english = page(client, finalized, lang="km").content.decode()
    french = client.get(french_pages, {"lang": "fr"}).content.decode()

    assert "The letter as sent, in Khmer (PDF)" in english
    assert "La lettre telle qu'envoyée, en français (PDF)" in french
    assert "en Français" not in french
