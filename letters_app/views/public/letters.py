"""The letters as readers see them: the list, a letter's page with its signatories (cached for
anonymous readers), and a finalized letter's PDF and JSON."""

import dataclasses
import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from letters_app import cache as letter_cache
from letters_app import selectors
from letters_app.forms.public import SignatoryFilterForm, accepted_kinds
from letters_app.models import LETTER_LANGUAGES, Letter, LetterTranslation
from letters_app.rendering import letter_view, snapshot_view
from letters_app.services import signatures as signature_services
from letters_app.services.deliveries import canonical_json
from letters_app.views import found

PER_PAGE = 100
# How long a proxy or CDN may keep a reader's page (with the app's own PAGE_FRESH_SECONDS, a
# count is then at most 5 s behind), and serve it stale while it fetches it again. A browser
# asks again each time (a 304 when nothing changed): someone who just signed sees their name.
READER_SHARED_MAX_AGE = 5 - letter_cache.PAGE_FRESH_SECONDS
READER_STALE_SECONDS = 30


def home(request: HttpRequest) -> HttpResponse:
    letters = selectors.letter_list_public()[:50]
    return render(request, "public/letter_list.html", {"letters": letters})


def letter_pdf(request: HttpRequest, slug: str) -> FileResponse:
    """The finalized letter as sent, once its PDF is made; ?lang=fr: a translation frozen too."""
    letter = found(selectors.letter_get_public(slug))
    snapshot = getattr(letter, "snapshot", None)
    language = request.GET.get("lang", "")
    name = snapshot.pdf_name(language) if snapshot else ""
    if snapshot is None or not name:
        raise Http404
    suffix = f"-{language}" if language and language != letter.language else ""
    return FileResponse(
        snapshot.pdf.storage.open(name, "rb"), filename=f"{letter.slug}{suffix}.pdf"
    )


def letter_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The frozen letter exactly as its SHA-256 was taken: `sha256sum` of these bytes is it."""
    letter = found(selectors.letter_get_public(slug))
    snapshot = getattr(letter, "snapshot", None)
    if letter.status not in Letter.FROZEN or snapshot is None or not snapshot.is_publishable:
        raise Http404
    response = HttpResponse(canonical_json(snapshot.content), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{letter.slug}.json"'
    return response


class ReaderRequest(HttpRequest):
    """A reader's request: the page it is answered with, read once (_reader_page_get)."""

    reader_page: letter_cache.Page


def letter_detail(request: ReaderRequest, slug: str) -> HttpResponse:
    """The letter and its signatories. A reader with no session gets the page everyone gets,
    from the shared cache, with headers that let a proxy or browser keep it a few seconds and
    ask again with If-None-Match; a signed-in person gets their own page, kept by nobody."""
    if _is_reader(request):
        response = _reader_page(request, slug)
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=READER_SHARED_MAX_AGE,
            stale_while_revalidate=READER_STALE_SECONDS,
        )  # fmt: skip
    else:
        response = letter_page(request, found(selectors.letter_get_public(slug)))
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _is_reader(request: HttpRequest) -> bool:
    """A GET with no session and no message waiting: nobody in particular. Told by the cookies'
    names, for asking the session would mark the answer as varying with the cookies."""
    cookies = request.COOKIES
    return request.method in ("GET", "HEAD") and not (
        settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies
    )


def _reader_page_get(request: ReaderRequest, slug: str) -> letter_cache.Page:
    """The page for readers, once per request: the ETag, Last-Modified and body all read it."""
    if not hasattr(request, "reader_page"):
        params = _list_params(request.GET)
        variant = f"{get_language()}?{urlencode(sorted(params.items()))}"

        def render() -> bytes:
            request.user = AnonymousUser()  # known without asking the session: it has none
            letter = found(selectors.letter_get_public(slug))
            return letter_page(request, letter, params=params).content

        request.reader_page = letter_cache.letter_page(slug, variant, render)
    return request.reader_page


@condition(
    etag_func=lambda request, slug: _reader_page_get(request, slug).etag,
    last_modified_func=lambda request, slug: datetime.datetime.fromtimestamp(
        _reader_page_get(request, slug).last_modified, tz=datetime.UTC
    ),
)
def _reader_page(request: ReaderRequest, slug: str) -> HttpResponse:
    return HttpResponse(_reader_page_get(request, slug).content)


# What the letter page reads from its query: with the language of the pages, they make the page.
LIST_PARAMS = ("lang", "page", "after", "before", "country", "kind")


def _list_params(query: QueryDict) -> dict[str, str]:
    """The query's parameters the letter page reads, each cut short; anything else is ignored,
    so that a made-up parameter neither shows on the page nor makes another one in the cache."""
    return {name: value[:16] for name in LIST_PARAMS if (value := query.get(name))}


@dataclasses.dataclass(frozen=True)
class FrozenTranslation:
    """A translation as a finalized letter's snapshot holds it; its text is read from there."""

    language: str
    is_outdated = False  # frozen together with the text it translates

    def get_language_display(self) -> str:
        return dict(LETTER_LANGUAGES).get(self.language, self.language)


def letter_page(
    request: HttpRequest, letter: Letter, *, params: dict[str, str] | None = None, notice: str = ""
) -> HttpResponse:
    # The ready translations are offered; ?lang=fr shows one, above the same signatory list.
    # Without ?lang, a reader gets the translation in the language of the pages, if it is ready.
    # A finalized letter shows only the texts frozen under its SHA-256, as they were sent.
    params = _list_params(request.GET) if params is None else params
    snapshot = getattr(letter, "snapshot", None) if letter.status in Letter.FROZEN else None
    translations: list[LetterTranslation] | list[FrozenTranslation]
    if snapshot is None:
        translations = list(letter.translations.filter(status=LetterTranslation.Status.READY))
    else:
        frozen = sorted(snapshot.content.get("translations", {}))
        translations = [FrozenTranslation(language) for language in frozen]
    wanted = params.get("lang") or get_language()
    chosen = next((t for t in translations if t.language == wanted), None)
    if snapshot is None:
        lv = letter_view(
            letter, translation=chosen if isinstance(chosen, LetterTranslation) else None
        )
    else:  # the list of signatories is shown below, page by page
        language = chosen.language if chosen else ""
        lv = dataclasses.replace(snapshot_view(snapshot, language=language), signatories=[])
    filters = SignatoryFilterForm(params, letter=letter)
    return render(request, "public/letter_detail.html", {
        "letter": letter, "lv": lv, "notice": notice,
        "translations": translations, "translation": chosen, "filters": filters,
        "translation_pdf": bool(
            chosen and snapshot and snapshot.pdf_name(chosen.language)
        ),
        **_signatory_page(letter, filters, params),
        "refusal": signature_services.signing_refusal(letter), "kinds": accepted_kinds(letter),
        "country_summary": selectors.signature_country_summary(letter),
        "coordinates": selectors.user_can_coordinate(request.user, letter),
    })  # fmt: skip


def _signatory_page(
    letter: Letter, filters: SignatoryFilterForm, params: dict[str, str]
) -> dict[str, Any]:
    """One page of the list, by number. The whole list's page k holds numbers from
    (k - 1) × PER_PAGE + 1, there being no gaps; a narrowed one goes on after the last number it
    showed, or back before the first. Either is one range of an index, however deep."""
    country, kind = filters.value("country") or "", filters.value("kind") or ""
    after, before = filters.value("after"), filters.value("before")
    page = filters.value("page") or 1
    lookup: dict[str, Any] = {"country": country, "kind": kind, "limit": PER_PAGE + 1}
    filtered = bool(country or kind)
    has_previous = has_next = False
    if not filtered:
        rows = selectors.signature_list_public(letter, after=(page - 1) * PER_PAGE, **lookup)
        has_previous, has_next = page > 1, len(rows) > PER_PAGE
        rows = rows[:PER_PAGE]
    elif before is not None:
        rows = selectors.signature_list_public(letter, before=before, **lookup)
        has_previous, has_next = len(rows) > PER_PAGE, True
        rows = rows[-PER_PAGE:]
    else:  # ?page= on a narrowed list: an old link, still served
        offset = (page - 1) * PER_PAGE if after is None else 0
        rows = selectors.signature_list_public(letter, after=after or 0, offset=offset, **lookup)
        has_previous, has_next = bool(after or offset), len(rows) > PER_PAGE
        rows = rows[:PER_PAGE]
    url = letter.get_absolute_url()
    kept: dict[str, str] = {n: params[n] for n in ("lang", "country", "kind") if n in params}

    def link(keep: dict[str, str] = kept, **change: object) -> str:
        query = urlencode({**keep, **change})
        return f"{url}?{query}#signatories" if query else f"{url}#signatories"

    if filtered:
        previous_url = link(before=rows[0].number) if has_previous and rows else ""
        next_url = link(after=rows[-1].number) if has_next and rows else ""
    else:
        previous_url = (link(page=page - 1) if page > 2 else link()) if has_previous else ""
        next_url = link(page=page + 1) if has_next else ""
    return {
        "signatures": rows, "page": page, "filtered": filtered, "paged": has_previous or has_next,
        "previous_url": previous_url, "next_url": next_url,
        "everyone_url": link({name: params[name] for name in ("lang",) if name in params}),
    }  # fmt: skip


def ended_notice(letter: Letter) -> str:
    if letter.signing_closed_at:
        when = date_format(timezone.localtime(letter.signing_closed_at), "DATE_FORMAT")
        return _("Signing of this letter has ended on %(date)s.") % {"date": when}
    return _("Signing of this letter has ended.")
