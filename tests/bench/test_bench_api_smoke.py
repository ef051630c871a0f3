"""The API bench's walk of a list by `next` works (bench/api.py). Speed is measured by
`make bench`, never here."""

import pytest

from bench import api, load
from tests.factories import signatures_bulk_create

pytestmark = pytest.mark.django_db


class TestClientConnection:
    """load.HttpClient's `request`, answered at once by Django's test client."""

    def __init__(self, client):
        self.client, self.paths = client, []

    async def request(self, method: str, path: str) -> load.Response:
        self.paths.append(path)
        response = self.client.generic(method, path)
        return load.Response(response.status_code, {}, response.content)


def run_to_end(coroutine):
    """Run a coroutine that never waits, with no event loop: the test client then answers on the
    test's own database connection and transaction."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the walk waited for something")


def test_the_walk_follows_next_to_the_last_page_and_sees_every_number(client, open_letter):
    signatures_bulk_create(open_letter, 250)
    connection = TestClientConnection(client)

    walk = run_to_end(api.list_walk(connection, api.api_path(open_letter.slug, "/signatures")))

    assert walk.numbers == list(range(1, 251))
    assert len(walk.seconds) == len(connection.paths) == 3
    assert connection.paths[1].startswith(f"/api/v1/letters/{open_letter.slug}/signatures?cursor=")
