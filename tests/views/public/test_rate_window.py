"""The sign form's rate limit counts over a sliding hour, not per clock hour: a burst on either
side of :00 is one burst. On Redis (production) and in each process's memory (a laptop)."""

import datetime
import os

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection

from letters_app.models import Signature
from letters_app.ratelimit import window_hit
from tests.views.public.signing import ORGANIZATION, sign_url

pytestmark = pytest.mark.django_db

JUST_BEFORE_THE_HOUR = datetime.datetime(2026, 3, 5, 12, 59, 0, tzinfo=datetime.UTC)


def _redis_location() -> str | None:
    """The Redis database of the cache when CACHE_URL names one, else beside the broker's."""
    cache_url = os.environ.get("CACHE_URL", "")
    if cache_url.startswith("redis://"):
        return cache_url
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return broker.rsplit("/", 1)[0] + "/12" if broker.startswith("redis://") else None


@pytest.fixture(params=["redis", "memory"])
def shared_cache(request, settings):
    """The default cache on Redis (as in production) or in memory (on a laptop), emptied."""
    if request.param == "redis":
        location = _redis_location()
        if location is None:
            pytest.skip("needs the Redis server (CI)")
        settings.CACHES = {
            "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location}
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield request.param
    cache.clear()


def sign(client, letter, n):
    data = {**ORGANIZATION, "email": f"signer{n}@example.org", "name": f"Association {n}"}
    return client.post(sign_url(letter), data).status_code


def test_twenty_before_the_hour_and_twenty_after_are_one_burst(
    client, open_letter, shared_cache, time_machine, django_capture_on_commit_callbacks, settings
):
    settings.SIGNING_RATE_LIMIT = "20/h"
    with django_capture_on_commit_callbacks(execute=False):
        time_machine.move_to(JUST_BEFORE_THE_HOUR, tick=False)
        before = [sign(client, open_letter, n) for n in range(20)]
        time_machine.move_to(JUST_BEFORE_THE_HOUR + datetime.timedelta(minutes=1, seconds=30))
        after = [sign(client, open_letter, 20 + n) for n in range(20)]
        # An hour after the first burst, its requests have left the window.
        time_machine.move_to(JUST_BEFORE_THE_HOUR + datetime.timedelta(hours=1, seconds=1))
        next_hour = [sign(client, open_letter, 40 + n) for n in range(21)]
    assert before == [302] * 20
    assert after == [429] * 20
    assert next_hour == [302] * 20 + [429]
    assert Signature.objects.count() == 40


def test_requests_spread_over_hours_at_the_rate_all_pass(
    client, open_letter, shared_cache, time_machine, django_capture_on_commit_callbacks
):
    statuses = []
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(60):  # one every three minutes for three hours: 20 in any hour
            moment = JUST_BEFORE_THE_HOUR + datetime.timedelta(minutes=3 * n)
            time_machine.move_to(moment, tick=False)
            statuses.append(sign(client, open_letter, n))
    assert statuses == [302] * 60


def test_refused_requests_do_not_keep_a_client_out_longer(shared_cache, time_machine):
    time_machine.move_to(JUST_BEFORE_THE_HOUR, tick=False)
    assert [window_hit("sign:192.0.2.1", limit=2, period=60) for _ in range(2)] == [1, 2]
    time_machine.move_to(JUST_BEFORE_THE_HOUR + datetime.timedelta(seconds=59), tick=False)
    assert window_hit("sign:192.0.2.1", limit=2, period=60) == 3  # refused
    assert window_hit("sign:192.0.2.2", limit=2, period=60) == 1  # another address
    assert window_hit("sign:192.0.2.1", limit=2, period=3600) == 1  # another rate
    time_machine.move_to(JUST_BEFORE_THE_HOUR + datetime.timedelta(seconds=60), tick=False)
    assert window_hit("sign:192.0.2.1", limit=2, period=60) == 1


def test_on_redis_a_window_keeps_at_most_the_limit_and_expires(shared_cache, time_machine):
    if shared_cache != "redis":
        pytest.skip("the Redis keys")

    time_machine.move_to(JUST_BEFORE_THE_HOUR, tick=False)
    for _ in range(5):
        window_hit("sign:192.0.2.1", limit=3, period=3600)
    client = get_redis_connection("default")
    key = cache.make_key("window:sign:192.0.2.1:3600")
    assert client.zcard(key) == 3
    assert 0 < client.pttl(key) <= 3600 * 1000
