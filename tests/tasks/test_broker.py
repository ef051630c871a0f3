"""Tasks queued on Redis: every message lands in the queue, sent through one client."""

import os
import uuid

import pytest
import redis

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
