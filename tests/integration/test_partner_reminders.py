"""Reminders to partners end to end on the real parts: the coordinator schedules two on the
partners page and invites three partners; two answer; then the clock moves forward (time-machine,
in this process and in a real Celery worker and beat) past each reminder's time, and the third
partner gets each reminder exactly once through a real SMTP server, however often beat runs."""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from letters_app.celery import app
from letters_app.models import Letter, Partner, PartnerMail, PartnerReminder
from letters_app.tasks import mails_send_task, reminders_send_due_task
from tests.partners import partners_add
from tests.waiting import wait_until
from tests.workers import beat_launch, smtp_env, worker_env_for, worker_launch, worker_stop

pytestmark = pytest.mark.integration
DAY = datetime.timedelta(days=1)
THREE = """\
Association TEP NIMITH (ATN), France, contact@tep.example.org, fr
សមាគមយុវជនខ្មែរ (SYK), Cambodia, office@khmer.example.org, km
Green Network, Australia, hello@green.example.org, en
"""


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.search(r"https?://\S+/invitations/\S+/", body).group(0)).path


def _runs(worker, task: str) -> list[str]:
    """What each run of `task` on this worker returned, from its log."""
    return re.findall(rf"{task}\[[^\]]+\] succeeded in [^:]+: (\S+)", worker.log_path.read_text())


def _ran_once_with_one_mail(worker) -> bool:
    """The reminders task ran at least twice on this worker, and one run queued one mail."""
    assert wait_until(lambda: len(_runs(worker, "reminders_send_due_task")) >= 2)
    return sorted(_runs(worker, "reminders_send_due_task"))[-1] == "1" and (
        set(_runs(worker, "reminders_send_due_task")) == {"0", "1"}
        and _runs(worker, "reminders_send_due_task").count("1") == 1
    )


@pytest.fixture
def days_later(transactional_db, tmp_path, smtp_server, time_machine):
    """`days_later(offset)`: this process's clock `offset` ahead of the real one, and a real
    worker and beat started with theirs moved the same way (those of the previous call
    stopped, as workers down meanwhile)."""
    app.control.purge()
    running: list = []
    ahead = [0.0]  # how far this process's clock is ahead now

    def start(offset: datetime.timedelta):
        for process in running:
            worker_stop(process)
        running.clear()
        seconds = offset.total_seconds()
        time_machine.move_to(time.time() - ahead[0] + seconds, tick=True)
        ahead[0] = seconds
        env = worker_env_for({**smtp_env(smtp_server), "TEST_CLOCK_OFFSET": str(seconds),
                              "MAIL_TICK_SECONDS": "0.5"})  # fmt: skip
        n = len(list(tmp_path.glob("worker-*.log"))) + 1
        worker = worker_launch(env, tmp_path / f"worker-{n}.log", name=f"clocked{n}")
        running.append(worker)
        beat_dir = tmp_path / f"beat-{n}"
        beat_dir.mkdir()
        running.append(beat_launch(env, beat_dir))
        return worker

    yield start
    for process in running:
        worker_stop(process)


def test_the_third_partner_gets_each_reminder_once(open_letter, coordinator, client_for,
                                                   smtp_server, days_later):  # fmt: skip
    inbox = smtp_server.inbox
    worker = days_later(datetime.timedelta(0))
    start = timezone.now()
    Letter.objects.filter(pk=open_letter.pk).update(signing_deadline=start + 10 * DAY)
    partners_add(open_letter, coordinator, THREE)
    coordinator_client = client_for(coordinator)
    schedule = reverse("author:letter-partner-reminders", kwargs={"pk": open_letter.pk})
    for days in ("7", "2"):
        done = coordinator_client.post(schedule, {"when": "before", "days_before": days})
        assert done.status_code == 302
    invite = reverse("author:letter-partners-invite", kwargs={"pk": open_letter.pk})
    coordinator_client.post(invite, {"everyone": "1"})
    assert inbox.wait(lambda: len(inbox.messages) == 3)
    by_address = {recipients[0]: message for recipients, message in inbox.messages}
    # The Khmer partner signs through its link; the French one cannot sign this time.
    partner_client = Client()
    khmer = _link(by_address["office@khmer.example.org"])
    form = partner_client.post(khmer + "sign/", {"open": "1"}).context["form"]
    partner_client.post(khmer + "sign/", {**form.initial, "kind": "organization",
                                          "consent_public": "on"})  # fmt: skip
    Client().post(_link(by_address["contact@tep.example.org"]) + "decline/", {"reason": "Non."})
    sent = PartnerMail.objects.filter(kind="invitation", status="sent")
    assert wait_until(lambda: sent.count() == 3)

    # Three days and an hour later: past "7 days before"; the beat's task runs twice.
    worker = days_later(3 * DAY + datetime.timedelta(hours=1))
    reminders_send_due_task.delay()
    reminders_send_due_task.delay()
    assert inbox.wait(lambda: len(inbox.messages) == 4)
    assert _ran_once_with_one_mail(worker)

    # Eight days and an hour later: past "2 days before".
    worker = days_later(8 * DAY + datetime.timedelta(hours=1))
    reminders_send_due_task.delay()
    reminders_send_due_task.delay()
    assert inbox.wait(lambda: len(inbox.messages) == 5)
    assert _ran_once_with_one_mail(worker)

    # The beat again, and the workers' tick: nothing twice.
    before = len(_runs(worker, "mails_send_task"))
    reminders_send_due_task.delay()
    mails_send_task.delay()
    assert wait_until(lambda: len(_runs(worker, "mails_send_task")) > before + 1)
    assert _runs(worker, "reminders_send_due_task")[-1] == "0"
    reminded = [(to, m["Subject"]) for (to,), m in inbox.messages[3:]]
    subject = f"Reminder: will you sign the open letter “{open_letter.title}”?"
    assert reminded == [("hello@green.example.org", subject)] * 2
    assert len(inbox.messages) == 5
    states = PartnerReminder.objects.order_by("-days_before").values_list("days_before", "state")
    assert list(states) == [(7, "sent"), (2, "sent")]
    green = Partner.objects.get(email="hello@green.example.org")
    assert green.mails.filter(kind="reminder", status="sent").count() == 2
