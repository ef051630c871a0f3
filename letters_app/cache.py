"""The shared cache (django-redis on Redis, or each process's memory on a laptop): the rate
limits' counters; the letter a sign POST needs, kept in each process for a second; and the pages
anonymous readers get."""

import dataclasses
import hashlib
import secrets
import time
from collections.abc import Callable

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from letters_app import selectors
from letters_app.models import Letter
from letters_app.ratelimit import script

# --- the letter a sign POST needs ------------------------------------------------------------

# Every service that changes what signing reads forgets the letter in its own process at once;
# the other processes read it again within this time.
SIGNING_LETTER_TTL = 1.0  # seconds
_letters: dict[str, tuple[float, Letter]] = {}


def letter_get_for_signing(slug: str) -> Letter | None:
    """The public letter with its signing fields, kept in this process for SIGNING_LETTER_TTL:
    a sign POST then reads no letter row, and no cache server either. None like the selector;
    only letters that exist are remembered."""
    now = time.monotonic()
    held = _letters.get(slug)
    if held is None or now - held[0] > SIGNING_LETTER_TTL:
        letter = selectors.letter_get_for_signing(slug)
        if letter is None:
            return None
        held = _letters[slug] = (now, letter)
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
    cache = caches["default"]  # the backend itself: each use of the proxy looks it up again
    key = f"hits:{key}:{period}:{int(time.time()) // period}"
    if isinstance(cache, RedisCache):
        full_key = cache.make_key(key)
        return script(get_redis_connection("default"), _HIT)(keys=[full_key], args=[period])
    if cache.add(key, 1, period):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired just now: a new window
        cache.add(key, 1, period)
        return 1


# --- the pages anonymous readers get ----------------------------------------------------------

# A letter's page for readers who are not signed in is rendered once per letter, language of
# the pages and list page (with its filters), and kept in the shared cache. It is served while it
# is younger than PAGE_FRESH_SECONDS and was rendered under its letter's present version token: a
# service that changes what the page shows drops the token once it commits, and the next reader
# gets the page rendered again. New signatures, which may come by hundreds a second, drop
# nothing: they show (and the counts move) within PAGE_FRESH_SECONDS.
PAGE_FRESH_SECONDS = 3
PAGE_KEEP_SECONDS = 3600  # a stale page is kept to compare: unchanged, it keeps Last-Modified


@dataclasses.dataclass(frozen=True)
class Page:
    content: bytes
    etag: str
    last_modified: float  # when the content last changed (time.time())
    rendered_at: float
    version: str  # the letter's version token it was rendered under


def _version_key(slug: str) -> str:
    return f"letter-page-version:{slug}"


def letter_page(slug: str, variant: str, render: Callable[[], bytes]) -> Page:
    """The letter's page for anonymous readers in this `variant` (language, list page, filters):
    from the shared cache when it is fresh, else `render()`ed and kept. One cache round trip
    when it is fresh."""
    cache = caches["default"]
    version_key = _version_key(slug)
    page_key = f"letter-page:{slug}:{hashlib.sha256(variant.encode()).hexdigest()[:32]}"
    found = cache.get_many([version_key, page_key])
    version, kept = found.get(version_key), found.get(page_key)
    now = time.time()
    if (
        kept is not None
        and kept.version == version
        and 0 <= now - kept.rendered_at < PAGE_FRESH_SECONDS
    ):
        return kept
    if version is None:  # the first page of this letter, or its version was just dropped
        version = secrets.token_hex(8)
        if not cache.add(version_key, version, PAGE_KEEP_SECONDS * 24):
            version = cache.get(version_key, version)
    # The token is read before the page is rendered: a change committed meanwhile drops it, and
    # this page, rendered under the old one, is not served again.
    content = render()
    etag = hashlib.sha256(content).hexdigest()[:32]
    last_modified = kept.last_modified if kept is not None and kept.etag == etag else now
    page = Page(content, etag, last_modified, now, version)
    cache.set(page_key, page, PAGE_KEEP_SECONDS)
    return page


def letter_page_forget(*slugs: str) -> None:
    """Drop these letters' page version tokens: the next reader of each page gets it rendered
    anew. Called inside the change's transaction, before it commits: a reader rendering the page
    in between gets what was there before, for PAGE_FRESH_SECONDS at most."""
    caches["default"].delete_many([_version_key(slug) for slug in dict.fromkeys(slugs) if slug])
    for key in [key for key in _held if key[0] in slugs]:
        _held.pop(key, None)


# A small answer polled by every open embed and partner site (a letter's counts) is also kept
# in each process for PAGE_HELD_SECONDS: within that second it costs no cache round trip. A
# change shows there within PAGE_FRESH_SECONDS + PAGE_HELD_SECONDS (at once in the process that
# made it).
PAGE_HELD_SECONDS = 1.0
PAGE_HELD_MAX = 1024  # answers per process; all are dropped when more are asked for
_held: dict[tuple[str, str], tuple[float, Page]] = {}


def letter_pages_held_clear() -> None:
    """Drop every answer this process holds (between tests)."""
    _held.clear()


def letter_page_held(slug: str, variant: str, render: Callable[[], bytes]) -> Page:
    """letter_page(), kept in this process for PAGE_HELD_SECONDS."""
    now = time.monotonic()
    held = _held.get((slug, variant))
    if held is None or not 0 <= now - held[0] < PAGE_HELD_SECONDS:
        if len(_held) >= PAGE_HELD_MAX:
            _held.clear()
        held = _held[slug, variant] = (now, letter_page(slug, variant, render))
    return held[1]


PAGE_TOUCHES_PER_SECOND = 3


def letter_page_touch(slug: str) -> None:
    """A signature was listed: drop the letter's page version token, for the first
    PAGE_TOUCHES_PER_SECOND names of each second. A name on a quiet letter shows at once; when a
    crowd signs, each page is rendered a few times a second at most, and every name shows within
    PAGE_FRESH_SECONDS."""
    if hits_count(f"letter-page-touch:{slug}", 1) <= PAGE_TOUCHES_PER_SECOND:
        letter_page_forget(slug)
