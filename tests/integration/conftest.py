import asyncio
import collections
import contextlib
import email
import email.policy
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from letters_app.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class _Inbox:
    """An aiosmtpd handler that keeps every message it receives, parsed. A test can make it
    refuse an address (`refuse`), or slow (`delay` seconds before answering each RCPT, so that
    a client killed meanwhile has not handed its message over)."""

    def __init__(self):
        self.messages = []
        self.replies = {}  # Message-ID: the reply to its DATA, with a queue id as Postfix gives
        self.delay = 0.0
        self.rcpt_attempts = collections.Counter()
        self._refusals = {}

    def refuse(self, address: str, reply: str, *, times: int | None = None) -> None:
        """Answer RCPT TO:<address> with `reply` ("451 …", "550 …"): `times` times, or always."""
        self._refusals[address] = [reply, times]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.rcpt_attempts[address] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        refusal = self._refusals.get(address)
        if refusal and (refusal[1] is None or refusal[1] > 0):
            if refusal[1] is not None:
                refusal[1] -= 1
            return refusal[0]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        reply = f"250 2.0.0 Ok: queued as {secrets.token_hex(5).upper()}"
        self.replies[str(message["Message-ID"])] = reply
        return reply


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_start() -> Controller:
    """A real SMTP server on 127.0.0.1; `.inbox.messages` holds (recipients, message) pairs."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    controller.inbox = inbox
    return controller


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 for one test (see smtp_start)."""
    controller = smtp_start()
    yield controller
    with contextlib.suppress(AssertionError, RuntimeError):  # a test stopped it: an outage
        controller.stop()


@pytest.fixture
def worker_env():
    """Extra environment for the worker process; tests add to it before the worker starts."""
    return {}


def smtp_env(smtp_server, **extra: str) -> dict:
    """The worker's environment for mailing through the test's SMTP server."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_USE_TLS": "false",
        "SITE_URL": "http://testserver",
        **extra,
    }


def broker_is_redis() -> bool:
    return celery_app.conf.broker_url.startswith(("redis://", "rediss://"))


def worker_env_for(extra: dict) -> dict:
    """The environment of a worker on the configured broker and the test database."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "letters_app.settings",
        "TASK_LOG_LEVEL": "INFO",  # the tests read each task's outcome in the worker's log
        # A worker that queues mail (the letter's PDF made, its signers to tell) wakes another
        # task every time, as the tests' own process does: in production one wake-up a second
        # is enough, beat's tick sending the rest, and most tests here run no beat.
        "MAIL_KICK_SECONDS": "0",
        **extra,
    }


def worker_launch(
    env: dict, log_path: Path, *, name: str, pool: str = "solo", concurrency: int = 1
) -> subprocess.Popen:
    """Start a real Celery worker in its own process and return it once it is ready, its log
    at `.log_path` and open at `.log`."""
    log = log_path.open("w+")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "letters_app", "worker", f"--pool={pool}",
         f"--concurrency={concurrency}", f"--hostname={name}-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker.log_path, worker.log = log_path, log
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail("Celery worker did not start:\n" + log_path.read_text())
        time.sleep(0.2)
    return worker


def worker_stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    worker.log.close()


@pytest.fixture
def start_worker(transactional_db, tmp_path, worker_env):
    """Start real Celery workers, each in its own process, on the configured broker and the test
    database: `start_worker(pool="prefork", concurrency=2)` returns the process once it is
    ready, its log at `.log_path`. Every worker still running is stopped at the end."""
    env = worker_env_for(worker_env)
    # Tasks queued by earlier tests that had no worker would otherwise reach this one and may
    # name rows of this test's database that happen to have the same ids.
    celery_app.control.purge()
    started = []

    def start(*, pool: str = "solo", concurrency: int = 1) -> subprocess.Popen:
        n = len(started) + 1
        worker = worker_launch(
            env, tmp_path / f"worker-{n}.log", name=f"worker{n}", pool=pool,
            concurrency=concurrency,
        )  # fmt: skip
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker_stop(worker)


@pytest.fixture
def celery_beat_process(transactional_db, tmp_path, worker_env):
    """Celery beat in its own process, ticking every half second: it wakes the workers for the
    mails that are due again after a failure, as in production."""
    env = worker_env_for({"MAIL_TICK_SECONDS": "0.5", **worker_env})
    log_path = tmp_path / "beat.log"
    log = log_path.open("w+")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "letters_app", "beat", "--loglevel=INFO",
         f"--schedule={tmp_path / 'beat-schedule'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    beat.log_path, beat.log = log_path, log
    wait_for(lambda: "Sending due task" in log_path.read_text() or beat.poll() is not None)
    if beat.poll() is not None or "Sending due task" not in log_path.read_text():
        beat.kill()
        pytest.fail("Celery beat did not start:\n" + log_path.read_text())
    yield beat
    worker_stop(beat)


def smtp_restart(controller: Controller) -> Controller:
    """The same server (its inbox and refusals) back on the same port after stop()."""
    again = Controller(controller.inbox, hostname="127.0.0.1", port=controller.port)
    again.start()
    again.inbox = controller.inbox
    return again


@pytest.fixture
def celery_worker_process(start_worker):
    """A real Celery worker (solo pool) in its own process."""
    return start_worker()


def wait_for(predicate, *, timeout=30.0, interval=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return False
