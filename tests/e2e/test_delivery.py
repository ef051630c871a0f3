"""A coordinator finalizes a closed letter and watches it go out, in Debian's Chromium: a real
Celery worker makes the PDF and mails it through a real SMTP server while the page follows."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from letters_app.models import Delivery, Letter, LetterSnapshot
from letters_app.services.letters import letter_close, letter_open
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import LetterFactory, RecipientFactory, UserFactory
from tests.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
KHMER_NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
SIGNERS = [
    ("Ligue des droits de l’Homme", "LDH", "FR", "ldh@example.org"),
    (KHMER_NAME, "ACR", "KH", "dara@example.org"),
    ("Human Rights Watch", "", "US", "hrw@example.org"),
]
KHMER_GAP = re.compile(r"(?<=[\u1780-\u17ff]) (?=[\u1780-\u17ff])")
LISTED = [
    "1. Ligue des droits de l’Homme (LDH), France",
    f"2. {KHMER_NAME} (ACR), Cambodia",
    "3. Human Rights Watch, United States of America",
]


def _closed_letter(coordinator, recipients, title="Stop the land seizures in Cambodia"):
    """The letter to `recipients`, signed by the three SIGNERS, closed."""
    letter = LetterFactory(title=title, created_by=coordinator, recipients=recipients)
    letter = letter_open(letter=letter, actor=coordinator)
    for name, acronym, country, email in SIGNERS:
        signature, _created = signature_add(
            letter=letter,
            kind="organization",
            email=email,
            name=name,
            acronym=acronym,
            country=country,
            organization_type="association",
            contact_name="Sok Dara",
            consent_public=True,
        )
        assert signature_confirm(signature=signature)
    return letter_close(letter=letter, actor=coordinator)


@pytest.fixture
def closed_letter(transactional_db):
    """Three recipients from the directory, one of them postal only, and three listed signers.
    Made before the worker starts, which purges the signers' confirmation mails unsent."""
    coordinator = UserFactory(username="amara", password=PASSWORD)
    recipients = [
        RecipientFactory(name="Muntarbhorn", email="srcambodia@example.org"),
        RecipientFactory(
            honorific="Mr",
            name="Türk",
            title="High Commissioner for Human Rights",
            email="hc@example.org",
        ),
        RecipientFactory(
            honorific="H.E.",
            name="Hun Manet",
            title="Prime Minister",
            institution="Royal Government of Cambodia",
            postal_address="Office of the Council of Ministers\nPhnom Penh",
            country="KH",
            email="",
        ),
    ]
    return _closed_letter(coordinator, recipients)


def _open_finalize_page(page, live_server, letter) -> None:
    """Log in as the coordinator, open the letter from the dashboard, then its Finalize page."""
    page.goto(f"{live_server.url}/coordinate/")
    page.get_by_label("Username").fill("amara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=letter.title).click()
    page.get_by_role("link", name="Finalize", exact=True).click()


def _letter_mails(inbox, letter) -> list:
    """(recipients, message) of the letter itself, not the mails to its signers."""
    prefix = f"<letter-{letter.pk}-"
    return [(to, m) for to, m in inbox.messages if str(m["Message-ID"]).startswith(prefix)]


def test_coordinator_finalizes_a_letter_and_watches_it_delivered(
    closed_letter,
    live_server,
    smtp_server,
    celery_worker_process,
    page,
    artifacts_dir,
    tmp_path,
):
    letter = closed_letter
    _open_finalize_page(page, live_server, letter)

    # The confirmation names every recipient, marks the one without e-mail, counts the listed.
    expect(page.get_by_role("heading", name="Finalize and send")).to_be_visible()
    recipients = page.get_by_role("region", name="3 recipients").get_by_role("listitem")
    expect(recipients).to_have_count(3)
    expect(recipients.nth(0)).to_contain_text("Professor Muntarbhorn")
    expect(recipients.nth(0)).to_contain_text("srcambodia@example.org")
    expect(recipients.nth(1)).to_contain_text("hc@example.org")
    expect(recipients.nth(2)).to_contain_text("H.E. Hun Manet, Prime Minister")
    expect(recipients.nth(2)).to_contain_text("postal only")
    expect(page.get_by_text("postal only", exact=True)).to_have_count(1)
    expect(page.locator(".finalize-count")).to_contain_text(
        "3 listed signatures will be numbered and frozen."
    )
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.CLOSED
    page.get_by_role("button", name="Finalize and send now").click()

    expect(page).to_have_url(f"{live_server.url}/coordinate/letters/{letter.pk}/delivery/")
    expect(page.get_by_text("The letter is finalized.", exact=True)).to_be_visible()
    # Survives only as long as the page is not loaded again.
    page.evaluate("window.notReloaded = true")
    rows = page.locator("tr[data-delivery-id]")
    expect(rows).to_have_count(3)
    badges = rows.locator('[data-field="status"]')
    expect(badges).to_have_text(["Sent", "Sent", "Postal only"], timeout=60_000)
    summary = page.locator(".delivery-summary")
    expect(summary).to_have_text("2 sent · 0 waiting · 0 failed · 1 postal only")
    expect(page.locator("header .status-badge")).to_have_text("Sent")
    expect(page.locator("#delivery-banner")).to_have_text(
        "Sent: every recipient with an e-mail address has received the letter. It is to be "
        "posted to 1 other recipient."
    )
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    frozen = page.get_by_role("region", name="The finalized letter")
    expect(frozen.locator("dt", has_text="Signatories").locator("+ dd")).to_have_text("3")
    page.screenshot(path=artifacts_dir / "delivery-page.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename == f"{letter.slug}.pdf"
    pdf_path = tmp_path / f"{letter.slug}.pdf"
    download.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", pdf_path, "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # pdftotext guesses a space at each Khmer word break, where WeasyPrint starts a new run of
    # glyphs; the rendered page has no gap there, so only those guesses are dropped.
    text = KHMER_GAP.sub("", text)
    assert "\n".join(LISTED) in text

    deliveries = Delivery.objects.filter(letter=letter).order_by("pk")
    assert [d.status for d in deliveries] == [
        Delivery.Status.SENT,
        Delivery.Status.SENT,
        Delivery.Status.POSTAL,
    ]
    snapshot = LetterSnapshot.objects.get(letter=letter)
    assert snapshot.pdf_status == LetterSnapshot.PdfStatus.READY
    assert pdf == snapshot.pdf.open("rb").read()
    assert wait_until(lambda: Letter.objects.get(pk=letter.pk).status == Letter.Status.SENT)

    # Exactly one letter mail per e-mail recipient, with the PDF that the page offers.
    mails = _letter_mails(smtp_server.inbox, letter)
    assert sorted(to for to, _m in mails) == [["hc@example.org"], ["srcambodia@example.org"]]
    for _to, message in mails:
        assert message["Subject"] == letter.title
        (attachment,) = message.iter_attachments()
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"{letter.slug}.pdf"
        assert attachment.get_content() == pdf

    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    state = page.locator(".letter-state")
    expect(state).to_contain_text(
        "This letter has been sent by e-mail to 2 recipients. It is to be posted to 1 other "
        "recipient."
    )
    expect(state).not_to_contain_text("delivered to its recipients")
    expect(state).to_contain_text(f"SHA-256 {snapshot.sha256}")
    pdf_link = page.get_by_role("link", name="The letter as sent (PDF)")
    response = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.ok
    assert response.body() == pdf
    expect(page.get_by_role("link", name="Sign this letter")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "delivery-public-page.png", full_page=True)


def test_the_badge_and_banner_follow_a_partly_delivered_letter_without_a_reload(
    transactional_db, live_server, smtp_server, start_worker, page, artifacts_dir
):
    coordinator = UserFactory(username="amara", password=PASSWORD)
    refused = RecipientFactory(name="Nobody", email="nobody@example.org")
    recipients = [
        RecipientFactory(name="Muntarbhorn", email="srcambodia@example.org"),
        refused,
        RecipientFactory(name="Hun Manet", email=""),
    ]
    letter = _closed_letter(coordinator, recipients)
    smtp_server.inbox.refuse("nobody@example.org", "550 5.1.1 mailbox unavailable")
    smtp_server.inbox.delay = 1.0  # before each answer: the page is seen before and after
    start_worker()
    _open_finalize_page(page, live_server, letter)
    page.get_by_role("button", name="Finalize and send now").click()

    expect(page).to_have_url(f"{live_server.url}/coordinate/letters/{letter.pk}/delivery/")
    page.evaluate("window.notReloaded = true")
    badge = page.locator("header .status-badge")
    banner = page.locator("#delivery-banner")
    expect(badge).to_have_text("Finalized")
    expect(banner).to_have_text(re.compile(r"^(The PDF is being made|Sending)"))
    expect(banner).to_have_class(re.compile(r"\balert-info\b"))

    expect(badge).to_have_text("Partly delivered", timeout=60_000)
    expect(badge).to_have_class(re.compile(r"\btext-bg-danger\b"))
    expect(banner).to_have_text(
        "Partly delivered: 1 of the 2 recipients with an e-mail address has not received the "
        "letter (yet). The reason is below."
    )
    expect(banner).to_have_class(re.compile(r"\balert-danger\b"))
    row = page.locator("tr[data-delivery-id]", has_text="Nobody")
    expect(row.locator('[data-field="reason"]')).to_have_text(
        "The recipient's mail server refused the address (550 5.1.1 mailbox unavailable)."
    )
    sent = Delivery.objects.get(letter=letter, recipient=recipients[0])
    reply = smtp_server.inbox.replies[sent.message_id]
    expect(page.locator(f'tr[data-delivery-id="{sent.pk}"] [data-field="response"]')).to_have_text(
        reply
    )
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=artifacts_dir / "delivery-partly.png", full_page=True)


def test_the_badge_and_banner_follow_a_letter_to_be_posted_without_a_reload(
    transactional_db, live_server, smtp_server, start_worker, page, artifacts_dir
):
    coordinator = UserFactory(username="amara", password=PASSWORD)
    recipients = [
        RecipientFactory(name="Hun Manet", email=""),
        RecipientFactory(name="Khuon Sudary", email=""),
    ]
    letter = _closed_letter(coordinator, recipients)
    start_worker()
    _open_finalize_page(page, live_server, letter)
    page.get_by_role("button", name="Finalize and send now").click()

    expect(page).to_have_url(f"{live_server.url}/coordinate/letters/{letter.pk}/delivery/")
    page.evaluate("window.notReloaded = true")
    badge = page.locator("header .status-badge")
    banner = page.locator("#delivery-banner")
    expect(badge).to_have_text("To be posted", timeout=60_000)
    expect(badge).to_have_attribute("data-letter-status", "to_post")
    expect(banner).to_have_text("Final: the letter is to be posted to its recipients.")
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My letters").click()
    listed = page.get_by_role("listitem").filter(has_text=letter.title)
    expect(listed.locator(".status-badge")).to_have_text("To be posted")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    state = page.locator(".letter-state")
    expect(state).to_contain_text("To be posted")
    expect(state).to_contain_text("This letter is final and is to be posted to its recipients.")
    expect(state).not_to_contain_text("delivered")
    expect(page.get_by_role("link", name="The final letter (PDF)")).to_be_visible()
    page.screenshot(path=artifacts_dir / "delivery-to-be-posted.png", full_page=True)
