"""A coordinator makes an API token in Debian's Chromium, copies its secret with the button,
and a program then reads the letter with it; reloaded, the page no longer shows it."""

import json
import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.services.letters import letter_open
from tests.e2e.pages import log_in
from tests.factories import LetterFactory, RecipientFactory, UserFactory, listed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_a_coordinator_makes_a_token_copies_it_and_a_program_reads_the_letter(live_server, browser):
    coordinator = UserFactory(username="vanna", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    listed(letter, email="office@licadho.example.org", name="Licadho")
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    tokens = reverse("author:letter-api-tokens", kwargs={"pk": letter.pk})
    log_in(page, live_server, "vanna", tokens, PASSWORD)

    page.get_by_label("Name").fill("Our website")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make the token").click()
    secret_box = page.locator("#api-token-secret")
    expect(secret_box).to_be_visible()
    secret = secret_box.input_value()
    assert secret.startswith("cosign_")
    page.get_by_role("button", name="Copy", exact=True).click()
    assert page.evaluate("navigator.clipboard.readText()") == secret

    program = urllib.request.Request(  # noqa: S310 - the live server's own address
        f"{live_server.url}/api/v1/coordinate/letters/{letter.slug}/signatures",
        headers={"Authorization": f"Bearer {secret}"},
    )
    with urllib.request.urlopen(program, timeout=10) as answer:  # noqa: S310
        assert answer.status == 200
        body = json.load(answer)
    assert [s["email"] for s in body["items"]] == ["office@licadho.example.org"]

    page.reload()
    expect(page.locator("#api-tokens")).to_contain_text("Our website")
    expect(page.locator("#api-tokens")).to_contain_text("Read and write")
    expect(page.locator("#api-token-secret")).to_have_count(0)
    assert secret not in page.content()
    context.close()
