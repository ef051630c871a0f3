"""Signing in Debian's Chromium as a person does: choosing who signs without losing what was
typed, told before sending that signing lists one publicly, and reading the list on a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.models import Letter, Signature
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory, listed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}
CONSENT = "I agree to be listed publicly under this letter"


@pytest.fixture
def letter_of_all_kinds():
    coordinator = UserFactory()
    letter = LetterFactory(
        title="Free the journalists", created_by=coordinator, recipients=[RecipientFactory()]
    )
    letter = letter_open(letter=letter, actor=coordinator)
    Letter.objects.filter(pk=letter.pk).update(accepts_individuals=True, accepts_mps=True)
    letter.refresh_from_db()
    return letter


def test_switching_who_signs_keeps_what_was_typed_and_signs_as_the_last_choice(
    live_server, page, letter_of_all_kinds, artifacts_dir
):
    letter = letter_of_all_kinds
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("link", name="Sign as an organization").first.click()
    expect(page.get_by_role("heading", name=f"Sign “{letter.title}”")).to_be_visible()
    signing_as = page.get_by_role("group", name="Signing as")
    expect(signing_as.get_by_role("radio", name="Organization")).to_be_checked()
    expect(page.get_by_role("button", name="Change")).to_have_count(0)  # the script is at work

    page.get_by_label("Name of the organization").fill("Hon. Jane Doe")
    page.get_by_label("Acronym").fill("JD")
    page.get_by_label("Your name", exact=True).fill("Jane Doe")
    page.get_by_label("Country").fill("France")
    page.get_by_label("Your e-mail address").fill("jane@example.org")

    signing_as.get_by_role("radio", name="Member of parliament").check()
    expect(page.get_by_label("Acronym")).to_be_hidden()
    expect(page.get_by_label("Full name")).to_have_value("Hon. Jane Doe")
    expect(page.get_by_label("Your title")).to_be_visible()
    page.get_by_label("Your title").fill("Member of the National Assembly")
    page.get_by_role("textbox", name="Parliament").fill("National Assembly")
    expect(page.get_by_text("the list shows your name, title, parliament")).to_be_visible()

    # Back to an organization and on again: nothing typed was lost on the way.
    signing_as.get_by_role("radio", name="Organization").check()
    expect(page.get_by_label("Acronym")).to_have_value("JD")
    expect(page.get_by_label("Your name", exact=True)).to_have_value("Jane Doe")
    expect(page.get_by_label("Your title")).to_be_hidden()
    signing_as.get_by_role("radio", name="Member of parliament").check()
    expect(page.get_by_label("Your title")).to_have_value("Member of the National Assembly")
    expect(page.get_by_label("Country")).to_have_value("France")
    expect(page.get_by_label("Your e-mail address")).to_have_value("jane@example.org")
    page.screenshot(path=artifacts_dir / "sign-flow-mp.png", full_page=True)

    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    signature = Signature.objects.get()
    assert (signature.kind, signature.name, signature.country) == ("mp", "Hon. Jane Doe", "FR")
    assert (signature.title, signature.parliament) == (
        "Member of the National Assembly", "National Assembly",
    )  # fmt: skip
    assert (signature.acronym, signature.contact_name) == ("", "")
    assert signature.display_line == "Hon. Jane Doe, Member of the National Assembly, France"


def test_the_browser_asks_for_consent_before_anything_is_sent(
    live_server, page, letter_of_all_kinds
):
    letter = letter_of_all_kinds
    page.goto(live_server.url + reverse("public:letter-sign", args=[letter.slug]))
    said = page.get_by_text("Signing means being listed publicly under the letter: the list shows")
    expect(said.filter(visible=True)).to_contain_text("the organization's name")
    page.get_by_label("Name of the organization").fill("Association TEP NIMITH")
    page.get_by_label("Country").fill("Cambodia")
    page.get_by_label("Your e-mail address").fill("atn@example.org")
    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    page.get_by_role("button", name="Sign the letter").click()

    consent = page.get_by_label(CONSENT)
    assert consent.evaluate("box => box.validity.valueMissing")
    expect(consent).to_be_focused()
    assert requests == []
    assert not Signature.objects.exists()


def test_a_wrapped_entry_hangs_under_its_number_on_a_narrow_screen(
    live_server, page, letter_of_all_kinds, artifacts_dir
):
    letter = letter_of_all_kinds
    long_name = "Association cambodgienne pour la défense et la promotion des droits humains"
    listed(letter, name=long_name, acronym="ADHOC", country="KH")
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    entry = page.locator("ol.signatory-list li").first
    expect(entry).to_contain_text(long_name)
    lines = entry.locator(".signatory-line").evaluate(
        """line => {
            const range = document.createRange();
            range.selectNodeContents(line);
            const tops = new Map();  // the leftmost box of each line of text
            for (const box of range.getClientRects()) {
                const top = Math.round(box.top);
                tops.set(top, Math.min(tops.get(top) ?? Infinity, box.left));
            }
            return [...tops.entries()].sort((a, b) => a[0] - b[0]).map(([, left]) => left);
        }"""
    )
    number = entry.locator(".signatory-number").evaluate("n => n.getBoundingClientRect().right")
    page.screenshot(path=artifacts_dir / "sign-flow-narrow-list.png", full_page=True)
    assert len(lines) >= 2  # it wraps
    assert lines[1] == pytest.approx(lines[0], abs=0.5)  # the second line under the first
    assert lines[0] > number  # both beside the number, not under it
    assert entry.inner_text() == f"1. {long_name} (ADHOC), Cambodia"
