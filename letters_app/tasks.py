from celery import shared_task

from letters_app.services.letters import letter_close_expired


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def letter_close_expired_task() -> int:
    """Periodic (beat): close letters whose signing deadline has passed."""
    return letter_close_expired()
