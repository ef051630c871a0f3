"""Webhooks end to end on the real parts: signatures confirmed through the services, a real
Celery worker and beat on Redis, and a real HTTP receiver on 127.0.0.1 (http.server in a thread).
Each event arrives once, signed with the webhook's secret; a receiver that fails is tried again
until it answers; a private address gets nothing unless the setting allows it."""

import json
import time

import pytest

from letters_app.models import WebhookDelivery
from letters_app.services import webhooks
from letters_app.services.signatures import signature_confirm
from tests.factories import SignatureFactory
from tests.waiting import wait_until
from tests.webhooks import receiver_start, receiver_stop, signature_verifies

pytestmark = pytest.mark.integration
D = WebhookDelivery.Status


@pytest.fixture
def worker_env(request):
    """The worker's settings: private addresses allowed (the receiver is on 127.0.0.1) unless a
    test says False; retries a second apart, swept every half second."""
    allowed = getattr(request, "param", True)
    return {
        "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true" if allowed else "false",
        "WEBHOOK_RETRY_DELAYS": "1,1,1",
        "WEBHOOK_SWEEP_SECONDS": "0.5",
    }


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True  # to add the webhook in this process
    server = receiver_start()
    yield server
    receiver_stop(server)


def _confirm(letter, n: int):
    signature = SignatureFactory(letter=letter, version=letter.version, name=f"Org {n}")
    signature_confirm(signature=signature)  # commits: the worker is handed the delivery
    return signature


def test_each_event_arrives_once_signed_with_the_secret(
    open_letter, coordinator, receiver, celery_worker_process, celery_beat_process
):
    webhook = webhooks.webhook_create(
        letter=open_letter, url=receiver.url, events=[], actor=coordinator
    )
    for n in range(3):
        _confirm(open_letter, n)
    assert receiver.wait(3)
    time.sleep(2.5)  # beat sweeps five times meanwhile: nothing is sent twice
    assert len(receiver.requests) == 3
    for headers, body in receiver.requests:
        assert signature_verifies(headers, body, webhook.secret)
        assert headers["Cosign-Event-Type"] == "signature.confirmed"
        assert json.loads(body)["id"] == headers["Cosign-Event-Id"]
    names = sorted(json.loads(body)["data"]["signature"]["name"] for _h, body in receiver.requests)
    assert names == ["Org 0", "Org 1", "Org 2"]
    assert len({headers["Cosign-Event-Id"] for headers, _b in receiver.requests}) == 3
    assert wait_until(lambda: WebhookDelivery.objects.filter(status=D.SENT).count() == 3)
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_receiver_that_fails_is_tried_again_until_it_answers(
    open_letter, coordinator, receiver, celery_worker_process, celery_beat_process
):
    webhooks.webhook_create(letter=open_letter, url=receiver.url, events=[], actor=coordinator)
    receiver.statuses = [500, 503]
    _confirm(open_letter, 1)
    assert receiver.wait(3)
    assert wait_until(lambda: WebhookDelivery.objects.get().status == D.SENT)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (3, 200, "")
    assert len({headers["Cosign-Event-Id"] for headers, _b in receiver.requests}) == 1
    time.sleep(1.5)
    assert len(receiver.requests) == 3


@pytest.mark.parametrize("worker_env", [False], indirect=True)
def test_nothing_is_sent_to_a_private_address_without_the_setting(
    open_letter, coordinator, receiver, celery_worker_process, celery_beat_process
):
    webhooks.webhook_create(letter=open_letter, url=receiver.url, events=[], actor=coordinator)
    _confirm(open_letter, 1)
    assert wait_until(lambda: WebhookDelivery.objects.get().status == D.FAILED)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1
    assert delivery.last_error == "The address must start with https://."
    time.sleep(1.5)
    assert receiver.requests == []


@pytest.mark.parametrize("worker_env", [False], indirect=True)
def test_an_https_address_resolving_to_loopback_is_refused_by_the_worker(
    open_letter, coordinator, receiver, celery_worker_process
):
    port = receiver.server_address[1]
    webhooks.webhook_create(
        letter=open_letter, url=f"https://localhost:{port}/hook", events=[], actor=coordinator
    )
    _confirm(open_letter, 1)
    assert wait_until(lambda: WebhookDelivery.objects.get().status == D.FAILED)
    error = WebhookDelivery.objects.get().last_error
    assert error.startswith("localhost is ") and "not a public internet address" in error
    assert receiver.requests == []
