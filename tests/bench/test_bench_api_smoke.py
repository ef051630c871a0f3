"""The API bench's walk of a list by `next` works (bench/api.py). Speed is measured by
`make bench`, never here."""

import asyncio

from bench import api, load
from tests.factories import signatures_bulk_create


class TestClientConnection:
    """load.HttpClient's `request`, answered by Django's test client."""

    def __init__(self, client):
        self.client, self.paths = client, []

    async def request(self, method: str, path: str) -> load.Response:
        self.paths.append(path)
        response = self.client.generic(method, path)
        return load.Response(response.status_code, {}, response.content)


def test_the_walk_follows_next_to_the_last_page_and_sees_every_number(
    transactional_db, client, open_letter, monkeypatch
):
    # The test client answers inside the walk's event loop, on a connection of its own: the
    # letter is committed.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    signatures_bulk_create(open_letter, 250)
    connection = TestClientConnection(client)

    first = api.api_path(open_letter.slug, "/signatures")

    walk = asyncio.run(api.list_walk(connection, first))

    assert walk.numbers == list(range(1, 251))
    assert len(walk.seconds) == len(connection.paths) == 3
    assert connection.paths[1].startswith(f"/api/v1/letters/{open_letter.slug}/signatures?cursor=")
