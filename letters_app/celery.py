import os
import threading
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from celery import Celery
from celery.utils import uuid
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "letters_app.settings")

app = Celery("letters_app")
# Django's CELERY_* settings, read once when Celery first needs them (see __getattr__ below).
app.config_from_object("letters_app.celery:django_settings")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_queue_folders(sender, **kwargs):
    # kombu's filesystem transport does not create its folders.
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


_held = threading.local()


def producer():
    """This thread's producer, kept from one task to the next (pass it to apply_async): taking
    one from Celery's pool and putting it back each time cost a sixth of sending a task. A
    forked process makes its own: it must not share its parent's connection."""
    if getattr(_held, "pid", None) != os.getpid():
        _held.producer, _held.pid = app.producer_pool.acquire(block=True), os.getpid()
    return _held.producer


def task_send(task, **kwargs) -> str:
    """Queue `task` with these keyword arguments, as task.apply_async(kwargs=kwargs) does, for
    the hot path of signing; returns the task's id. Celery's own amqp methods build and send
    the message (the same headers, time limits included, and the same retry on a lost
    connection), without apply_async's option merging, routing and result bookkeeping, which
    cost a third of sending. The message goes to the default queue by name, which the worker
    declares: declaring it again on every send cost a fifth. The arguments are shown in logs
    with repr(), which prints these plain values as Celery's own repr does."""
    if app.conf.task_always_eager:
        return task.apply_async(kwargs=kwargs).id
    task_id, amqp = uuid(), app.amqp
    message = amqp.create_task_message(
        task_id, task.name, (), kwargs, argsrepr="()", kwargsrepr=repr(kwargs),
        time_limit=task.time_limit, soft_time_limit=task.soft_time_limit,
        ignore_result=task.ignore_result, reply_to=app.thread_oid,
    )  # fmt: skip
    amqp.send_task_message(producer(), task.name, message, declare=[])
    return task_id


class _RedisChannel(kombu_redis.Channel):
    """kombu builds a new redis-py client for every message it sends, which costs more than
    sending it. One client per channel serves them all: clients are safe to share, each command
    takes a connection from the channel's pool."""

    @contextmanager
    def conn_or_acquire(self, client=None):
        yield client or self._shared_client

    @cached_property
    def _shared_client(self):
        return self._create_client()


class RedisTransport(kombu_redis.Transport):
    """kombu's Redis transport (CELERY_BROKER_TRANSPORT), with the channel above."""

    Channel = _RedisChannel


def __getattr__(name: str):
    """`django_settings`: the CELERY_* settings as a dict, under Celery's own names
    (CELERY_BROKER_URL is broker_url). Celery looks up several names on every task it sends: on
    Django's settings object each name that is not set raised and caught an exception, and under
    a namespace each lookup tried a dozen spellings, which together cost a fifth of sending."""
    if name != "django_settings":
        raise AttributeError(name)
    from django.conf import settings

    return {
        key.removeprefix("CELERY_").lower(): getattr(settings, key)
        for key in dir(settings)
        if key.startswith("CELERY_")
    }
