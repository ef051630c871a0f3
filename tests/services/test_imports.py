"""Importing a list of signatories: parsing (pure), reading uploads, preview, confirmation."""

import io
import unicodedata
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from letters_app import emails
from letters_app.models import AuditEvent, Letter, LetterTranslation, Signature, SignerMail
from letters_app.services import imports
from letters_app.services.imports import (
    country_resolve,
    import_confirm,
    import_parse,
    import_preview,
    import_read_file,
)
from letters_app.services.signatures import (
    display_text_tidy,
    signature_confirm,
    signatures_notify_new_version,
)
from tests.factories import SignatureFactory

ORG = Signature.Kind.ORGANIZATION
S = Signature.Status

# A list as coalitions paste them: numbers, stray commas, spaces inside parentheses, the same
# country spelled two ways, lines without numbers, names in Khmer and French, a formula.
SEED_LIST = """\
  1. Ah Nah Podcast - Conversation with Myanmar (ANP), USA
  2. Association 23 Octobre 1991, (A23O), France
  5. Association Conscience du Peuple Khmer,(ACPK), France
  6. Association Culturelle Cambodgienne, (ACC), France
  9. Association des Bouddhistes Khmers d’Alsace (ABKA), France
  11. Association Le Lotus Khmer (ALK), France,
  12. Association Nationale des Anciens Amis de l’Indochine, SOS-Cambodge (ANAAI), France
  15. Association TEP NIMITH (ATN), France
  16. Australian South-East Asian Network (ASEAN), AUS
  18. Cambodia’s Border Committee ( CFC-CBC ), France
  20. Cambodian Alliance for the Paris Peace Agreements on Cambodia (CAPPAC), AUS
  23. Cambodian Association of Victoria (CAV), Australia
  24. Cambodian Australian Federation (CAF) , Australia ,
  26. Canterbury Cambodian Association (CCAA), New Zealand

Chalana Satrey Khmer (CSK), France
Ligue Cambodgienne des Droits de l'Homme et du Citoyen, Cambodge
Khmer Student Association ( KSA) , Canada
សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia
=HYPERLINK("http://example.org"), France
Association "Les Amis d'Angkor", Cambodia
Comité Khmer, Paris et Île-de-France (CKP), United Kingdom
"""


def lines_by_number(lines):
    return {line.number: line for line in lines if line.number is not None}


# --- parsing -----------------------------------------------------------------------------------


def test_every_line_of_a_seed_style_list_is_read():
    lines = import_parse({"text": SEED_LIST})

    assert len(lines) == 21  # the blank line is no signatory
    assert [line.problems for line in lines] == [[]] * 21
    by_number = lines_by_number(lines)
    assert sorted(by_number) == [1, 2, 5, 6, 9, 11, 12, 15, 16, 18, 20, 23, 24, 26]
    assert (by_number[2].name, by_number[2].acronym, by_number[2].country) == (
        "Association 23 Octobre 1991", "A23O", "FR",
    )  # fmt: skip
    assert (by_number[5].name, by_number[5].acronym) == (
        "Association Conscience du Peuple Khmer", "ACPK",
    )  # fmt: skip
    assert (by_number[11].acronym, by_number[11].country) == ("ALK", "FR")
    assert (
        by_number[12].name == "Association Nationale des Anciens Amis de l’Indochine, SOS-Cambodge"
    )
    assert by_number[18].acronym == "CFC-CBC"
    assert (by_number[24].name, by_number[24].acronym) == ("Cambodian Australian Federation", "CAF")
    # AUS and Australia are the same country.
    assert {by_number[n].country for n in (16, 20, 23, 24)} == {"AU"}
    assert by_number[1].country == "US"
    unnumbered = [line for line in lines if line.number is None]
    assert [(line.name, line.acronym, line.country) for line in unnumbered] == [
        ("Chalana Satrey Khmer", "CSK", "FR"),
        ("Ligue Cambodgienne des Droits de l'Homme et du Citoyen", "", "KH"),
        ("Khmer Student Association", "KSA", "CA"),
        ("សមាគមនិស្សិតខ្មែរ", "សនខ", "KH"),
        ('=HYPERLINK("http://example.org")', "", "FR"),
        ('Association "Les Amis d\'Angkor"', "", "KH"),
        ("Comité Khmer, Paris et Île-de-France", "CKP", "GB"),
    ]


def test_a_well_formed_line_is_listed_exactly_as_it_was_pasted():
    well_formed = [
        "Association TEP NIMITH (ATN), France",
        "Association des Bouddhistes Khmers d’Alsace (ABKA), France",
        "សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia",
        '=HYPERLINK("http://example.org"), France',
        'Association "Les Amis d\'Angkor", Cambodia',
        "Comité Khmer, Paris et Île-de-France (CKP), United Kingdom",
        "Cambodia Border Institute (CBI), United States of America",
    ]

    lines = import_parse({"text": "\n".join(well_formed)})

    assert [line.display_line for line in lines] == well_formed


@pytest.mark.parametrize(
    ("written", "code"),
    [("AUS", "AU"), ("Australia", "AU"), ("australia", "AU"), ("USA", "US"), ("U.S.A.", "US"),
     ("United States", "US"), ("UK", "GB"), ("United Kingdom", "GB"), ("Cambodge", "KH"),
     ("KHM", "KH"), ("FR", "FR"), ("Nouvelle-Zélande", "NZ"), ("nouvelle zelande", "NZ"),
     ("Suisse", "CH"), ("Burma", "MM"), ("Bolivia (Plurinational State of)", "BO"),
     ("Iran (République Islamique d')", "IR"), ("Narnia", ""), ("XYZ", ""), ("", "")],
)  # fmt: skip
def test_countries_are_read_by_name_code_and_common_alias(written, code):
    assert country_resolve(written) == code


def test_problems_are_reported_line_by_line_and_stop_no_other_line():
    text = "\n".join([
        "Association TEP NIMITH (ATN), Narnia",
        "12. ***, France",
        "Association Angkor Wat (AAW)",
        "x" * 1_500,
        "Association CNRP (ACNRP), France",
        "A" * 201 + ", France",
    ])  # fmt: skip

    lines = import_parse({"text": text})

    codes = [[p.code for p in line.problems] for line in lines]
    assert codes == [
        ["country_unknown"],
        ["unparsed"],
        ["country_missing"],
        ["unparsed"],
        [],
        ["unparsed"],
    ]
    assert [line.importable for line in lines] == [False, False, True, False, True, False]
    assert "Narnia" in lines[0].problems[0].message


def test_individuals_and_mps_keep_their_titles():
    people = import_parse(
        {"text": "Sok Chenda, Lawyer, Phnom Penh Bar, Cambodia\nMu Sochua, Cambodia"},
        kind=Signature.Kind.INDIVIDUAL,
    )
    mps = import_parse({"text": "Jane Doe, MP, Labour, Australia"}, kind=Signature.Kind.MP)

    assert [(p.name, p.title, p.affiliation, p.country) for p in people] == [
        ("Sok Chenda", "Lawyer", "Phnom Penh Bar", "KH"), ("Mu Sochua", "", "", "KH"),
    ]  # fmt: skip
    assert people[0].display_line == "Sok Chenda, Lawyer, Phnom Penh Bar, Cambodia"
    assert (mps[0].name, mps[0].title, mps[0].party, mps[0].acronym) == (
        "Jane Doe", "MP", "Labour", "",
    )  # fmt: skip


def test_rows_with_a_header_are_read_by_column():
    rows = [
        ["No.", "Nom", "Sigle", "Pays"],
        ["1", "Association TEP NIMITH", " ATN ", "France"],
        ["2", '\'=HYPERLINK("x")', "", "AUS"],  # as defusedcsv escapes a formula
        ["", "", "", ""],
        ["3", "Khmer Kampuchea Krom, Paris", "KKK", "Atlantis"],
    ]

    lines = import_parse({"rows": rows})

    assert [(ln.position, ln.number, ln.name, ln.acronym, ln.country) for ln in lines] == [
        (2, 1, "Association TEP NIMITH", "ATN", "FR"),
        (3, 2, '=HYPERLINK("x")', "", "AU"),
        (5, 3, "Khmer Kampuchea Krom, Paris", "KKK", ""),
    ]
    assert [p.code for p in lines[2].problems] == ["country_unknown"]


def test_rows_without_a_header_are_lines_cut_into_cells():
    rows = [["12. Association TEP NIMITH (ATN)", " France"], ["Chalana Satrey Khmer (CSK), AUS"]]

    lines = import_parse({"rows": rows})

    assert [line.display_line for line in lines] == [
        "Association TEP NIMITH (ATN), France",
        "Chalana Satrey Khmer (CSK), Australia",
    ]


# --- reading files -------------------------------------------------------------------------------


def upload(content: bytes, name="list.csv"):
    return SimpleUploadedFile(name, content)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell in sheet["B"]:
        cell.data_type = "s"  # a name that looks like a formula stays text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_utf8_csv_with_or_without_bom_is_read():
    text = "Name;Acronym;Country\nសមាគមខ្មែរ;SK;Cambodge\nComité Khmer, Paris;CKP;France\n"
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode()):
        rows = import_read_file(upload(data))
        lines = import_parse({"rows": rows})
        assert [(ln.name, ln.acronym, ln.country) for ln in lines] == [
            ("សមាគមខ្មែរ", "SK", "KH"), ("Comité Khmer, Paris", "CKP", "FR"),
        ]  # fmt: skip


def test_an_xlsx_file_is_read_byte_for_byte():
    names = ['=HYPERLINK("x")', "សមាគមខ្មែរ", "Ligue des Droits de l'Homme, « LDH »"]
    data = xlsx_bytes([["No.", "Name", "Country"], *[[i, n, "FR"] for i, n in enumerate(names)]])

    lines = import_parse({"rows": import_read_file(upload(data, "list.xlsx"))})

    assert [line.name for line in lines] == names


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 40, "not a CSV or XLSX file"),
        ("Association Française, France\n".encode("latin-1"), "not in UTF-8"),
        ("Association, France\n".encode("utf-16"), "not in UTF-8"),
        (b"PK\x03\x04" + b"\x00" * 200, "not an XLSX spreadsheet"),
    ],
    ids=["binary", "latin-1", "utf-16", "broken zip"],
)
def test_a_malformed_file_is_refused_with_a_message(content, message):
    with pytest.raises(ValidationError) as refused:
        import_read_file(upload(content))
    assert message in refused.value.messages[0]


def test_a_file_too_big_or_too_long_is_refused():
    too_big = upload(b"a, France\n" * (imports.MAX_BYTES // 10 + 1))
    too_long = upload(b"a, France\n" * (imports.MAX_LINES + 1))

    with pytest.raises(ValidationError, match="too big"):
        import_read_file(too_big)
    with pytest.raises(ValidationError, match="more than 20,000 lines"):
        import_read_file(too_long)


def zip_bomb() -> bytes:
    """A file posing as XLSX: a few kilobytes that unpack to 200 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(block)
    return out.getvalue()


def test_a_zip_bomb_posing_as_xlsx_is_refused_before_it_is_unpacked():
    data = zip_bomb()
    assert len(data) < 1024 * 1024

    with pytest.raises(ValidationError, match="unpack to far more than it weighs"):
        import_read_file(upload(data, "list.xlsx"))


# --- preview and confirm --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_marks_duplicates_and_writes_nothing(open_letter):
    existing = SignatureFactory(letter=open_letter, name="Association TEP NIMITH", acronym="ATN")
    existing.name_normalized = "association tep nimith"
    existing.acronym_normalized = "atn"
    existing.save()
    signature_confirm(signature=existing)
    text = "\n".join([
        "1. association tep nimith, France",  # the same, as typed by another hand
        "2. Tep Nimith Association (ATN), France",  # another name, the same acronym
        "3. Association Angkor Wat (AAW), France",
        "4. Association  Angkor Wat, FRA",  # a repeat within the list
    ])  # fmt: skip
    rows_before = Signature.objects.count()

    preview = import_preview(letter=open_letter, lines=import_parse({"text": text}))

    codes = [[p.code for p in line.problems] for line in preview.lines]
    assert codes == [["duplicate_existing"], ["acronym_shared"], [], ["duplicate_list"]]
    assert [line.position for line in preview.importable] == [2, 3]
    assert "Association TEP NIMITH (ATN), France" in preview.lines[0].problems[0].message
    assert Signature.objects.count() == rows_before
    assert not AuditEvent.objects.filter(action="signatures.imported").exists()


@pytest.mark.django_db
def test_confirm_adds_listed_signatures_counts_them_and_audits(open_letter, coordinator):
    SignatureFactory(letter=open_letter, name="Pending one")  # not listed: not counted
    before = Letter.objects.get(pk=open_letter.pk)
    lines = import_parse({"text": SEED_LIST + "\nAssociation TEP NIMITH (ATN), Narnia\n"})

    result = import_confirm(letter=open_letter, lines=lines, actor=coordinator)

    assert result.created == 21
    assert [line.position for line in result.skipped] == [24]
    imported = list(Signature.objects.filter(letter=open_letter, imported_by=coordinator))
    assert len(imported) == 21
    assert {s.status for s in imported} == {S.CONFIRMED}
    assert all(s.is_public and s.consent_public and s.email == "" for s in imported)
    assert all(s.email_normalized.startswith("imported:") for s in imported)
    assert len({s.email_normalized for s in imported}) == 21
    assert all(s.created_at and s.published_at == s.confirmed_at for s in imported)
    # Stored in the list's order: the ids order the public list.
    by_id = sorted(imported, key=lambda s: s.pk)
    assert [s.name for s in by_id] == [line.name for line in lines if line.position != 24]
    listed = Signature.objects.filter(letter=open_letter, is_public=True).order_by(
        "published_at", "id"
    )
    assert [s.display_line for s in listed][:3] == [
        "Ah Nah Podcast - Conversation with Myanmar (ANP), United States of America",
        "Association 23 Octobre 1991 (A23O), France",
        "Association Conscience du Peuple Khmer (ACPK), France",
    ]
    letter = Letter.objects.get(pk=open_letter.pk)
    assert letter.count_organizations == before.count_organizations + 21
    assert letter.count_individuals == before.count_individuals
    event = AuditEvent.objects.get(action="signatures.imported")
    assert (event.letter, event.actor) == (letter, coordinator)
    assert event.detail == {"imported": 21, "skipped": 1}


@pytest.mark.django_db
def test_confirming_twice_adds_nothing_twice(open_letter, coordinator):
    lines = import_parse({"text": SEED_LIST})

    import_confirm(letter=open_letter, lines=lines, actor=coordinator)
    again = import_confirm(letter=open_letter, lines=lines, actor=coordinator)

    assert again.created == 0
    assert len(again.skipped) == 21
    assert Signature.objects.filter(letter=open_letter).count() == 21
    assert Letter.objects.get(pk=open_letter.pk).count_organizations == 21


@pytest.mark.django_db
def test_a_letter_that_needs_approval_gets_approved_signatures(open_letter, coordinator):
    Letter.objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()

    import_confirm(
        letter=open_letter, lines=import_parse({"text": "A (B), France"}), actor=coordinator
    )

    signature = Signature.objects.get(letter=open_letter)
    assert (signature.status, signature.is_public) == (S.APPROVED, True)


@pytest.mark.django_db
def test_a_shared_acronym_is_imported_and_flagged(open_letter, coordinator):
    text = "Cambodia’s Ohio (CO), USA\nCommunity Organizers (CO), France"

    import_confirm(letter=open_letter, lines=import_parse({"text": text}), actor=coordinator)

    flagged = Signature.objects.get(letter=open_letter, is_flagged=True)
    assert flagged.name == "Community Organizers"
    assert "line 1" in flagged.flag_reason


@pytest.mark.django_db
def test_a_finalized_letter_takes_no_import(open_letter, coordinator):
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.FINALIZED)
    open_letter.refresh_from_db()

    with pytest.raises(ValidationError, match="finalized"):
        import_confirm(
            letter=open_letter, lines=import_parse({"text": "A, France"}), actor=coordinator
        )
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_imported_signatures_are_never_mailed(open_letter, coordinator):
    import_confirm(
        letter=open_letter, lines=import_parse({"text": "A (B), France"}), actor=coordinator
    )
    Letter.objects.filter(pk=open_letter.pk).update(version=2)
    open_letter.refresh_from_db()
    signature = Signature.objects.get(letter=open_letter)
    assert signatures_notify_new_version(letter=open_letter) == 0  # nobody to ask
    assert not SignerMail.objects.filter(signature=signature).exists()  # nothing to send
    assert emails.signature_new_version(signature).send() == 0  # and a stray call reaches nobody
    assert mail.outbox == []


# --- round trip through Cosign's exports ---------------------------------------------------------

TRICKY = [
    ('=HYPERLINK("http://example.org","x")', "", "FR"),
    ("@Collectif des jeunes", "", "FR"),
    ("-Réseau- Khmer", "", "FR"),
    ("+33 Collectif", "C33", "FR"),
    ("សមាគមនិស្សិតខ្មែរ", "សនខ", "KH"),
    ("Ligue des Droits de l'Homme, section d’Alsace", "LDH", "FR"),
    ('Association "Les Amis d\'Angkor"', "", "KH"),
    ("Comité Khmer, Paris et Île-de-France", "CKP", "GB"),
]


@pytest.fixture
def exported(open_letter, coordinator):
    """The tricky names, imported as columns, then listed."""
    rows = [["name", "acronym", "country"], *[list(t) for t in TRICKY]]
    result = import_confirm(
        letter=open_letter, lines=import_parse({"rows": rows}), actor=coordinator
    )
    assert result.created == len(TRICKY)
    signatures = Signature.objects.filter(letter=open_letter).order_by("published_at", "id")
    assert [(s.name, s.acronym, s.country.code) for s in signatures] == TRICKY
    return signatures


def fields_of(signatures_or_lines):
    return [(s.kind, s.name, s.acronym, str(s.country)) for s in signatures_or_lines]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "txt"])
def test_an_exported_list_is_imported_again_byte_for_byte(exported, fmt):
    from letters_app.exports import signatures as exports

    columns = exports.export_columns(private=False)
    if fmt == "csv":
        data = b"".join(exports.csv_stream(exported, columns, bom=True))
        lines = import_parse({"rows": import_read_file(upload(data))})
    elif fmt == "xlsx":
        out = io.BytesIO()
        exports.xlsx_write(exported, columns, out, title="List")
        lines = import_parse({"rows": import_read_file(upload(out.getvalue(), "l.xlsx"))})
    else:
        text = "\n".join(exports.signature_lines(exported))
        lines = import_parse({"text": text})

    assert [line.problems for line in lines] == [[]] * len(TRICKY)
    assert [ln.number for ln in lines] == list(range(1, len(TRICKY) + 1))
    assert fields_of(lines) == fields_of(exported)
    assert [ln.display_line for ln in lines] == [s.display_line for s in exported]


# --- lines that are no signatory: placeholders, headings, a missing country -----------------------

# A sign-on letter's tail as coordinators paste it: the unfilled sender lines, the heading (with
# the narrow and plain no-break spaces word processors leave), a numbered list in French, English
# and Khmer, and one line that lost its country.
SIGN_ON_PASTE = """\
[Your name]\u00a0
[Email information]
Signatory Civil Society Organizations\u202f\u00a0

  1. Ah Nah Podcast - Conversation with Myanmar (ANP), USA\u00a0
  9. Association des Bouddhistes Khmers d’Alsace (ABKA), France
  15. Association TEP NIMITH (ATN), France
  16. Australian South-East Asian Network (ASEAN), AUS
  43. Khmer Thavrak (KT)
  52. Pro Démocratie pour le Cambodge (PDCC), Canada
  57. សមាគមនិស្សិតខ្មែរ (សនខ), Cambodge
"""
SIGN_ON_LISTED = [
    "Ah Nah Podcast - Conversation with Myanmar (ANP), United States of America",
    "Association des Bouddhistes Khmers d’Alsace (ABKA), France",
    "Association TEP NIMITH (ATN), France",
    "Australian South-East Asian Network (ASEAN), Australia",
    "Pro Démocratie pour le Cambodge (PDCC), Canada",
    "សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia",
]


def test_placeholders_are_read_as_no_signatory():
    lines = import_parse({"text": SIGN_ON_PASTE})

    placeholders = [(line.position, [p.code for p in line.problems if p.blocking])
                    for line in lines if not line.importable]  # fmt: skip
    assert placeholders == [(1, ["placeholder"]), (2, ["placeholder"])]
    assert "[Your name]" in lines[0].problems[-1].message
    assert all(line.keepable for line in lines[:2])


def test_a_sign_on_paste_skips_its_placeholders_heading_and_the_line_without_country(open_letter):
    rows_before = Signature.objects.count()

    preview = import_preview(letter=open_letter, lines=import_parse({"text": SIGN_ON_PASTE}))

    flagged = {line.position: [p.code for p in line.problems] for line in preview.with_problems}
    assert flagged == {
        1: ["placeholder"],
        2: ["placeholder"],
        3: ["heading"],
        9: ["country_expected"],
    }
    assert all(line.keepable and not line.importable for line in preview.with_problems)
    assert [line.display_line for line in preview.importable] == SIGN_ON_LISTED
    assert [line.number for line in preview.importable] == [1, 9, 15, 16, 52, 57]
    assert preview.lines[2].problems[0].message == (
        "The letter’s signatory heading, not a signatory."
    )
    assert Signature.objects.count() == rows_before


@pytest.mark.parametrize(
    "pasted",
    ["Those who stand with the monitors", "THOSE  WHO STAND WITH THE MONITORS :",
     "- those who stand with the monitors:", "Organisations de la société civile signataires",
     unicodedata.normalize("NFD", "ORGANISATIONS DE LA SOCIÉTÉ CIVILE SIGNATAIRES："),
     "អង្គការសង្គមស៊ីវិលដែលចុះហត្ថលេខា៖", "Signatories:", "Liste des signataires"],
)  # fmt: skip
def test_the_letters_headings_and_common_ones_are_recognised_however_typed(open_letter, pasted):
    Letter.objects.filter(pk=open_letter.pk).update(
        signatory_heading="Those who stand with the monitors"
    )
    for language, heading in (("fr", "Organisations de la société civile signataires"),
                              ("km", "អង្គការសង្គមស៊ីវិលដែលចុះហត្ថលេខា")):  # fmt: skip
        LetterTranslation.objects.create(
            letter=open_letter, language=language, signatory_heading=heading, source_version=1
        )
    letter = Letter.objects.get(pk=open_letter.pk)
    text = f"{pasted}\n1. Association TEP NIMITH (ATN), France\n2. Khmer Thavrak (KT), Cambodia"

    preview = import_preview(letter=letter, lines=import_parse({"text": text}))

    assert [p.code for p in preview.lines[0].problems] == ["heading"]
    assert [line.position for line in preview.importable] == [2, 3]


def test_a_name_that_only_resembles_a_heading_is_a_signatory(open_letter):
    names = ["Signatory Rights Watch", "Association des Signataires de Paris",
             "Individuals for Change", "Organizations United"]  # fmt: skip
    text = "Signatories:\n" + "\n".join(f"{name}, France" for name in names)

    preview = import_preview(letter=open_letter, lines=import_parse({"text": text}))

    assert [p.code for p in preview.lines[0].problems] == ["heading"]
    assert [line.display_line for line in preview.importable] == [f"{n}, France" for n in names]


def test_a_list_mostly_without_countries_expects_none(open_letter):
    text = "Signataires\nSok Chenda\nMu Sochua\nJane Doe, Researcher, Cambodia"

    preview = import_preview(
        letter=open_letter,
        lines=import_parse({"text": text}, kind=Signature.Kind.INDIVIDUAL),
    )

    assert [[p.code for p in line.problems] for line in preview.lines] == [
        ["heading"], ["country_missing"], ["country_missing"], [],
    ]  # fmt: skip
    assert [line.position for line in preview.importable] == [2, 3, 4]


def test_confirm_adds_only_the_flagged_lines_kept_and_nothing_else(open_letter, coordinator):
    text = SIGN_ON_PASTE + "Association TEP NIMITH, France\nCambodia Border Institute, Narnia\n***"
    lines = import_parse({"text": text})
    # Kept: the line without a country. Asked for, and refused: a duplicate (12), an unknown
    # country (13), an unreadable line (14), a position that is no line (99).
    keep = frozenset({9, 12, 13, 14, 99})

    result = import_confirm(letter=open_letter, lines=lines, actor=coordinator, keep=keep)

    assert result.created == 7
    assert sorted(line.position for line in result.skipped) == [1, 2, 3, 12, 13, 14]
    listed = Signature.objects.filter(letter=open_letter, imported_by=coordinator).order_by("id")
    assert [s.display_line for s in listed] == [
        SIGN_ON_LISTED[0],
        *SIGN_ON_LISTED[1:4],
        "Khmer Thavrak (KT)",
        *SIGN_ON_LISTED[4:],
    ]
    assert not Signature.objects.filter(name__contains="[").exists()
    event = AuditEvent.objects.get(action="signatures.imported")
    assert event.detail == {"imported": 7, "skipped": 6, "kept": 1}


def test_a_placeholder_is_added_only_when_kept(open_letter, coordinator):
    lines = import_parse({"text": "[Your name]\nAssociation TEP NIMITH (ATN), France"})

    kept = import_confirm(letter=open_letter, lines=lines, actor=coordinator, keep=frozenset({1}))

    assert kept.created == 2
    assert Signature.objects.filter(letter=open_letter, name="[Your name]").count() == 1


@pytest.mark.django_db
def test_imported_names_are_numbered_on_after_the_listed_ones(open_letter, coordinator):
    for name in ("Signed first", "Signed second"):
        signature_confirm(signature=SignatureFactory(letter=open_letter, name=name))
    lines = import_parse({"text": SEED_LIST})

    import_confirm(letter=open_letter, lines=lines, actor=coordinator)

    listed = Signature.objects.filter(letter=open_letter, is_public=True).order_by("number")
    names = list(listed.values_list("name", "number"))
    assert names[:2] == [("Signed first", 1), ("Signed second", 2)]
    assert [number for _name, number in names] == list(range(1, len(names) + 1))
    assert [name for name, _number in names[2:]] == [line.name for line in lines]


@pytest.mark.parametrize("char", list("=+-@\t\r|%"))
def test_the_import_takes_off_the_apostrophe_the_exports_put_on_each_formula(char):
    from letters_app.exports.signatures import formula_neutralize

    name = f"{char}1+1 Association"
    escaped = formula_neutralize(name)
    assert escaped == "'" + name
    columns = import_parse({"rows": [["Name", "Country"], [escaped, "FR"]]})
    assert [line.name for line in columns] == [name]
    if char != "\r":  # in a paste, a line break
        pasted = import_parse({"text": f"{escaped}, France"})
        assert [line.name for line in pasted] == [display_text_tidy(name)]
    # An apostrophe that escapes nothing is part of the name.
    assert [ln.name for ln in import_parse({"text": "'t Hooft Stichting, NLD"})] == [
        "'t Hooft Stichting"
    ]
