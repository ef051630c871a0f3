"""Names are kept as typed: joiners, the Khmer word separator, variation selectors, emoji
modifiers and closed bidi pairs come through the sign form, the public list, the CSV and the PDF;
only bidi controls left open (and a byte-order mark) are dropped, and line breaks and control
characters are refused."""

import csv
import io
import re
import unicodedata

import pytest
from django.urls import reverse

from letters_app.models import Letter, Signature
from letters_app.services.signatures import signature_confirm
from tests.exports.pdf_reading import text_of
from tests.views.public.signing import INDIVIDUAL, ORGANIZATION, sign_url

pytestmark = pytest.mark.django_db

# What is typed, and what is kept: each case keeps one kind of character, or drops one.
KEPT = {
    "zwj, skin tone, variation selector": "Juge 👩🏽\u200d⚖\ufe0f Dara",
    "zwnj (Persian)": "می\u200cخواهم Sina",
    "zero width space (Khmer words)": "សមាគម\u200bខ្មែរ\u200bសិទ្ធិ",
    "variation selector": "Cœur \u2764\ufe0f Club",
    "closed isolate": "Ligue \u2067שלום\u2069 Paris",
    "closed embedding": "Ligue \u202bשלום\u202c Paris",
    "nested, closed": "Ligue \u2066A \u202eB\u202c C\u2069 Paris",
}
STRIPPED = {
    "override left open": ("\u202eLigue des droits", "Ligue des droits"),
    "isolate left open": ("Ligue \u2067des droits", "Ligue des droits"),
    "close without open": ("Ligue\u202c des\u2069 droits", "Ligue des droits"),
    "embedding left open in an isolate": ("A \u2067B \u202bC\u2069 D", "A \u2067B C\u2069 D"),
    "byte-order mark": ("\ufeffLigue des droits", "Ligue des droits"),
    "tab": ("Ligue\tdes droits", "Ligue des droits"),
    "joiners at either end": ("\u200dLigue des droits\u200b", "Ligue des droits"),
}
CASES = [(typed, typed) for typed in KEPT.values()] + list(STRIPPED.values())
IDS = list(KEPT) + list(STRIPPED)


@pytest.fixture
def sign(client, open_letter, django_capture_on_commit_callbacks):
    def post(**changes):
        data = {k: v for k, v in {**ORGANIZATION, **changes}.items() if v is not None}
        with django_capture_on_commit_callbacks(execute=False):
            return client.post(sign_url(open_letter), data)

    return post


def visible(text: str) -> str:
    """What a PDF's text layer can give back: the characters drawn, not the invisible ones
    (format characters and variation selectors, which draw no glyph of their own)."""
    shown = (c for c in text if unicodedata.category(c) != "Cf")
    return "".join(c for c in shown if "VARIATION SELECTOR" not in unicodedata.name(c))


def pdf_line(pdf: bytes) -> str:
    """The first signatory's line as poppler reads it, less the marks it adds around
    right-to-left runs and the spaces it may add between glyphs."""
    text = text_of(pdf)
    line = next(line for line in text.splitlines() if line.startswith("1. "))
    return re.sub("[\u202a-\u202e ]", "", line)


@pytest.mark.parametrize(("typed", "kept"), CASES, ids=IDS)
def test_a_name_goes_from_the_form_to_the_list_csv_and_pdf_as_kept(
    client, client_for, coordinator, open_letter, sign, typed, kept
):
    assert sign(name=typed, acronym="").status_code == 302
    signature = Signature.objects.get()
    assert signature.name == kept
    signature_confirm(signature=signature)

    page = client.get(open_letter.get_absolute_url()).content.decode()
    line = f'<span class="signatory-line">{kept}, France</span>'
    assert f'<span class="signatory-number">1.</span> {line}' in page

    download = reverse("staff:letter-export-download", args=[open_letter.pk])
    response = client.get(download, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["name"] for row in rows] == [kept]

    response = client_for(coordinator).get(download, {"format": "pdf"})
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    assert pdf_line(pdf) == f"1.{visible(kept)},France".replace(" ", "")


def test_other_lines_of_an_entry_keep_what_names_keep(client, open_letter, sign):
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True)
    data = {**INDIVIDUAL, "name": KEPT["zwnj (Persian)"], "title": KEPT["zwj, skin tone, "
            "variation selector"], "affiliation": "\u202eសមាគម\u200bខ្មែរ"}  # fmt: skip
    assert sign(**data).status_code == 302
    signature = Signature.objects.get()
    assert (signature.name, signature.title, signature.affiliation) == (
        "می\u200cخواهم Sina", "Juge 👩🏽\u200d⚖\ufe0f Dara", "សមាគម\u200bខ្មែរ",
    )  # fmt: skip


def test_an_organizations_contact_and_acronym_are_cleaned_alike(sign):
    assert sign(acronym="\u202eAT\u200dN", contact_name="Sok\u200c Dara\u2069").status_code == 302
    signature = Signature.objects.get()
    assert (signature.acronym, signature.contact_name) == ("AT\u200dN", "Sok\u200c Dara")


@pytest.mark.parametrize("value", ["Line\nBreak", "Nul\x00Byte", "Next\x85Line", "Bell\x07"])
def test_line_breaks_and_controls_are_refused_not_dropped(sign, value):
    response = sign(name=value)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Write this on one line, without line breaks or control characters."
    ]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("name", ["\u200b\u200d", "\u2067\u2069", "\ufe0f \u200c"])
def test_a_name_of_invisible_characters_only_is_no_name(sign, name):
    response = sign(name=name)
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert Signature.objects.count() == 0
