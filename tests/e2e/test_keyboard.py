"""A signer who uses no mouse, in Debian's Chromium: from the letter's page through the sign
form to "Check your e-mail" with Tab, Enter, Space and typing only; a mistake is announced, and
the fields carry what a screen reader needs to tell which one is wrong and why."""

import pytest
from playwright.sync_api import expect

from letters_app.models import Signature

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "Cambodian Center for Human Rights"
EMAIL = "dara@example.org"
# Refused by the server, not by the browser: a name that is a web address.
WEB_ADDRESS = "www.example.org"
# What to do with the keyboard at each field, in the order Tab reaches them.
FIELDS = [
    ("name", WEB_ADDRESS),
    ("acronym", "CCHR"),
    ("country", "Cambodia"),  # typed on the closed list, it chooses the country
    ("contact_name", "Sok Dara"),
    ("email", EMAIL),
    ("consent_public", " "),  # Space ticks the box
]


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, name: e.getAttribute("name") || "", id: e.id,
                           text: (e.innerText || e.value || "").trim()}; }"""
    )


def _tab_to(page, matches, *, limit: int = 60) -> dict:
    """Press Tab until the focused element matches; fail if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if matches(focused):
            return focused
    raise AssertionError(f"never reached by Tab; last focused: {focused}")


def _field(name: str):
    return lambda focused: focused["name"] == name


def _type(page, value: str) -> None:
    if value == " ":
        page.keyboard.press("Space")
    else:
        page.keyboard.type(value)


def test_a_signer_signs_with_the_keyboard_alone_and_hears_the_mistake(
    live_server, open_letter, page
):
    page.goto(f"{live_server.url}{open_letter.get_absolute_url()}")

    _tab_to(page, lambda focused: focused["text"] == "Sign this letter")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Sign “{open_letter.title}”")).to_be_visible()
    for name, value in FIELDS:
        _tab_to(page, _field(name))
        _type(page, value)
    _tab_to(page, lambda focused: focused["text"] == "Sign the letter")
    page.keyboard.press("Enter")

    # The page comes back with the mistake: the summary has the focus and says what is wrong.
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct what is marked below.")
    expect(summary).to_contain_text("Write the name only, not a web address.")
    name = page.get_by_label("Name of the organization")
    expect(name).to_have_attribute("aria-invalid", "true")
    described_by = name.get_attribute("aria-describedby").split()
    errors = [page.locator(f"[id='{ref}']") for ref in described_by]
    assert any("Write the name only" in (e.text_content() or "") for e in errors), described_by
    # Fields typed correctly are not marked, and nothing typed is lost.
    expect(page.get_by_label("Your e-mail address")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your e-mail address")).to_have_value(EMAIL)
    assert not Signature.objects.exists()

    # From the summary, its link leads to the field; the signer types the name again.
    _tab_to(page, lambda focused: focused["tag"] == "A" and WEB_ADDRESS not in focused["text"])
    assert "Write the name only" in _focused(page)["text"]
    page.keyboard.press("Enter")
    expect(name).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(NAME)
    _tab_to(page, lambda focused: focused["text"] == "Sign the letter")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    signature = Signature.objects.get()
    assert (signature.name, signature.email, signature.country.code) == (NAME, EMAIL, "KH")
    assert signature.consent_public is True
