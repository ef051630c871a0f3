import pytest
from django.urls import reverse
from django.utils import timezone

from letters_app.models import AuditEvent, Delivery
from letters_app.services.deliveries import _message_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_delivery(letter, recipient):
    return Delivery.objects.create(
        letter=letter,
        recipient=recipient,
        email=recipient.email,
        status=Delivery.Status.FAILED,
        last_error="SMTPDataError: 550 mailbox unavailable",
        message_id=_message_id(letter, recipient, Delivery.Document.LETTER),
    )


def test_admin_sends_a_failed_delivery_again_and_cannot_edit_it(
    client_for, admin, failed_delivery, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    changelist = reverse("admin:letters_app_delivery_changelist")
    page = client.get(changelist)
    assert "550 mailbox unavailable" not in page.text  # the list shows status, not raw errors
    assert "Send the selected failed deliveries again" in page.text
    with django_capture_on_commit_callbacks() as queued:
        client.post(changelist, {"action": "retry", "_selected_action": [failed_delivery.pk]})
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == (Delivery.Status.QUEUED, 0)
    assert failed_delivery.due_at <= timezone.now()  # due again at once
    assert len(queued) == 1  # a worker woken to send it
    assert AuditEvent.objects.filter(action="delivery.retried").count() == 1
    change = reverse("admin:letters_app_delivery_change", args=[failed_delivery.pk])
    refused = client.post(change, {"status": "sent"}, follow=True)
    assert "A delivery records what was sent to one recipient" in refused.text
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == Delivery.Status.QUEUED
