"""The API's rate limit: API_RATE_LIMIT requests per client address, on Cosign's own sliding
window (letters_app.ratelimit), the address as the trusted proxies report it. Not ninja's
throttles, which take X-Forwarded-For from the client when no proxy count is set."""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from letters_app.ratelimit import PERIODS, RATE, client_ip, window_hit


def api_rate() -> tuple[int, int] | None:
    """API_RATE_LIMIT as (requests, seconds); None when it is empty (no limit)."""
    return _parsed(settings.API_RATE_LIMIT)


@functools.cache
def _parsed(value: str) -> tuple[int, int] | None:
    value = value.strip()
    if not value:
        return None
    match = RATE.fullmatch(value)
    if match is None:
        raise ValueError(f"API_RATE_LIMIT {value!r}: write it as 600/m.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * PERIODS[unit]


def client_key(request: HttpRequest) -> str:
    """The client's address; an IPv6 subscriber by their /64, which they all hold."""
    address = client_ip(request) or "unknown"
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


class ClientThrottle(BaseThrottle):
    """Counts each request against API_RATE_LIMIT for its client; one Redis command."""

    def allow_request(self, request: HttpRequest) -> bool:
        rate = api_rate()
        if rate is None:
            return True
        limit, period = rate
        return window_hit(f"api:{client_key(request)}", limit=limit, period=period) <= limit

    def wait(self) -> float | None:
        # The oldest request counted leaves the window within a period; a client that waits
        # this long is sure to get through.
        rate = api_rate()
        return float(rate[1]) if rate else None
