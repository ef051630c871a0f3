"""A coordinator imports an existing list of signatories in Debian's Chromium: pastes it, reads
the preview, confirms, and finds the names numbered on the public page."""

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from letters_app.models import Signature
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
PASTED = """\
1. Association TEP NIMITH (ATN), France
2. Association 23 Octobre 1991, (A23O), France
3. Australian South-East Asian Network ( ASEAN ), AUS
4. Cambodian Association of Victoria (CAV) , Australia ,
5. សមាគមនិស្សិតខ្មែរ (សនខ), Cambodge
6. Cambodia Border Institute (CBI), Narnia
"""
LISTED = [
    "Association TEP NIMITH (ATN), France",
    "Association 23 Octobre 1991 (A23O), France",
    "Australian South-East Asian Network (ASEAN), Australia",
    "Cambodian Association of Victoria (CAV), Australia",
    "សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia",
]


def test_coordinator_pastes_a_list_checks_the_preview_and_confirms(
    live_server, page, artifacts_dir
):
    coordinator = UserFactory(username="sophea", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)

    page.goto(f"{live_server.url}/coordinate/")
    page.get_by_label("Username").fill("sophea")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=letter.title).click()
    page.get_by_role("link", name="Signatures", exact=True).click()
    page.get_by_role("link", name="Import a list of signatories").click()

    page.get_by_label("Paste the list").fill(PASTED)
    page.get_by_role("button", name="Preview the import").click()

    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("6 lines read")
    expect(summary).to_contain_text("5 will be added")
    table = page.get_by_role("table", name="How Cosign reads each line")
    expect(table).to_contain_text("Australian South-East Asian Network (ASEAN), Australia")
    expect(table).to_contain_text("Unknown country: “Narnia”.")
    page.screenshot(path=artifacts_dir / "import-preview.png", full_page=True)
    assert not Signature.objects.exists()  # nothing before the confirmation

    page.get_by_role("button", name="Add 5 signatures").click()
    expect(page.get_by_text("5 signatures imported. 1 line skipped.")).to_be_visible()
    expect(page.get_by_text("imported by sophea")).to_have_count(5)

    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    items = page.locator("ol.signatory-list > li")
    expect(items).to_have_text([f"{n}. {line}" for n, line in enumerate(LISTED, start=1)])
    expect(page.get_by_text("imported by")).to_have_count(0)

    # The list downloads as XLSX, byte for byte, and the file imports again as duplicates only.
    page.goto(f"{live_server.url}{reverse('staff:letter-export', kwargs={'pk': letter.pk})}")
    page.get_by_label("Format").select_option("xlsx")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    path = artifacts_dir / "import-export.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    names = [dict(zip(header, row, strict=True))["name"] for row in rows]
    assert names == [line.split(" (")[0] for line in LISTED]

    page.goto(f"{live_server.url}{reverse('author:letter-import', kwargs={'pk': letter.pk})}")
    page.get_by_label("Or upload a file").set_input_files(path)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#import-summary")).to_contain_text("0 will be added, 5 skipped")
    problems = page.locator("#import-problems")
    expect(problems.get_by_role("heading")).to_have_text("5 lines need a look")
    expect(problems.get_by_text("Already signed:")).to_have_count(5)


# The tail of a sign-on letter as copied from a word processor: the sender's unfilled lines,
# the list's heading (with the narrow and plain no-break spaces it carried), the numbered list
# in French, English and Khmer, and one line that lost its country.
SIGN_ON = """\
[Your name]\u00a0
[Email information]
Signatory Civil Society Organizations\u202f\u00a0

  9. Association des Bouddhistes Khmers d’Alsace (ABKA), France\u00a0
  12. Association Nationale des Anciens Amis de l’Indochine, SOS-Cambodge (ANAAI), France
  15. Association TEP NIMITH (ATN), France
  43. Khmer Thavrak (KT)
  52. Pro Démocratie pour le Cambodge (PDCC), Canada
  57. សមាគមនិស្សិតខ្មែរ (សនខ), Cambodge
  58. សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា, Cambodia
"""
SIGN_ON_LISTED = [
    "Association des Bouddhistes Khmers d’Alsace (ABKA), France",
    "Association Nationale des Anciens Amis de l’Indochine, SOS-Cambodge (ANAAI), France",
    "Association TEP NIMITH (ATN), France",
    "Pro Démocratie pour le Cambodge (PDCC), Canada",
    "សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia",
    "សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា, Cambodia",
]


def test_placeholders_and_the_heading_are_flagged_at_the_top_and_never_listed(
    live_server, page, artifacts_dir
):
    coordinator = UserFactory(username="sophea", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    page.goto(f"{live_server.url}/coordinate/")
    page.get_by_label("Username").fill("sophea")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{reverse('author:letter-import', kwargs={'pk': letter.pk})}")

    page.get_by_label("Paste the list").fill(SIGN_ON)
    page.get_by_role("button", name="Preview the import").click()

    problems = page.locator("#import-problems")
    expect(problems.get_by_role("heading")).to_have_text("4 lines need a look")
    expect(problems.locator("li")).to_have_count(4)
    for position, reason in [
        (1, "A placeholder to fill in, not a signatory: [Your name]."),
        (2, "A placeholder to fill in, not a signatory: [Email information]."),
        (3, "The letter’s signatory heading, not a signatory."),
        (8, "No country, though the rest of the list gives one."),
    ]:
        item = problems.locator(f'li[data-line="{position}"]')
        expect(item).to_contain_text(f"Line {position}")
        expect(item).to_contain_text(reason)
        expect(item).to_contain_text("skipped")
    button = page.locator("button[data-import-count]")
    expect(button).to_have_text("Add 6 signatures")  # counted by the script
    table = page.get_by_role("table", name="How Cosign reads each line")
    # Read from the top: the count, each problem, then the button, then every line.
    tops = [loc.bounding_box()["y"] for loc in (problems, button, table)]
    assert tops == sorted(tops)
    page.screenshot(path=artifacts_dir / "import-problems.png", full_page=True)

    page.get_by_label("Keep line 8 anyway").check()
    expect(button).to_have_text("Add 7 signatures")  # what the click will add
    button.click()
    expect(page.get_by_text("7 signatures imported. 3 lines skipped.")).to_be_visible()

    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    items = page.locator("ol.signatory-list > li")
    listed = [*SIGN_ON_LISTED[:3], "Khmer Thavrak (KT)", *SIGN_ON_LISTED[3:]]
    texts = items.evaluate_all("items => items.map(item => item.textContent)")
    assert texts == [f"{n}. {line}" for n, line in enumerate(listed, start=1)]
    body = page.locator("main").text_content()
    assert "[Your name]" not in body and "[Email information]" not in body
    assert Signature.objects.filter(letter=letter).count() == 7


def test_the_button_counts_the_kept_lines_in_french(live_server, page):
    coordinator = UserFactory(username="sophea", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    page.goto(f"{live_server.url}/coordinate/")
    page.get_by_label("Username").fill("sophea")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    with translation.override("fr"):
        page.goto(f"{live_server.url}{reverse('author:letter-import', kwargs={'pk': letter.pk})}")

    page.get_by_label("Collez la liste").fill("Signataires :\n[Votre nom]\n")
    page.get_by_role("button", name="Prévisualiser l'import").click()

    button = page.locator("button[data-import-count]")
    expect(button).to_have_text("Ajouter les lignes que vous gardez")
    page.get_by_label("Garder quand même la ligne 1").check()
    expect(button).to_have_text("Ajouter 1 signature")
    page.get_by_label("Garder quand même la ligne 2").check()
    expect(button).to_have_text("Ajouter 2 signatures")
    page.get_by_label("Garder quand même la ligne 1").uncheck()
    page.get_by_label("Garder quand même la ligne 2").uncheck()
    expect(button).to_have_text("Ajouter les lignes que vous gardez")
