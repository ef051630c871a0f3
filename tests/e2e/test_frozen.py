"""Frozen means read-only, in Debian's Chromium: a French reader of a sent letter reads only the
French text that was frozen and sent; its coordinator is offered no translation any more; an
admin who saves the finalized letter is told why nothing changed, not shown a server error."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.models import Letter, LetterSnapshot, LetterTranslation
from letters_app.services.deliveries import letter_finalize
from tests.e2e.pages import log_in
from tests.factories import UserFactory
from tests.frozen import LATE_FRENCH, frozen_state
from tests.translations import FRENCH, KHMER

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_a_french_reader_of_a_sent_letter_reads_only_the_frozen_french_text(
    live_server, browser, frozen_letter, coordinator, artifacts_dir
):
    letter = frozen_letter
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.SENT)
    LetterSnapshot.objects.filter(letter=letter).update(pdf="letters/sent.pdf")  # as if made
    # What older pages let through after delivery: the French rewritten, the Khmer marked ready.
    translations = LetterTranslation.objects.filter(letter=letter)
    translations.filter(language="fr").update(title=LATE_FRENCH)
    translations.filter(language="km").update(status=LetterTranslation.Status.READY)
    coordinator.set_password(PASSWORD)
    coordinator.save()

    # The coordinator is offered no new translation, and cannot change the French one.
    author_context = browser.new_context(locale="en-GB")
    author = author_context.new_page()
    log_in(author, live_server, coordinator.username, f"/coordinate/letters/{letter.pk}/", PASSWORD)
    author.get_by_role("link", name="Translations").click()
    expect(author.get_by_text("its translations were frozen with it")).to_be_visible()
    expect(author.get_by_role("button", name="Add a translation")).to_have_count(0)
    author.get_by_role("main").get_by_role("link", name="Français").click()
    expect(author.get_by_label("Title", exact=True)).to_be_disabled()
    for offer in ("Save", "Mark ready", "Back to draft", "Delete the translation"):
        expect(author.get_by_role("button", name=offer)).to_have_count(0)

    author_context.close()
    reader_context = browser.new_context(locale="fr-FR")
    reader = reader_context.new_page()
    reader.goto(f"{live_server.url}{letter.get_absolute_url()}")
    expect(reader).to_have_url(f"{live_server.url}/fr/letters/{letter.slug}/")
    article = reader.locator("article.letter")
    expect(article).to_have_attribute("lang", "fr")
    expect(article.get_by_role("heading", level=1)).to_have_text(FRENCH["title"])
    expect(reader.get_by_text(LATE_FRENCH)).to_have_count(0)
    sha256 = LetterSnapshot.objects.get(letter=letter).sha256
    expect(reader.locator("body")).to_contain_text(sha256)
    expect(reader.get_by_role("main").get_by_role("link", name="ខ្មែរ")).to_have_count(0)
    expect(reader.get_by_text(KHMER["title"])).to_have_count(0)
    reader.screenshot(path=artifacts_dir / "frozen-french-reader.png", full_page=True)
    reader_context.close()


def test_an_admin_saving_a_letter_finalized_meanwhile_is_told_why_nothing_changed(
    live_server, page, closed_letter, coordinator, queued, artifacts_dir
):
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    url = reverse("admin:letters_app_letter_change", args=[closed_letter.pk])
    log_in(page, live_server, "root", url, PASSWORD)
    page.get_by_label("Body:").fill("A body written while the letter was being finalized.")
    page.get_by_label("E-mail the signers the new text").check()

    letter_finalize(letter=closed_letter, actor=coordinator)  # by a coordinator, meanwhile
    before = frozen_state(closed_letter)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .error")).to_contain_text(
        "This letter is finalized: its text, recipients and signatories were frozen and sent as "
        "they are, so nothing of it can change here."
    )
    expect(page.get_by_text("Server Error")).to_have_count(0)
    # Now shown read-only, with the reason, the recipients included.
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    expect(page.locator('[name="body"]')).to_have_count(0)
    expect(page.locator('[name="letter_recipients-0-recipient"]')).to_have_count(0)
    assert frozen_state(closed_letter) == before
    page.screenshot(path=artifacts_dir / "frozen-admin-save.png", full_page=True)
