"""A partner's site shows a letter's sign form in a frame: in Debian's Chromium, a signer signs
inside the frame on another site (127.0.0.1 is another site than the live server's localhost,
so the frame is truly third-party), then confirms by the link a real Celery worker mails through
a real SMTP server. A site the coordinators did not list gets no form."""

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from letters_app.models import Signature
from letters_app.services.embed import letter_set_embed_origins
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "contact@partner.example.org"
NAME = "Ligue cambodgienne des droits de l’homme"


class PartnerSite:
    """Another site: one page, on 127.0.0.1 and a port of its own, that frames `src`."""

    def __init__(self) -> None:
        self.src = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = (
                    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                    "<title>Our campaign</title></head><body><main><h1>Our campaign</h1>"
                    f'<iframe src="{site.src}" title="Sign the letter" width="600" '
                    'height="900"></iframe></main></body></html>'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partner_site() -> Iterator[PartnerSite]:
    site = PartnerSite()
    yield site
    site.close()


@pytest.fixture
def unlisted_site() -> Iterator[PartnerSite]:
    site = PartnerSite()
    yield site
    site.close()


@pytest.fixture
def letter(live_server):
    coordinator = UserFactory()
    letter = LetterFactory(
        title="Stop the land seizures in Cambodia",
        created_by=coordinator,
        recipients=[RecipientFactory()],
    )
    return letter_open(letter=letter, actor=coordinator)


def _confirm_url(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    after = body.split("press the “Confirm my signature” button:", 1)[1]
    return re.search(r"https?://\S+", after).group(0)


def test_a_signer_signs_in_a_frame_on_a_listed_site_and_confirms_by_mail(
    live_server, smtp_server, celery_worker_process, page, partner_site, letter, artifacts_dir
):
    assert live_server.url.startswith("http://localhost:")  # and the partner is on 127.0.0.1
    letter_set_embed_origins(letter=letter, text=partner_site.origin, actor=letter.created_by)
    partner_site.src = f"{live_server.url}/letters/{letter.slug}/embed/"

    page.goto(partner_site.origin + "/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name=letter.title)).to_be_visible()
    expect(frame.locator(".embed-count")).to_have_text("0 signatures")
    full_letter = frame.get_by_role("link", name="Read the full letter")
    expect(full_letter).to_have_attribute("target", "_blank")

    frame.get_by_label("Name of the organization").fill(NAME)
    frame.get_by_label("Country").fill("Cambodia")
    frame.get_by_label("Type of organization").select_option(label="Association")
    frame.get_by_label("Your name", exact=True).fill("Sok Dara")
    frame.get_by_label("Your role in the organization").fill("President")
    frame.get_by_label("Your e-mail address").fill(EMAIL)
    frame.get_by_label("I agree to be listed publicly under this letter").check()
    frame.get_by_role("button", name="Sign the letter").click()

    # Inside the frame, still on the partner's page: check your mail, and ways to share.
    expect(frame.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert page.url == partner_site.origin + "/"
    link = frame.get_by_label("The letter's address")
    expect(link).to_have_value(re.compile(rf"/letters/{letter.slug}/$"))
    frame.get_by_role("button", name="Copy the link").click()
    expect(frame.get_by_role("status").first).to_have_text("Copied.")
    expect(frame.get_by_role("link", name="Share by e-mail")).to_have_attribute(
        "href", re.compile(r"^mailto:\?subject=Please%20sign%3A%20Stop%20the%20land")
    )
    page.screenshot(path=artifacts_dir / "embed-partner-done.png", full_page=True)
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert signature.name == NAME

    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) == 1)
    recipients, message = smtp_server.inbox.messages[0]
    assert recipients == [EMAIL]
    confirm_url = _confirm_url(message)
    assert confirm_url.startswith(f"{live_server.url}/")
    page.goto(confirm_url)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name="Thank you, you are listed")).to_be_visible()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED

    # The partner's page shows the new count once loaded again.
    page.goto(partner_site.origin + "/")
    expect(page.frame_locator("iframe").locator(".embed-count")).to_have_text("1 signature")


def test_a_site_that_is_not_listed_gets_no_form(
    live_server, page, partner_site, unlisted_site, letter, csp_violations
):
    letter_set_embed_origins(letter=letter, text=partner_site.origin, actor=letter.created_by)
    unlisted_site.src = f"{live_server.url}/letters/{letter.slug}/embed/"

    with page.expect_response(lambda r: r.url == unlisted_site.src) as answer:
        page.goto(unlisted_site.origin + "/")
    assert answer.value.status == 200  # served, and refused by the browser
    expect(page.get_by_role("heading", name="Our campaign")).to_be_visible()
    frame = page.frame_locator("iframe")
    expect(frame.locator("form")).to_have_count(0)
    expect(frame.get_by_role("heading", name=letter.title)).to_have_count(0)
    # Chromium says why on the partner's console; that refusal is what this test wants.
    refused = [k for k in csp_violations if "frame-ancestors" in k]
    assert refused, list(csp_violations)
    for key in refused:
        del csp_violations[key]


def test_the_count_follows_the_api_and_stays_when_it_does_not_answer(live_server, page, letter):
    """The embed page asks the public API for the count every 30 seconds. The API is another
    part of Cosign: here the browser answers for it, first not at all (404), then a count."""
    answers = [{"status": 404, "body": "Not Found"}]
    page.route(
        f"{live_server.url}/api/v1/letters/{letter.slug}/counts",
        lambda route: route.fulfill(**answers[-1]),
    )
    page.clock.install()
    page.goto(f"{live_server.url}/fr/letters/{letter.slug}/embed/")
    count = page.locator(".embed-count-number")
    expect(count).to_have_text("0")
    with page.expect_response(lambda r: r.url.endswith("/counts")):
        page.clock.run_for(31_000)
    expect(count).to_have_text("0")  # no answer: the server's count stays

    answers.append({"status": 200, "json": {"total": 12345, "organization": 12345}})
    with page.expect_response(lambda r: r.url.endswith("/counts")):
        page.clock.run_for(30_000)
    expect(count).to_have_text("12\u202f345")  # as French writes it
    expect(page.locator(".embed-count")).to_have_text("12\u202f345 signatures")  # no longer one


def test_a_french_browser_gets_the_french_form_in_the_frame(
    live_server, browser, partner_site, letter
):
    """The English address a partner pasted sends a French browser to the French page: the
    redirect, which no site may frame, is followed, and the French page is framed."""
    letter_set_embed_origins(letter=letter, text=partner_site.origin, actor=letter.created_by)
    partner_site.src = f"{live_server.url}/letters/{letter.slug}/embed/"
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    page = context.new_page()
    page.goto(partner_site.origin + "/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("button", name="Signer la lettre")).to_be_visible()
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    context.close()
