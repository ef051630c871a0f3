"""The beat's summary task, run twice after the hour: one summary per coordinator who asked,
sent once."""

import datetime
import zoneinfo

import pytest
from django.core import mail

from letters_app import tasks
from letters_app.models import CoordinatorMail, CoordinatorMails
from letters_app.services.digests import mails_choose
from tests.factories import listed

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_the_task_run_twice_sends_nothing_twice(
    open_letter, coordinator, co_coordinator, settings, time_machine
):
    settings.TIME_ZONE, settings.DIGEST_HOUR = "Europe/Paris", 7
    mails_choose(letter=open_letter, user=co_coordinator, mails=CoordinatorMails.DAILY)
    time_machine.move_to(datetime.datetime(2026, 3, 3, 15, 0, tzinfo=PARIS), tick=False)
    listed(open_letter, name="Licadho")
    time_machine.move_to(datetime.datetime(2026, 3, 4, 7, 1, tzinfo=PARIS), tick=False)

    assert tasks.digests_queue_task.apply().get() == 2
    assert tasks.mails_send_task.apply().get() == 2
    assert tasks.digests_queue_task.apply().get() == 0
    assert tasks.mails_send_task.apply().get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, co_coordinator.email])
    assert set(CoordinatorMail.objects.values_list("status", flat=True)) == {"sent"}
