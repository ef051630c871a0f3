import os

import pytest
from django.core.cache.backends.redis import RedisCache

from letters_app.cache import ReusingRedisCache

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.skipif(not BROKER.startswith("redis://"), reason="needs the Redis server (CI)")
def test_redis_cache_reuses_one_client_and_counts_like_django_s():
    location = BROKER.rsplit("/", 1)[0] + "/12"
    ours, django_s = ReusingRedisCache(location, {}), RedisCache(location, {})
    ours.clear()
    assert ours.add("hits", 0, 60)
    assert ours.incr("hits") == 1
    assert django_s.incr("hits") == 2  # the same data, read by Django's own backend
    assert ours.get("hits") == 2
    assert ours._cache.get_client(write=True) is ours._cache.get_client(write=False)
    ours.clear()


@pytest.mark.skipif(not BROKER.startswith("redis://"), reason="needs the Redis server (CI)")
def test_counting_a_missing_key_is_refused_and_creates_nothing():
    cache = ReusingRedisCache(BROKER.rsplit("/", 1)[0] + "/12", {})
    cache.clear()
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-added")
    assert cache.get("never-added") is None
    assert cache.add("hits", 5, 60)
    assert cache.incr("hits", 3) == 8
    # the expiry the first add gave survives counting
    assert 0 < cache._cache.get_client().ttl(cache.make_key("hits")) <= 60
    cache.clear()
