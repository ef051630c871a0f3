"""Tasks queued on Redis: every message lands in the queue, sent through one client; the sign
form's lean send puts the same message on the queue as apply_async."""

import os
import uuid

import kombu
import pytest
import redis

from letters_app import celery
from letters_app.celery import app, producer
from letters_app.tasks import signature_mail_task

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.skipif(not BROKER.startswith("redis://"), reason="needs the Redis server (CI)")
def test_each_queued_task_is_one_message_and_the_channel_keeps_one_client():
    queue = f"test-broker-{uuid.uuid4().hex}"
    server = redis.Redis.from_url(BROKER)
    clients = set()
    try:
        for pk in (1, 2, 3):
            signature_mail_task.apply_async(
                kwargs={"signature_id": pk, "kind": "confirmation"},
                queue=queue,
                producer=producer(),  # as the sign form sends it
            )
            with app.producer_or_acquire() as pooled:
                with pooled.channel.conn_or_acquire() as client:
                    clients.add(id(client))
        assert server.llen(queue) == 3
        assert len(clients) == 1
    finally:
        server.delete(queue)


def test_a_thread_keeps_its_producer_and_another_thread_gets_its_own():
    from concurrent.futures import ThreadPoolExecutor

    assert producer() is producer()
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(producer).result()
    assert other is not producer()


def test_the_sign_forms_send_queues_the_message_apply_async_would(monkeypatch):
    # kombu's in-memory broker, through the producer that task_send takes for this thread.
    kwargs = {"signature_id": 7, "kind": "confirmation"}
    with kombu.Connection("memory://") as connection:
        memory = connection.Producer()
        monkeypatch.setattr(celery._held, "producer", memory, raising=False)
        monkeypatch.setattr(celery._held, "pid", os.getpid(), raising=False)
        signature_mail_task.apply_async(kwargs=kwargs, producer=memory)
        task_id = celery.task_send(signature_mail_task, **kwargs)
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        expected, sent = queue.get(timeout=1), queue.get(timeout=1)
        expected.ack(), sent.ack()
        queue.close()

    ids = {"id", "root_id", "correlation_id", "delivery_tag"}
    assert sent.headers["id"] == sent.properties["correlation_id"] == task_id
    assert sent.headers["timelimit"] == [60, 50]  # the task's own limits travel with it
    assert sent.decode() == expected.decode() == [[], kwargs, expected.decode()[2]]
    for part in ("headers", "properties"):
        mine, theirs = getattr(sent, part), getattr(expected, part)
        assert {k: v for k, v in mine.items() if k not in ids} == {
            k: v for k, v in theirs.items() if k not in ids
        }
