"""The public read endpoints: published letters, their texts, signatories and counts.

Each answer about a letter is rendered once and kept in the same cache as the letter's public
pages (letters_app.cache.letter_page), so the services that drop a page's version token drop the
API's answers too, and new signatures show within PAGE_FRESH_SECONDS. Everything a letter says
is rendered in its own language (country names, address blocks), never the requester's."""

import base64
import binascii
import datetime
import hashlib
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django_countries import countries
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from letters_app import cache as letter_cache
from letters_app import selectors
from letters_app.api import schemas
from letters_app.api.throttle import ClientThrottle
from letters_app.models import Letter, LetterTranslation, Signature
from letters_app.rendering import (
    SIGNATORY_FIELDS,
    LetterView,
    letter_view,
    signatory_lines,
    snapshot_view,
)

router = Router(tags=["Letters"], throttle=[ClientThrottle()])

# A cache or browser may keep an answer this long; with PAGE_FRESH_SECONDS, a count is then at
# most 5 s behind, as on the public page. After that, If-None-Match gets a 304 when unchanged.
MAX_AGE = 5 - letter_cache.PAGE_FRESH_SECONDS
LIST_SECONDS = 5  # the list of published letters, kept whole under its own key
LIST_KEY = "api:letters"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# 304: unchanged since the ETag given in If-None-Match, no body.
ERRORS = {304: None, 404: schemas.Error, 429: schemas.Error}

# --- answers from the cache, with their validators ----------------------------------------------


def _answer(request: HttpRequest, content: bytes, etag: str, last_modified: float) -> HttpResponse:
    """The JSON answer with ETag and Last-Modified, or 304 when the client has it already."""
    etag = quote_etag(etag)
    response = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified)
    ) or HttpResponse(content, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _from_cache(
    request: HttpRequest,
    slug: str,
    variant: str,
    render: Callable[[Letter], Schema],
    *,
    held: bool = False,
) -> HttpResponse:
    """The answer about the letter at `slug` in this `variant`, from the letter pages' cache (and
    `held` a second in this process too), or rendered from the letter by `render` in the letter's
    own language. 404 for a draft or no letter, which is not kept."""

    def content() -> bytes:
        letter = selectors.letter_get_public(slug)
        if letter is None:
            raise HttpError(404, f"No published letter at {slug!r}.")
        with translation.override(letter.language):
            return render(letter).model_dump_json().encode()

    cached = letter_cache.letter_page_held if held else letter_cache.letter_page
    page = cached(slug, f"api:{variant}", content)
    return _answer(request, page.content, page.etag, page.last_modified)


def _url(name: str, **kwargs: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _api_url(name: str, slug: str) -> str:
    return _url(f"api-v1:{name}", slug=slug)


# --- the list ------------------------------------------------------------------------------------


@router.get(
    "/letters",
    response={200: schemas.LetterList, 304: None, 429: schemas.Error},
    summary="Published letters",
    operation_id="letters_list",
    url_name="letters_list",
)
def letters_list(request: HttpRequest):
    """Every letter that is no longer a draft, the last changed first, with its listed total.
    Kept whole for a few seconds."""
    cache = caches["default"]
    kept = cache.get(LIST_KEY)
    if kept is None:
        letters = []
        for letter in selectors.letter_list_public():
            with translation.override(letter.language):
                url = settings.SITE_URL + letter.get_absolute_url()
            letters.append(
                schemas.LetterSummary(
                    slug=letter.slug,
                    title=letter.title,
                    language=letter.language,
                    kind=letter.kind,
                    status=letter.status,
                    signing_deadline=letter.signing_deadline,
                    total=letter.signature_count,
                    url=url,
                    api_url=_api_url("letter_get", letter.slug),
                    updated_at=letter.updated_at,
                )  # fmt: skip
            )
        content = schemas.LetterList(letters=letters).model_dump_json().encode()
        changed = max((s.updated_at.timestamp() for s in letters), default=time.time())
        kept = (content, hashlib.sha256(content).hexdigest()[:32], changed)
        cache.set(LIST_KEY, kept, LIST_SECONDS)
    return _answer(request, *kept)


# --- one letter ----------------------------------------------------------------------------------


def _text(lv: LetterView) -> schemas.LetterText:
    return schemas.LetterText(
        language=lv.language, title=lv.title, place=lv.place,
        date=lv.date if isinstance(lv.date, datetime.date) else None,
        salutation=lv.salutation, body_markdown=lv.body_markdown, body_html=str(lv.body_html),
        closing=lv.closing, sender=lv.sender_line,
    )  # fmt: skip


def _kind_counts(letter: Letter) -> schemas.KindCounts:
    return schemas.KindCounts(
        organization=letter.count_organizations,
        individual=letter.count_individuals,
        mp=letter.count_mps,
    )


def _letter_detail(letter: Letter) -> schemas.LetterDetail:
    """The letter as its public page shows it: once finalized, the texts frozen with it."""
    snapshot = getattr(letter, "snapshot", None) if letter.status in Letter.FROZEN else None
    if snapshot is None:
        original = letter_view(letter)
        ready = letter.translations.filter(status=LetterTranslation.Status.READY)
        translated = [letter_view(letter, translation=t) for t in ready.order_by("language")]
    else:
        original = snapshot_view(snapshot)
        frozen = sorted(snapshot.content.get("translations", {}))
        translated = [snapshot_view(snapshot, language=language) for language in frozen]
    slug = letter.slug
    # As the page: the SHA-256 only of content that may be published (old snapshots held the
    # recipients' e-mail addresses, which cannot be dropped without changing it).
    published = snapshot if snapshot is not None and snapshot.is_publishable else None
    pdf = snapshot is not None and snapshot.pdf_name()
    links = schemas.LetterLinks(
        page=settings.SITE_URL + letter.get_absolute_url(),
        pdf=_url("public:letter-pdf", slug=slug) if pdf else None,
        frozen_json=settings.SITE_URL + published.get_absolute_url() if published else None,
        embed=_url("public:letter-embed", slug=slug),
        badge=_url("public:letter-badge", slug=slug),
        signatures=_api_url("signatures_list", slug),
        counts=_api_url("letter_counts", slug),
    )
    return schemas.LetterDetail(
        slug=slug, language=letter.language, kind=letter.kind, status=letter.status,
        signing_deadline=letter.signing_deadline, updated_at=letter.updated_at,
        text=_text(original), translations=[_text(lv) for lv in translated],
        recipients=original.to_blocks, counts=_kind_counts(letter), total=letter.signature_count,
        sha256=published.sha256 if published else None, links=links,
    )  # fmt: skip


@router.get(
    "/letters/{slug}",
    response={200: schemas.LetterDetail, **ERRORS},
    summary="One letter",
    operation_id="letter_get",
    url_name="letter_get",
)
def letter_get(request: HttpRequest, slug: str):
    """The letter's text in its own language (Markdown and the sanitized HTML its page shows),
    its ready translations, recipients, counts and links; once finalized, the texts frozen with
    it and their SHA-256. 404 for a draft or an unknown address."""
    return _from_cache(request, slug, "letter", _letter_detail)


# --- its signatories ---------------------------------------------------------------------------

CURSOR = re.compile(r"n(\d{1,10})")


def cursor_encode(number: int) -> str:
    return base64.urlsafe_b64encode(f"n{number}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    """The public number a cursor goes on after; 400 for anything the API did not give."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    match = CURSOR.fullmatch(text)
    if match is None or cursor_encode(int(match.group(1))) != cursor:  # one spelling each
        raise HttpError(
            400,
            "This cursor is not one the API gave: use the `next_cursor` of the previous page, "
            "or leave it out for the first page.",
        )
    return int(match.group(1))


def _signatory_page(letter: Letter, after: int, limit: int) -> schemas.SignatoryPage:
    """The signatories numbered after `after`: one range of the partial index on (letter,
    number), the same cost however deep, as selectors.signature_list_public reads it; read as
    tuples and written as rendering.signatory_lines writes the letter's lists."""
    rows = list(
        Signature.objects.filter(letter=letter, is_public=True, number__gt=after)
        .order_by("number")
        .values_list("number", *SIGNATORY_FIELDS)[: limit + 1]
    )
    more, rows = len(rows) > limit, rows[:limit]
    lines = signatory_lines([row[1:] for row in rows], letter.language)
    names = {code: str(countries.name(code)) if code else "" for code in {row[-1] for row in rows}}
    # Built without validation: the values are the columns' own, and the contract tests check
    # the answers against the schema.
    signatories = [
        schemas.Signatory.model_construct(
            number=number, kind=kind, name=name, acronym=acronym, title=title,
            affiliation=affiliation, party=party, parliament=parliament, country_code=code,
            country_name=names[code], line=f"{number}. {line}",
        )
        for (number, kind, name, acronym, title, affiliation, party, parliament, code), line
        in zip(rows, lines, strict=True)
    ]  # fmt: skip
    next_cursor = cursor_encode(rows[-1][0]) if more else None
    next_url = None
    if next_cursor is not None:
        query = {"cursor": next_cursor, **({"limit": limit} if limit != DEFAULT_LIMIT else {})}
        next_url = f"{_api_url('signatures_list', letter.slug)}?{urlencode(query)}"
    return schemas.SignatoryPage.model_construct(
        signatories=signatories, limit=limit, next_cursor=next_cursor, next=next_url
    )


@router.get(
    "/letters/{slug}/signatures",
    response={200: schemas.SignatoryPage, 400: schemas.Error, **ERRORS},
    summary="The public list of signatories",
    operation_id="signatures_list",
    url_name="signatures_list",
)
def signatures_list(
    request: HttpRequest,
    slug: str,
    cursor: str = Query("", description="The `next_cursor` of the previous page; empty: first."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Signatories per page."),
):
    """The signatories as the letter's public list shows them, in number order, a page at a
    time: follow `next` (or pass `next_cursor`) until it is null. Names, countries and lines,
    never an e-mail address; nobody waiting for confirmation or approval, withdrawn, refused or
    who asked not to be listed."""
    after = cursor_decode(cursor) if cursor else 0
    return _from_cache(
        request,
        slug,
        f"signatures:{after}:{limit}",
        lambda letter: _signatory_page(letter, after, limit),
    )


# --- its counts ------------------------------------------------------------------------------


def _counts(letter: Letter) -> schemas.Counts:
    by_country = [
        schemas.CountryCount(code=country.code or "", name=str(country.name or ""), count=n)
        for country, n in selectors.signature_country_summary(letter)
    ]
    return schemas.Counts(
        total=letter.signature_count, by_kind=_kind_counts(letter), by_country=by_country
    )


@router.get(
    "/letters/{slug}/counts",
    response={200: schemas.Counts, **ERRORS},
    summary="The letter's counts",
    operation_id="letter_counts",
    url_name="letter_counts",
)
def letter_counts(request: HttpRequest, slug: str):
    """How many signatories the public list shows, in all, by kind and by country (names in the
    letter's own language). What the embed page polls."""
    return _from_cache(request, slug, "counts", _counts, held=True)
