"""Waiting for what another process does. Where a test can wait on the event itself (Playwright's
`expect`, the SMTP server's `inbox.wait`, a Celery result's `.get`), it does; this poll is for
the rest: a row a worker writes, a line in its log."""

import time
from collections.abc import Callable


def wait_until(
    predicate: Callable[[], object], timeout: float = 30.0, *, interval: float = 0.2
) -> bool:
    """Whether `predicate()` came true within `timeout` seconds, asked every `interval`."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(interval)
    return True
