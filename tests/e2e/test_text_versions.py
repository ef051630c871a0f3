"""A coordinator changes a published letter in Debian's Chromium: ticking a setting asks nothing
and mails nobody; a real change of text asks first, then the signer's mail (sent by a real Celery
worker through a real SMTP server), their private page and the history show what changed."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.models import Letter, LetterVersion
from letters_app.services.letters import letter_open
from letters_app.services.signatures import signature_confirm
from tests.factories import LetterFactory, RecipientFactory, SignatureFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SIGNER = "signer@example.org"
# Paragraphs separated by LF and a final newline, as a letter made from a template stores them;
# list items ending in two spaces, which render nothing before the next item.
BODY = (
    "We, the undersigned organizations, urge you to act. We ask for an answer.\n\n"
    "1. Release the detained land defenders;  \n2. Open an independent inquiry.  \n"
)
OLD, NEW = "We ask for an answer.", "We ask for a written answer within thirty days."


def _plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_settings_save_quietly_and_a_new_text_shows_the_signer_what_changed(
    live_server, smtp_server, celery_worker_process, page, artifacts_dir
):
    coordinator = UserFactory(username="amara", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()], body=BODY)
    letter = letter_open(letter=letter, actor=coordinator)
    signature = SignatureFactory(letter=letter, version=1, email=SIGNER)
    signature_confirm(signature=signature)
    edit_url = live_server.url + reverse("author:letter-edit", kwargs={"pk": letter.pk})

    page.goto(edit_url)
    page.get_by_label("Username").fill("amara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(edit_url)

    # A setting: saved at once, nothing asked, no version, nobody mailed.
    page.get_by_label("Individuals may sign").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(page.get_by_label(re.compile("I understand"))).to_have_count(0)
    letter.refresh_from_db()
    assert (letter.accepts_individuals, letter.version) == (True, 1)
    assert LetterVersion.objects.filter(letter=letter).count() == 1
    signature.refresh_from_db()
    assert signature.version == 1

    # Spaces that render nothing taken out: saved at once, nothing asked, no version.
    body = page.get_by_label("Body")
    body.fill(body.input_value().replace("  \n", "\n"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(page.get_by_label(re.compile("I understand"))).to_have_count(0)
    assert Letter.objects.get().version == 1

    # A change of text: asked first, the preview showing the new text, then saved as version 2.
    body = page.get_by_label("Body")
    body.fill(body.input_value().replace(OLD, NEW))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 signer will be e-mailed")).to_be_visible()
    expect(page.locator("#letter-preview")).to_contain_text(NEW)
    expect(page.locator("#letter-preview")).not_to_contain_text(OLD)
    page.get_by_label("I understand: e-mail the 1 signer").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as text version 2.")).to_be_visible()
    assert Letter.objects.get().version == 2

    # One mail, the first save's included (the worker takes them in order): the changes only.
    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) >= 1)
    [(recipients, message)] = smtp_server.inbox.messages
    assert recipients == [SIGNER]
    text = _plain(message)
    assert f"Body\n- Removed: {OLD}\n+ Added: {NEW}\n" in text
    assert "urge you to act" not in text and "Release the detained" not in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"{OLD}</del>" in html and f"{NEW}</ins>" in html

    # The signer's private page shows the same changes, and keeps the signature on the new text.
    manage = re.search(r"https?://\S+/signatures/\S+", text).group(0)
    page.goto(manage)
    changes = page.get_by_role("region", name="The text has changed (version 2)")
    expect(changes.get_by_role("heading", name="What changed since you signed")).to_be_visible()
    expect(changes.locator("del")).to_have_text(OLD)
    expect(changes.locator("ins")).to_have_text(NEW)
    expect(changes).not_to_contain_text("Release the detained")
    page.screenshot(path=artifacts_dir / "text-versions-signer.png", full_page=True)
    page.get_by_role("button", name="Keep my signature on the new text (version 2)").click()
    expect(page.get_by_text("your signature stays on the new text")).to_be_visible()

    # The coordinator's history shows it for version 2.
    page.goto(live_server.url + reverse("author:letter-history", kwargs={"pk": letter.pk}))
    version_2 = page.get_by_role("region", name=re.compile(r"^Version 2,"))
    expect(version_2.locator("del")).to_have_text(OLD)
    expect(version_2.locator("ins")).to_have_text(NEW)
    expect(page.get_by_role("region", name=re.compile(r"^Version 1,"))).to_contain_text(
        "The text as first published."
    )
    page.screenshot(path=artifacts_dir / "text-versions-history.png", full_page=True)
