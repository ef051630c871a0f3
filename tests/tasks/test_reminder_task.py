"""The beat's reminders task, run twice once a reminder is due: each partner waiting for an
answer gets it once, and the workers' tick sends it once."""

import datetime

import pytest
from django.core import mail

from letters_app import tasks
from letters_app.models import Letter, Partner, PartnerMail
from letters_app.services import partners as partner_services
from letters_app.services import reminders
from tests.clock import MIDDAY
from tests.mails import make_due
from tests.partners import partners_add

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_the_task_run_twice_sends_nothing_twice(open_letter, coordinator, time_machine):
    time_machine.move_to(MIDDAY, tick=False)
    Letter.objects.filter(pk=open_letter.pk).update(signing_deadline=MIDDAY + 10 * DAY)
    open_letter.refresh_from_db()
    partners = partners_add(
        open_letter, coordinator, "A, France, a@example.org\nB, France, b@example.org"
    )
    partner_services.partners_invite(letter=open_letter, actor=coordinator)
    make_due(PartnerMail.objects.all())  # paced a second apart
    assert tasks.mails_send_task.apply().get() == 2  # the invitations
    partner_services.partner_decline(partner=partners[1])
    reminders.reminder_schedule(letter=open_letter, actor=coordinator, days_before=3)
    mail.outbox.clear()

    time_machine.move_to(MIDDAY + 7 * DAY, tick=False)
    assert tasks.reminders_send_due_task.apply().get() == 1
    assert tasks.reminders_send_due_task.apply().get() == 0
    assert tasks.mails_send_task.apply().get() == 1
    assert tasks.mails_send_task.apply().get() == 0
    assert [m.to[0] for m in mail.outbox] == ["a@example.org"]
    assert PartnerMail.objects.filter(kind="reminder", status="sent").count() == 1
    assert Partner.objects.get(pk=partners[0].pk).status == Partner.Status.INVITED
