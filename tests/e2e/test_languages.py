"""A reader whose Chromium speaks Khmer gets Cosign in Khmer, set in the Khmer face the app
serves, and switches to English and back with the language switcher."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIGN_IN_KHMER = "ចុះហត្ថលេខាលើលិខិតនេះ"
SIGNATORIES_IN_KHMER = "អ្នកចុះហត្ថលេខា"
# A consonant, then the coeng sign and a second consonant: shaped, the second one becomes a
# subscript under the first, so the cluster is hardly wider than the first consonant alone.
CLUSTER, BASE = "ក្ក", "ក"


@pytest.fixture
def khmer_catalogue(settings, tmp_path):
    # The translators' Khmer catalogue is still being written: this page's two strings, here.
    po = tmp_path / "km" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "Sign this letter"\nmsgstr "{SIGN_IN_KHMER}"\n\n'
        f'msgid "Signatories"\nmsgstr "{SIGNATORIES_IN_KHMER}"\n',
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_catalogues", verbosity=0)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "km-KH"}


def test_a_khmer_browser_gets_khmer_pages_set_in_the_served_khmer_face(
    live_server, page, khmer_catalogue, artifacts_dir
):
    coordinator = UserFactory()
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    fonts = []
    page.on(
        "response",
        lambda r: fonts.append((r.url, r.status)) if "/static/fonts/" in r.url else None,
    )

    # The link as an English mail gives it: the page opens under /km/, in Khmer.
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    expect(page).to_have_url(f"{live_server.url}/km{letter.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.get_by_role("link", name=SIGN_IN_KHMER)).to_be_visible()
    expect(page.get_by_role("heading", name=SIGNATORIES_IN_KHMER)).to_be_attached()
    expect(page.get_by_role("button", name="ខ្មែរ")).to_have_attribute("aria-current", "true")
    # A string the test catalogue lacks stays English rather than breaking the page.
    expect(page.get_by_role("main")).to_contain_text("Nobody is listed yet: be the first to sign.")

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
    page.screenshot(path=artifacts_dir / "languages-khmer-letter.png", full_page=True)

    # Following a link keeps Khmer; the switcher brings the same page back in English.
    page.get_by_role("link", name=SIGN_IN_KHMER).click()
    expect(page).to_have_url(re.compile(r"/km/letters/[^/]+/sign/$"))
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/letters/[^/]+/sign/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    expect(page.get_by_role("link", name="Sign this letter")).to_be_visible()
