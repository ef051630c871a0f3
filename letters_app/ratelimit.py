"""The rate limits of public forms and downloads, counted per client address in the shared
cache (cache.hits_count); the client's address as the trusted proxies report it."""

import functools
import ipaddress
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

from letters_app import cache as letter_cache


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
    address = client_ip(request) or "unknown"
    if ":" in address:  # one IPv6 subscriber holds a whole /64
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


def _signing_rate(request: HttpRequest) -> str:
    return settings.SIGNING_RATE_LIMIT


def rate_limited(
    group: str,
    *,
    rate: Callable[[HttpRequest], str | None] = _signing_rate,
    methods: tuple[str, ...] = ("POST",),
) -> Callable[[View], View]:
    """Count the `methods` requests per client address, at `rate(request)` ("20/h"; None: not
    counted); request.limited says when they are past it, and the view answers 429 itself,
    keeping what was typed. One Redis command per counted request."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def counted(request: RateLimitedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request.limited = False
            if request.method in methods and (value := rate(request)):
                limit, period = _rate(value)
                hits = letter_cache.hits_count(f"{group}:{_rate_key(request)}", period)
                request.limited = hits > limit
            return view(request, *args, **kwargs)

        return counted

    return decorator
