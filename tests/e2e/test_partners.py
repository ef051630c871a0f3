"""A coordinator asks three organizations to sign, in Debian's Chromium: pastes them, checks the
preview, adds and invites them; a real Celery worker mails each its invitation through a real
SMTP server; one opens its personal link in a browser of its own and signs through the form
filled in for it, while the coordinator's funnel follows."""

import re

import pytest
from playwright.sync_api import expect

from letters_app.models import Partner, Signature
from letters_app.services.letters import letter_open
from tests.e2e.pages import log_in
from tests.factories import LetterFactory, RecipientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
KHMER_NAME = "សមាគមយុវជនខ្មែរ"
PASTED = f"""\
Ligue des droits de l’Homme (LDH), France, contact@ldh.example.org, fr
{KHMER_NAME} (SYK), Cambodia, office@khmer.example.org, km
Green Network, Australia, hello@green.example.org, en
"""
ADDRESSES = ["contact@ldh.example.org", "hello@green.example.org", "office@khmer.example.org"]


def _invitation_link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/invitations/[\w-]+/", body).group(0)


def _errors_kept(page, errors: list[str]) -> None:
    """Every error the page's console shows, with the page's address, into `errors`."""
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )


def _count(page, status: str):
    """The number the funnel shows beside a status."""
    return page.locator(f'#partner-funnel [data-status="{status}"] .badge')


def test_coordinator_invites_partners_and_sees_one_sign_through_its_personal_link(
    live_server,
    settings,
    smtp_server,
    celery_worker_process,
    celery_beat_process,
    browser,
    page,
    artifacts_dir,
):
    # The invitations are spread over time; beat's tick sends those due after the first.
    settings.PARTNER_MAILS_PER_MINUTE = 600
    errors: list[str] = []
    _errors_kept(page, errors)
    coordinator = UserFactory(username="amara", password=PASSWORD)
    letter = LetterFactory(
        title="Stop the land seizures in Cambodia",
        created_by=coordinator,
        recipients=[RecipientFactory()],
    )
    letter = letter_open(letter=letter, actor=coordinator)

    log_in(page, live_server, "amara", "/coordinate/", PASSWORD)
    page.get_by_role("link", name=letter.title).click()
    page.get_by_role("link", name="Partners", exact=True).click()
    expect(page.get_by_role("heading", name="0 partners")).to_be_visible()

    # Pasted, previewed: nothing is added before the coordinator confirms.
    page.get_by_label("Paste the list").fill(PASTED)
    page.get_by_role("button", name="Preview the import").click()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("3 lines read")
    expect(summary).to_contain_text("3 will be added")
    table = page.get_by_role("table", name="How Cosign reads each line")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("Ligue des droits de l’Homme")
    expect(table).to_contain_text(KHMER_NAME)
    page.screenshot(path=artifacts_dir / "partners-preview.png", full_page=True)
    assert not Partner.objects.exists()

    page.get_by_role("button", name="Add 3 partners").click()
    expect(page.get_by_text("3 partners added.")).to_be_visible()
    expect(page.get_by_role("heading", name="3 partners")).to_be_visible()
    expect(_count(page, "new")).to_have_text("3")
    partners = page.locator("#partners tbody tr")
    expect(partners).to_have_count(3)
    expect(partners.nth(1)).to_contain_text(KHMER_NAME)
    expect(partners.nth(1).locator("td").nth(5)).to_have_text("ខ្មែរ")  # its language
    stored = dict(Partner.objects.values_list("email", "name"))
    assert stored["office@khmer.example.org"] == KHMER_NAME  # byte for byte
    assert stored["contact@ldh.example.org"] == "Ligue des droits de l’Homme"

    page.get_by_role("button", name="Invite every partner not invited yet").click()
    expect(page.get_by_text("3 invitations are on their way.")).to_be_visible()
    expect(_count(page, "new")).to_have_text("0")
    expect(_count(page, "invited")).to_have_text("3")

    # One invitation each, in its own language, with a personal link back to this site.
    inbox = smtp_server.inbox
    assert inbox.wait(lambda: len(inbox.messages) == 3)
    by_address = {to[0]: message for to, message in inbox.messages}
    assert sorted(by_address) == ADDRESSES
    assert [by_address[a]["Content-Language"] for a in ADDRESSES] == ["fr", "en", "km"]
    khmer_mail = by_address["office@khmer.example.org"]
    assert KHMER_NAME in khmer_mail.get_body(preferencelist=("plain",)).get_content()
    link = _invitation_link(khmer_mail)
    assert link.startswith(f"{live_server.url}/km/invitations/")

    # The Khmer partner, in a browser of its own: opening the link changes nothing yet.
    partner_context = browser.new_context(locale="km-KH")
    partner_page = partner_context.new_page()
    _errors_kept(partner_page, errors)
    partner_page.goto(link)
    expect(partner_page.locator("html")).to_have_attribute("lang", "km")
    expect(partner_page.get_by_role("main")).to_contain_text(KHMER_NAME)
    khmer = Partner.objects.get(email="office@khmer.example.org")
    assert khmer.status == Partner.Status.INVITED
    partner_page.screenshot(path=artifacts_dir / "partners-invitation.png", full_page=True)

    # Its button opens the sign form, filled in with what the coordinators know.
    partner_page.locator("main button[name=open]").click()
    form = partner_page.locator("form.sign-form")
    expect(form.locator("[name=name]")).to_have_value(KHMER_NAME)
    expect(form.locator("[name=acronym]")).to_have_value("SYK")
    expect(form.locator("[name=email]")).to_have_value("office@khmer.example.org")
    page.reload()
    expect(_count(page, "opened")).to_have_text("1")
    expect(_count(page, "invited")).to_have_text("2")

    form.locator("[name=contact_name]").fill("Sok Dara")
    form.locator("[name=consent_public]").check()
    form.locator("button[type=submit]:not([name])").click()
    expect(partner_page.locator("#partner-state.alert-success")).to_be_visible()
    expect(partner_page.locator("main button[name=open]")).to_have_count(0)
    partner_page.screenshot(path=artifacts_dir / "partners-signed.png", full_page=True)
    signature = Signature.objects.get(letter=letter)
    assert (signature.name, signature.status) == (KHMER_NAME, Signature.Status.CONFIRMED)
    assert len(inbox.messages) == 3  # the invited address needs no confirmation mail

    # The coordinator's funnel: the partner signed, the counts moved.
    page.reload()
    expect(_count(page, "signed")).to_have_text("1")
    expect(_count(page, "opened")).to_have_text("0")
    expect(_count(page, "invited")).to_have_text("2")
    row = page.locator(f'#partners tr[data-partner="{khmer.pk}"]')
    expect(row).to_contain_text("Signed")
    expect(row).to_contain_text("Opened the link")
    page.locator('#partner-funnel [data-status="signed"]').click()
    expect(page.locator("#partners tbody tr")).to_have_count(1)
    expect(page.locator("#partners tbody tr")).to_contain_text(KHMER_NAME)
    page.screenshot(path=artifacts_dir / "partners-funnel.png", full_page=True)

    # The public page lists it once, without its address.
    partner_page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    entries = partner_page.locator("ol.signatory-list > li")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text(f"{KHMER_NAME} (SYK)")
    assert "office@khmer.example.org" not in partner_page.content()
    partner_context.close()
    assert errors == []
