"""The rate limits of public forms and downloads, counted per client address in the shared
cache over a sliding window; the client's address as the trusted proxies report it.

A rate of 20/h lets 20 requests through in any hour, not 20 in each clock hour: with counters
per clock hour, 20 requests just before :00 and 20 just after would all pass. The window keeps
the times of the requests it let through (at most the limit's number, per address), so it is
exact: the 21st passes once the first is an hour old. On Redis that is a sorted set, read and
written by one script; in each process's memory (a laptop), a list of times under a lock."""

import functools
import ipaddress
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis import Redis
from redis.commands.core import Script


class RateLimitedRequest(HttpRequest):
    """A request to a @rate_limited page: `limited` says whether its client is past the rate."""

    limited: bool


type View = Callable[..., HttpResponseBase]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies, each appending the address it
    was reached from to X-Forwarded-For, it is that many entries from the right: everything
    further left was written by the client and proves nothing."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies > 0 and len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
        address = forwarded[-proxies]
    return address if _is_ip(address) else None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _rate_key(request: HttpRequest) -> str:
    return address_bucket(client_ip(request))


def address_bucket(address: str | None) -> str:
    """What one client is counted under: its address, or its /64 for IPv6, where one
    subscriber holds a whole /64."""
    address = address or "unknown"
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


RATE = re.compile(r"(\d+)/(\d*)([smhd])")
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.cache
def _rate(value: str) -> tuple[int, int]:
    """A rate as (requests, seconds): "20/h" is (20, 3600), "5/10m" (5, 600)."""
    match = RATE.fullmatch(value.strip())
    if match is None:
        raise ImproperlyConfigured(f"Rate limit {value!r}: write it as 20/h.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * PERIODS[unit]


# Drop the times that left the window; count what is left; when under the limit, keep this
# request's time too. Returns the count with this request: past the limit when above it.
_SLIDE = """
local now, period, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local hits = redis.call('ZCARD', KEYS[1]) + 1
if hits <= limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000))
end
return hits
"""

_memory_lock = threading.Lock()


@functools.cache
def script(connection: Redis, source: str) -> Script:
    """The Lua `source` registered on this Redis connection: called, it sends the script's
    SHA-1 (EVALSHA), and the whole script only the first time the server is asked."""
    return connection.register_script(source)


def window_hit(key: str, *, limit: int, period: int) -> int:
    """Count one request on `key` against `limit` requests in the last `period` seconds:
    returns how many the window holds with this one (above `limit`: refused, and not kept, so
    that refused requests do not keep a client out longer). The clock is this process's, so
    that every process (and a test's frozen clock) agrees on the window; one Redis command."""
    cache = caches["default"]
    now = time.time()
    key = f"window:{key}:{period}"
    if isinstance(cache, RedisCache):
        full_key = cache.make_key(key)
        member = f"{now:.6f}:{secrets.token_hex(4)}"  # two requests in one microsecond
        slide = script(get_redis_connection("default"), _SLIDE)
        return int(slide(keys=[full_key], args=[now, period, limit, member]))
    with _memory_lock:  # one process's memory: the lock makes read-and-write one step
        times = [t for t in cache.get(key, []) if t > now - period]
        hits = len(times) + 1
        if hits <= limit:
            cache.set(key, [*times, now], period)
        return hits


def rate_hit(key: str, rate: str) -> bool:
    """Count one request on `key` at `rate` ("20/h") over a sliding window, as @rate_limited
    does for a client address: whether it is past the rate."""
    limit, period = _rate(rate)
    return window_hit(key, limit=limit, period=period) > limit


def rate_period(rate: str) -> int:
    """The window of a rate ("20/h"), in seconds."""
    return _rate(rate)[1]


def _signing_rate(request: HttpRequest) -> str:
    return settings.SIGNING_RATE_LIMIT


def rate_limited(
    group: str,
    *,
    rate: Callable[[HttpRequest], str | None] = _signing_rate,
    methods: tuple[str, ...] = ("POST",),
) -> Callable[[View], View]:
    """Count the `methods` requests per client address, at `rate(request)` ("20/h"; None: not
    counted), over a sliding window; request.limited says when they are past it, and the view
    answers 429 itself, keeping what was typed. One Redis command per counted request."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def counted(request: RateLimitedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request.limited = False
            if request.method in methods and (value := rate(request)):
                limit, period = _rate(value)
                hits = window_hit(f"{group}:{_rate_key(request)}", limit=limit, period=period)
                request.limited = hits > limit
            return view(request, *args, **kwargs)

        return counted

    return decorator
