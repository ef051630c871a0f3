"""Every kind of page, in English, French and Khmer, as axe-core finds it in Debian's Chromium:
no serious or critical violation of WCAG 2 A/AA or of axe's best practices.

To check a new page, add a `Page` to PAGES: its name, the fixture that brings its letter to
the state the page needs, who is logged in, and how to build its address (called with the
page's language active, so `reverse` gives the /fr/ or /km/ address)."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now
from playwright.sync_api import Page as BrowserPage

from letters_app.cache import letter_signing_forget
from letters_app.models import (
    Delivery,
    ExportJob,
    Letter,
    Partner,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from letters_app.services.api_tokens import api_token_create, api_token_revoke
from letters_app.services.letters import letter_update
from letters_app.services.partners import partner_decline, partner_sign, partners_invite
from letters_app.services.press import press_release_draft
from letters_app.services.signatures import signature_withdraw
from letters_app.views import staff
from tests.factories import SignatureFactory, listed
from tests.finalized import KHMER_NAME
from tests.partners import partners_add
from tests.translations import FRENCH, translate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "fr", "km"]
# What must never be on a page; "moderate" and "minor" findings are reported, not failed on.
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Page:
    name: str
    # The letter's address on the page, built with the page's language active.
    url: Callable[[Letter], str]
    # The fixture (tests/conftest.py) that gives the letter in the state the page needs.
    letter: str = "open_letter"
    # The persona logged in (a fixture name), or None for a reader.
    who: str | None = None
    # What the person does on the page before it is checked (a form sent with mistakes).
    then: Callable[[BrowserPage], None] | None = None
    # The answer's status code.
    status: int = 200
    # What the site is made to do before the page is asked for (given the test's `request`,
    # whose `settings` and `monkeypatch` fixtures undo it afterwards): a rate limit reached.
    given: Callable[[pytest.FixtureRequest], None] | None = None
    # What shows the page is in the state it is there for (a CSS selector), when its address
    # and status alone do not.
    shows: str | None = None


def _public(name: str) -> Callable[[Letter], str]:
    return lambda letter: reverse(f"public:{name}", kwargs={"slug": letter.slug})


def _author(name: str, *args) -> Callable[[Letter], str]:
    return lambda letter: reverse(f"author:{name}", args=[letter.pk, *args])


def _listed_letter(letter: Letter) -> str:
    listed(letter, name=KHMER_NAME, acronym="សខស", country="KH", email="km@example.org")
    listed(letter, name="Ligue des droits de l'homme", country="FR", email="fr@example.org")
    return letter.get_absolute_url()


def _confirm_link(letter: Letter) -> str:
    signature = SignatureFactory(letter=letter, version=letter.version)
    return reverse("public:signature-confirm", args=[signature.pk, signature.token("confirm")])


def _manage_link(letter: Letter) -> str:
    signature = listed(letter, email="manage@example.org")
    return reverse("public:signature-manage", args=[signature.pk, signature.token("manage")])


def _pending_on_frozen(letter: Letter) -> str:
    signature = letter.signatures.get(email="pending@example.org")
    return reverse("public:signature-confirm", args=[signature.pk, signature.token("confirm")])


def _signature_edit(letter: Letter) -> str:
    signature = listed(letter, email="edit@example.org")
    return reverse("author:signature-edit", args=[letter.pk, signature.pk])


def _with_translation(name: str, *args) -> Callable[[Letter], str]:
    def url(letter: Letter) -> str:
        translate(letter, "fr", FRENCH, letter.created_by, ready=False)
        return reverse(f"author:{name}", args=[letter.pk, *args])

    return url


def _export_jobs(letter: Letter) -> str:
    admin = type(letter.created_by).objects.get(username="admin")
    ExportJob.objects.create(letter=letter, format="xlsx", private=True, requested_by=admin)
    ExportJob.objects.create(
        letter=None, format="pdf", requested_by=admin, status=ExportJob.Status.FAILED,
        error="The file could not be written.",
    )  # fmt: skip
    return reverse("staff:export-jobs")


def _press(name: str) -> Callable[[Letter], str]:
    def url(letter: Letter) -> str:
        press_release_draft(letter=letter, actor=letter.created_by)
        return reverse(f"author:{name}", args=[letter.pk])

    return url


def _new_text(letter: Letter) -> Letter:
    """The letter with a second text version, which its signers have not seen."""
    body = letter.body.replace("urge", "ask")
    return letter_update(
        letter=letter, data={"body": body}, actor=letter.created_by, confirm_new_version=True
    )


def _manage_outdated(letter: Letter) -> str:
    url = _manage_link(letter)
    _new_text(letter)
    return url


def _history(letter: Letter) -> str:
    listed(letter, email="history@example.org")
    return reverse("author:letter-history", args=[_new_text(letter).pk])


def _sent_with(values: dict[str, str]) -> Callable[[BrowserPage], None]:
    """The page's form holding these fields, sent with these values (typed, chosen by value in
    a list, or a box ticked): what the server refuses, as the browser lets it through."""

    def then(page: BrowserPage) -> None:
        first = next(iter(values))
        form = page.locator("main form", has=page.locator(f"[name={first}]"))
        for name, value in values.items():
            field = form.locator(f"[name={name}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value=value)
            elif field.get_attribute("type") == "checkbox":
                field.check()
            else:
                field.fill(value)
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()

    return then


def _sent_expired(page: BrowserPage) -> None:
    """The sign form sent after its token's cookie is gone: refused as expired."""
    page.context.clear_cookies()
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        _sent_with(SIGNED)(page)
    assert answer.value.status == 403


def _every_kind(letter: Letter) -> str:
    Letter.objects.filter(pk=letter.pk).update(accepts_individuals=True, accepts_mps=True)
    letter_signing_forget(letter.slug)
    return reverse("public:letter-sign", kwargs={"slug": letter.slug})


def _delivered(letter: Letter) -> str:
    """Delivered to the first recipient, refused by the second's server, the rest to post."""
    first, second, *_others = letter.deliveries.order_by("id")
    first.status, first.response, first.sent_at = "sent", "250 2.0.0 Ok: queued as 4bX2", now()
    second.status, second.last_error, second.error_kind = "failed", "550 5.1.1 No such user", ""
    Delivery.objects.bulk_update([first, second], ["status", "response", "sent_at", "last_error"])
    return reverse("author:letter-delivery", args=[letter.pk])


def _manage_action(name: str) -> Callable[[Letter], str]:
    """The page one button of a signer's private link leads to (withdraw, erase)."""

    def url(letter: Letter) -> str:
        signature = listed(letter, email=f"{name}@example.org")
        return reverse(f"public:signature-{name}", args=[signature.pk, signature.token("manage")])

    return url


def _restore_link(letter: Letter) -> str:
    signature = listed(letter, email="restore@example.org")
    signature_withdraw(signature=signature)
    return reverse("public:signature-restore", args=[signature.pk, signature.token("restore")])


def _paused(letter: Letter) -> str:
    Letter.objects.filter(pk=letter.pk).update(signing_paused=True)
    letter_signing_forget(letter.slug)
    return reverse("public:letter-sign", kwargs={"slug": letter.slug})


def _signing_limit_reached(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("settings").SIGNING_RATE_LIMIT = "0/h"


def _download_limit_reached(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("monkeypatch").setattr(staff, "PUBLIC_DOWNLOAD_RATE", "0/h")


def _download(letter: Letter, query: str) -> str:
    return reverse("staff:letter-export-download", args=[letter.pk]) + query


# Partners of every kind of name and language, one line that does not read.
PARTNERS = f"""\
Ligue des droits de l’Homme (LDH), France, ldh@example.org, fr
{KHMER_NAME} (ACR), Cambodia, office@khmer.example.org, km
Green Network, Australia, hello@green.example.org, en
"""
PARTNERS_WITH_A_MISTAKE = PARTNERS + "???, Nowhere, not an address, xx"


def _partners(letter: Letter) -> str:
    """The partners page of a letter whose partners stand at different steps: one signed, one
    declined with a reason, one not invited yet."""
    french, khmer, _green = partners_add(letter, letter.created_by, PARTNERS)
    partners_invite(letter=letter, actor=letter.created_by, partner_ids=[french.pk, khmer.pk])
    partner_sign(partner=khmer, email=khmer.email, kind="organization", name=khmer.name,
                 country="KH", consent_public=True)  # fmt: skip
    partner_decline(partner=french, reason="Pas cette fois : notre conseil ne se réunit pas.")
    return reverse("author:letter-partners", args=[letter.pk])


def _api_tokens(letter: Letter) -> str:
    """The API tokens page of a letter with a live token, which made a call, and a revoked one."""
    _token, secret = api_token_create(letter=letter, name="Spreadsheet", scope="read",
                                      actor=letter.created_by)  # fmt: skip
    with translation.override(None):  # a request would leave its language active
        Client().get(f"/api/v1/coordinate/letters/{letter.slug}/signatures",
                     headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    old, _secret = api_token_create(letter=letter, name="Old site", scope="read_write",
                                    actor=letter.created_by)  # fmt: skip
    api_token_revoke(token=old, actor=letter.created_by)
    return reverse("author:letter-api-tokens", args=[letter.pk])


def _invitation(step: Callable[[Partner], object] | None = None) -> Callable[[Letter], str]:
    """A partner's personal link, once it has taken `step` (declined, unsubscribed)."""

    def url(letter: Letter) -> str:
        partner = partners_add(letter, letter.created_by, PARTNERS)[1]
        if step:
            step(partner)
        return reverse("public:partner-invitation", args=[partner.secret])

    return url


def _unsubscribe(letter: Letter) -> str:
    partner = partners_add(letter, letter.created_by, PARTNERS)[0]
    return reverse("public:partner-unsubscribe", args=[partner.secret])


def _webhooks(letter: Letter) -> str:
    """The webhooks page with a webhook, one delivery sent and one failed."""
    webhook = Webhook.objects.create(letter=letter, url="https://hooks.example.org/cosign")
    for status, code, error in (("sent", 200, ""), ("failed", 500, "HTTP 500: receiver down")):
        event = WebhookEvent.objects.create(letter=letter, type="signature.confirmed", payload={})
        WebhookDelivery.objects.create(webhook=webhook, event=event, status=status, attempts=1,
                                       last_status_code=code, last_error=error)  # fmt: skip
    return reverse("author:letter-webhooks", args=[letter.pk])


def _clicked(selector: str) -> Callable[[BrowserPage], None]:
    """The page's button matching `selector` pressed, whatever the page's language."""

    def then(page: BrowserPage) -> None:
        with page.expect_navigation():
            page.locator(selector).click()

    return then


# A list pasted for import: one line that reads, one that does not.
IMPORTED = f"1. {KHMER_NAME} (ACR), Cambodia\n2. ???, Nowhere"
SIGNED_WITH_A_MISTAKE = {
    "name": "www.example.org", "country": "KH", "email": "dara@example.org", "consent_public": "on",
}  # fmt: skip
SIGNED_FROM_NOWHERE = {
    "name": "Sahmakum Teang Tnaut", "country": "Atlantis", "email": "stt@example.org",
    "consent_public": "on",
}  # fmt: skip
SIGNED = {**SIGNED_FROM_NOWHERE, "country": "KH"}


PAGES = [
    # Readers and signers.
    Page("letter-list", lambda letter: reverse("public:home")),
    Page("letter-detail", _listed_letter),
    Page("letter-detail-finalized", lambda letter: letter.get_absolute_url(), "frozen_letter"),
    Page("letter-sign", _public("letter-sign")),
    Page("letter-sign-errors", _public("letter-sign"), then=_sent_with(SIGNED_WITH_A_MISTAKE)),
    Page("letter-sign-done", _public("letter-sign-done")),
    Page("signature-confirm", _confirm_link),
    Page("signature-expired", _pending_on_frozen, "frozen_letter", status=410),
    Page("signature-manage", _manage_link),
    Page("signature-manage-errors", _manage_link, then=_sent_with({"name": "www.example.org"})),
    Page("signature-manage-outdated", _manage_outdated),
    Page(
        "letter-detail-translation",
        lambda letter: letter.get_absolute_url() + "?lang=fr",
        "frozen_letter",
    ),
    Page("letter-sign-every-kind", _every_kind),
    Page("letter-detail-closed", lambda letter: letter.get_absolute_url(), "closed_letter"),
    Page("letter-sign-paused", _paused, shows="fieldset[disabled][aria-describedby=sign-refusal]"),
    Page(
        "letter-sign-mp",
        lambda letter: _every_kind(letter) + "?kind=mp",
        shows="[name=kind][value=mp]:checked",
    ),
    Page(
        "letter-sign-unknown-country",
        _public("letter-sign"),
        then=_sent_with(SIGNED_FROM_NOWHERE),
        shows="[name=country].is-invalid",
    ),
    Page(
        "letter-sign-too-many",
        _public("letter-sign"),
        then=_sent_with(SIGNED),
        given=_signing_limit_reached,
        shows="main .alert-danger",
    ),
    Page("signature-withdraw", _manage_action("withdraw"), shows="main form[action$='/withdraw/']"),
    Page("signature-restore", _restore_link, shows="main form[action$='/restore/']"),
    Page("signature-erase", _manage_action("erase"), shows="main form[action$='/erase/']"),
    Page("signature-erased", _public("signature-erased")),
    Page("letter-embed", _public("letter-embed"), shows="form.sign-form [name=embed_token]"),
    Page("letter-embed-done", _public("letter-embed-done"), shows="#share-link"),
    Page("privacy", lambda letter: reverse("public:privacy")),
    # Partners, through their personal link.
    Page("partner-invitation", _invitation(), shows="form[action$='/decline/']"),
    Page(
        "partner-invitation-declined",
        _invitation(lambda partner: partner_decline(partner=partner, reason="Pas cette fois.")),
        shows="#partner-state",
    ),
    Page(
        "partner-invitation-closed",
        _invitation(),
        "closed_letter",
        shows="#partner-state",
    ),
    Page(
        "partner-sign",
        _invitation(),
        then=_clicked("main button[name=open]"),
        shows="form.sign-form [name=email][value='office@khmer.example.org']",
    ),
    Page("partner-unsubscribe", _unsubscribe, shows="main form[action$='/unsubscribe/']"),
    # Error pages, as production shows them (the live server runs with DEBUG off).
    Page("error-404", lambda letter: reverse("public:home") + "no-such-page/", status=404),
    Page("error-403", lambda letter: _download(letter, "?format=csv&private=1"), status=403),
    Page("error-403-form-expired", _public("letter-sign"), then=_sent_expired),
    Page(
        "error-429-download",
        lambda letter: _download(letter, "?format=csv"),
        status=429,
        given=_download_limit_reached,
    ),
    Page("login", lambda letter: reverse("login")),
    Page(
        "login-errors",
        lambda letter: reverse("login"),
        then=_sent_with({"username": "coordinator", "password": "not the password"}),
    ),
    # Coordinators.
    Page("author-letter-list", lambda letter: reverse("author:dashboard"), who="coordinator"),
    Page("author-letter-new", lambda letter: reverse("author:letter-new"), who="coordinator"),
    Page("author-letter-edit", _author("letter-edit"), "letter", "coordinator"),
    Page(
        "author-letter-edit-errors",
        _author("letter-edit"),
        "letter",
        "coordinator",
        then=_sent_with({"slug": "not a slug!"}),
    ),
    Page("author-letter-publish", _author("letter-publish"), "letter", "coordinator"),
    Page("author-recipients", _author("letter-recipients"), "letter", "coordinator"),
    Page("author-signatures", _author("letter-signatures"), "closed_letter", "coordinator"),
    Page("author-signature-edit", _signature_edit, who="coordinator"),
    Page("author-import", _author("letter-import"), who="coordinator"),
    Page(
        "author-import-preview",
        _author("letter-import"),
        who="coordinator",
        then=_sent_with({"text": IMPORTED}),
    ),
    Page("author-partners", _partners, who="coordinator", shows="#partner-funnel"),
    Page(
        "author-partners-preview",
        _author("letter-partners"),
        who="coordinator",
        then=_sent_with({"text": PARTNERS_WITH_A_MISTAKE}),
        shows="#import-preview",
    ),
    Page(
        "author-api-tokens",
        _api_tokens,
        who="coordinator",
        then=_sent_with({"name": "Our website"}),
        shows="#new-token #api-token-secret",
    ),
    Page("author-translations", _with_translation("letter-translations"), "letter", "coordinator"),
    Page(
        "author-translation-edit",
        _with_translation("translation-edit", "fr"),
        "letter",
        "coordinator",
    ),
    Page("author-stats", _author("letter-stats"), "closed_letter", "coordinator"),
    Page("author-history", _history, who="coordinator"),
    Page("author-history-finalized", _author("letter-history"), "frozen_letter", "coordinator"),
    Page("author-coordinators", _author("letter-coordinators"), "letter", "coordinator"),
    Page("author-embed", _author("letter-embed"), who="coordinator", shows="iframe.embed-preview"),
    Page("author-close", _author("letter-close"), who="coordinator"),
    Page("author-reopen", _author("letter-reopen"), "closed_letter", "coordinator"),
    Page("author-finalize", _author("letter-finalize"), "closed_letter", "coordinator"),
    Page("author-delivery", _author("letter-delivery"), "frozen_letter", "coordinator"),
    Page("author-delivery-ended", _delivered, "frozen_letter", "coordinator"),
    Page("author-press", _press("press-release"), "frozen_letter", "coordinator"),
    Page("author-press-send", _press("press-release-send"), "frozen_letter", "coordinator"),
    Page("author-webhooks", _webhooks, who="coordinator", shows="#webhook-log"),
    Page(
        "author-webhooks-errors",
        _author("letter-webhooks"),
        who="coordinator",
        then=_sent_with({"url": "https://127.0.0.1/hook"}),
        shows="[name=url].is-invalid",
    ),
    # Exports.
    Page(
        "staff-letter-export",
        lambda letter: reverse("staff:letter-export", args=[letter.pk]),
        "closed_letter",
        "coordinator",
    ),
    Page("staff-signatures-export", lambda letter: reverse("staff:signatures-export"), who="admin"),
    Page(
        "staff-export-job-new",
        lambda letter: reverse("staff:signatures-export-job-new"),
        who="admin",
    ),
    Page("staff-export-jobs", _export_jobs, who="admin"),
    Page("staff-letter-list", lambda letter: reverse("staff:letter-list"), who="admin"),
    Page(
        "staff-letter-list-filtered",
        lambda letter: reverse("staff:letter-list") + f"?status=open&q={letter.slug}",
        who="admin",
        shows="[data-letter]",
    ),
    Page(
        "staff-export-invalid",
        lambda letter: reverse("staff:letter-export-download", args=[letter.pk]) + "?format=doc",
        status=400,
    ),
]


DUPLICATE_IDS = """() => {
    const seen = new Set(), twice = new Set();
    for (const e of document.querySelectorAll("[id]")) {
        (seen.has(e.id) ? twice : seen).add(e.id);
    }
    return [...twice];
}"""


def _log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def _report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.append(f"      {node['failureSummary'].replace(chr(10), ' ')[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES, ids=lambda page: page.name)
def test_a_page_has_no_serious_accessibility_violation(
    kind: Page, language: str, request, live_server, browser, admin
):
    letter = request.getfixturevalue(kind.letter)
    if kind.given:
        kind.given(request)
    with translation.override(language):
        path = kind.url(letter)
    assert language == "en" or path.startswith(f"/{language}/")
    context = browser.new_context(locale="en-GB")
    if kind.who:
        _log_in(context, live_server, request.getfixturevalue(kind.who))
    page = context.new_page()

    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == kind.status
    if kind.then:
        kind.then(page)
    assert page.locator("html").get_attribute("lang") == language
    assert settings.DEBUG is False  # the error pages as production shows them
    if kind.shows:
        assert page.locator(kind.shows).count() > 0, f"{kind.name}: no {kind.shows}"
    results = Axe().run(page).response

    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    if others := [v for v in results["violations"] if v not in failing]:
        print(f"{kind.name} in {language}, not failed on:\n{_report(others)}")
    assert not failing, f"{kind.name} in {language}:\n{_report(failing)}"
    # axe no longer checks that ids are unique; a label or link to a repeated id finds the first.
    assert page.evaluate(DUPLICATE_IDS) == [], f"{kind.name} in {language}"
    context.close()
