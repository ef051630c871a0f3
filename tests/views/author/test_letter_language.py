"""A coordinator on the French or Khmer pages previews an English letter in English: its To:
block, date and country names as recipients and readers will get them."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.letter_languages import DATE, INTERFACES, SWITZERLAND, english_letter
from tests.views.author.editing import form_data

pytestmark = pytest.mark.django_db


def prefixed(interface: str, name: str, **kwargs) -> str:
    with translation.override("en"):  # a request leaves its language active
        path = reverse(name, kwargs=kwargs)
    return path if interface == "en" else f"/{interface}{path}"


def previewed(html: str) -> str:
    """The letter in a page: its <article>."""
    return html.split('<article class="letter" lang="en" dir="ltr">', 1)[1].split("</article>")[0]


@pytest.mark.parametrize("interface", INTERFACES)
def test_previews_show_the_letter_in_its_own_language(client_for, coordinator, interface):
    letter = english_letter(coordinator, translations=("fr",))
    client = client_for(coordinator)

    pages = {
        "edit": client.get(prefixed(interface, "author:letter-edit", pk=letter.pk)),
        "live preview": client.post(
            prefixed(interface, "author:letter-preview", pk=letter.pk), form_data(letter)
        ),
        "history": client.get(prefixed(interface, "author:letter-history", pk=letter.pk)),
        "translation": client.get(
            prefixed(interface, "author:translation-edit", pk=letter.pk, language="fr")
        ),
    }

    for page, response in pages.items():
        assert response.status_code == 200, page
        letter_html = previewed(response.content.decode())
        assert f"{DATE['en']}</time>" in letter_html, page
        assert f"Geneva 10<br>{SWITZERLAND['en']}</address>" in letter_html, page
        assert SWITZERLAND["fr"] not in letter_html, page
        assert SWITZERLAND["km"] not in letter_html, page


def test_the_text_fields_are_marked_with_the_letters_language(client_for, coordinator):
    letter = english_letter(coordinator)
    html = client_for(coordinator).get(prefixed("km", "author:letter-edit", pk=letter.pk))
    content = html.content.decode()

    assert '<html lang="km">' in content
    for name in ("title", "salutation", "body", "closing"):
        field = content.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        assert 'lang="en"' in field, name
    assert 'lang="en"' not in content.split('name="slug"', 1)[1].split(">", 1)[0]
