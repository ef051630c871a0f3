"""A mail that could not be sent is not lost: the coordinator sees why, and sends it again."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from letters_app.models import AuditEvent, LetterSnapshot, SignerMail, SignerNotice
from tests.factories import SignatureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST, then run what the view queued for after its commit: the worker it wakes."""

    def post(client, url):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url)

    return post


REFUSED = "550 5.1.1 No such user here"


def failed_mail(signature, kind=SignerMail.Kind.CONFIRMATION):
    return SignerMail.objects.create(
        signature=signature, kind=kind, status=SignerMail.Status.FAILED, attempts=1,
        error_kind="recipient", last_error=REFUSED,
    )  # fmt: skip


def undelivered_url(letter, language="en"):
    with translation.override(language):
        return reverse("author:letter-signatures", kwargs={"pk": letter.pk}) + "?tab=undelivered"


def resend_url(signature):
    return reverse(
        "author:signature-mail-resend",
        kwargs={"pk": signature.letter_id, "signature_pk": signature.pk},
    )


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", f"The recipient's mail server refused the address ({REFUSED})."),
        ("fr", f"Le serveur de messagerie du destinataire a refusé l'adresse ({REFUSED})."),
    ],
)
def test_a_signer_whose_mail_failed_is_listed_with_the_servers_words(
    client_for, coordinator, open_letter, language, reason
):
    refused = SignatureFactory(letter=open_letter, email="nobody@example.org")
    failed_mail(refused)
    SignatureFactory(letter=open_letter, email="fine@example.org")
    page = client_for(coordinator).get(undelivered_url(open_letter, language))
    assert page.status_code == 200
    text = page.content.decode()
    assert "nobody@example.org" in text
    assert "fine@example.org" not in text
    assert reason.replace("'", "&#x27;") in text


def test_the_coordinator_sends_a_failed_mail_again_and_it_goes_out_once(
    client_for, coordinator, open_letter, post
):
    signature = SignatureFactory(letter=open_letter, email="nobody@example.org")
    row = failed_mail(signature)
    response = post(client_for(coordinator), resend_url(signature))
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=undelivered")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (SignerMail.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["nobody@example.org"]]
    event = AuditEvent.objects.get(action="signature.mail_resent")
    assert (event.actor, event.detail["signature"]) == (coordinator, signature.pk)
    # Nothing failed is left: sending again changes nothing more.
    post(client_for(coordinator), resend_url(signature))
    assert len(mail.outbox) == 1


def test_a_stranger_cannot_send_a_signers_mail_again(client_for, stranger, open_letter):
    signature = SignatureFactory(letter=open_letter)
    row = failed_mail(signature)
    client = client_for(stranger)
    assert client.post(resend_url(signature)).status_code == 404
    assert client.get(undelivered_url(open_letter)).status_code == 404
    row.refresh_from_db()
    assert row.status == SignerMail.Status.FAILED
    assert mail.outbox == []


def test_the_resend_takes_only_a_post(client_for, coordinator, open_letter):
    signature = SignatureFactory(letter=open_letter)
    failed_mail(signature)
    assert client_for(coordinator).get(resend_url(signature)).status_code == 405
    assert SignerMail.objects.get().status == SignerMail.Status.FAILED


def test_failed_notices_are_counted_on_the_delivery_page_and_sent_again(
    client_for, coordinator, open_letter, post
):
    # Signers are told once the letter is sent: its snapshot exists by then.
    LetterSnapshot.objects.create(
        letter=open_letter, version=1, content={"letter": {}}, sha256="0" * 64, signatory_count=2
    )
    told = SignerNotice.objects.create(
        signature=SignatureFactory(letter=open_letter), status=SignerNotice.Status.SENT
    )
    failed = SignerNotice.objects.create(
        signature=SignatureFactory(letter=open_letter, email="later@example.org"),
        status=SignerNotice.Status.FAILED, error_kind="unreachable", last_error="timed out",
    )  # fmt: skip
    client = client_for(coordinator)
    page = client.get(reverse("author:letter-delivery", kwargs={"pk": open_letter.pk}))
    assert page.context["notices"] == {"sent": 1, "waiting": 0, "failed": 1}
    assert "Send the failed notices again" in page.content.decode()

    url = reverse("author:signer-notices-resend", kwargs={"pk": open_letter.pk})
    assert post(client, url).status_code == 302
    failed.refresh_from_db()
    assert failed.status == SignerNotice.Status.SENT
    assert [m.to for m in mail.outbox] == [["later@example.org"]]
    told.refresh_from_db()
    assert told.attempts == 0  # sent before: not again
    assert AuditEvent.objects.get(action="notices.resent").detail["count"] == 1
