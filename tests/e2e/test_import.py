"""A coordinator imports an existing list of signatories in Debian's Chromium: pastes it, reads
the preview, confirms, and finds the names numbered on the public page."""

import pytest
from django.urls import reverse
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
    expect(page.get_by_text("Already signed:")).to_have_count(5)
