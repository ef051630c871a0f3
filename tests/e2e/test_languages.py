"""A reader whose Chromium speaks Khmer gets Cosign in Khmer, set in the Khmer face the app
serves: the letter in its Khmer translation, the sign form, the confirmation mail a real Celery
worker sends through a real SMTP server, and the public list; the switcher brings English back."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from letters_app.models import Signature
from letters_app.services.letters import letter_open
from tests.e2e.pages import switch
from tests.factories import LetterFactory, RecipientFactory, UserFactory
from tests.translations import KHMER, translate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A consonant, then the coeng sign and a second consonant: shaped, the second one becomes a
# subscript under the first, so the cluster is hardly wider than the first consonant alone.
CLUSTER, BASE = "ក្ក", "ក"
KHMER_NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
EMAIL = "sokha@example.org"


def km(message: str) -> str:
    """The Khmer catalogue's text for `message`, which must differ from the English."""
    with translation.override("km"):
        text = translation.gettext(message)
    assert text != message, f"no Khmer translation for {message!r}"
    return text


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "km-KH"}


def _served_khmer_face_shapes_clusters(page, live_server, fonts) -> None:
    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts]
                .filter((f) => f.status === "loaded")
                .map((f) => f.family.replaceAll('"', ""));
        }"""
    )
    assert "Noto Sans Khmer" in loaded
    assert (f"{live_server.url}/static/fonts/NotoSansKhmer-Regular.ttf", 200) in fonts
    widths = page.evaluate(
        """([cluster, base]) => {
            const context = document.createElement("canvas").getContext("2d");
            context.font = '40px "Noto Sans Khmer"';
            return [context.measureText(cluster).width, context.measureText(base).width];
        }""",
        [CLUSTER, BASE],
    )
    assert 0 < widths[0] < 1.3 * widths[1], widths


def test_a_khmer_reader_signs_in_khmer_and_gets_the_mail_in_khmer(
    live_server, smtp_server, celery_worker_process, page, artifacts_dir
):
    coordinator = UserFactory()
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    translate(letter, "km", KHMER, coordinator)
    fonts = []
    page.on(
        "response",
        lambda r: fonts.append((r.url, r.status)) if "/static/fonts/" in r.url else None,
    )

    # The link as an English mail gives it: the page opens under /km/, in Khmer, showing the
    # letter's Khmer translation.
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    khmer_url = f"{live_server.url}/km{letter.get_absolute_url()}"
    expect(page).to_have_url(khmer_url)
    expect(page.locator("html")).to_have_attribute("lang", "km")
    article = page.locator("article.letter")
    expect(article).to_have_attribute("lang", "km")
    expect(article.get_by_role("heading", name=KHMER["title"])).to_be_visible()
    expect(switch(page, "ខ្មែរ")).to_have_attribute("aria-current", "true")
    _served_khmer_face_shapes_clusters(page, live_server, fonts)
    page.screenshot(path=artifacts_dir / "languages-khmer-letter.png", full_page=True)

    page.get_by_role("link", name=km("Sign this letter")).first.click()
    expect(page).to_have_url(re.compile(r"/km/letters/[^/]+/sign/$"))
    page.get_by_label(km("Name of the organization")).fill(KHMER_NAME)
    page.get_by_label(km("Acronym")).fill("ACR")
    page.get_by_label(km("Country")).fill("កម្ពុជា")  # as the list offers it in Khmer
    page.get_by_label(km("Type of organization")).select_option(value="association")
    page.get_by_label(km("Your name"), exact=True).fill("Chan Sokha")
    page.get_by_label(km("Your role in the organization")).fill("President")
    page.get_by_label(km("Your e-mail address")).fill(EMAIL)
    page.get_by_label(km("I agree to be listed publicly under this letter")).check()
    page.get_by_role("button", name=km("Sign the letter")).click()
    expect(page.get_by_role("heading", name=km("Check your e-mail"))).to_be_visible()
    assert Signature.objects.get().language == "km"

    # The confirmation mail is in Khmer, about the Khmer title, with a link that opens in Khmer.
    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) == 1)
    recipients, message = smtp_server.inbox.messages[0]
    assert recipients == [EMAIL]
    assert KHMER["title"] in message["Subject"]
    assert message["Content-Language"] == "km"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert km("It will be listed as:") in body
    assert "It will be listed as:" not in body
    confirm_url = re.search(rf"{re.escape(live_server.url)}/km/signatures/\S+", body).group(0)

    page.goto(confirm_url)
    page.get_by_role("button", name=km("Confirm my signature")).click()
    expect(page.get_by_role("heading", name=km("Thank you, you are listed"))).to_be_visible()
    page.goto(khmer_url)
    entries = page.locator("ol.signatory-list").get_by_role("listitem")
    expect(entries).to_have_count(1)
    assert entries.inner_text().startswith(f"1. {KHMER_NAME} (ACR), ")
    page.screenshot(path=artifacts_dir / "languages-khmer-signed.png", full_page=True)

    # The switcher brings the same page back in English, with the original text.
    switch(page, "English").click()
    expect(page).to_have_url(f"{live_server.url}{letter.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Sign this letter").first).to_be_visible()
    expect(page.locator("article.letter")).to_have_attribute("lang", "en")
