"""The import pages: paste or upload, preview every line, confirm; each persona; bad files."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from letters_app.models import AuditEvent, Letter, Signature
from letters_app.services import imports

pytestmark = pytest.mark.django_db

LIST = """\
12. Association TEP NIMITH (ATN), France
13. Association Angkor Wat ( AAW ) , France ,
Australian South-East Asian Network (ASEAN), AUS
Cambodian Association of Victoria (CAV), Australia
សមាគមនិស្សិតខ្មែរ (សនខ), Cambodge
=HYPERLINK("http://example.org"), France
Association TEP NIMITH, Narnia
"""
RUNNERS = ["coordinator", "co_coordinator", "admin"]


def import_url(letter):
    return reverse("author:letter-import", kwargs={"pk": letter.pk})


def confirm_url(letter):
    return reverse("author:letter-import-confirm", kwargs={"pk": letter.pk})


def preview(client, letter, text=LIST, **extra):
    return client.post(import_url(letter), {"kind": "organization", "text": text, **extra})


def payload_of(response) -> str:
    return response.context["confirm_form"].initial["payload"]


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_import_a_list(request, client_for, open_letter, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(import_url(open_letter)).status_code == 200

    shown = preview(client, open_letter)
    assert shown.status_code == 200
    assert not Signature.objects.exists()  # nothing before the confirmation
    done = client.post(confirm_url(open_letter), {"payload": payload_of(shown)})

    assert done.status_code == 302
    assert done["Location"].endswith("?tab=confirmed")
    assert Signature.objects.filter(letter=open_letter, imported_by=user).count() == 6
    assert Letter.objects.get(pk=open_letter.pk).count_organizations == 6
    history = client.get(reverse("author:letter-history", kwargs={"pk": open_letter.pk}))
    assert "Imported signatures from a list" in history.content.decode()
    assert "6 added, 1 line skipped" in history.content.decode()


def test_the_preview_shows_every_line_and_its_problems(client_for, coordinator, open_letter):
    response = preview(client_for(coordinator), open_letter)

    page = response.content.decode()
    lines = response.context["preview"].lines
    assert [line.position for line in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert "6 will be added" in " ".join(page.split())
    assert "Association Angkor Wat (AAW), France" in page
    assert "Australian South-East Asian Network (ASEAN), Australia" in page
    assert "Unknown country: “Narnia”." in page
    assert "Add 6 signatures" in page
    assert not Signature.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.imported").exists()


def test_a_stranger_gets_404_and_writes_nothing(client_for, coordinator, stranger, open_letter):
    payload = payload_of(preview(client_for(coordinator), open_letter))
    client = client_for(stranger)

    assert client.get(import_url(open_letter)).status_code == 404
    assert preview(client, open_letter).status_code == 404
    assert client.post(confirm_url(open_letter), {"payload": payload}).status_code == 404
    assert not Signature.objects.exists()


def test_anonymous_people_are_sent_to_log_in(client, open_letter):
    for response in (client.get(import_url(open_letter)), preview(client, open_letter)):
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert not Signature.objects.exists()


def test_a_changed_payload_is_refused(client_for, coordinator, open_letter):
    client = client_for(coordinator)
    payload = payload_of(preview(client, open_letter))
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")

    response = client.post(confirm_url(open_letter), {"payload": forged}, follow=True)

    assert "This preview cannot be read" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_preview_of_another_letter_is_refused(client_for, coordinator, open_letter, letter):
    from tests.factories import LetterFactory

    other = LetterFactory(created_by=coordinator)
    client = client_for(coordinator)
    payload = payload_of(preview(client, other))

    response = client.post(confirm_url(open_letter), {"payload": payload}, follow=True)

    assert "This preview is of another letter." in response.content.decode()
    assert not Signature.objects.exists()


def test_imported_signatures_are_marked_for_coordinators_and_listed_publicly(
    client_for, coordinator, open_letter, client
):
    coordinating = client_for(coordinator)
    shown = preview(coordinating, open_letter)
    coordinating.post(confirm_url(open_letter), {"payload": payload_of(shown)})

    queue = coordinating.get(reverse("author:letter-signatures", kwargs={"pk": open_letter.pk}))
    assert queue.content.decode().count("imported by coordinator") == 6
    coordinating.logout()
    public = client.get(open_letter.get_absolute_url()).content.decode()
    numbered = re.findall(
        r'signatory-number">(\d+)\.</span> <span class="signatory-line">([^<]+)</span></li>', public
    )
    assert [n for n, _line in numbered] == ["1", "2", "3", "4", "5", "6"]
    assert numbered[0][1] == "Association TEP NIMITH (ATN), France"
    assert "imported" not in public
    assert "@invalid" not in public and "imported:" not in public


def test_paste_and_file_together_are_refused(client_for, coordinator, open_letter):
    file = SimpleUploadedFile("list.csv", b"A, France\n")
    response = preview(client_for(coordinator), open_letter, file=file)

    assert "Paste a list or upload a file, not both." in response.content.decode()


def test_an_xlsx_upload_is_previewed(client_for, coordinator, open_letter):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Name", "Acronym", "Country"])
    workbook.active.append(["Association TEP NIMITH", "ATN", "FRA"])
    out = io.BytesIO()
    workbook.save(out)
    file = SimpleUploadedFile("list.xlsx", out.getvalue())

    response = preview(client_for(coordinator), open_letter, text="", file=file)

    assert [line.display_line for line in response.context["preview"].lines] == [
        "Association TEP NIMITH (ATN), France"
    ]


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("garbage.csv", bytes(range(256)) * 64, "This file is not a CSV or XLSX file."),
        ("latin1.csv", "Ligue des Droits de l'Homme, Côte d'Ivoire\n".encode("latin-1"),
         "This file is not in UTF-8"),
        ("huge.csv", b"A, France\n" * (imports.MAX_BYTES // 10 + 1), "The file is too big"),
        ("long.csv", b"A, France\n" * (imports.MAX_LINES + 1), "more than 20,000 lines"),
        ("bomb.xlsx", None, "would unpack to far more than it weighs"),
    ],
    ids=["binary", "latin-1", "too large", "too many lines", "zip bomb"],
)  # fmt: skip
def test_a_malformed_upload_gets_a_clear_message_and_writes_nothing(
    client_for, coordinator, open_letter, name, content, message
):
    file = SimpleUploadedFile(name, zip_bomb() if content is None else content)

    response = preview(client_for(coordinator), open_letter, text="", file=file)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "preview" not in response.context
    assert not Signature.objects.exists()


def test_a_finalized_letter_offers_no_import(client_for, coordinator, open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.FINALIZED)

    page = client_for(coordinator).get(import_url(open_letter)).content.decode()

    assert "its list of signatories can no longer change" in page
    assert "Preview the import" not in page


SIGN_ON = """\
[Your name]
[Email information]
Signatory Civil Society Organizations:

  15. Association TEP NIMITH (ATN), France
  16. Australian South-East Asian Network (ASEAN), AUS
  43. Khmer Thavrak (KT)
  57. សមាគមនិស្សិតខ្មែរ (សនខ), Cambodge
"""


def test_flagged_lines_are_listed_at_the_top_above_the_button(client_for, coordinator, open_letter):
    page = " ".join(preview(client_for(coordinator), open_letter, SIGN_ON).content.decode().split())

    problems = page.index('id="import-problems"')
    assert "4 lines need a look" in page
    assert problems < page.index("Add the signatures") < page.index('id="import-preview"')
    top = page[problems : page.index("Add the signatures")]
    for position, reason in [
        (1, "A placeholder to fill in, not a signatory: [Your name]."),
        (2, "A placeholder to fill in, not a signatory: [Email information]."),
        (3, "The letter’s signatory heading, not a signatory."),
        (7, "No country, though the rest of the list gives one."),
    ]:
        assert f"Line {position}" in top
        assert reason in top
        assert f'name="keep" value="{position}"' in top
    assert top.count('name="keep"') == 4


def test_with_lines_to_keep_the_button_states_no_number_the_script_counts(
    client_for, coordinator, open_letter
):
    """Without the script, a ticked line would make "Add 3 signatures" add 4: the button names
    no number, a sentence says what is added, and the script gets the words to count with."""
    response = preview(client_for(coordinator), open_letter, SIGN_ON)

    page = " ".join(response.content.decode().split())
    button = re.search(
        r"<button type=\"submit\" class=\"btn btn-primary\"([^>]*)>([^<]*)</button>", page
    )
    assert button.group(2) == "Add the signatures"
    assert 'data-import-count="3"' in button.group(1)
    assert 'data-one="Add %(n)s signature"' in button.group(1)
    assert 'data-other="Add %(n)s signatures"' in button.group(1)
    assert "3 signatures will be added, plus any line you keep." in page
    assert "Add 3 signatures" not in page
    assert re.search(r'<script src="/static/js/import-count[^"]*\.js" defer>', page)


def test_without_lines_to_keep_the_button_states_the_number(client_for, coordinator, open_letter):
    response = preview(client_for(coordinator), open_letter)

    page = response.content.decode()
    assert "Add 6 signatures</button>" in page
    assert "data-import-count" not in page and "import-count" not in page
    assert "plus any line you keep" not in page


def test_the_scripts_words_are_in_the_interfaces_language(client_for, coordinator, open_letter):
    with translation.override("fr"):
        url = import_url(open_letter)
    response = client_for(coordinator).post(url, {"kind": "organization", "text": SIGN_ON})

    page = " ".join(response.content.decode().split())
    assert 'data-one="Ajouter %(n)s signature"' in page
    assert 'data-other="Ajouter %(n)s signatures"' in page
    assert ">Ajouter les signatures</button>" in page
    assert "3 signatures seront ajoutées, plus chaque ligne que vous gardez." in page


def test_confirm_skips_the_flagged_lines_and_adds_the_one_kept(
    client_for, coordinator, open_letter
):
    client = client_for(coordinator)
    payload = payload_of(preview(client, open_letter, SIGN_ON))

    done = client.post(confirm_url(open_letter), {"payload": payload, "keep": ["7"]}, follow=True)

    assert "4 signatures imported. 3 lines skipped." in done.content.decode()
    listed = Signature.objects.filter(letter=open_letter).order_by("id")
    assert [s.display_line for s in listed] == [
        "Association TEP NIMITH (ATN), France",
        "Australian South-East Asian Network (ASEAN), Australia",
        "Khmer Thavrak (KT)",
        "សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia",
    ]
    public = client.get(open_letter.get_absolute_url()).content.decode()
    assert "[Your name]" not in public and "Signatory Civil Society Organizations:" not in public


def test_a_tampered_keep_adds_no_line_that_may_not_be_kept(client_for, coordinator, open_letter):
    client = client_for(coordinator)
    text = SIGN_ON + "Association TEP NIMITH, France\nCambodia Border Institute, Narnia\n"
    payload = payload_of(preview(client, open_letter, text))
    keep = ["9", "10", "99", "-1", "x", "1e3", "0"]  # a duplicate, an unknown country, no lines

    client.post(confirm_url(open_letter), {"payload": payload, "keep": keep})

    assert Signature.objects.filter(letter=open_letter).count() == 3
    assert not Signature.objects.filter(name__in=["[Your name]", "Khmer Thavrak"]).exists()
    assert Signature.objects.filter(name="Association TEP NIMITH").count() == 1


def test_a_list_of_flagged_lines_only_adds_nothing_unless_one_is_kept(
    client_for, coordinator, open_letter
):
    client = client_for(coordinator)
    shown = preview(client, open_letter, "Signatories:\n[Your name], [Country]\n")
    assert "Add the lines you keep" in shown.content.decode()

    done = client.post(confirm_url(open_letter), {"payload": payload_of(shown)}, follow=True)

    assert "0 signatures imported. 2 lines skipped." in done.content.decode()
    assert not Signature.objects.exists()


def test_the_preview_lists_lines_in_the_letters_language_not_the_interfaces(
    client_for, coordinator, open_letter
):
    """An English letter previewed from the French pages: its list says "Cambodia"."""
    assert open_letter.language == "en"
    client = client_for(coordinator)
    with translation.override("fr"):
        url = import_url(open_letter)
    assert url.startswith("/fr/")
    text = "Association TEP NIMITH (ATN), USA\nKhmer Thavrak (KT), Cambodge\nMP Sok, Cambodge\n"

    response = client.post(url, {"kind": "organization", "text": text})

    page = response.content.decode()
    cells = re.findall(r'<td class="text-break"[^>]*>([^<]*), ([^<,]*)</td>', page)
    assert cells == [
        ("Association TEP NIMITH (ATN)", "United States of America"),
        ("Khmer Thavrak (KT)", "Cambodia"),
        ("MP Sok", "Cambodia"),
    ]
    assert page.count('<td class="text-break" lang="en">') == 3
    assert "<td>Cambodge</td>" in page  # how the list was read: in French


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("en", "7 lines read: 6 will be added, 1 skipped."),
        ("fr", "7 lignes lues : 6 seront ajoutées, 1 ignorée."),
        # Khmer parts its clauses with a space and ends the sentence with the khan, not "." or ",".
        ("km", "បានអានបន្ទាត់ចំនួន 7៖ 6 នឹងត្រូវបានបន្ថែម 1 ត្រូវបានរំលង។"),
    ],
)
def test_the_preview_summary_is_punctuated_as_its_language_writes(
    client_for, coordinator, open_letter, language, summary
):
    with translation.override(language):
        url = import_url(open_letter)

    response = client_for(coordinator).post(url, {"kind": "organization", "text": LIST})

    found = re.search(r'<p id="import-summary">(.*?)</p>', response.content.decode(), re.S)
    assert " ".join(found.group(1).split()) == summary
