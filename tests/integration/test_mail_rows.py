"""Mail rows on the real parts: Celery workers and beat on the configured broker, an SMTP server
(aiosmtpd) that can go away or refuse, and the test database."""

import collections
import re

import pytest

from letters_app.models import SignerMail
from letters_app.services.signatures import signature_add
from tests.waiting import wait_until
from tests.workers import smtp_env, smtp_restart

pytestmark = pytest.mark.integration

M = SignerMail.Status


@pytest.fixture
def worker_env(smtp_server):
    # A mail refused for a while comes back after a second or two, not after half a minute.
    return smtp_env(smtp_server, MAIL_RETRY_BASE_SECONDS="1", MAIL_RETRY_CAP_SECONDS="2")


def sign(letter, n: int):
    signature, _created = signature_add(
        letter=letter, kind="organization", email=f"signer{n}@example.org",
        name=f"Association {n}", country="KH", consent_public=True,
    )  # fmt: skip
    return signature


def confirmations(inbox) -> collections.Counter:
    return collections.Counter(address for rcpt_tos, _m in inbox.messages for address in rcpt_tos)


def sent_by(worker) -> int:
    """How many mails this worker's send tasks said they sent, from its log."""
    log = worker.log_path.read_text()
    return sum(
        int(n) for n in re.findall(r"mails_send_task\[[^\]]+\] succeeded in [^:]+: (\d+)", log)
    )


def test_two_workers_share_the_rows_and_send_every_mail_exactly_once(
    open_letter, smtp_server, start_worker, celery_beat_process
):
    workers = [start_worker(pool="prefork", concurrency=2) for _ in range(2)]
    count = 300
    for n in range(count):
        sign(open_letter, n)

    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) >= count, timeout=90)
    assert wait_until(lambda: not SignerMail.objects.exclude(status=M.SENT).exists(), timeout=30)
    received = confirmations(smtp_server.inbox)
    assert len(received) == count
    assert set(received.values()) == {1}  # each signer got exactly one mail
    assert SignerMail.objects.filter(status=M.SENT, attempts=1).count() == count
    # Both workers took part; together they sent each mail once. A task logs what it sent once
    # it has returned, just after its last row was marked sent.
    assert wait_until(lambda: sum(sent_by(worker) for worker in workers) >= count, timeout=10)
    counts = [sent_by(worker) for worker in workers]
    assert sum(counts) == count
    assert all(n > 0 for n in counts), counts


def test_mail_outlives_a_server_outage_and_a_4xx_and_a_5xx_is_failed_with_its_words(
    open_letter, smtp_server, celery_worker_process, celery_beat_process
):
    inbox = smtp_server.inbox
    inbox.refuse("signer1@example.org", "451 4.7.1 Greylisted, please try again later", times=1)
    inbox.refuse("signer2@example.org", "550 5.1.1 No such user here")
    smtp_server.stop()  # the mail server is down while people sign
    for n in range(10):
        sign(open_letter, n)

    assert wait_until(
        lambda: SignerMail.objects.filter(status=M.RETRY, error_kind="unreachable").count() == 10
    ), list(SignerMail.objects.values_list("status", "error_kind", "last_error"))
    assert inbox.messages == []

    server = smtp_restart(smtp_server)
    try:
        assert inbox.wait(lambda: len(confirmations(inbox)) == 9, timeout=60)
        # A mail the server took is marked sent just after: wait for every row to have ended.
        ended = (M.SENT, M.FAILED)
        assert wait_until(lambda: not SignerMail.objects.exclude(status__in=ended).exists())
    finally:
        server.stop()
    received = confirmations(inbox)
    assert set(received.values()) == {1}
    assert "signer2@example.org" not in received
    refused = SignerMail.objects.get(signature__email="signer2@example.org")
    assert refused.status == M.FAILED
    assert refused.last_error == "550 5.1.1 No such user here"
    assert "refused the address (550 5.1.1 No such user here)" in refused.reason
    greylisted = SignerMail.objects.get(signature__email="signer1@example.org")
    assert greylisted.status == M.SENT
    assert greylisted.attempts >= 3  # down, greylisted, then taken
    assert greylisted.response.startswith("250 2.0.0 Ok: queued as ")
    assert SignerMail.objects.filter(status=M.SENT, last_error="").count() == 9
