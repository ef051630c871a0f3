import smtplib

from celery import shared_task
from django.db.models import Q

from letters_app import emails
from letters_app.models import Signature, SignerNotice
from letters_app.services import deliveries, exports
from letters_app.services.letters import letter_close_expired

# Worth another try: the server or the network is briefly unwell. Anything else is final.
TEMPORARY_MAIL_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError,
                         TimeoutError, smtplib.SMTPResponseException)  # fmt: skip


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def letter_close_expired_task() -> int:
    """Periodic (beat): close letters whose signing deadline has passed."""
    return letter_close_expired()


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=60, soft_time_limit=50)
def signature_mail_task(self, *, signature_id: int, kind: str) -> None:
    """Send one mail to a signer (confirmation, already signed, new version)."""
    signature = Signature.objects.select_related("letter").filter(pk=signature_id).first()
    if signature is None or kind not in emails.BUILDERS:
        return
    try:
        emails.BUILDERS[kind](signature).send()
    except TEMPORARY_MAIL_ERRORS as exc:
        if isinstance(exc, smtplib.SMTPResponseException) and not 400 <= exc.smtp_code < 500:
            raise
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def letter_pdf_task(*, letter_id: int) -> None:
    """Render and store a finalized letter's PDF; queues its deliveries once stored."""
    deliveries.snapshot_pdf_make(letter_id=letter_id)


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=120, soft_time_limit=100)
def delivery_send_task(self, *, delivery_id: int) -> str | None:
    """Send one delivery; a temporary failure comes back here after a growing delay."""
    outcome = deliveries.delivery_send(delivery_id=delivery_id)
    if outcome is not None and outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status if outcome else None


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def deliveries_requeue_stuck_task() -> int:
    """Periodic (beat): deliveries left "sending" by a worker that died are sent again."""
    return deliveries.deliveries_requeue_stuck()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def signer_notices_send_task(*, letter_id: int) -> int:
    """Tell the signers of a delivered letter, a batch at a time."""
    sent = deliveries.signer_notices_send(letter_id=letter_id)
    queued = Q(status=SignerNotice.Status.QUEUED) | Q(follow_up=SignerNotice.Status.QUEUED)
    if SignerNotice.objects.filter(queued, signature__letter_id=letter_id).exists():
        signer_notices_send_task.apply_async(kwargs={"letter_id": letter_id}, countdown=5)
    return sent


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def export_job_run_task(*, export_job_id: int) -> str | None:
    """Write a requested export's file, with its progress on the job."""
    return exports.export_job_run(export_job_id=export_job_id)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def export_jobs_clean_task() -> int:
    """Periodic (beat): remove old exports' files; mark exports whose worker died as failed."""
    return exports.export_jobs_clean()
