"""Mail rows in tests: send what is due as a worker's tick does, and bring a row's time round
instead of waiting for it (a retry is due once its `due_at` has passed)."""

import datetime

from django.utils import timezone

from letters_app import tasks
from letters_app.services import mails


def send_due(*outboxes) -> int:
    """Send every mail that is due, as the worker's task does (only from `outboxes` if given);
    returns how many went out."""
    return mails.mails_send_due(outboxes=outboxes or tasks.OUTBOXES)


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def make_due(rows, **fields) -> int:
    """The rows' next try comes due, as time passing would bring it."""
    return rows.update(due_at=ago(1), **fields)
