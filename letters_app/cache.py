"""Django's Redis cache, keeping one client per connection pool; the rate limits' counters, kept
in that cache; and the letter a sign POST needs, kept in each process for a second.

Django builds a new redis-py client for every cache call, and building one costs more than the
call itself: every sign POST counts its rate limit there."""

import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:  # redis-py clients are safe to share between threads
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient


# --- the letter a sign POST needs ------------------------------------------------------------

# Every service that changes what signing reads forgets the letter in its own process at once;
# the other processes read it again within this time.
SIGNING_LETTER_TTL = 1.0  # seconds
_letters: dict[str, tuple[float, object]] = {}


def letter_get_for_signing(slug: str):
    """The public letter with its signing fields, kept in this process for SIGNING_LETTER_TTL:
    a sign POST then reads no letter row, and no cache server either. Raises Http404 like the
    selector, and remembers only letters that exist."""
    from letters_app import selectors

    now = time.monotonic()
    held = _letters.get(slug)
    if held is None or now - held[0] > SIGNING_LETTER_TTL:
        held = _letters[slug] = (now, selectors.letter_get_for_signing(slug))
    return held[1]


def letter_signing_forget(*slugs: str) -> None:
    """Drop these letters from this process's signing cache (all of them without a slug)."""
    if not slugs:
        _letters.clear()
    for slug in slugs:
        _letters.pop(slug, None)


# --- rate limits --------------------------------------------------------------------------------


_HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""


def hits_count(key: str, period: int) -> int:
    """Count one hit on `key` in the current window of `period` seconds; returns the window's
    hits, this one included. On Redis one command: INCR, and EXPIRE on the window's first."""
    from django.core.cache import caches

    cache = caches["default"]  # the backend itself: each use of the proxy looks it up again
    key = f"hits:{key}:{period}:{int(time.time()) // period}"
    if isinstance(cache, ReusingRedisCache):
        full_key = cache.make_and_validate_key(key)
        return cache._cache.get_client(full_key, write=True).eval(_HIT, 1, full_key, period)
    if cache.add(key, 1, period):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired just now: a new window
        cache.add(key, 1, period)
        return 1
