"""A letter's title quoted on the pages around it (the list, signing, confirming) is marked
with the letter's language, whatever the page's, so a screen reader speaks it in that language;
the title stays escaped."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

TITLE = "Lettre ouverte <script>alert(1)</script> au Rapporteur"
ESCAPED = "Lettre ouverte &lt;script&gt;alert(1)&lt;/script&gt; au Rapporteur"
MARKED = f'<span lang="fr">{ESCAPED}</span>'


@pytest.fixture
def french_letter(open_letter):
    open_letter.title, open_letter.language = TITLE, "fr"
    open_letter.save(update_fields=["title", "language"])
    return open_letter


def _page(client, language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_title_is_marked_with_the_letters_language_on_every_page(
    client, french_letter, language
):
    slug = french_letter.slug
    signature = SignatureFactory(letter=french_letter, version=1)
    token = signature.token("confirm")

    sign = _page(client, language, "public:letter-sign", slug=slug)
    assert MARKED in sign.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert MARKED in _page(client, language, "public:letter-sign-done", slug=slug)
    confirm = _page(client, language, "public:signature-confirm", pk=signature.pk, token=token)
    assert MARKED in confirm
    listing = _page(client, language, "public:home")
    assert f' lang="fr">{ESCAPED}</a>' in listing
    assert "<script>alert(1)" not in sign + listing
