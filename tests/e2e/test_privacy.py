"""A signer erases their personal data from the private link in their mail, in Debian's
Chromium: asked once, and their name leaves the public list."""

import pytest
from playwright.sync_api import expect

from letters_app.models import Signature
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory, listed
from tests.views.public.signing import manage_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"


def test_a_signer_erases_their_data_and_their_name_leaves_the_list(live_server, page):
    coordinator = UserFactory()
    letter = letter_open(
        letter=LetterFactory(created_by=coordinator, recipients=[RecipientFactory()]),
        actor=coordinator,
    )
    signature = listed(letter, name=NAME, email="dara@example.org", ip_address="203.0.113.5")
    listed(letter, name="Ligue des droits")
    signatories = page.get_by_role("region", name="Signatories")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    expect(signatories).to_contain_text(NAME)

    link = f"{live_server.url}{manage_url(signature)}"  # as the mail gave it
    page.goto(link)
    page.get_by_role("link", name="Erase my personal data…").click()
    expect(page.get_by_role("heading", name="Erase your personal data")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("This cannot be undone.")
    page.get_by_role("button", name="Erase my personal data").click()

    expect(page.get_by_role("heading", name="Your personal data is erased")).to_be_visible()
    page.get_by_role("link", name="Back to the letter").click()
    expect(signatories).to_contain_text("Ligue des droits")
    expect(signatories).not_to_contain_text(NAME)
    signature.refresh_from_db()
    assert (signature.email, signature.ip_address, signature.is_public) == ("", None, False)
    assert signature.status == Signature.Status.WITHDRAWN
    # The link in the mail now opens nothing.
    response = page.goto(link)
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(NAME)
