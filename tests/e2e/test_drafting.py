"""A coordinator drafts a letter from a template and publishes it, in Debian's Chromium."""

import re

import pytest
from playwright.sync_api import expect

from letters_app.models import Letter
from letters_app.services.directory import recipients_load, templates_load
from letters_app.services.letters import PLACEHOLDER_RE
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}
FILLED_FIELDS = ["title", "from_block", "salutation", "body", "sender_line", "about_sender"]


def _fill_in(text: str) -> str:
    """What a coordinator types over each [placeholder]: plain words, no brackets left."""
    return PLACEHOLDER_RE.sub(lambda m: f"filled {m.start()}", text)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def directory(transactional_db):
    templates_load()
    recipients_load()
    UserFactory(username="amara", password=PASSWORD)


def test_coordinator_drafts_and_publishes_a_letter_to_the_rapporteur(
    directory, live_server, page, artifacts_dir
):
    page.goto(f"{live_server.url}/coordinate/")
    page.get_by_label("Username").fill("amara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="New letter").click()
    page.get_by_text("Civil society to a UN Special Rapporteur", exact=True).click()
    expect(page.get_by_label("Civil society to a UN Special Rapporteur")).to_be_checked()
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text("Draft created")).to_be_visible()
    edit_url = page.url

    # The untouched template cannot be published: each problem is named.
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_text("Fix these before publishing")).to_be_visible()
    expect(page.get_by_text("[Name of the coordinating organization]")).to_be_visible()
    expect(page.get_by_role("button", name="Publish now")).to_be_disabled()

    page.goto(edit_url)
    for name in FILLED_FIELDS:
        field = page.locator(f"#id_{name}")
        field.fill(_fill_in(field.input_value()))
    page.get_by_label("Title").fill("Evidence of land seizures for the Special Rapporteur")
    page.get_by_label("Salutation").fill("Dear Special Rapporteur,")
    # The live preview follows the typing before anything is saved.
    expect(page.locator("#letter-preview")).to_contain_text("Dear Special Rapporteur,")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    page.get_by_role("link", name="Recipients").click()
    page.get_by_label("Search the directory").fill("Cambodia")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("Special Rapporteur on the situation of human rights")).check()
    page.get_by_role("button", name="Save the recipients").click()
    expect(page.get_by_text("The recipients are saved.")).to_be_visible()

    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_text("Ready: nothing stops this letter")).to_be_visible()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("The letter is public and open for signing.")).to_be_visible()
    letter = Letter.objects.get()
    assert letter.status == Letter.Status.OPEN
    assert letter.version == 1

    page.get_by_role("link", name="View public page").click()
    article = page.locator("main")
    expect(page.get_by_role("heading", name=letter.title)).to_be_visible()
    expect(article).to_contain_text("Dear Special Rapporteur,")
    expect(article).to_contain_text("Palais des Nations")
    assert "[" not in article.inner_text()
    page.screenshot(path=artifacts_dir / "drafting-public-page.png", full_page=True)

    # The same pages on a phone: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    assert _no_horizontal_scroll(page)
    for url in (f"{live_server.url}/coordinate/", edit_url, f"{edit_url}recipients/"):
        page.goto(url)
        assert _no_horizontal_scroll(page), url
    page.screenshot(path=artifacts_dir / "drafting-phone-recipients.png", full_page=True)
