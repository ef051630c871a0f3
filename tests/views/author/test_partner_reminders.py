"""The reminders section of the partners page and the page to send a reminder now: each persona
(a stranger finds nothing), three languages, bad times refused with what was typed kept, and a
preview of who gets a reminder before it is sent, once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from letters_app.models import (
    AuditAction,
    AuditEvent,
    Letter,
    Partner,
    PartnerMail,
    PartnerReminder,
)
from letters_app.services import partners as partner_services
from letters_app.services import reminders
from letters_app.services.partners import PartnerMailOutbox
from tests.clock import MIDDAY
from tests.mails import make_due, send_due
from tests.partners import partners_add

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
DEADLINE = MIDDAY + 10 * DAY
RUNNERS = ["coordinator", "co_coordinator"]
THREE = """\
Réseau Ouvert (RO), France, ouvert@example.org, fr
សមាគមខ្មែរ (SK), Cambodia, office@khmer.example.org, km
Signed Org, France, signed@example.org, en
"""


@pytest.fixture
def letter(open_letter, time_machine):
    time_machine.move_to(MIDDAY, tick=False)
    Letter.objects.filter(pk=open_letter.pk).update(signing_deadline=DEADLINE)
    open_letter.refresh_from_db()
    return open_letter


@pytest.fixture
def invited(letter, coordinator):
    """Three partners whose invitations were sent: one opened its link, one signed."""
    partners = partners_add(letter, coordinator, THREE)
    partner_services.partners_invite(letter=letter, actor=coordinator)
    make_due(PartnerMail.objects.all())
    send_due(PartnerMailOutbox)
    mail.outbox.clear()
    partner_services.partner_open(partner=partners[1])
    Partner.objects.filter(pk=partners[2].pk).update(status=Partner.Status.SIGNED)
    return partners


def url(name, letter, **kwargs):
    return reverse(f"author:{name}", kwargs={"pk": letter.pk, **kwargs})


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_schedule_reminders(request, client_for, letter, persona):
    client = client_for(request.getfixturevalue(persona))
    done = client.post(
        url("letter-partner-reminders", letter), {"when": "before", "days_before": "7"}
    )
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "Reminder scheduled." in page
    assert "7 days before the deadline" in page
    reminder = PartnerReminder.objects.get()
    assert reminder.due_at == DEADLINE - 7 * DAY

    client.post(url("letter-partner-reminder-cancel", letter, reminder_pk=reminder.pk))
    assert not PartnerReminder.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"when": "before", "days_before": "30"},
            "30 days before the deadline has passed already.",
        ),
        ({"when": "on", "at": "2026-04-01T10:00"}, "This time is after the signing deadline."),
        ({"when": "on", "at": "2026-03-01T10:00"}, "This time has passed: choose one to come."),
        ({"when": "on", "at": ""}, "Give a date and time."),
    ],
)
def test_a_bad_time_is_refused_and_kept(client_for, coordinator, letter, data, message):
    shown = client_for(coordinator).post(url("letter-partner-reminders", letter), data)
    assert shown.status_code == 200
    body = shown.content.decode()
    assert message in body
    if data.get("at"):
        assert f'value="{data["at"]}"' in body
    assert not PartnerReminder.objects.exists()


def test_days_before_a_deadline_the_letter_does_not_have(client_for, coordinator, letter):
    Letter.objects.filter(pk=letter.pk).update(signing_deadline=None)
    shown = client_for(coordinator).post(
        url("letter-partner-reminders", letter), {"when": "before", "days_before": "2"}
    )
    assert "The letter has no signing deadline: set one first, or choose a date." in (
        shown.content.decode()
    )
    assert not PartnerReminder.objects.exists()


@pytest.mark.parametrize("persona", RUNNERS)
def test_a_reminder_now_is_previewed_then_sent_once(request, client_for, letter, invited, persona):
    client = client_for(request.getfixturevalue(persona))
    preview = client.get(url("letter-partners-remind", letter), {"statuses": "opened"})
    assert preview.status_code == 200
    assert preview.context["count"] == 1
    body = preview.content.decode()
    assert "office@khmer.example.org" in body and "សមាគមខ្មែរ" in body
    assert "ouvert@example.org" not in body  # invited, not opened: filtered out
    assert "signed@example.org" not in body
    assert not PartnerMail.objects.filter(kind="reminder").exists()  # a preview sends nothing

    everyone = client.get(url("letter-partners-remind", letter))
    assert everyone.context["count"] == 2
    key = everyone.context["form"].initial["key"]
    data = {"statuses": ["invited", "opened"], "key": key}
    sent = client.post(url("letter-partners-remind", letter), data)
    client.post(url("letter-partners-remind", letter), data)  # sent twice: once
    assert sent.status_code == 302
    page = client.get(sent["Location"]).content.decode()
    assert "2 reminders are on their way." in page
    assert "Sent to 2 partners (0 delivered, 0 failed)" in page
    make_due(PartnerMail.objects.filter(kind="reminder"))
    send_due(PartnerMailOutbox)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "office@khmer.example.org",
        "ouvert@example.org",
    ]
    assert AuditEvent.objects.get(action=AuditAction.REMINDER_SENT).detail["reminded"] == 2


def test_a_reminder_now_needs_a_status(client_for, coordinator, letter, invited):
    shown = client_for(coordinator).post(url("letter-partners-remind", letter), {"key": "k"})
    assert "Choose the partners to remind: invited, opened, or both." in shown.content.decode()
    assert not PartnerReminder.objects.exists()


def test_a_stranger_finds_nothing(client_for, stranger, letter, invited):
    reminder = reminders.reminder_schedule(letter=letter, actor=None, days_before=3)
    client = client_for(stranger)
    assert client.get(url("letter-partner-reminders", letter)).status_code == 404
    posted = client.post(
        url("letter-partner-reminders", letter), {"when": "before", "days_before": "5"}
    )
    assert posted.status_code == 404
    cancel = url("letter-partner-reminder-cancel", letter, reminder_pk=reminder.pk)
    assert client.post(cancel).status_code == 404
    assert client.get(url("letter-partners-remind", letter)).status_code == 404
    data = {"statuses": ["invited", "opened"], "key": "k"}
    assert client.post(url("letter-partners-remind", letter), data).status_code == 404
    assert list(PartnerReminder.objects.all()) == [reminder]
    assert not PartnerMail.objects.filter(kind="reminder").exists()


@pytest.mark.parametrize(
    ("language", "section", "remind"),
    [
        ("en", "7 days before the deadline", "2 partners will get the reminder."),
        ("fr", "7 jours avant la date limite", "2 partenaires recevront la relance."),
        ("km", "7 ថ្ងៃមុនថ្ងៃផុតកំណត់", "ដៃគូ 2 នឹងទទួលបានការរំលឹក។"),
    ],
)
def test_the_pages_speak_the_persons_language(
    client_for, coordinator, letter, invited, language, section, remind
):
    reminders.reminder_schedule(letter=letter, actor=coordinator, days_before=7)
    client = client_for(coordinator)
    with translation.override(language):
        page, now = url("letter-partners", letter), url("letter-partners-remind", letter)
    assert section in client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert remind in client.get(now, HTTP_ACCEPT_LANGUAGE=language).content.decode()
