"""A coordinator finds a recipient deep in a long directory and makes it the main addressee, in
Debian's Chromium: one save, and the To: block starts with it everywhere."""

import pytest
from playwright.sync_api import expect

from letters_app.models import AuditEvent, Letter, Recipient
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_coordinator_finds_a_recipient_past_the_first_page_and_puts_it_first(
    live_server, page, artifacts_dir
):
    coordinator = UserFactory(username="sokha", password=PASSWORD)
    # A directory of 70 government offices, and a parliament that sorts after them all.
    RecipientFactory.create_batch(70, kind=Recipient.Kind.GOVERNMENT)
    speaker = RecipientFactory(
        honorific="Hon.",
        name="Nelly Mutti",
        title="Speaker",
        institution="National Assembly of Zambia",
        postal_address="Parliament Buildings\nLusaka",
        country="ZM",
        kind=Recipient.Kind.PARLIAMENT,
    )
    first, second = RecipientFactory(name="Ana Ruiz"), RecipientFactory(name="Li Wei")
    assert list(Recipient.objects.exclude(kind=Recipient.Kind.UN))[-1] == speaker
    letter = LetterFactory(
        created_by=coordinator, status=Letter.Status.OPEN, recipients=[first, second]
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/coordinate/letters/{letter.pk}/recipients/")
    page.get_by_label("Username").fill("sokha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    chosen = page.locator("#chosen-recipients > li")
    expect(chosen).to_have_count(2)
    directory = page.locator("#directory-results")
    expect(directory.get_by_text("1–50 of 71")).to_be_visible()
    expect(directory.get_by_text("National Assembly of Zambia")).to_have_count(0)

    # The next page of the directory comes in place; the chosen list stays as it was.
    directory.get_by_role("link", name="Next").click()
    expect(directory.get_by_text("51–71 of 71")).to_be_visible()
    expect(directory.get_by_text("National Assembly of Zambia")).to_be_visible()

    # A search by the country's name finds it too.
    page.get_by_label("Search the directory").fill("zambia")
    page.get_by_role("button", name="Search").click()
    expect(directory.locator("li")).to_have_count(1)
    page.get_by_label("Hon. Nelly Mutti, Speaker, National Assembly of Zambia").check()
    expect(chosen).to_have_count(3)
    row = chosen.nth(2)
    expect(row).to_contain_text("National Assembly of Zambia")
    row.get_by_role("button", name="Move up").click()
    row = chosen.nth(1)
    expect(row).to_contain_text("National Assembly of Zambia")
    row.get_by_role("button", name="Move up").click()
    expect(chosen.nth(0)).to_contain_text("National Assembly of Zambia")
    expect(chosen.nth(0).get_by_label("Place in the To: block")).to_have_value("1")
    expect(chosen.nth(2).get_by_label("Place in the To: block")).to_have_value("3")

    page.get_by_role("button", name="Save the recipients").click()
    expect(page.get_by_text("The recipients are saved.")).to_be_visible()
    expect(chosen.nth(0)).to_contain_text("National Assembly of Zambia")
    assert [lr.recipient for lr in letter.letter_recipients.all()] == [speaker, first, second]
    assert AuditEvent.objects.filter(letter=letter, action="letter.recipients").count() == 1
    page.screenshot(path=artifacts_dir / "recipients-ordered.png", full_page=True)

    # The coordinator's preview and the public page: the To: block starts with the Speaker.
    page.get_by_role("link", name="Text", exact=True).click()
    to_block = page.locator("#letter-preview .letter-to address")
    expect(to_block).to_have_count(3)
    expect(to_block.nth(0)).to_contain_text("Hon. Nelly Mutti")
    expect(to_block.nth(1)).to_contain_text("Professor Ana Ruiz")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    to_block = page.locator(".letter-to address")
    expect(to_block.nth(0)).to_contain_text("National Assembly of Zambia")
    expect(to_block.nth(2)).to_contain_text("Professor Li Wei")


def test_without_javascript_a_place_number_makes_the_main_addressee(live_server, browser):
    coordinator = UserFactory(username="dara", password=PASSWORD)
    speaker = RecipientFactory(
        name="Nelly Mutti", title="Speaker", institution="National Assembly", country="ZM"
    )
    first, second = RecipientFactory(name="Ana Ruiz"), RecipientFactory(name="Li Wei")
    letter = LetterFactory(created_by=coordinator, recipients=[first, second])
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/coordinate/letters/{letter.pk}/recipients/")
    page.get_by_label("Username").fill("dara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("button", name="Move up")).to_have_count(0)  # arrows need the script
    page.get_by_label("Search the directory").fill("Zambia")
    page.get_by_role("button", name="Search").click()
    found = page.locator("#directory-results li")
    expect(found).to_have_count(1)
    found.get_by_role("checkbox").check()
    found.get_by_label("Place in the To: block").fill("1")
    page.get_by_role("button", name="Save the recipients").click()
    expect(page.get_by_text("The recipients are saved.")).to_be_visible()
    chosen = page.locator("#chosen-recipients > li")
    expect(chosen.nth(0)).to_contain_text("Nelly Mutti")
    expect(chosen.nth(0).get_by_label("Place in the To: block")).to_have_value("1")
    expect(chosen.nth(1)).to_contain_text("Ana Ruiz")
    assert [lr.recipient for lr in letter.letter_recipients.all()] == [speaker, first, second]
    context.close()
