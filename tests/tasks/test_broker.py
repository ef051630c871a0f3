"""Tasks queued on Redis: every message lands in the queue, sent through one client."""

import os
import uuid

import pytest
import redis

from letters_app.celery import app
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
                kwargs={"signature_id": pk, "kind": "confirmation"}, queue=queue
            )
            with app.producer_or_acquire() as producer:
                with producer.channel.conn_or_acquire() as client:
                    clients.add(id(client))
        assert server.llen(queue) == 3
        assert len(clients) == 1
    finally:
        server.delete(queue)
