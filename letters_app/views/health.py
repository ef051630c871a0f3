"""`/healthz`, for the container's probe and the proxy or monitor in front: whether this web
process reaches the database and the broker. It touches no session and is never cached, so each
probe asks again."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

logger = logging.getLogger(__name__)

# Seconds a probe waits for the broker: well under the probe's own timeout.
BROKER_TIMEOUT = 3


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=BROKER_TIMEOUT,
    )
    try:
        broker.ensure_connection(max_retries=0)  # one try: the probe asks again soon
    finally:
        broker.release()


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when both answer; else 503 naming each part and whether it failed (the reason
    goes to the log, not to whoever asked)."""
    failed = []
    for part, check in (("database", _database), ("broker", _broker)):
        try:
            check()
        except Exception as exc:  # whatever stops a part is that part's failure
            logger.warning("Health check: the %s is unavailable: %s", part, exc)
            failed.append(part)
    if not failed:
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")
    lines = "".join(
        f"{part}: {'failed' if part in failed else 'ok'}\n" for part in ("database", "broker")
    )
    return HttpResponse(lines, status=503, content_type="text/plain; charset=utf-8")
