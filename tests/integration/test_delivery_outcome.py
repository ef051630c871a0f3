"""What a coordinator and the signers are told once a letter has gone out, on the real parts: a
Celery worker, an SMTP server (aiosmtpd) that refuses one address, and the test database. The
coordinator reads the server's own replies, a refusal explained in plain language, and a letter
that missed a recipient badged "Partly delivered" everywhere; each signer learns who received
it, who did not, and who it is to be posted to."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from letters_app.models import Delivery, Letter, SignerNotice
from letters_app.services.deliveries import letter_finalize
from tests.factories import RecipientFactory
from tests.finalized import letter_closed
from tests.waiting import wait_until
from tests.workers import smtp_env

pytestmark = pytest.mark.integration

D = Delivery.Status
REFUSED = "nobody@example.org"
REFUSAL = "550 5.1.1 mailbox unavailable"


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server, SMTP_TIMEOUT="10")


def notices_ended(letter) -> bool:
    notices = SignerNotice.objects.filter(signature__letter=letter)
    return notices.exists() and not notices.exclude(status=SignerNotice.Status.SENT).exists()


def signer_notices(inbox, letter) -> list:
    ids = {d.message_id for d in Delivery.objects.filter(letter=letter)}
    return [m for _to, m in inbox.messages if str(m["Message-ID"]) not in ids]


def section(body: str, heading: str) -> list[str]:
    """The "- " lines under `heading` in a plain-text mail, up to the next blank line."""
    body = body.replace("\r\n", "\n")
    if heading not in body:
        return []
    lines = body.split(heading + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line.removeprefix("- ") for line in lines]


def test_a_refused_address_is_explained_and_the_letter_is_partly_delivered_everywhere(
    smtp_server, celery_worker_process, coordinator, client
):
    inbox = smtp_server.inbox
    inbox.refuse(REFUSED, REFUSAL)
    received_by = [
        RecipientFactory(name="Muntarbhorn", email="srcambodia@example.org"),
        RecipientFactory(name="Türk", email="hc@example.org"),
    ]
    refused = RecipientFactory(name="Nobody", email=REFUSED)
    postal = RecipientFactory(name="Hun Manet", email="")
    letter = letter_closed(coordinator, [*received_by, refused, postal])

    letter_finalize(letter=letter, actor=coordinator)

    assert wait_until(lambda: notices_ended(letter), timeout=60), list(
        Delivery.objects.values_list("email", "status", "last_error")
    )
    letter.refresh_from_db()
    assert (letter.status, letter.undelivered_count) == (Letter.Status.SENT, 1)
    failed = Delivery.objects.get(letter=letter, recipient=refused)
    assert (failed.status, failed.last_error) == (D.FAILED, REFUSAL)

    # The delivery page: the server's own reply to each message it took, the refusal in words.
    client.force_login(coordinator)
    delivery_url = reverse("author:letter-delivery", kwargs={"pk": letter.pk})
    page = client.get(delivery_url).content.decode()
    for recipient in received_by:
        delivery = Delivery.objects.get(letter=letter, recipient=recipient)
        reply = inbox.replies[delivery.message_id]
        assert reply.startswith("250 2.0.0 Ok: queued as ")
        assert delivery.response == reply
        assert f'data-field="response">{reply}</td>' in page
    assert "accepted by the mail server" not in page
    reason = f"The recipient's mail server refused the address ({REFUSAL})."
    assert f'data-field="reason">{escape(reason)}</td>' in page
    assert "SMTPRecipientsRefused" not in page and "b&#x27;5.1.1" not in page
    assert 'data-letter-status="partly_delivered">Partly delivered</span>' in page
    assert "Partly delivered: 1 of the 3 recipients with an e-mail address" in page

    # The dashboard, the public list and the public page say the same.
    dashboard = client.get(reverse("author:dashboard")).content.decode()
    assert 'data-letter-status="partly_delivered">Partly delivered</span>' in dashboard
    client.logout()
    public = client.get(letter.get_absolute_url()).content.decode()
    assert ">Partly delivered</span>" in public
    assert "This letter has been sent, but has not reached all of its recipients yet." in public
    assert "This letter has been delivered to its recipients." not in public
    home = client.get(reverse("public:home")).content.decode()
    assert ">Partly delivered</span>" in home

    # Each signer learns who received it, who did not, and who it is to be posted to.
    notices = signer_notices(inbox, letter)
    assert len(notices) == 2
    for notice in notices:
        assert notice["Subject"] == f"Partly delivered: {letter.title}"
        body = notice.get_body(preferencelist=("plain",)).get_content()
        assert "has not reached all of its recipients yet" in body
        received = section(body, "Received by:")  # each with the time it was sent
        assert len(received) == len(received_by)
        assert all(line.startswith(f"{r}, ") for line, r in zip(received, received_by, strict=True))
        assert section(body, "Not received (yet):") == [str(refused)]
        assert section(body, "To be posted to:") == [str(postal)]
        html = notice.get_body(preferencelist=("html",)).get_content()
        assert f"<li>{escape(str(refused))}</li>" in html

    client.force_login(coordinator)
    # In the coordinator's language (French), the server's words as it said them.
    with translation.override("fr"):
        french_url = reverse("author:letter-delivery", kwargs={"pk": letter.pk})
    assert french_url.startswith("/fr/")
    french = client.get(french_url).content.decode()
    explained = f"Le serveur de messagerie du destinataire a refusé l'adresse ({REFUSAL})."
    assert escape(explained) in french
    assert "Partiellement remise</span>" in french


def test_a_letter_to_postal_recipients_only_is_to_be_posted_everywhere_never_sent(
    smtp_server, celery_worker_process, coordinator, client
):
    postal = [
        RecipientFactory(name="Hun Manet", email=""),
        RecipientFactory(name="Khuon Sudary", email=""),
    ]
    letter = letter_closed(coordinator, postal)

    letter_finalize(letter=letter, actor=coordinator)

    assert wait_until(lambda: notices_ended(letter), timeout=60)
    notices = signer_notices(smtp_server.inbox, letter)
    assert len(notices) == 2
    for notice in notices:
        assert notice["Subject"] == f"To be posted: {letter.title}"
        body = notice.get_body(preferencelist=("plain",)).get_content()
        assert "is final and is to be posted to its recipients." in body
        assert section(body, "To be posted to:") == [str(r) for r in postal]
        assert section(body, "Received by:") == []
        assert "has been delivered" not in body
        assert "It is to be posted with you listed as:" in body
        assert "It was sent" not in body and "as sent" not in body
        html = notice.get_body(preferencelist=("html",)).get_content()
        assert "It is to be posted with you listed as:" in html
    letter.refresh_from_db()
    assert (letter.status, letter.shown_status) == (Letter.Status.SENT, Letter.TO_BE_POSTED)

    # The public page, the home page, the dashboard and the delivery page say the same.
    public = client.get(letter.get_absolute_url()).content.decode()
    assert ">To be posted</span>" in public
    assert "This letter is final and is to be posted to its recipients." in public
    assert "has been delivered" not in public and ">Sent</span>" not in public
    home = client.get(reverse("public:home")).content.decode()
    assert ">To be posted</span>" in home
    client.force_login(coordinator)
    badge = 'data-letter-status="to_post">To be posted</span>'
    assert badge in client.get(reverse("author:dashboard")).content.decode()
    delivery_url = reverse("author:letter-delivery", kwargs={"pk": letter.pk})
    delivery_page = client.get(delivery_url).content.decode()
    assert badge in delivery_page
    assert "Final: the letter is to be posted to its recipients." in delivery_page


def test_signers_told_it_was_not_received_yet_hear_once_when_sent_again_it_arrives(
    smtp_server, celery_worker_process, coordinator, client
):
    inbox = smtp_server.inbox
    inbox.refuse(REFUSED, REFUSAL, times=1)  # refused once, accepted when sent again
    received_by = RecipientFactory(name="Muntarbhorn", email="srcambodia@example.org")
    refused = RecipientFactory(name="Nobody", email=REFUSED)
    letter = letter_closed(coordinator, [received_by, refused])
    letter_finalize(letter=letter, actor=coordinator)
    assert wait_until(lambda: notices_ended(letter), timeout=60)
    first = signer_notices(inbox, letter)
    assert {m["Subject"] for m in first} == {f"Partly delivered: {letter.title}"}

    client.force_login(coordinator)
    failed = Delivery.objects.get(letter=letter, recipient=refused)
    client.post(
        reverse("author:delivery-retry", kwargs={"pk": letter.pk, "delivery_pk": failed.pk})
    )

    def followed_up() -> bool:
        notices = SignerNotice.objects.filter(signature__letter=letter)
        return not notices.exclude(follow_up=SignerNotice.Status.SENT).exists()

    assert wait_until(followed_up, timeout=60)
    letter.refresh_from_db()
    assert (letter.shown_status, letter.undelivered_count) == (Letter.Status.SENT, 0)
    follow_ups = signer_notices(inbox, letter)[len(first) :]
    assert sorted(str(m["To"]) for m in follow_ups) == sorted(str(m["To"]) for m in first)
    for notice in follow_ups:
        assert notice["Subject"] == f"Now delivered: {letter.title}"
        body = notice.get_body(preferencelist=("plain",)).get_content()
        assert "has now reached every recipient it was e-mailed to." in body
        received = section(body, "Received by:")
        assert len(received) == 2
        for line, recipient in zip(received, (received_by, refused), strict=True):
            assert line.startswith(f"{recipient}, ")  # with the time it was received
        assert section(body, "Not received (yet):") == []
    # Nothing more follows, however long one waits for it.
    assert not inbox.wait(lambda: len(signer_notices(inbox, letter)) > 2 * len(first), timeout=3)
