"""Every mail is a row, as pretix's OutgoingMail: written in the transaction that causes it,
claimed by workers in batches, sent over one kept connection, its outcome recorded on the row.

Three tables hold mail rows, each beside what its readers follow: `SignerMail` (a signer's
confirmation link and the other mails about their signature), `Delivery` (the letter or the
press release to one recipient: the ledger a coordinator follows, one row per recipient) and
`SignerNotice` (a signer told the letter was delivered, then followed up). They share the
columns this module works with: a status, attempts, due_at, queued_at, claimed_at, sent_at,
last_error, error_kind and response. Each table says how its mail is written and what its
outcome changes (an `Outbox`); claiming, sending and retrying are done here, once for all.

A worker claims due rows with SELECT … FOR UPDATE SKIP LOCKED and marks them "sending" in that
transaction: any number of workers, on any number of machines, share the rows, and the claim is
what keeps two of them from sending the same mail. A temporary failure (a 4xx answer, no
connection) is tried again after a growing delay, until MAIL_RETRY_FOR_SECONDS after the row was
queued; a permanent one (a 5xx answer) fails at once, with the server's words."""

import logging
import math
import random
import smtplib
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from letters_app.celery import app
from letters_app.mail import reply_text

logger = logging.getLogger(__name__)

# A row of any of the mail tables (SignerMail, Delivery, SignerNotice): they share the columns
# this module works with, which no one model class names.
MailRow = Any

SEND_TASK = "letters_app.tasks.mails_send_task"


class Outbox:
    """One table of mail rows: which rows are due, how each becomes a message, and what its
    outcome changes. A new one is made for each batch, which it may prepare for in `load`."""

    model: type[models.Model]
    field = "status"  # the column that holds where the row stands
    claimable: tuple[str, ...] = ("queued", "retry")
    retry_status = "retry"
    batch = 100
    select_related: tuple[str, ...] = ()

    def due(self) -> models.QuerySet[Any]:
        return self.model._default_manager.filter(
            **{f"{self.field}__in": self.claimable}, due_at__lte=timezone.now()
        )

    def load(self, ids: list[int]) -> list[MailRow]:
        rows = self.model._default_manager.filter(pk__in=ids).select_related(*self.select_related)
        return list(rows.order_by("pk"))

    def build(self, row: MailRow) -> EmailMessage:
        raise NotImplementedError

    def update(self, row: MailRow, **fields: Any) -> int:
        """Write the outcome, if the row is still this worker's."""
        return self.model._default_manager.filter(pk=row.pk, **{self.field: "sending"}).update(
            **fields
        )

    def sent(self, row: MailRow, *, reply: str, now: datetime) -> None:
        self.update(
            row, **{self.field: "sent"}, sent_at=now, response=reply[:500], last_error="",
            error_kind="",
        )  # fmt: skip

    def failed(self, row: MailRow, *, kind: str, words: str, retry_at: datetime | None) -> None:
        outcome = (
            {self.field: self.retry_status, "due_at": retry_at}
            if retry_at
            else {self.field: "failed"}
        )
        self.update(row, **outcome, last_error=words[:2000], error_kind=kind)

    def done(self, rows: list[MailRow]) -> None:
        """After the batch: what its outcomes change beyond the rows."""


# --- claiming and sending ----------------------------------------------------------------------


def rows_claim(outbox: Outbox) -> list[int]:
    """Up to a batch of due rows, marked "sending" for this worker; rows another worker holds
    are skipped, not waited for."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            outbox.due()
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: outbox.batch]
        )
        if ids:
            outbox.model._default_manager.filter(pk__in=ids).update(
                **{outbox.field: "sending"}, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def rows_send(outbox: Outbox, ids: list[int]) -> int:
    """Send the claimed rows over one connection, recording each outcome; returns how many
    went out. Once the server cannot be reached, the rest of the batch waits for the next try
    with the same answer rather than each trying in turn."""
    rows = outbox.load(ids)
    mailer = mailers.default
    down: tuple[str, str] | None = None
    sent = 0
    try:
        for row in rows:
            error = down
            if error is None:
                try:
                    message = outbox.build(row)
                except Exception as exc:  # noqa: BLE001 - no server was asked: it alone fails
                    words = f"{type(exc).__name__}: {exc}"
                    outbox.failed(row, kind="other", words=words, retry_at=None)
                    continue
                try:
                    mailer.open()  # opens once; again after a failure closed it
                    if not mailer.send_messages([message]):
                        raise smtplib.SMTPException("The mail backend sent nothing.")
                except Exception as exc:  # classified; nothing may leave the row "sending"
                    _close(mailer)
                    error = mail_error(exc)
                    if not is_temporary(exc):
                        outbox.failed(row, kind=error[0], words=error[1], retry_at=None)
                        continue
                    if error[0] == "unreachable":  # a dropped connection is opened again
                        down = error
                else:
                    outbox.sent(row, reply=server_reply(message), now=timezone.now())
                    sent += 1
                    continue
            outbox.failed(row, kind=error[0], words=error[1], retry_at=retry_at(row))
    finally:
        _close(mailer)
        outbox.done(rows)
    return sent


def _close(mailer: BaseEmailBackend) -> None:
    try:
        mailer.close()
    except Exception:  # noqa: BLE001 - a connection already gone
        logger.debug("Closing the mail connection failed", exc_info=True)


def mails_send_due(*, outboxes: Iterable[type[Outbox]], budget: float | None = None) -> int:
    """Send what is due, a batch of each table in turn, until nothing is due or `budget`
    seconds (MAIL_SEND_BUDGET_SECONDS) have passed; returns how many mails went out."""
    deadline = time.monotonic() + (budget or settings.MAIL_SEND_BUDGET_SECONDS)
    sent = 0
    while True:
        claimed = False
        for outbox_class in outboxes:
            outbox = outbox_class()
            ids = rows_claim(outbox)
            if ids:
                claimed = True
                sent += rows_send(outbox, ids)
            if time.monotonic() > deadline:
                return sent
        if not claimed:
            return sent


def mails_requeue_stuck(*, outboxes: Iterable[type[Outbox]]) -> int:
    """Rows left "sending" by a worker that died, past MAIL_STUCK_SECONDS, are due again."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.MAIL_STUCK_SECONDS)
    requeued = 0
    for outbox in (outbox_class() for outbox_class in outboxes):
        stuck = outbox.model._default_manager.filter(
            **{outbox.field: "sending"}, claimed_at__lt=cutoff
        )
        requeued += stuck.update(
            **{outbox.field: outbox.retry_status}, due_at=now, error_kind="worker", last_error=""
        )
    return requeued


# --- waking a worker -----------------------------------------------------------------------------

_last_kick = -math.inf


def mails_kick() -> None:
    """Wake a worker to send what was just queued, at most once per MAIL_KICK_SECONDS in this
    process: under load most changes make no broker call, and the beat's tick sends whatever
    a kick missed. A broker that is down costs the caller nothing: the rows wait."""
    global _last_kick
    now = time.monotonic()
    if now - _last_kick < settings.MAIL_KICK_SECONDS:
        return
    _last_kick = now
    try:
        app.tasks[SEND_TASK].apply_async(retry=False, expires=settings.MAIL_KICK_EXPIRES)
    except Exception:  # noqa: BLE001 - the tick sends them
        logger.warning("Could not wake a worker; the next tick sends the mail", exc_info=True)


def mails_kick_on_commit() -> None:
    transaction.on_commit(mails_kick)


# --- outcomes ------------------------------------------------------------------------------------


def retry_at(row: MailRow) -> datetime | None:
    """When to try a row again after a temporary failure: doubling from the base, less up to a
    quarter at random (so that mails refused together do not return together), never above
    the cap; None once MAIL_RETRY_FOR_SECONDS have passed since it was queued. The last try
    falls at the end of that time."""
    now = timezone.now()
    give_up = row.queued_at + timedelta(seconds=settings.MAIL_RETRY_FOR_SECONDS)
    if now >= give_up:
        return None
    delay = min(
        settings.MAIL_RETRY_CAP_SECONDS,
        settings.MAIL_RETRY_BASE_SECONDS * 2 ** max(row.attempts - 1, 0),
    )
    delay = max(1.0, delay * random.uniform(0.75, 1.0))  # noqa: S311 - jitter
    return min(now + timedelta(seconds=delay), give_up)


def server_reply(message: EmailMessage) -> str:
    """What the server answered to the message: the SMTP reply to its DATA ("250 2.0.0 Ok:
    queued as 4bX2"), or a provider's status and message id; "" from a backend that has none
    (the outbox folder)."""
    reply: str = getattr(message, "smtp_reply", "")
    if reply:
        return reply
    status = getattr(message, "anymail_status", None)
    if status is None or status.message_id in (None, ""):
        return ""
    return " ".join([*sorted(status.status or ()), str(status.message_id)])


def mail_error(exc: Exception) -> tuple[str, str]:
    """What ended a try: its kind (a key of DELIVERY_REASONS, which explains it in plain
    language) and the server's code and words, or the system's words when no server spoke."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient", "; ".join(reply_text(*reply) for reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        kind = {
            smtplib.SMTPSenderRefused: "sender",
            smtplib.SMTPDataError: "message",
            smtplib.SMTPAuthenticationError: "login",
        }.get(type(exc), "server")
        return kind, reply_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "disconnected", str(exc)
    if isinstance(exc, smtplib.SMTPException):
        return "server", str(exc)
    if isinstance(exc, AnymailError):
        return "provider", " ".join(str(exc).split())
    if isinstance(exc, OSError):  # refused connection, unknown host, timeout
        return "unreachable", str(exc)
    return "other", f"{type(exc).__name__}: {exc}"


def is_temporary(exc: Exception) -> bool:
    """4xx answers, refused or dropped connections and timeouts pass; anything else does not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        # An OSError too, but one the server will say again: no AUTH, no STARTTLS, a bad answer.
        return False
    status = getattr(exc, "status_code", None)  # django-anymail's API errors
    if status is not None:
        return status == 429 or status >= 500
    return isinstance(exc, (ConnectionError, TimeoutError, OSError))


def rows_resend(outbox: Outbox, rows: models.QuerySet[Any]) -> int:
    """Queue the failed ones of these rows again, as new: their tries start over. Returns how
    many were queued."""
    now = timezone.now()
    return rows.filter(**{outbox.field: "failed"}).update(
        **{outbox.field: outbox.claimable[0]}, attempts=0, due_at=now, queued_at=now
    )
