"""The letter's PDF in a translation: the translated text, in the translation's language, over
the same signatory list; Khmer set in the Khmer font."""

import pytest

from letters_app.exports.letter_pdf import render_letter_pdf
from letters_app.rendering import snapshot_view
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close
from letters_app.services.signatures import signature_confirm
from tests.exports.pdf_reading import SIGNATORY_NAMES, poppler, text_of, unreadable
from tests.factories import SignatureFactory
from tests.translations import FRENCH, KHMER, translate

pytestmark = pytest.mark.django_db


def squeezed(text: str) -> str:
    # poppler puts spaces between some Khmer glyph runs; the characters are all there, in order.
    return "".join(text.split())


@pytest.fixture
def snapshot(open_letter, coordinator, django_capture_on_commit_callbacks):
    translate(open_letter, "km", KHMER, coordinator)
    translate(open_letter, "fr", FRENCH, coordinator)
    signature_confirm(signature=SignatureFactory(letter=open_letter, name="Licadho", version=1))
    letter = letter_close(letter=open_letter, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        return letter_finalize(letter=letter, actor=coordinator)


def test_a_pdf_of_the_khmer_translation_has_the_khmer_text_in_a_khmer_font(snapshot):
    pdf = render_letter_pdf(snapshot, language="km")

    text = squeezed(text_of(pdf))
    assert squeezed(KHMER["title"]) in text
    assert squeezed(KHMER["salutation"]) in text
    # poppler reads some clusters with a vowel written before its consonant back without the
    # vowel: of the other parts, words it reads back whole.
    for words in ("យើងខ្ញុំជាអង្គការដែលបានចុះ", "ចាត់វិធានការ", "សូមទទួល"):
        assert words in text
    assert text.index(squeezed(KHMER["salutation"])) < text.index("Licadho")
    assert "Licadho" in text  # the one signatory list
    assert squeezed(snapshot.content["letter"]["body"]) not in text
    fonts = [line.split() for line in poppler("pdffonts", pdf).splitlines()[2:]]
    assert any("Khmer" in font[0] and font[-5] == "yes" for font in fonts)  # embedded


def test_the_original_pdf_keeps_the_original_text(snapshot):
    text = squeezed(text_of(render_letter_pdf(snapshot)))

    assert squeezed(snapshot.content["letter"]["title"]) in text
    assert squeezed(KHMER["title"]) not in text
    assert squeezed(FRENCH["title"]) not in text


def test_the_khmer_pdf_reads_back_its_text_to_block_and_names_exactly(
    open_letter, coordinator, django_capture_on_commit_callbacks
):
    translate(open_letter, "km", KHMER, coordinator)
    for name in SIGNATORY_NAMES:
        signature_confirm(signature=SignatureFactory(letter=open_letter, name=name, country="KH"))
    letter = letter_close(letter=open_letter, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        snapshot = letter_finalize(letter=letter, actor=coordinator)

    pdf = render_letter_pdf(snapshot, language="km")

    lv = snapshot_view(snapshot, language="km")
    lines = [f"{s['n']}. {s['line']}" for s in lv.signatories]
    assert lines[0] == f"1. {SIGNATORY_NAMES[0]}, កម្ពុជា"  # in the translation's language
    parts = [KHMER[part] for part in ("title", "salutation", "body", "closing")]
    expected = [*parts, KHMER["signatory_heading"], *lv.to_blocks[0], *lines]
    # pypdf reads each exactly, pdftotext with at most spaces added.
    assert unreadable(pdf, expected) == []
