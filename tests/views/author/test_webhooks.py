"""The webhooks page of a letter's Connect tab: who may use it, adding a webhook (its address
checked), its secret, its buttons, and the log of deliveries."""

import pytest
from django.test import Client
from django.urls import reverse

from letters_app.models import AuditAction, AuditEvent, Webhook, WebhookDelivery, WebhookEvent
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db
PUBLIC = "https://93.184.215.14/hooks/cosign"
RUNNERS = ["coordinator", "co_coordinator", "admin"]


def url(letter) -> str:
    return reverse("author:letter-webhooks", kwargs={"pk": letter.pk})


def delivery(webhook, **fields) -> WebhookDelivery:
    event = WebhookEvent.objects.create(
        letter=webhook.letter, type="signature.confirmed", payload={"id": "x"}
    )
    return WebhookDelivery.objects.create(webhook=webhook, event=event, **fields)


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_add_a_webhook_and_read_its_secret(
    request, client_for, letter, persona
):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(
        url(letter), {"action": "add", "url": PUBLIC, "events": ["signature.confirmed"]}
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get(letter=letter)
    assert (webhook.url, webhook.events) == (PUBLIC, ["signature.confirmed"])
    page = client.get(url(letter)).content.decode()
    assert webhook.secret in page
    assert 'data-copy-target="webhook-secret-' in page and "js/copy-text.js" in page
    assert "hmac.compare_digest" in page
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ADDED).count() == 1


def test_every_event_is_chosen_when_the_form_opens(client_for, coordinator, letter):
    form = client_for(coordinator).get(url(letter)).context["form"]
    assert form["events"].initial == [
        "signature.confirmed", "signature.withdrawn", "letter.finalized", "delivery.sent",
        "delivery.failed", "partner.status_changed",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "address", ["https://127.0.0.1/hook", "https://10.0.0.5/", "https://localhost:8000/"]
)
def test_a_private_address_is_refused_with_a_clear_message(
    client_for, coordinator, letter, address
):
    response = client_for(coordinator).post(
        url(letter), {"action": "add", "url": address, "events": ["letter.finalized"]}
    )
    assert response.status_code == 200
    assert "not a public internet address" in response.context["form"].errors["url"][0]
    assert not Webhook.objects.exists()


def test_plain_http_is_refused_unless_private_addresses_are_allowed(
    client_for, coordinator, letter, settings
):
    data = {"action": "add", "url": "http://93.184.215.14/hook", "events": ["letter.finalized"]}
    response = client_for(coordinator).post(url(letter), data)
    assert response.context["form"].errors["url"] == ["The address must start with https://."]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert client_for(coordinator).post(url(letter), data).status_code == 302


def test_a_stranger_gets_404_and_changes_nothing(client_for, stranger, letter):
    webhook = Webhook.objects.create(letter=letter, url=PUBLIC)
    failed = delivery(webhook, status="failed")
    client = client_for(stranger)
    assert client.get(url(letter)).status_code == 404
    for action in ("add", "pause", "delete", "test", "regenerate", "retry"):
        data = {"action": action, "webhook": webhook.pk, "delivery": failed.pk, "url": PUBLIC}
        assert client.post(url(letter), data).status_code == 404
    webhook.refresh_from_db()
    assert webhook.is_active and Webhook.objects.count() == 1
    assert WebhookDelivery.objects.get().status == "failed"
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()


def test_anonymous_is_sent_to_log_in(client, letter):
    response = client.get(url(letter))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_webhook_of_another_letter_cannot_be_touched_from_this_one(
    client_for, coordinator, letter
):
    other = Webhook.objects.create(letter=LetterFactory(created_by=coordinator), url=PUBLIC)
    response = client_for(coordinator).post(url(letter), {"action": "delete", "webhook": other.pk})
    assert response.status_code == 404
    assert Webhook.objects.filter(pk=other.pk).exists()


def test_pause_resume_test_new_secret_and_delete(client_for, coordinator, letter):
    webhook = Webhook.objects.create(letter=letter, url=PUBLIC)
    client = client_for(coordinator)
    client.post(url(letter), {"action": "pause", "webhook": webhook.pk})
    webhook.refresh_from_db()
    assert not webhook.is_active
    assert "Paused" in client.get(url(letter)).content.decode()
    client.post(url(letter), {"action": "resume", "webhook": webhook.pk})
    old = webhook.secret
    client.post(url(letter), {"action": "regenerate", "webhook": webhook.pk})
    webhook.refresh_from_db()
    assert webhook.is_active and webhook.secret != old
    client.post(url(letter), {"action": "test", "webhook": webhook.pk})
    assert WebhookDelivery.objects.get(webhook=webhook).event.type == "ping"
    client.post(url(letter), {"action": "delete", "webhook": webhook.pk})
    assert not Webhook.objects.exists()
    actions = list(
        AuditEvent.objects.filter(letter=letter).order_by("id").values_list("action", flat=True)
    )
    assert actions[-5:] == [
        AuditAction.WEBHOOK_PAUSED, AuditAction.WEBHOOK_RESUMED,
        AuditAction.WEBHOOK_SECRET_REGENERATED, AuditAction.WEBHOOK_TESTED,
        AuditAction.WEBHOOK_DELETED,
    ]  # fmt: skip


def test_the_log_shows_the_deliveries_and_retries_a_failed_one(client_for, coordinator, letter):
    webhook = Webhook.objects.create(letter=letter, url=PUBLIC)
    sent = delivery(webhook, status="sent", attempts=1, last_status_code=200)
    failed = delivery(webhook, status="failed", attempts=6, last_status_code=503,
                      last_error="HTTP 503: down for maintenance")  # fmt: skip
    client = client_for(coordinator)
    page = client.get(url(letter)).content.decode()
    assert str(sent.event_id) in page and str(failed.event_id) in page
    assert "HTTP 503: down for maintenance" in page and ">503<" in page
    assert page.count('value="retry"') == 1
    response = client.post(url(letter), {"action": "retry", "delivery": failed.pk})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("queued", 0)


def test_an_address_and_an_answer_holding_html_are_shown_as_text(client_for, coordinator, letter):
    address = 'https://93.184.215.14/x?a="><script>alert(1)</script>'
    client = client_for(coordinator)
    client.post(url(letter), {"action": "add", "url": address, "events": ["letter.finalized"]})
    webhook = Webhook.objects.get()
    assert webhook.url == address
    delivery(webhook, status="failed", last_error="HTTP 500: <img src=x onerror=alert(2)>")
    page = client.get(url(letter)).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_a_post_without_the_csrf_token_is_refused(coordinator, letter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(
        url(letter), {"action": "add", "url": PUBLIC, "events": ["letter.finalized"]}
    )
    assert response.status_code == 403
    assert not Webhook.objects.exists()


def test_an_oversized_address_is_refused(client_for, coordinator, letter):
    address = "https://93.184.215.14/" + "a" * 600
    response = client_for(coordinator).post(
        url(letter), {"action": "add", "url": address, "events": ["letter.finalized"]}
    )
    assert response.status_code == 200 and "url" in response.context["form"].errors
    assert not Webhook.objects.exists()
