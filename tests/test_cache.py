import os

import pytest
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from letters_app import cache as letter_cache
from letters_app.cache import hits_count, letter_page_forget, letter_page_held
from tests.clock import MIDDAY

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture(params=["redis", "memory"])
def shared_cache(request, settings):
    """The default cache on Redis (as in production) or in memory (on a laptop), emptied."""
    from django.core.cache import cache

    if request.param == "redis":
        if not BROKER.startswith("redis://"):
            pytest.skip("needs the Redis server (CI)")
        location = BROKER.rsplit("/", 1)[0] + "/12"
        settings.CACHES = {
            "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location}
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.mark.time_machine(MIDDAY, tick=False)  # all three hits in one window
def test_hits_are_counted_per_key_and_expire_with_their_window(shared_cache):
    assert [hits_count("sign:192.0.2.1", 3600) for _ in range(3)] == [1, 2, 3]
    assert hits_count("sign:192.0.2.2", 3600) == 1
    assert hits_count("sign:192.0.2.1", 60) == 1  # another rate, another count
    if isinstance(shared_cache, RedisCache):
        client = get_redis_connection("default")
        keys = client.keys("*hits:sign:192.0.2.1:3600:*")
        assert len(keys) == 1
        assert 0 < client.ttl(keys[0]) <= 3600


def test_a_held_answer_is_served_by_its_process_for_a_second_and_dropped_with_its_letter(
    shared_cache, monkeypatch
):
    renders = []

    def render():
        renders.append(1)
        return f"counts {len(renders)}".encode()

    assert letter_page_held("a-letter", "api:counts", render).content == b"counts 1"
    shared_cache.clear()  # gone from the shared cache: this process still holds it
    assert letter_page_held("a-letter", "api:counts", render).content == b"counts 1"
    letter_page_forget("a-letter")  # a change made in this process shows at once
    assert letter_page_held("a-letter", "api:counts", render).content == b"counts 2"
    monkeypatch.setattr(letter_cache, "PAGE_HELD_SECONDS", 0)  # the second has passed
    shared_cache.clear()
    assert letter_page_held("a-letter", "api:counts", render).content == b"counts 3"
    letter_page_forget("a-letter")
