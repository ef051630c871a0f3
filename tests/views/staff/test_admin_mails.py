"""Admins see every mail to signers, why one failed, and send failed ones again."""

import pytest
from django.core import mail
from django.urls import reverse

from letters_app.models import AuditEvent, SignerMail
from tests.factories import SignatureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

CHANGELIST = "admin:letters_app_signermail_changelist"


def test_admins_send_the_selected_failed_mails_again_and_only_those(
    client_for, admin, open_letter, django_capture_on_commit_callbacks
):
    failed, sent = (
        SignerMail.objects.create(
            signature=SignatureFactory(letter=open_letter, email=f"{name}@example.org"),
            kind=SignerMail.Kind.CONFIRMATION,
            status=status,
            attempts=1,
            error_kind="recipient" if status == "failed" else "",
            last_error="550 5.1.1 No such user here" if status == "failed" else "",
        )  # fmt: skip
        for name, status in (("failed", SignerMail.Status.FAILED), ("sent", SignerMail.Status.SENT))
    )
    client = client_for(admin)
    page = client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    assert page.status_code == 200
    assert "550 5.1.1 No such user here" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "resend", "_selected_action": [failed.pk, sent.pk]}
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (SignerMail.Status.SENT, SignerMail.Status.SENT)
    assert [m.to for m in mail.outbox] == [["failed@example.org"]]
    assert AuditEvent.objects.get(action="signature.mail_resent").actor == admin


def test_coordinators_cannot_reach_the_mails(client_for, coordinator):
    response = client_for(coordinator).get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
