"""A coordinator publishes an English letter with French and Khmer translations, in Debian's
Chromium; readers of each translation see the one signatory list."""

import pytest
from playwright.sync_api import expect

from letters_app.models import LetterTranslation
from letters_app.services.signatures import signature_confirm
from tests.factories import LetterFactory, RecipientFactory, SignatureFactory, UserFactory
from tests.translations import FRENCH, KHMER

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
LABELS = {
    "title": "Title",
    "salutation": "Salutation",
    "body": "Body",
    "closing": "Closing",
    "signatory_heading": "Signatory heading",
}


def test_coordinator_publishes_an_english_letter_with_french_and_khmer_translations(
    live_server, page, artifacts_dir
):
    coordinator = UserFactory(username="sophea", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    page.goto(f"{live_server.url}/accounts/login/?next=/coordinate/letters/{letter.pk}/")
    page.get_by_label("Username").fill("sophea")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    for language, name, text in (("fr", "French", FRENCH), ("km", "Khmer", KHMER)):
        page.get_by_role("link", name="Translations").click()
        page.get_by_role("combobox", name="Language").select_option(language)
        page.get_by_role("button", name="Add a translation").click()
        page.get_by_label("Title").fill(text["title"])
        page.get_by_role("button", name="Save").click()
        # Half done, it cannot be ready, and the page says what is missing.
        page.get_by_role("button", name="Mark ready").click()
        expect(page.get_by_text("Body is missing").first).to_be_visible()
        for field, label in LABELS.items():
            page.get_by_label(label, exact=True).fill(text[field])
        page.get_by_role("button", name="Save").click()
        page.get_by_role("button", name="Mark ready").click()
        expect(page.get_by_text("The translation is ready")).to_be_visible()
        heading = page.get_by_role("heading", name=f"{name} translation", exact=True)
        expect(heading).to_be_visible()  # the language named as the interface names it

    page.get_by_role("link", name="Publish", exact=True).click()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("The letter is public and open for signing.")).to_be_visible()
    assert set(LetterTranslation.objects.values_list("language", "source_version")) == {
        ("fr", 1),
        ("km", 1),
    }  # made from the draft, they follow it into version 1: none is outdated
    letter.refresh_from_db()
    signature_confirm(signature=SignatureFactory(letter=letter, name="Licadho", version=1))

    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    # The list names countries in the language of the text shown above it.
    for name, text, france in (("Français", FRENCH, "France"), ("ខ្មែរ", KHMER, "បារាំង")):
        page.get_by_role("main").get_by_role("link", name=name).click()
        article = page.locator("article.letter")
        expect(article).to_have_attribute("lang", "fr" if text is FRENCH else "km")
        expect(article.get_by_role("heading", level=1)).to_have_text(text["title"])
        expect(page.locator(".signatory-list")).to_have_text(f"1. Licadho, {france}")
        expect(page.get_by_text("The original text has changed")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "translations-khmer.png", full_page=True)
