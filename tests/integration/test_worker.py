import datetime

import pytest
from django.utils import timezone

from letters_app.models import AuditEvent, Letter
from letters_app.services.letters import letter_open
from letters_app.tasks import letter_close_expired_task
from tests.factories import LetterFactory, RecipientFactory, UserFactory
from tests.waiting import wait_until

pytestmark = pytest.mark.integration


def test_real_worker_closes_letters_past_their_deadline(celery_worker_process):
    coordinator = UserFactory()
    expired = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    current = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    for letter in (expired, current):
        letter.signing_deadline = timezone.now() + datetime.timedelta(days=1)
        letter.save()
        letter_open(letter=letter, actor=coordinator)
    Letter.objects.filter(pk=expired.pk).update(
        signing_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )

    letter_close_expired_task.delay()

    assert wait_until(lambda: Letter.objects.get(pk=expired.pk).status == Letter.Status.CLOSED)
    assert Letter.objects.get(pk=current.pk).status == Letter.Status.OPEN
    event = AuditEvent.objects.get(letter=expired, action="letter.closed")
    assert event.actor is None
    assert event.detail == {"reason": "deadline"}
