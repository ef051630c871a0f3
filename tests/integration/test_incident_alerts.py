"""Alerts on unusual signing on the real parts: a Celery worker finds the burst and mails the
admin through a real SMTP server, once; a second run finds the same burst and sends nothing."""

import re

import pytest

from letters_app.models import Incident, IncidentMail
from letters_app.tasks import incidents_detect_task, mails_send_task
from tests.factories import SignatureFactory
from tests.waiting import wait_until
from tests.workers import smtp_env

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server, INCIDENT_ADDRESS_THRESHOLD="10")


def succeeded(worker, task: str) -> list[str]:
    """What each run of `task` on this worker returned, from its log."""
    return re.findall(rf"{task}\[[^\]]+\] succeeded in [^:]+: (\S+)", worker.log_path.read_text())


def test_a_burst_mails_the_admin_exactly_once(
    open_letter, admin, coordinator, smtp_server, celery_worker_process
):
    for n in range(10):
        name = f"Organization {'abcdefghij'[n]}"
        SignatureFactory(
            letter=open_letter, ip_address="203.0.113.7", email=f"s{n}@org{n}.example",
            email_domain=f"org{n}.example", name=name, name_normalized=name.lower(),
        )  # fmt: skip
    inbox = smtp_server.inbox

    incidents_detect_task.delay()
    assert inbox.wait(lambda: len(inbox.messages) == 1)
    recipients, message = inbox.messages[0]
    assert recipients == [admin.email]
    assert open_letter.title in message["Subject"]
    incident = Incident.objects.get()
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"http://testserver/admin/letters_app/signature/?incident={incident.pk}" in body
    assert "203.0.113.7" in body

    # The second run sees the same burst: nothing new is written, nothing more is sent.
    incidents_detect_task.delay()
    worker = celery_worker_process
    assert wait_until(lambda: succeeded(worker, "incidents_detect_task") == ["1", "0"])
    # A send after that second run would carry anything it had queued.
    before = len(succeeded(worker, "mails_send_task"))
    mails_send_task.delay()
    assert wait_until(lambda: len(succeeded(worker, "mails_send_task")) > before)
    assert len(inbox.messages) == 1
    assert Incident.objects.count() == 1
    assert list(IncidentMail.objects.values_list("status", flat=True)) == ["sent"]
