"""An English letter's public page, read from the French and Khmer pages: the letter (its To:
block, its date, its signatory list) stays English, while the page around it speaks the reader's
language; a translation shown instead is in its own language throughout."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from tests.letter_languages import (
    CAMBODIA,
    DATE,
    INTERFACES,
    SWITZERLAND,
    english_letter,
    signatory_lines,
)

pytestmark = pytest.mark.django_db


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def prefixed(language: str, name: str, **kwargs) -> str:
    """The page's address under `language`'s prefix (English pages have none)."""
    with translation.override("en"):  # a request leaves its language active
        path = reverse(name, kwargs=kwargs)
    return path if language == "en" else f"/{language}{path}"


def letter_page(client, letter, interface: str, **query) -> tuple[str, str, str]:
    """The whole page, its letter, and its signatory list, read under `interface`'s prefix."""
    response = client.get(prefixed(interface, "public:letter-detail", slug=letter.slug), query)
    assert response.status_code == 200
    content = response.content.decode()
    article = content.split("<article", 1)[1].split("</article>", 1)[0]
    listed = content.split('class="signatory-list"', 1)[1].split("</ol>", 1)[0]
    return content, article, listed


@pytest.mark.parametrize("interface", INTERFACES)
def test_the_english_letter_is_english_on_every_interface(client, coordinator, interface):
    letter = english_letter(coordinator)

    content, article, listed = letter_page(client, letter, interface)

    assert f'<html lang="{interface}">' in content
    assert in_language(interface, "Sign this letter") in content
    assert article.startswith(' class="letter" lang="en" dir="ltr">')
    assert f"{DATE['en']}</time>" in article
    assert f"Geneva 10<br>{SWITZERLAND['en']}</address>" in article
    assert "To:" in article
    assert 'lang="en">' in listed.split("\n", 1)[0]
    for line in signatory_lines("en"):
        assert escape(line) in listed
    for other in ("fr", "km"):
        assert SWITZERLAND[other] not in article
        assert f", {CAMBODIA[other]}<" not in listed


@pytest.mark.parametrize("interface", INTERFACES)
def test_a_french_translation_shown_is_french_throughout(client, coordinator, interface):
    letter = english_letter(coordinator, translations=("fr",))

    content, article, listed = letter_page(client, letter, interface, lang="fr")

    assert f'<html lang="{interface}">' in content
    assert article.startswith(' class="letter" lang="fr" dir="ltr">')
    assert f"{DATE['fr']}</time>" in article
    assert f"Geneva 10<br>{SWITZERLAND['fr']}</address>" in article
    assert "À\xa0:" in article
    for line in signatory_lines("fr"):
        assert escape(line) in listed
    assert SWITZERLAND["en"] not in article
    assert f", {CAMBODIA['en']}<" not in listed


def test_french_pages_show_the_french_translation_and_the_english_original_on_request(
    client, coordinator
):
    letter = english_letter(coordinator, translations=("fr",))

    _content, article, listed = letter_page(client, letter, "fr")
    assert SWITZERLAND["fr"] in article
    assert escape(signatory_lines("fr")[1]) in listed

    _content, article, listed = letter_page(client, letter, "fr", lang="en")
    assert SWITZERLAND["en"] in article
    assert escape(signatory_lines("en")[1]) in listed

    _content, article, listed = letter_page(client, letter, "km")  # no Khmer translation
    assert SWITZERLAND["en"] in article
    assert escape(signatory_lines("en")[1]) in listed


@pytest.mark.parametrize(
    ("purpose", "name"),
    [("confirm", "public:signature-confirm"), ("manage", "public:signature-manage")],
)
def test_a_signer_sees_their_line_as_the_letter_they_read_lists_it(
    client, coordinator, purpose, name
):
    letter = english_letter(coordinator, translations=("fr",))
    signature = letter.signatures.get(name="Cambodian League")
    token = signature.token(purpose)
    # French pages show the French translation; there is no Khmer one: Khmer pages show English.
    for interface, language in (("en", "en"), ("fr", "fr"), ("km", "en")):
        content = client.get(prefixed(interface, name, pk=signature.pk, token=token))
        line = escape(signatory_lines(language)[1])
        assert f'<p class="signatory-preview" lang="{language}">{line}</p>' in (
            content.content.decode()
        )
