"""The daily summary on the real parts: a day of signatures, then the beat's task run twice on
a real Celery worker, gives exactly one summary through a real SMTP server to each coordinator
who asked for one, and none to the others."""

import re

import pytest

from letters_app.models import CoordinatorMail, CoordinatorMails, Signature
from letters_app.services.digests import digest_day, digest_window, mails_choose
from letters_app.tasks import digests_queue_task, mails_send_task
from tests.factories import UserFactory, listed
from tests.waiting import wait_until
from tests.workers import smtp_env

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server)


def succeeded(worker, task: str) -> list[str]:
    """What each run of `task` on this worker returned, from its log."""
    return re.findall(rf"{task}\[[^\]]+\] succeeded in [^:]+: (\S+)", worker.log_path.read_text())


def test_a_day_of_signatures_gives_one_summary_per_coordinator_who_asked(
    open_letter, coordinator, co_coordinator, smtp_server, celery_worker_process
):
    quiet = UserFactory(username="quiet")
    open_letter.co_coordinators.add(quiet)
    mails_choose(letter=open_letter, user=co_coordinator, mails=CoordinatorMails.DAILY)
    # The creator has the summary by default; the third coordinator wants no e-mail.
    mails_choose(letter=open_letter, user=quiet, mails=CoordinatorMails.NONE)
    start, end = digest_window(digest_day())
    names = ["Licadho", "Adhoc", "Ligue des droits", "សមាគម ខ្មែរ"]
    for n, name in enumerate(names):  # confirmed through the day the summary covers
        signature = listed(open_letter, name=name)
        at = start + (end - start) * (n + 1) / (len(names) + 1)
        Signature.objects.filter(pk=signature.pk).update(confirmed_at=at)
    listed(open_letter, name="Too late")  # confirmed now: tomorrow's summary
    inbox = smtp_server.inbox

    digests_queue_task.delay()
    digests_queue_task.delay()
    assert inbox.wait(lambda: len(inbox.messages) == 2)
    worker = celery_worker_process
    assert wait_until(lambda: sorted(succeeded(worker, "digests_queue_task")) == ["0", "2"])
    before = len(succeeded(worker, "mails_send_task"))
    mails_send_task.delay()  # would carry anything written twice
    assert wait_until(lambda: len(succeeded(worker, "mails_send_task")) > before)

    assert sorted(to for (to,), _message in inbox.messages) == sorted(
        [coordinator.email, co_coordinator.email]
    )
    for _to, message in inbox.messages:
        assert message["Subject"] == f"“{open_letter.title}”: 4 new signatures"
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert all(f"- {name} (" in body for name in names)
        assert "Too late" not in body
    rows = CoordinatorMail.objects.all()
    assert [(r.kind, r.day, r.status) for r in rows] == [("digest", digest_day(), "sent")] * 2
