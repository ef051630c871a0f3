"""A signer withdraws in Debian's Chromium, undoes it by the link the worker mails, withdraws
again and signs again with a new name (an emoji sequence in it), confirming by the new link."""

import re

import pytest
from playwright.sync_api import expect

from letters_app.models import Signature
from letters_app.services.letters import letter_open
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "dara@example.org"
JUDGE = "👩🏽\u200d⚖\ufe0f"  # woman judge, medium skin tone: one emoji of four code points
NEW_NAME = f"Collectif des juges {JUDGE}"


def _link_after(message, words: str) -> str:
    """The first link in the plain-text body after `words`."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+", body.split(words, 1)[1]).group(0)


def test_withdraw_undo_and_sign_again(
    live_server, smtp_server, celery_worker_process, page, artifacts_dir
):
    coordinator = UserFactory()
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    signature, _created = signature_add(
        letter=letter, kind=Signature.Kind.ORGANIZATION, email=EMAIL, name="Ligue des droits",
        country="KH", consent_public=True,
    )  # fmt: skip
    signature_confirm(signature=signature)
    inbox = smtp_server.inbox
    assert inbox.wait(lambda: len(inbox.messages) == 1)  # the confirmation
    letter_url = f"{live_server.url}{letter.get_absolute_url()}"
    entries = page.get_by_role("region", name="Signatories").locator("ol.signatory-list li")

    # Withdrawing asks once.
    page.goto(_link_after(inbox.messages[0][1], "withdraw your signature at any time"))
    page.get_by_role("link", name="Withdraw my signature").click()
    expect(page.get_by_role("heading", name="Withdraw your signature?")).to_be_visible()
    page.screenshot(path=artifacts_dir / "withdrawing-asked.png", full_page=True)
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    expect(page.get_by_role("main")).to_contain_text("Your signature is withdrawn")
    page.goto(letter_url)
    expect(entries).to_have_count(0)

    # Its mail puts it back.
    assert inbox.wait(lambda: len(inbox.messages) == 2)
    recipients, withdrawn = inbox.messages[1]
    assert recipients == [EMAIL]
    assert withdrawn["Subject"] == f"Your signature is withdrawn: {letter.title}"
    page.goto(_link_after(withdrawn, "this link puts your signature back"))
    expect(page.get_by_role("heading", name="Put your signature back?")).to_be_visible()
    page.screenshot(path=artifacts_dir / "withdrawing-undo.png", full_page=True)
    page.get_by_role("button", name="Put my signature back").click()
    expect(page.get_by_role("main")).to_contain_text("Your signature is back as it was.")
    page.goto(letter_url)
    expect(entries).to_have_text(["1. Ligue des droits, Cambodia"])

    # Withdrawn again, the signer signs again with another name.
    signature.refresh_from_db()
    page.goto(f"{live_server.url}/signatures/{signature.pk}/{signature.token('manage')}/withdraw/")
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    expect(page.get_by_role("main")).to_contain_text("Your signature is withdrawn")
    page.goto(letter_url)
    page.get_by_role("link", name="Sign this letter").first.click()
    page.get_by_label("Name of the organization").fill(NEW_NAME)
    page.get_by_label("Country").fill("Cambodia")
    page.get_by_label("Your e-mail address").fill(EMAIL)
    page.get_by_label("I agree to be listed publicly under this letter").check()
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    assert inbox.wait(lambda: len(inbox.messages) == 4)  # the withdrawal's, then the link
    _recipients, confirmation = inbox.messages[3]
    assert confirmation["Subject"].startswith("Confirm your signature")
    page.goto(_link_after(confirmation, "button:"))
    expect(page.get_by_role("main")).to_contain_text(f"{NEW_NAME}, Cambodia")
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name="Thank you, you are listed")).to_be_visible()
    page.goto(letter_url)
    expect(entries).to_have_text([f"1. {NEW_NAME}, Cambodia"])
    page.screenshot(path=artifacts_dir / "withdrawing-signed-again.png", full_page=True)
    signature.refresh_from_db()
    assert (signature.name, signature.status) == (NEW_NAME, Signature.Status.CONFIRMED)
