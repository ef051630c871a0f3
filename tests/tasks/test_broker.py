"""Waking a worker: a change that writes mail rows sends one ordinary Celery task message
(through the task's public apply_async), at most once per MAIL_KICK_SECONDS per process, from
any process, web ones included; the mail itself waits in its rows whatever the broker does."""

import base64
import json
import math
import os
import subprocess
import sys

import pytest
import redis

from letters_app import tasks
from letters_app.celery import app
from letters_app.services import mails

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def kicks(monkeypatch):
    """The wake-ups sent, instead of a broker: the options each was sent with."""
    sent = []
    monkeypatch.setattr(mails, "_last_kick", -math.inf)
    monkeypatch.setattr(
        tasks.mails_send_task, "apply_async", lambda *args, **options: sent.append(options)
    )
    return sent


def test_a_wake_up_is_sent_with_the_tasks_public_apply_async_and_expires(kicks, settings):
    mails.mails_kick()
    assert kicks == [{"retry": False, "expires": settings.MAIL_KICK_EXPIRES}]


def test_wake_ups_are_sent_at_most_once_per_interval(kicks, settings):
    settings.MAIL_KICK_SECONDS = 3600
    for _ in range(5):
        mails.mails_kick()
    assert len(kicks) == 1


@pytest.mark.skipif(not BROKER.startswith("redis://"), reason="needs the Redis server (CI)")
def test_a_wake_up_is_one_ordinary_task_message_on_the_queue(monkeypatch):
    monkeypatch.setattr(mails, "_last_kick", -math.inf)
    server = redis.Redis.from_url(BROKER)
    queue = app.conf.task_default_queue
    before = server.llen(queue)
    mails.mails_kick()
    try:
        assert server.llen(queue) == before + 1
        message = json.loads(server.lindex(queue, 0))
        assert message["headers"]["task"] == mails.SEND_TASK
        assert message["headers"]["expires"]  # dropped if no worker takes it in time
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        assert (args, kwargs) == ([], {})
    finally:
        server.lpop(queue)


def test_a_process_that_never_imported_the_tasks_still_wakes_a_worker():
    # A web process loads the URLs and views, not letters_app.tasks: the wake-up it sends after
    # a signature must reach the broker all the same (kombu's in-memory broker, in that process).
    script = """
import django
django.setup()
from django.urls import resolve
resolve("/")
import kombu
from letters_app.celery import app
from letters_app.services import mails
mails.mails_kick()
with kombu.Connection("memory://") as connection:
    queue = connection.SimpleQueue(app.conf.task_default_queue)
    message = queue.get(timeout=1)
    print(message.headers["task"])
"""
    env = {**os.environ, "CELERY_BROKER_URL": "memory://", "MAIL_KICK_SECONDS": "0",
           "DJANGO_SETTINGS_MODULE": "letters_app.settings"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == mails.SEND_TASK, done.stderr[-2000:]
