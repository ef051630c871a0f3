"""The real things integration and browser tests talk to: an SMTP server (aiosmtpd) on 127.0.0.1,
Celery workers and beat in their own processes, on the configured broker and the test database."""

import asyncio
import collections
import email
import email.policy
import os
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from letters_app.celery import app as celery_app
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]


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
        self._arrived = threading.Condition()

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
        reply = f"250 2.0.0 Ok: queued as {secrets.token_hex(5).upper()}"
        with self._arrived:
            self.replies[str(message["Message-ID"])] = reply
            self.messages.append((envelope.rcpt_tos, message))
            self._arrived.notify_all()
        return reply

    def wait(self, predicate: Callable[[], object], timeout: float = 30.0) -> bool:
        """Whether `predicate()` (about `messages`) came true within `timeout` seconds: asked
        now, then each time a message arrives."""
        with self._arrived:
            return bool(self._arrived.wait_for(predicate, timeout))


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


def _celery(env: dict) -> list[str]:
    """The command that runs Celery: with its clock moved when env has TEST_CLOCK_OFFSET."""
    if "TEST_CLOCK_OFFSET" in env:
        return [sys.executable, "-m", "tests.clocked"]
    return [sys.executable, "-m", "celery"]


def worker_launch(
    env: dict, log_path: Path, *, name: str, pool: str = "solo", concurrency: int = 1
) -> subprocess.Popen:
    """Start a real Celery worker in its own process and return it once it is ready, its log
    at `.log_path` and open at `.log`."""
    log = log_path.open("w+")
    worker = subprocess.Popen(
        [*_celery(env), "-A", "letters_app", "worker", f"--pool={pool}",
         f"--concurrency={concurrency}", f"--hostname={name}-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker.log_path, worker.log = log_path, log
    wait_until(lambda: "ready." in log_path.read_text() or worker.poll() is not None, 60)
    if "ready." not in log_path.read_text():
        worker.kill()
        pytest.fail("Celery worker did not start:\n" + log_path.read_text())
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


def smtp_restart(controller: Controller) -> Controller:
    """The same server (its inbox and refusals) back on the same port after stop()."""
    again = Controller(controller.inbox, hostname="127.0.0.1", port=controller.port)
    again.start()
    again.inbox = controller.inbox
    return again


def beat_launch(env: dict, directory: Path) -> subprocess.Popen:
    """Start Celery beat in its own process and return it once it has sent a task, its log at
    `.log_path` and open at `.log`."""
    log_path = directory / "beat.log"
    log = log_path.open("w+")
    beat = subprocess.Popen(
        [*_celery(env), "-A", "letters_app", "beat", "--loglevel=INFO",
         f"--schedule={directory / 'beat-schedule'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    beat.log_path, beat.log = log_path, log
    wait_until(lambda: "Sending due task" in log_path.read_text() or beat.poll() is not None)
    if beat.poll() is not None or "Sending due task" not in log_path.read_text():
        beat.kill()
        pytest.fail("Celery beat did not start:\n" + log_path.read_text())
    return beat
