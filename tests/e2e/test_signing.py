"""An organization signs an open letter in Debian's Chromium, confirming by the link a real
Celery worker mails through a real SMTP server."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.models import Signature
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
KHMER_NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
EMAIL = "dara@example.org"
LISTED_AS = f"{KHMER_NAME} (ACR), Cambodia"


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _confirm_url(message) -> str:
    """The first link in the plain-text body after the words that introduce the confirm link."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    after = body.split("press the “Confirm my signature” button:", 1)[1]
    return re.search(r"https?://\S+", after).group(0)


def test_organization_signs_with_a_khmer_name_and_confirms_by_mail(
    live_server,
    smtp_server,
    celery_worker_process,
    page,
    artifacts_dir,
):
    coordinator = UserFactory()
    letter = LetterFactory(
        title="Stop the land seizures in Cambodia",
        created_by=coordinator,
        recipients=[RecipientFactory()],
    )
    letter = letter_open(letter=letter, actor=coordinator)
    assert letter.accepts_organizations
    letter_url = f"{live_server.url}{letter.get_absolute_url()}"
    signatories = page.get_by_role("region", name="Signatories")

    page.goto(letter_url)
    expect(signatories).to_contain_text("Nobody is listed yet: be the first to sign.")
    page.get_by_role("link", name="Sign this letter").first.click()
    expect(page.get_by_role("heading", name=f"Sign “{letter.title}”")).to_be_visible()

    page.get_by_label("Name of the organization").fill(KHMER_NAME)
    page.get_by_label("Acronym").fill("ACR")
    page.get_by_label("Country").fill("Cambodia")
    page.get_by_label("Type of organization").select_option(label="Association")
    page.get_by_label("Your name", exact=True).fill("Sok Dara")
    page.get_by_label("Your role in the organization").fill("President")
    page.get_by_label("Your e-mail address").fill(EMAIL)
    page.get_by_label("I agree to be listed publicly under this letter").check()
    page.get_by_role("button", name="Sign the letter").click()

    # Nothing is listed yet, so the page promises no place on the list.
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Your name is listed only after that.")
    expect(main).not_to_contain_text(KHMER_NAME)
    expect(main).not_to_contain_text(re.compile(r"\b\d+\.\s|\bnumber\b|#\d", re.IGNORECASE))
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert signature.name == KHMER_NAME

    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) == 1)
    recipients, message = smtp_server.inbox.messages[0]
    assert recipients == [EMAIL]
    assert letter.title in message["Subject"]
    confirm_url = _confirm_url(message)
    assert confirm_url.startswith(f"{live_server.url}/")

    # Opening the link (as a mail scanner would) shows what will be confirmed and lists nobody.
    page.goto(confirm_url)
    expect(page.get_by_role("heading", name="Confirm your signature")).to_be_visible()
    expect(main).to_contain_text(f"You will be listed as:\n{LISTED_AS}", use_inner_text=True)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    page.goto(letter_url)
    expect(signatories).to_contain_text("Nobody is listed yet: be the first to sign.")
    expect(signatories).not_to_contain_text(KHMER_NAME)

    page.goto(confirm_url)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name="Thank you, you are listed")).to_be_visible()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED

    page.get_by_role("link", name="See the letter and its signatories").click()
    expect(page).to_have_url(letter_url)
    entries = signatories.locator("ol.signatory-list").get_by_role("listitem")
    expect(entries).to_have_count(1)
    assert entries.inner_text() == f"1. {LISTED_AS}"
    expect(signatories).to_contain_text("1 signature: 1 organization")
    assert EMAIL not in page.content()
    page.screenshot(path=artifacts_dir / "signing-public-page.png", full_page=True)

    # The sign form on a phone: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("public:letter-sign", args=[letter.slug]))
    expect(page.get_by_label("Name of the organization")).to_be_visible()
    assert _no_horizontal_scroll(page)
    page.screenshot(path=artifacts_dir / "signing-phone-sign-page.png", full_page=True)
