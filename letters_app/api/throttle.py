"""The API's rate limit: API_RATE_LIMIT requests per client address, on Cosign's own sliding
window (letters_app.ratelimit), the address as the trusted proxies report it. Not ninja's
throttles, which take X-Forwarded-For from the client when no proxy count is set."""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from letters_app.ratelimit import address_bucket, client_ip, rate_hit, rate_period


class ClientThrottle(BaseThrottle):
    """Counts each request against API_RATE_LIMIT (empty: no limit) for its client; one Redis
    command."""

    def allow_request(self, request: HttpRequest) -> bool:
        rate = settings.API_RATE_LIMIT.strip()
        return not rate or not rate_hit(f"api:{address_bucket(client_ip(request))}", rate)

    def wait(self) -> float | None:
        # The oldest request counted leaves the window within a period; a client that waits
        # this long is sure to get through.
        rate = settings.API_RATE_LIMIT.strip()
        return float(rate_period(rate)) if rate else None
