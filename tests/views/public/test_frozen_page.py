"""After delivery, a letter's public page shows exactly what was sent: the texts frozen under its
SHA-256 and nothing written, marked ready or renamed afterwards."""

import pytest
from django.utils.html import escape

from letters_app.models import Letter, LetterSnapshot, LetterTranslation, Recipient
from tests.frozen import LATE_FRENCH
from tests.translations import FRENCH, KHMER

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["finalized", "sent"])
def later(request, frozen_letter, recipient):
    """The frozen letter after everything the old pages let through once it was finalized: its
    French translation rewritten, its Khmer draft marked ready, a recipient renamed in the
    directory."""
    if request.param == "sent":
        Letter.objects.filter(pk=frozen_letter.pk).update(status=Letter.Status.SENT)
    translations = LetterTranslation.objects.filter(letter=frozen_letter)
    translations.filter(language="fr").update(title=LATE_FRENCH)
    translations.filter(language="km").update(
        status=LetterTranslation.Status.READY, source_version=frozen_letter.version
    )
    Recipient.objects.filter(pk=recipient.pk).update(name="Renamed Afterwards")
    # The page links the PDF, and shows the hash, once it is made: here it is only named.
    LetterSnapshot.objects.filter(letter=frozen_letter).update(pdf="letters/sent.pdf")
    frozen_letter.refresh_from_db()
    return frozen_letter


def read(client, letter, language="en", **query):
    response = client.get(
        letter.get_absolute_url(), query, HTTP_ACCEPT_LANGUAGE=language, follow=True
    )
    assert response.status_code == 200
    return response.text


def test_a_french_visitor_reads_the_french_text_that_was_frozen(client, later):
    sha256 = LetterSnapshot.objects.get(letter=later).sha256

    page = read(client, later, "fr")

    assert f"SHA-256 {sha256}" in page
    assert '<article class="letter" lang="fr" dir="ltr">' in page
    assert escape(FRENCH["title"]) in page
    assert LATE_FRENCH not in page and escape(LATE_FRENCH) not in page


def test_a_text_not_frozen_is_not_offered_under_the_hash(client, later):
    page = read(client, later, "fr")
    asked = read(client, later, lang="km")

    for shown in (page, asked):
        assert KHMER["title"] not in shown
        assert 'hreflang="km"' not in shown
    assert f'<article class="letter" lang="{later.language}"' in asked  # the original instead
    assert 'hreflang="en"' in page  # the original and the frozen French stay offered
    assert 'hreflang="fr"' in asked


def test_the_to_block_is_the_one_that_was_sent(client, later, recipient):
    page = read(client, later)

    assert "Renamed Afterwards" not in page
    assert (
        escape(
            LetterSnapshot.objects.get(letter=later).content["recipients"][0]["address_lines"][0]
        )
        in page
    )
