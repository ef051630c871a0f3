from celery import shared_task

from letters_app.services import (
    deliveries,
    digests,
    exports,
    incidents,
    mails,
    privacy,
    reminders,
    webhooks,
)
from letters_app.services.letters import letter_close_expired
from letters_app.services.partners import PartnerMailOutbox
from letters_app.services.signatures import SignerMailOutbox

# Every table of mail rows, in the order a worker takes a batch of each: a signer waiting for
# their confirmation link first.
OUTBOXES = (
    SignerMailOutbox,
    deliveries.DeliveryOutbox,
    deliveries.NoticeOutbox,
    deliveries.FollowUpOutbox,
    incidents.IncidentMailOutbox,
    digests.CoordinatorMailOutbox,
    PartnerMailOutbox,
)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def letter_close_expired_task() -> int:
    """Periodic (beat): close letters whose signing deadline has passed."""
    return letter_close_expired()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def mails_send_task() -> int:
    """Periodic (beat, every second) and woken after a change: send every mail that is due."""
    return mails.mails_send_due(outboxes=OUTBOXES)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def mails_requeue_stuck_task() -> int:
    """Periodic (beat): mails left "sending" by a worker that died are sent again."""
    return mails.mails_requeue_stuck(outboxes=OUTBOXES)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def letter_pdf_task(*, letter_id: int) -> None:
    """Render and store a finalized letter's PDF; its deliveries are due once it is stored."""
    deliveries.snapshot_pdf_make(letter_id=letter_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def export_job_run_task(*, export_job_id: int) -> str | None:
    """Write a requested export's file, with its progress on the job."""
    return exports.export_job_run(export_job_id=export_job_id)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def export_jobs_clean_task() -> int:
    """Periodic (beat): remove old exports' files; mark exports whose worker died as failed."""
    return exports.export_jobs_clean()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def incidents_detect_task() -> int:
    """Periodic (beat, every minute): open an alert, mailed to the admins, for each new burst
    of unusual signing."""
    return incidents.incidents_detect()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def signer_data_purge_task() -> int:
    """Periodic (beat): remove signers' e-mail and IP addresses once the retention period after
    their letter was sent is over."""
    return privacy.signer_data_purge()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def digests_queue_task() -> int:
    """Periodic (beat, every five minutes): once DIGEST_HOUR has struck, write the day's summary
    for each coordinator who asked for one (once per coordinator, letter and day)."""
    return digests.digests_queue()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def reminders_send_due_task() -> int:
    """Periodic (beat, every minute): queue the partners' reminders that are due, once each."""
    return reminders.reminders_send_due()


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def webhook_delivery_send_task(*, delivery_id: int) -> str:
    """POST one webhook delivery, if it is due and no other worker has it."""
    return webhooks.webhook_delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def webhook_deliveries_sweep_task() -> int:
    """Periodic (beat, every WEBHOOK_SWEEP_SECONDS): send the webhook deliveries that are due
    again, and those left "sending" by a worker that died."""
    return webhooks.webhook_deliveries_sweep()
