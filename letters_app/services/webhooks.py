"""Webhooks: a letter's events written as rows in the transaction that causes them, one delivery
per webhook subscribed, each POSTed, signed, by a worker that claims it; tried again with a
growing wait, at least once (a receiver drops a duplicate by its Cosign-Event-Id). No address
that is not public is ever connected to unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES."""

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
import uuid
from contextlib import suppress
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app.celery import queue_on_commit
from letters_app.models import (
    AuditAction,
    Delivery,
    Letter,
    LetterSnapshot,
    Partner,
    Signature,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookEventType,
)
from letters_app.models.webhooks import all_event_types, webhook_secret
from letters_app.services.audit import Actor, actor_user, audit_record

W = WebhookDelivery.Status
E = WebhookEventType
SEND_TASK = "webhook_delivery_send_task"
WEBHOOKS_PER_LETTER = 10
USER_AGENT = "Cosign-Webhooks/1"
# Of a refused answer, this much of its body is kept to show the coordinator.
ANSWER_EXCERPT = 300
# NAT64's well-known prefix: an IPv6 address that reaches the IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Events, with their deliveries, are kept this long for the log, then deleted by the sweep.
EVENTS_KEPT = timedelta(days=30)


class AddressRefused(Exception):
    """A webhook address Cosign will not connect to; the message says why."""


class TooSlow(Exception):
    """The receiver took longer than the whole request may (an answer given a byte at a time)."""


# --- addresses ----------------------------------------------------------------------------------


def address_is_public(address: str) -> bool:
    """Whether an IP address is one on the public internet: not private, loopback, link-local,
    reserved, multicast or unspecified, nor an IPv6 address standing for such an IPv4 one."""
    ip = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo or (None, None))[1]
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not address_is_public(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )  # fmt: skip


def url_parts(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of a webhook address, or AddressRefused: http(s) only, https
    unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, no user name or password."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES else ("https",)
    if parts.scheme not in allowed:
        raise AddressRefused(_("The address must start with https://."))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(_("The address may not hold a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(_("The address's port is not a number from 1 to 65535.")) from None
    if not parts.hostname:
        raise AddressRefused(_("The address has no host name."))
    return parts.scheme, parts.hostname, port


def addresses_resolve(host: str, port: int) -> list[str]:
    """The IP addresses `host` stands for now, every one public (unless private addresses are
    allowed), or AddressRefused saying which is not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        message = _("The host name %(host)s could not be found.") % {"host": host}
        raise AddressRefused(message) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if address_is_public(address):
                continue
            if address == host:
                message = _(
                    "%(address)s is not a public internet address: webhooks are only sent to "
                    "public addresses."
                )
            else:
                message = _(
                    "%(host)s is %(address)s, not a public internet address: webhooks are only "
                    "sent to public addresses."
                )
            raise AddressRefused(message % {"host": host, "address": address})
    return addresses


def url_refusal(url: str) -> str:
    """Why a webhook may not be sent to `url` as it resolves now, or "" when it may."""
    try:
        _scheme, host, port = url_parts(url)
        addresses_resolve(host, port)
    except AddressRefused as exc:
        return str(exc)
    return ""


# --- emitting events ----------------------------------------------------------------------------


def webhook_event_emit(*, letter: Letter, type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Record an event of `letter` for each of its active webhooks subscribed to `type`, one
    delivery each, sent by a worker once the caller's transaction commits. With no webhook
    subscribed, one indexed query and nothing written."""
    rows = Webhook.objects.filter(letter_id=letter.pk, is_active=True).values_list("pk", "events")
    ids = [pk for pk, events in rows if type in events]
    if not ids:
        return None
    return _event_write(letter, type, data, ids)


@transaction.atomic
def _event_write(
    letter: Letter, type: str, data: dict[str, Any], webhook_ids: list[int]
) -> WebhookEvent:
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": type,
        "created": now.isoformat(),
        "letter": {"slug": letter.slug, "title": letter.title, "status": letter.status},
        "data": data,
    }
    event = WebhookEvent.objects.create(
        id=event_id, letter=letter, type=type, payload=payload, created_at=now
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook_id=pk, event=event, next_attempt_at=now, created_at=now)
        for pk in webhook_ids
    )
    for delivery in deliveries:
        queue_on_commit(SEND_TASK, delivery_id=delivery.pk)
    return event


# What each event tells. A signer's e-mail address is never in it: a webhook copies its payload
# to another service (a chat channel, a spreadsheet, an automation), out of reach of the removal
# of signers' addresses after SIGNER_DATA_RETENTION_DAYS and of a signer's erasure; the
# coordinator reads the addresses in Cosign. A name is told only while it is listed publicly.


def signature_data(signature: Signature) -> dict[str, Any]:
    listed = bool(signature.is_public)
    return {
        "signature": {
            "id": signature.pk,
            "listed": listed,
            "number": signature.number if listed else None,
            "kind": signature.kind,
            "name": signature.name if listed else "",
            "country": signature.country.code if listed and signature.country else "",
        }
    }


def finalized_data(snapshot: LetterSnapshot) -> dict[str, Any]:
    return {
        "snapshot": {
            "sha256": snapshot.sha256,
            "version": snapshot.version,
            "signatories": snapshot.signatory_count,
        }
    }


def delivery_data(delivery: Delivery, status: str) -> dict[str, Any]:
    return {
        "delivery": {
            "id": delivery.pk,
            "document": delivery.document,
            "recipient": delivery.recipient.name,
            "status": status,
            "attempts": delivery.attempts,
            "error_kind": delivery.error_kind if status == Delivery.Status.FAILED else "",
        }
    }


def webhook_delivery_outcome_emit(*, delivery: Delivery, fields: dict[str, Any]) -> None:
    """A letter's delivery ended as `fields` (the outcome its outbox wrote) say: sent or
    failed for good; its webhooks are told."""
    status = fields.get("status")
    if status not in (Delivery.Status.SENT, Delivery.Status.FAILED):
        return
    kind = E.DELIVERY_SENT if status == Delivery.Status.SENT else E.DELIVERY_FAILED
    delivery.error_kind = fields.get("error_kind", delivery.error_kind)
    webhook_event_emit(letter=delivery.letter, type=kind, data=delivery_data(delivery, status))


def webhook_partners_emit(*, partners: QuerySet[Partner]) -> None:
    """These partners' status changed: the webhooks of their letter are told, one event each."""
    for partner in partners.select_related("letter"):
        data = {
            "partner": {
                "id": partner.pk,
                "name": partner.name,
                "acronym": partner.acronym,
                "country": partner.country.code if partner.country else "",
                "status": partner.status,
            }
        }
        webhook_event_emit(letter=partner.letter, type=E.PARTNER_STATUS_CHANGED, data=data)


# --- the coordinator's actions ------------------------------------------------------------------


def webhook_list(letter: Letter) -> list[Webhook]:
    return list(Webhook.objects.filter(letter=letter).order_by("pk"))


def webhook_get(letter: Letter, pk: Any) -> Webhook | None:
    return Webhook.objects.filter(letter=letter, pk=pk).first() if str(pk).isdigit() else None


def webhook_delivery_list(letter: Letter, *, limit: int = 50) -> list[WebhookDelivery]:
    """The letter's latest webhook deliveries, latest first."""
    rows = WebhookDelivery.objects.filter(webhook__letter=letter).select_related("event", "webhook")
    return list(rows.order_by("-created_at", "-pk")[:limit])


def webhook_delivery_get(letter: Letter, pk: Any) -> WebhookDelivery | None:
    if not str(pk).isdigit():
        return None
    return WebhookDelivery.objects.filter(webhook__letter=letter, pk=pk).first()


@transaction.atomic
def webhook_create(*, letter: Letter, url: str, events: list[str], actor: Actor) -> Webhook:
    """Add a webhook to the letter, with a new secret. Audited."""
    Letter.objects.select_for_update().filter(pk=letter.pk).first()  # one count at a time
    if Webhook.objects.filter(letter=letter).count() >= WEBHOOKS_PER_LETTER:
        raise ValidationError(
            _("A letter has at most %(n)s webhooks.") % {"n": WEBHOOKS_PER_LETTER}
        )
    refusal = url_refusal(url)
    if refusal:
        raise ValidationError({"url": refusal})
    known = set(all_event_types())
    webhook = Webhook(
        letter=letter, url=url, events=[e for e in events if e in known] or sorted(known),
        created_by=actor_user(actor),
    )  # fmt: skip
    webhook.full_clean()
    webhook.save()
    audit_record(letter=letter, actor=actor, action=AuditAction.WEBHOOK_ADDED, url=url)
    return webhook


@transaction.atomic
def webhook_set_active(*, webhook: Webhook, active: bool, actor: Actor) -> None:
    """Pause or resume a webhook: paused, it gets no new event; resumed, what waited is sent.
    Audited."""
    if Webhook.objects.filter(pk=webhook.pk, is_active=not active).update(is_active=active):
        webhook.is_active = active
        action = AuditAction.WEBHOOK_RESUMED if active else AuditAction.WEBHOOK_PAUSED
        audit_record(letter=webhook.letter, actor=actor, action=action, url=webhook.url)
        if active:
            waiting = WebhookDelivery.objects.filter(
                webhook=webhook, status__in=WebhookDelivery.CLAIMABLE
            )
            for pk in waiting.values_list("pk", flat=True):
                queue_on_commit(SEND_TASK, delivery_id=pk)


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor: Actor) -> None:
    """Remove a webhook and its deliveries. Audited."""
    audit_record(letter=webhook.letter, actor=actor, action=AuditAction.WEBHOOK_DELETED,
                 url=webhook.url)  # fmt: skip
    webhook.delete()


@transaction.atomic
def webhook_secret_regenerate(*, webhook: Webhook, actor: Actor) -> str:
    """Give the webhook a new secret; the old one signs nothing more. Audited."""
    webhook.secret = webhook_secret()
    webhook.save(update_fields=["secret"])
    audit_record(letter=webhook.letter, actor=actor,
                 action=AuditAction.WEBHOOK_SECRET_REGENERATED, url=webhook.url)  # fmt: skip
    return webhook.secret


@transaction.atomic
def webhook_ping(*, webhook: Webhook, actor: Actor) -> WebhookEvent:
    """Send the webhook a test event ("ping"), whether or not it is paused. Audited."""
    data = {"webhook": {"id": webhook.pk}, "message": "Cosign test event"}
    event = _event_write(webhook.letter, E.PING, data, [webhook.pk])
    audit_record(letter=webhook.letter, actor=actor, action=AuditAction.WEBHOOK_TESTED,
                 url=webhook.url)  # fmt: skip
    return event


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery, actor: Actor) -> None:
    """Send a failed delivery again now, with its tries counted afresh. Audited."""
    changed = WebhookDelivery.objects.filter(pk=delivery.pk, status=W.FAILED).update(
        status=W.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    if not changed:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    queue_on_commit(SEND_TASK, delivery_id=delivery.pk)
    audit_record(letter=delivery.webhook.letter, actor=actor,
                 action=AuditAction.WEBHOOK_RETRIED, url=delivery.webhook.url,
                 event=str(delivery.event_id))  # fmt: skip


# --- sending ------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was checked, not to whatever the name resolves to next."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, its certificate verified for the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """Cosign-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" by the secret>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST to `url` at an address checked just before, following no redirect: the status and
    the start of the answer's body. AddressRefused; OSError when nothing answered; TooSlow when
    the whole exchange took over three times WEBHOOK_TIMEOUT_SECONDS (each read's own limit)."""
    scheme, host, port = url_parts(url)
    address = addresses_resolve(host, port)[0]
    pinned = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = pinned(host, port, address=address, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # A receiver answering a byte at a time never lets one read time out: the connection is cut
    # once the whole request is over its time, so that a worker is never held for long.
    cut = threading.Event()
    watchdog = threading.Timer(3 * settings.WEBHOOK_TIMEOUT_SECONDS, _cut, (connection, cut))
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.status, response.read(ANSWER_EXCERPT)
    except (OSError, http.client.HTTPException):
        if cut.is_set():
            raise TooSlow from None
        raise
    finally:
        watchdog.cancel()
        connection.close()
    if cut.is_set():
        raise TooSlow
    return answer


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    cut.set()
    if connection.sock is not None:
        with suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


def retry_delay(attempts: int) -> int | None:
    """Seconds to wait after the `attempts`-th failed try, or None when tries are over."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    return int(delays[attempts - 1]) if attempts <= len(delays) else None


def webhook_delivery_send(*, delivery_id: int) -> str:
    """Claim the delivery if it is due and its webhook active, POST its event, and record the
    outcome: "sent", "retry", "failed", or "skipped" when it was not this worker's to send."""
    now = timezone.now()
    claimable = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=WebhookDelivery.CLAIMABLE, next_attempt_at__lte=now
    ).filter(Q(webhook__is_active=True) | Q(event__type=E.PING))
    if not claimable.update(status=W.SENDING, claimed_at=now, attempts=F("attempts") + 1):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("webhook", "event").get(pk=delivery_id)
    body = json.dumps(delivery.event.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Cosign-Event-Id": str(delivery.event_id),
        "Cosign-Event-Type": delivery.event.type,
        "Cosign-Timestamp": str(timestamp),
        "Cosign-Signature": signature_header(delivery.webhook.secret, timestamp, body),
    }
    started = time.monotonic()
    code: int | None = None
    final = False
    try:
        code, answer = http_post(delivery.webhook.url, body, headers)
    except AddressRefused as exc:
        error, final = str(exc), True  # not a passing trouble: no other try
    except TimeoutError:
        error = f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s."
    except TooSlow:
        error = f"The answer took over {3 * settings.WEBHOOK_TIMEOUT_SECONDS:g} s."
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    else:
        text = answer.decode("utf-8", "replace").strip()
        error = "" if 200 <= code < 300 else f"HTTP {code}" + (f": {text}" if text else "")
        if 300 <= code < 400:
            error += " (redirects are not followed)"
    duration = round((time.monotonic() - started) * 1000)
    outcome: dict[str, Any] = {"last_status_code": code, "last_duration_ms": duration,
                               "last_error": error[:2000]}  # fmt: skip
    if not error:
        outcome |= {"status": W.SENT, "sent_at": timezone.now()}
    else:
        delay = None if final else retry_delay(delivery.attempts)
        outcome |= (
            {"status": W.RETRY, "next_attempt_at": timezone.now() + timedelta(seconds=delay)}
            if delay is not None
            else {"status": W.FAILED}
        )
    # Only if still this worker's: a sweep may have taken it for lost meanwhile.
    WebhookDelivery.objects.filter(pk=delivery_id, status=W.SENDING, claimed_at=now).update(
        **outcome
    )
    return str(outcome["status"])


def webhook_deliveries_sweep(*, limit: int = 500) -> int:
    """Deliveries left "sending" by a worker that died are tried again (or have failed, out of
    tries); every delivery that is due gets a task; events older than EVENTS_KEPT go, with
    their deliveries. Returns how many tasks were queued."""
    now = timezone.now()
    old = list(
        WebhookEvent.objects.filter(created_at__lt=now - EVENTS_KEPT).values_list("pk", flat=True)[
            :limit
        ]
    )
    if old:
        WebhookEvent.objects.filter(pk__in=old).delete()
    stuck = WebhookDelivery.objects.filter(
        status=W.SENDING, claimed_at__lt=now - timedelta(seconds=settings.WEBHOOK_STUCK_SECONDS)
    )
    for delivery in stuck.only("pk", "attempts", "claimed_at"):
        out_of_tries = retry_delay(delivery.attempts) is None
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=W.SENDING, claimed_at=delivery.claimed_at
        ).update(
            status=W.FAILED if out_of_tries else W.RETRY,
            next_attempt_at=now,
            last_error="The worker sending it stopped.",
        )
    due = WebhookDelivery.objects.filter(
        status__in=WebhookDelivery.CLAIMABLE, next_attempt_at__lte=now
    ).filter(Q(webhook__is_active=True) | Q(event__type=E.PING))
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        queue_on_commit(SEND_TASK, delivery_id=pk)
    return len(ids)
