"""The finalized letter's PDF, made from a snapshot frozen by the real services and read back with
poppler (pdftotext, pdffonts, pdfinfo from poppler-utils). Text is read with `pdftotext -raw`, in
the order WeasyPrint wrote it: `-layout` interleaves the annex's two columns and scatters Khmer
vowels over several lines."""

import dataclasses
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from letters_app.exports.letter_pdf import (
    ANNEX_COLUMNS_UP_TO,
    letter_context,
    letterhead,
    local_fetcher,
    render_letter_pdf,
    static_roots,
)
from letters_app.models import Signature
from letters_app.rendering import snapshot_view
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close
from letters_app.services.signatures import signature_add, signature_confirm
from tests.exports.pdf_reading import (
    FRENCH_CURLY,
    KHMER_SWITZERLAND,
    SIGNATORY_NAMES,
    fonts_of,
    poppler,
    text_of,
    unreadable,
)

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FRENCH = "Ligue des droits de l'Homme, Fédération"


@pytest.fixture
def finalized(open_letter, coordinator, django_capture_on_commit_callbacks):
    """finalized([(name, acronym, country), …]) signs the open letter with each organization in
    turn, closes and finalizes it (no task runs) and returns the snapshot."""

    def finalize(organizations):
        for i, (name, acronym, country) in enumerate(organizations):
            signature, _created = signature_add(
                letter=open_letter, kind=Signature.Kind.ORGANIZATION,
                email=f"org{i}@example.org", name=name, acronym=acronym, country=country,
                consent_public=True,
            )  # fmt: skip
            signature_confirm(signature=signature)
        letter = letter_close(letter=open_letter, actor=coordinator)
        with django_capture_on_commit_callbacks(execute=False):
            return letter_finalize(letter=letter, actor=coordinator)

    return finalize


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", pdf), re.M).group(1))


def annex_of(text: str, snapshot) -> str:
    """What follows the signatory heading, without the page footers."""
    annex = text.split(snapshot.content["letter"]["signatory_heading"], 1)[1]
    return re.sub(r"^SHA-256 .*$", "", annex, flags=re.M)


def numbered_lines(text: str) -> list[tuple[int, str]]:
    # Numbers are right-aligned with figure spaces, which poppler gives back as spaces.
    return [(int(m[1]), m[2]) for m in re.finditer(r"^\s*(\d+)\. (.+)$", text, re.M)]


def test_the_pdf_has_the_letter_the_numbered_signatories_and_the_footer(finalized):
    snapshot = finalized([
        ("Collectif des Associations Khmères de Lyon", "CAKL", "FR"),
        (KHMER, "", "KH"),
        (FRENCH, "", "FR"),
        ("Cambodian Diaspora Network", "CDN", "AU"),
    ])  # fmt: skip

    pdf = render_letter_pdf(snapshot)

    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    letter = snapshot.content["letter"]
    assert letter["title"] in " ".join(text.split())
    for line in snapshot.content["recipients"][0]["address_lines"]:
        assert line in text
    assert "Palais des Nations" in text
    assert letter["salutation"] in text
    assert letter["signatory_heading"] in text
    signatories = numbered_lines(annex_of(text, snapshot))
    assert [n for n, _line in signatories] == [1, 2, 3, 4]
    assert signatories[0] == (1, "Collectif des Associations Khmères de Lyon (CAKL), France")
    assert signatories[2] == (3, f"{FRENCH}, France")
    assert signatories[3] == (4, "Cambodian Diaspora Network (CDN), Australia")
    # poppler puts spaces between some Khmer glyph runs; the characters are all there, in order.
    assert "".join(signatories[1][1].split()) == f"{KHMER},Cambodia"
    pages = page_count(pdf)
    assert f"1 / {pages}" in text_of(pdf, page=1)
    assert f"{pages} / {pages}" in text_of(pdf, page=pages)
    assert f"SHA-256 {snapshot.sha256}" in text
    assert len(snapshot.sha256) == 64


def test_khmer_is_set_in_an_embedded_khmer_font(finalized):
    snapshot = finalized([(KHMER, "", "KH")])

    pdf = render_letter_pdf(snapshot)

    fonts = [line.split() for line in poppler("pdffonts", pdf).splitlines()[2:]]
    khmer = [f for f in fonts if "Khmer" in f[0]]
    assert khmer, fonts
    assert all(f[-5] == "yes" for f in khmer)  # the "emb" column
    assert KHMER in "".join(text_of(pdf).split())


def test_markup_in_a_signatory_name_is_printed_as_text(finalized):
    snapshot = finalized([("<script>alert(1)</script> <b>Collectif</b>", "", "FR")])

    pdf = render_letter_pdf(snapshot)

    assert "1. <script>alert(1)</script> <b>Collectif</b>, France" in text_of(pdf)


def test_a_long_list_numbers_every_page_n_of_m(finalized):
    snapshot = finalized([(f"Association numéro {n}", f"A{n}", "FR") for n in range(1, 301)])

    pdf = render_letter_pdf(snapshot)

    pages = page_count(pdf)
    assert pages > 3
    for page in range(1, pages + 1):
        assert re.search(rf"(^| ){page} / {pages}$", text_of(pdf, page=page), re.M)
    lines = numbered_lines(annex_of(text_of(pdf), snapshot))
    assert [n for n, _line in lines] == list(range(1, 301))
    assert lines[11] == (12, "Association numéro 12 (A12), France")


def test_two_columns_only_for_a_long_list_of_short_lines(finalized):
    lv = snapshot_view(finalized([(f"Groupe {n}", "", "FR") for n in range(1, 41)]))

    def body_class(lines: list[str]) -> str:
        signatories = [{"n": n, "line": line} for n, line in enumerate(lines, start=1)]
        return letter_context(dataclasses.replace(lv, signatories=signatories))["body_class"]

    assert letter_context(lv)["body_class"] == "pdf-annex-page pdf-annex-columns"
    assert body_class(["Groupe, France"] * (ANNEX_COLUMNS_UP_TO + 1)) == "pdf-annex-page"
    assert body_class([f"{FRENCH} et du Citoyen, Paris, France"] * 40) == "pdf-annex-page"


def test_the_letterhead_names_the_sender_once(finalized):
    lv = snapshot_view(finalized([("Groupe 1", "", "FR")]))
    block = ["Coalition des associations khmères", "12 rue de la Paix, Paris", "c@example.org"]

    def head(sender_line: str, from_lines: list[str]):
        return letterhead(dataclasses.replace(lv, sender_line=sender_line, from_lines=from_lines))

    assert head("Coalition des associations khmères", block) == (block[0], block[1:])
    assert head("", block) == (block[0], block[1:])
    assert head("Réseau Cambodge", block) == ("Réseau Cambodge", block)
    assert head("", []) == ("", [])


def test_a_short_list_follows_the_letter_in_one_column(finalized):
    snapshot = finalized([("Groupe 1", "", "FR")])

    assert letter_context(snapshot_view(snapshot))["body_class"] == ""


@pytest.mark.parametrize(
    "url",
    ["https://example.org/logo.png", "http://127.0.0.1:8000/static/css/pdf.css",
     "ftp://example.org/x", "data:text/css,p{}", "file:///etc/passwd"],
)  # fmt: skip
def test_the_pdf_fetches_nothing_but_static_files(url):
    fetcher = local_fetcher(static_roots())

    with pytest.raises(ValueError):
        fetcher.fetch(url)

    css = (static_roots()[0] / "css" / "pdf.css").resolve()
    response = fetcher.fetch(css.as_uri())
    try:
        assert b"@page" in response.read()
    finally:
        response.close()


def test_finalizing_refuses_a_letter_without_signatories(open_letter, coordinator):
    # The PDF is never asked for an empty annex: finalizing stops first.
    letter = letter_close(letter=open_letter, actor=coordinator)
    with pytest.raises(ValidationError):
        letter_finalize(letter=letter, actor=coordinator)


@pytest.mark.parametrize("language", ["en", "fr", "km"])
def test_every_name_reads_back_from_the_pdf_as_written(finalized, language):
    with translation.override(language):  # finalized and made from each interface
        snapshot = finalized([
            *((name, "", "KH") for name in SIGNATORY_NAMES),
            (f"សមាគមខ្មែរនៅ{KHMER_SWITZERLAND}", "", "CH"),
            (KHMER, "ខ្មែរ", "KH"),  # the first name again: the same glyphs read the same
        ])  # fmt: skip
        pdf = render_letter_pdf(snapshot)

    lines = [f"{s['n']}. {s['line']}" for s in snapshot_view(snapshot).signatories]
    assert len(lines) == len(SIGNATORY_NAMES) + 2
    assert lines[-1] == f"{len(lines)}. {KHMER} (ខ្មែរ), Cambodia"
    # pypdf reads each line exactly, pdftotext with at most spaces added.
    assert unreadable(pdf, [*lines, "Switzerland"]) == []


def test_the_pdf_embeds_only_the_fonts_shipped_with_cosign(finalized):
    snapshot = finalized([(KHMER, "", "KH"), (FRENCH_CURLY, "", "FR")])
    # Every kind of text Markdown lets a coordinator write, code and quotes included.
    snapshot.content["letter"]["body"] += (
        "\n\n*See `article 19`* and **bold**.\n\n> A quote.\n\n    a code block\n\n"
        "| a | b |\n| - | - |\n| `c` | d |"
    )

    fonts = fonts_of(render_letter_pdf(snapshot))

    assert {name for name, _embedded in fonts} <= {
        "Cosign-Serif", "Cosign-Serif-Bold", "Cosign-Serif-Italic", "Cosign-Serif-Bold-Italic",
        "Cosign-Sans", "Cosign-Serif-Khmer", "Cosign-Serif-Khmer-Bold", "Cosign-Sans-Khmer",
        "Cosign-Sans-Khmer-Bold",
    }, fonts  # fmt: skip
    assert {"Cosign-Serif", "Cosign-Serif-Khmer", "Cosign-Sans"} <= {n for n, _e in fonts}
    assert all(embedded == "yes" for _name, embedded in fonts)
