"""A reader switches Cosign between English, French and Khmer in Debian's Chromium, on the page
of an English letter to a Swiss office: the page around the letter changes language, the letter
does not. Its To: block, date and signatory list stay English, unless the reader opens its French
translation, which is French throughout."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.pages import switch
from tests.factories import UserFactory
from tests.letter_languages import CAMBODIA, DATE, SWITZERLAND, english_letter, signatory_lines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    assert language == "en" or text != message, f"no {language} translation for {message!r}"
    return text


def expect_letter_in(page, language: str, interface: str) -> None:
    """The page speaks `interface`; the letter on it, `language`, in every part."""
    expect(page.locator("html")).to_have_attribute("lang", interface)
    expect(
        page.get_by_role("link", name=in_language(interface, "Sign this letter")).first
    ).to_be_visible()
    article = page.locator("article.letter")
    expect(article).to_have_attribute("lang", language)
    expect(article.locator(".letter-dateline")).to_have_text(f"Paris, France, {DATE[language]}")
    expect(article.locator(".letter-to address")).to_contain_text(
        re.compile(rf"Geneva 10\s*{SWITZERLAND[language]}$")
    )
    for other in {"en", "fr", "km"} - {language}:
        expect(article).not_to_contain_text(SWITZERLAND[other])
    listed = page.locator("ol.signatory-list")
    entries = listed.get_by_role("listitem")
    expect(entries).to_have_text(
        [f"{n}. {line}" for n, line in enumerate(signatory_lines(language), 1)]
    )
    expect(listed).to_have_attribute("lang", language)


def test_an_english_letter_reads_the_same_in_every_interface_language(
    live_server, page, artifacts_dir
):
    letter = english_letter(UserFactory(), translations=("fr",))
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    expect_letter_in(page, "en", "en")
    page.screenshot(path=artifacts_dir / "letter-language-en.png", full_page=True)

    # French pages open the French translation: French in every part.
    switch(page, "Français").click()
    expect(page).to_have_url(f"{live_server.url}/fr{letter.get_absolute_url()}")
    expect_letter_in(page, "fr", "fr")
    page.screenshot(path=artifacts_dir / "letter-language-fr-translation.png", full_page=True)

    # The original, read from the French pages, is English in every part.
    page.get_by_role("main").get_by_role("link", name="English", exact=True).click()
    expect_letter_in(page, "en", "fr")
    assert CAMBODIA["fr"] not in page.locator("ol.signatory-list").inner_text()
    page.screenshot(path=artifacts_dir / "letter-language-fr-original.png", full_page=True)

    # Khmer pages: no Khmer translation, so the English original, in English.
    switch(page, "ខ្មែរ").click()
    expect(page).to_have_url(re.compile(rf"/km{re.escape(letter.get_absolute_url())}"))
    expect_letter_in(page, "en", "km")
    page.screenshot(path=artifacts_dir / "letter-language-km.png", full_page=True)
