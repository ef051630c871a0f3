"""Webhooks: the events the real services emit, one delivery per webhook subscribed; the
addresses refused; the signed POST, its retries and its outcome, against a real HTTP receiver."""

import contextlib
import datetime
import json
import socket
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters_app import tasks
from letters_app.models import (
    AuditAction,
    AuditEvent,
    Delivery,
    Partner,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from letters_app.services import partners as partner_services
from letters_app.services import webhooks
from letters_app.services.deliveries import DeliveryOutbox, letter_finalize
from letters_app.services.signatures import signature_confirm, signature_withdraw
from tests.factories import SignatureFactory
from tests.partners import partners_add
from tests.webhooks import receiver_start, receiver_stop, signature_verifies

pytestmark = pytest.mark.django_db
D = WebhookDelivery.Status
PUBLIC = "https://hooks.example.org/cosign"


@pytest.fixture
def sends(monkeypatch):
    """The delivery ids whose send task was queued (on commit), instead of a broker."""
    ids: list[int] = []
    monkeypatch.setattr(
        tasks.webhook_delivery_send_task,
        "apply_async",
        lambda *a, **kw: ids.append(kw["kwargs"]["delivery_id"]),
    )
    return ids


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    server = receiver_start()
    yield server
    receiver_stop(server)


def hook(letter, **fields) -> Webhook:
    return Webhook.objects.create(letter=letter, url=fields.pop("url", PUBLIC), **fields)


def pending(letter, **fields):
    return SignatureFactory(letter=letter, version=letter.version, **fields)


# --- emission from the services -----------------------------------------------------------------


def test_confirming_a_signature_writes_one_event_and_one_delivery_per_webhook_subscribed(
    open_letter, sends, django_capture_on_commit_callbacks
):
    first, second = hook(open_letter), hook(open_letter)
    hook(open_letter, is_active=False)
    hook(open_letter, events=["letter.finalized"])
    signature = pending(open_letter, name="Ligue des droits", country="KH")
    with django_capture_on_commit_callbacks(execute=True):
        assert signature_confirm(signature=signature)
    event = WebhookEvent.objects.get()
    assert event.type == "signature.confirmed"
    deliveries = WebhookDelivery.objects.filter(event=event)
    assert {d.webhook_id for d in deliveries} == {first.pk, second.pk}
    assert sorted(sends) == sorted(d.pk for d in deliveries)
    assert event.payload["id"] == str(event.id)
    assert event.payload["letter"] == {
        "slug": open_letter.slug, "title": open_letter.title, "status": "open"
    }  # fmt: skip
    assert event.payload["data"]["signature"] == {
        "id": signature.pk, "listed": True, "number": 1, "kind": "organization",
        "name": "Ligue des droits", "country": "KH",
    }  # fmt: skip
    assert signature.email not in json.dumps(event.payload)


def test_without_a_webhook_confirming_costs_one_indexed_query_and_writes_nothing(open_letter):
    hook(open_letter, is_active=False)
    signature = pending(open_letter)
    with CaptureQueriesContext(connection) as queries:
        signature_confirm(signature=signature)
    touching = [q["sql"] for q in queries if "webhook" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("SELECT")
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_withdrawal_is_told_without_the_name_taken_off_the_list(open_letter, sends):
    signature = pending(open_letter, name="Withdrawn Org")
    signature_confirm(signature=signature)
    hook(open_letter)
    signature_withdraw(signature=signature)
    event = WebhookEvent.objects.get()
    assert event.type == "signature.withdrawn"
    assert event.payload["data"]["signature"]["listed"] is False
    assert "Withdrawn Org" not in json.dumps(event.payload)


def test_a_signature_waiting_for_approval_is_told_without_its_name(open_letter, sends):
    type(open_letter).objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()
    hook(open_letter)
    signature_confirm(signature=pending(open_letter, name="Not Yet Listed"))
    data = WebhookEvent.objects.get().payload["data"]["signature"]
    assert (data["listed"], data["number"], data["name"]) == (False, None, "")


def test_finalizing_tells_the_letter_finalized(
    closed_letter, coordinator, queued, sends, django_capture_on_commit_callbacks
):
    hook(closed_letter)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = letter_finalize(letter=closed_letter, actor=coordinator)
    event = WebhookEvent.objects.get()
    assert event.type == "letter.finalized"
    assert event.payload["letter"]["status"] == "finalized"
    assert event.payload["data"]["snapshot"]["sha256"] == snapshot.sha256
    assert len(sends) == 1


def test_a_delivery_sent_or_failed_for_good_is_told_a_temporary_failure_is_not(
    finalized_letter, sends
):
    hook(finalized_letter)
    outbox = DeliveryOutbox()
    deliveries = Delivery.objects.filter(letter=finalized_letter, email__gt="")
    deliveries.update(status=Delivery.Status.SENDING)
    row = outbox.load([deliveries.first().pk])[0]
    outbox.failed(row, kind="unreachable", words="451 try later", retry_at=timezone.now())
    assert not WebhookEvent.objects.exists()
    Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.SENDING)
    outbox.failed(row, kind="recipient", words="550 no such mailbox", retry_at=None)
    Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.SENDING)
    outbox.sent(row, reply="250 ok", now=timezone.now())
    types = list(WebhookEvent.objects.order_by("created_at").values_list("type", flat=True))
    assert types == ["delivery.failed", "delivery.sent"]
    failed = WebhookEvent.objects.get(type="delivery.failed").payload["data"]["delivery"]
    assert (failed["status"], failed["error_kind"]) == ("failed", "recipient")
    assert failed["recipient"] == row.recipient.name
    assert row.recipient.email not in json.dumps(failed)


def test_a_partners_answer_is_told(open_letter, coordinator, sends):
    partner = partners_add(open_letter, coordinator, "Green Network, Australia, g@example.org")[0]
    hook(open_letter)
    partner_services.partner_open(partner=partner)
    partner_services.partner_decline(partner=partner, reason="Not this time")
    partner_services.partner_decline(partner=partner, reason="Twice")  # no change: no event
    events = WebhookEvent.objects.order_by("created_at")
    statuses = [e.payload["data"]["partner"]["status"] for e in events]
    assert statuses == [Partner.Status.OPENED, Partner.Status.DECLINED]
    assert {e.type for e in events} == {"partner.status_changed"}
    assert "g@example.org" not in json.dumps([e.payload for e in events])


# --- addresses refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://localhost/hook",
        "https://[2002:7f00:1::1]/hook",
        "https://[64:ff9b::a00:1]/hook",
    ],
)
def test_an_address_that_is_not_public_is_refused_unless_allowed(url, settings):
    assert "not a public internet address" in webhooks.url_refusal(url)
    if "localhost" in url:
        assert webhooks.url_refusal(url).startswith("localhost is ")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert webhooks.url_refusal(url) == ""


def test_only_https_unless_private_addresses_are_allowed(settings):
    assert webhooks.url_refusal("https://93.184.215.14/hook") == ""
    assert (
        webhooks.url_refusal("http://93.184.215.14/hook") == "The address must start with https://."
    )
    assert webhooks.url_refusal("ftp://93.184.215.14/") == "The address must start with https://."
    assert "user name" in webhooks.url_refusal("https://me:pw@93.184.215.14/")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert webhooks.url_refusal("http://93.184.215.14/hook") == ""


def test_adding_a_webhook_checks_the_address_and_is_audited(open_letter, coordinator):
    with pytest.raises(ValidationError):
        webhooks.webhook_create(
            letter=open_letter, url="https://127.0.0.1/", events=[], actor=coordinator
        )
    webhook = webhooks.webhook_create(
        letter=open_letter, url="https://93.184.215.14/hook", events=[], actor=coordinator
    )
    assert webhook.events == sorted(webhooks.all_event_types())
    assert webhook.secret.startswith("whsec_") and len(webhook.secret) > 40
    assert (
        AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ADDED, letter=open_letter).count() == 1
    )


# --- sending ------------------------------------------------------------------------------------


def _event(letter, webhook, sends, capture) -> WebhookDelivery:
    with capture(execute=True):
        webhooks.webhook_event_emit(letter=letter, type="signature.confirmed", data={"n": 1})
    return WebhookDelivery.objects.get(webhook=webhook)


def test_a_delivery_is_posted_signed_once_however_often_its_task_runs(
    open_letter, receiver, sends, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter, url=receiver.url)
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "sent"
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert signature_verifies(headers, body, webhook.secret)
    assert not signature_verifies(headers, body, "whsec_another")
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Cosign-Webhooks/1"
    assert headers["Cosign-Event-Id"] == str(delivery.event_id)
    assert headers["Cosign-Event-Type"] == "signature.confirmed"
    assert json.loads(body)["id"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (D.SENT, 1, 200)


def test_a_refused_answer_is_tried_again_later_then_fails_with_its_error(
    open_letter, receiver, sends, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_DELAYS = ["60"]
    receiver.statuses = [500, 302]
    webhook = hook(open_letter, url=receiver.url)
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    before = timezone.now()
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 500: receiver says no"
    assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=59)
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "skipped"  # not due yet
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (D.FAILED, 2, 302)
    assert "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 2


def test_a_private_address_is_refused_at_send_time_and_nothing_is_sent(
    open_letter, receiver, sends, settings, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter, url=receiver.url)  # added while allowed, say
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    webhook.url = receiver.url.replace("http://", "https://")
    webhook.save()
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == (
        "127.0.0.1 is not a public internet address: webhooks are only sent to public addresses."
    )
    assert receiver.requests == []


def test_a_paused_webhook_gets_no_event_and_its_waiting_deliveries_wait(
    open_letter, coordinator, receiver, sends, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter, url=receiver.url)
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    webhooks.webhook_set_active(webhook=webhook, active=False, actor=coordinator)
    assert (
        webhooks.webhook_event_emit(letter=open_letter, type="signature.confirmed", data={}) is None
    )
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "skipped"
    sends.clear()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_set_active(webhook=webhook, active=True, actor=coordinator)
    assert sends == [delivery.pk]
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "sent"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.WEBHOOK_PAUSED, AuditAction.WEBHOOK_RESUMED} <= actions


def test_a_test_event_reaches_even_a_paused_webhook(
    open_letter, coordinator, receiver, sends, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter, url=receiver.url, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        event = webhooks.webhook_ping(webhook=webhook, actor=coordinator)
    assert webhooks.webhook_delivery_send(delivery_id=sends[0]) == "sent"
    assert receiver.requests[0][0]["Cosign-Event-Type"] == "ping"
    assert receiver.requests[0][0]["Cosign-Event-Id"] == str(event.id)


def test_retry_now_sends_a_failed_delivery_again(
    open_letter, coordinator, receiver, sends, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter, url=receiver.url)
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        webhooks.webhook_delivery_retry(delivery=delivery, actor=coordinator)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=D.FAILED, attempts=6)
    sends.clear()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_delivery_retry(delivery=delivery, actor=coordinator)
    assert sends == [delivery.pk]
    assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.SENT, 1)
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_RETRIED).count() == 1


def test_the_sweep_takes_back_a_delivery_whose_worker_died_and_queues_what_is_due(
    open_letter, sends, settings, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter)
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.WEBHOOK_STUCK_SECONDS + 1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=D.SENDING, claimed_at=long_ago, attempts=1
    )
    sends.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.webhook_deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, sends) == (D.RETRY, [delivery.pk])
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_deliveries_sweep()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=D.SENT)
    sends.clear()
    assert webhooks.webhook_deliveries_sweep() == 0


def test_the_sweep_deletes_events_older_than_thirty_days_with_their_deliveries(
    open_letter, sends, django_capture_on_commit_callbacks
):
    webhook = hook(open_letter)
    old = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    WebhookEvent.objects.filter(pk=old.event_id).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    WebhookDelivery.objects.filter(pk=old.pk).update(status=D.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_event_emit(letter=open_letter, type="signature.withdrawn", data={})
    webhooks.webhook_deliveries_sweep()
    assert list(WebhookEvent.objects.values_list("type", flat=True)) == ["signature.withdrawn"]
    assert WebhookDelivery.objects.get().event.type == "signature.withdrawn"


def test_a_khmer_name_arrives_byte_for_byte(
    open_letter, receiver, sends, django_capture_on_commit_callbacks
):
    hook(open_letter, url=receiver.url)
    name = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
    with django_capture_on_commit_callbacks(execute=True):
        signature_confirm(signature=pending(open_letter, name=name))
    assert webhooks.webhook_delivery_send(delivery_id=sends[0]) == "sent"
    body = receiver.requests[0][1]
    assert json.loads(body.decode("utf-8"))["data"]["signature"]["name"] == name
    assert name.encode("utf-8") in body


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off(
    open_letter, sends, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip():
        connection, _address = server.accept()
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        with contextlib.suppress(OSError):
            while not stop.wait(0.2):  # each byte well within the read timeout
                connection.sendall(b"X")
        connection.close()

    threading.Thread(target=drip, daemon=True).start()
    webhook = hook(open_letter, url=f"http://127.0.0.1:{server.getsockname()[1]}/")
    delivery = _event(open_letter, webhook, sends, django_capture_on_commit_callbacks)
    started = time.monotonic()
    try:
        assert webhooks.webhook_delivery_send(delivery_id=delivery.pk) == "retry"
    finally:
        stop.set()
        server.close()
    assert time.monotonic() - started < 3
    delivery.refresh_from_db()
    assert delivery.last_error == "The answer took over 1.5 s."
