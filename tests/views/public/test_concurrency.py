"""Twenty people press Sign at the same moment with the same address: one signature."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from letters_app.models import Signature
from tests.views.public.signing import ORGANIZATION, done_url, sign_url

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_signatures_make_one_row(open_letter, eager_tasks, settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers with a file lock: run with DATABASE_URL=postgres://")
    settings.SIGNING_RATE_LIMIT = "1000/h"
    barrier = threading.Barrier(THREADS)
    responses, failures = [], []

    def press_sign():
        try:
            client = Client()
            barrier.wait(timeout=30)
            responses.append(client.post(sign_url(open_letter), ORGANIZATION))
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_sign) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(responses) == THREADS
    assert [r.status_code for r in responses] == [302] * THREADS
    assert {r["Location"] for r in responses} == {done_url(open_letter)}
    assert Signature.objects.filter(letter=open_letter).count() == 1
