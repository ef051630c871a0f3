import smtplib

from celery import shared_task

from letters_app import emails
from letters_app.models import Signature
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
