"""Pages for readers and signers: the letters, the sign form, and the private links a signer
gets by e-mail (confirm, manage)."""

import dataclasses
import datetime
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST

from letters_app import cache as letter_cache
from letters_app import selectors
from letters_app.forms.public import (
    ResendForm,
    SignatoryFilterForm,
    SignatureEditForm,
    SignForm,
    accepted_kinds,
)
from letters_app.models import LETTER_LANGUAGES, Letter, LetterTranslation, Signature
from letters_app.ratelimit import RateLimitedRequest, client_ip, rate_limited
from letters_app.rendering import letter_view, snapshot_view, text_language
from letters_app.services import signatures as signature_services
from letters_app.services.deliveries import canonical_json
from letters_app.views import found

PER_PAGE = 100
# How long a proxy or CDN may keep a reader's page (with the app's own PAGE_FRESH_SECONDS, a
# count is then at most 5 s behind), and serve it stale while it fetches it again. A browser
# asks again each time (a 304 when nothing changed): someone who just signed sees their name.
READER_SHARED_MAX_AGE = 5 - letter_cache.PAGE_FRESH_SECONDS
READER_STALE_SECONDS = 30


# --- the letters ----------------------------------------------------------------------------


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
        response = _letter_page(request, found(selectors.letter_get_public(slug)))
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
            return _letter_page(request, letter, params=params).content

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


def _letter_page(
    request: HttpRequest,
    letter: Letter,
    *,
    params: dict[str, str] | None = None,
    notice: str = "",
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


def _ended_notice(letter: Letter) -> str:
    if letter.signing_closed_at:
        when = date_format(timezone.localtime(letter.signing_closed_at), "DATE_FORMAT")
        return _("Signing of this letter has ended on %(date)s.") % {"date": when}
    return _("Signing of this letter has ended.")


# --- signing --------------------------------------------------------------------------------


@rate_limited("public.sign")
def letter_sign(request: RateLimitedRequest, slug: str) -> HttpResponse:
    letter = found(letter_cache.letter_get_for_signing(slug))
    if letter.status != Letter.Status.OPEN:
        letter = found(selectors.letter_get_public(slug))
        return _letter_page(request, letter, notice=_ended_notice(letter))
    if request.method != "POST":
        return _sign_page(request, SignForm(letter=letter, kind=request.GET.get("kind")))
    if request.limited:
        typed = SignForm(letter=letter, kind=request.POST.get("kind"), initial=request.POST.dict())
        return _sign_page(request, typed, status=429)
    form = SignForm(request.POST, letter=letter)
    if form.is_robot():  # answer as to a person, record nothing
        return _sign_done(letter.slug)
    if form.is_valid():
        try:
            signature_services.signature_add(
                letter=letter,
                language=get_language(),
                ip_address=client_ip(request),
                **form.signature_data,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:  # a new signature or a second try with the same address: the same answer
            return _sign_done(letter.slug)
    return _sign_page(request, form)


def _sign_done(slug: str) -> HttpResponseRedirect:
    return redirect(_sign_done_url(slug, get_language(), get_script_prefix()))


@functools.lru_cache(maxsize=4096)
def _sign_done_url(slug: str, language: str, script_prefix: str) -> str:
    """The done page's address, as reverse() gives it in the active language under the active
    script prefix (both in the key), kept per process: reversing it was a twentieth of a sign
    POST."""
    return reverse("public:letter-sign-done", kwargs={"slug": slug})


def _sign_page(request: HttpRequest, form: SignForm, *, status: int = 200) -> HttpResponse:
    letter = form.letter
    return render(request, "public/letter_sign.html", {
        "letter": letter, "form": form, "kinds": accepted_kinds(letter), "limited": status == 429,
        "refusal": signature_services.signing_refusal(letter),
    }, status=status)  # fmt: skip


def letter_sign_done(request: HttpRequest, slug: str) -> HttpResponse:
    letter = found(selectors.letter_get_public(slug))
    return _done_page(request, letter, ResendForm())


@rate_limited("public.resend")
def letter_resend(request: RateLimitedRequest, slug: str) -> HttpResponse:
    letter = found(selectors.letter_get_public(slug))
    if request.method != "POST":
        return redirect("public:letter-sign-done", slug=letter.slug)
    if request.limited:
        typed = ResendForm(initial={"email": request.POST.get("email", "")})
        return _done_page(request, letter, typed, status=429)
    form = ResendForm(request.POST)
    if not form.is_valid():
        return _done_page(request, letter, form)
    signature_services.signature_resend(letter=letter, email=form.cleaned_data["email"])
    # The same words whether or not the address signed: the page tells nobody who did.
    messages.info(request, _("If this address signed and has not confirmed yet, the link is on "
                             "its way again. Look in your spam folder too."))  # fmt: skip
    return redirect("public:letter-sign-done", slug=letter.slug)


def _done_page(
    request: HttpRequest, letter: Letter, form: ResendForm, *, status: int = 200
) -> HttpResponse:
    context = {"letter": letter, "form": form, "limited": status == 429}
    return render(request, "public/letter_sign_done.html", context, status=status)


# --- the signer's private links ---------------------------------------------------------------


def _signature_or_404(pk: int, token: str, purpose: str) -> Signature:
    signature = signature_services.signature_get_by_token(pk=pk, token=token, purpose=purpose)
    if signature is None:
        raise Http404
    return signature


@never_cache
def signature_confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "confirm")
    pending = signature.status == Signature.Status.PENDING
    if pending and signature_services.confirmation_expired(signature.letter):
        return render(
            request, "public/signature_expired.html", {"signature": signature}, status=410
        )
    if request.method == "POST":  # a second press changes nothing and reads the same
        if pending:
            signature_services.signature_confirm(signature=signature)
        return redirect("public:signature-confirm", pk=pk, token=token)
    manage_token = signature.token("manage")
    return render(request, "public/signature_confirm.html", {
        "signature": signature, "letter": signature.letter, "manage_token": manage_token,
        "listed_language": text_language(signature.letter, get_language()),
    })  # fmt: skip


@never_cache
def signature_manage(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "manage")
    changeable = _changeable(signature)
    form = SignatureEditForm(
        request.POST if request.method == "POST" and changeable else None, signature=signature
    )
    if form.is_bound and form.is_valid():
        try:
            signature_services.signature_update_display(signature=signature, data=form.display_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your entry is corrected."))
            return redirect("public:signature-manage", pk=pk, token=token)
    outdated = changeable and signature.version < signature.letter.version
    return render(request, "public/signature_manage.html", {
        "signature": signature, "letter": signature.letter, "form": form, "token": token,
        "changeable": changeable, "outdated": outdated,
        "changes": selectors.letter_changes_since(signature.letter, signature.version)
        if outdated else None,
        "listed_language": text_language(signature.letter, get_language()),
    })  # fmt: skip


def _changeable(signature: Signature) -> bool:
    gone = signature.status in (Signature.Status.WITHDRAWN, Signature.Status.REJECTED)
    return not gone and signature.letter.status not in Letter.FROZEN


@require_POST
def signature_withdraw(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "manage")
    return _act(request, signature, token, signature_services.signature_withdraw,
                _("Your signature is withdrawn: your name is no longer on the list."))  # fmt: skip


@require_POST
def signature_keep(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "manage")
    return _act(request, signature, token, signature_services.signature_keep,
                _("Thank you: your signature stays on the new text."))  # fmt: skip


def _act(
    request: HttpRequest,
    signature: Signature,
    token: str,
    service: Callable[..., object],
    done: str,
) -> HttpResponseRedirect:
    try:
        service(signature=signature)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("public:signature-manage", pk=signature.pk, token=token)


# --- the language of the pages --------------------------------------------------------------


@never_cache
def language_choose(request: HttpRequest, code: str) -> HttpResponse:
    """The language switch's links: the same page in language `code`, which the language cookie
    keeps, so that links without a prefix (English) open in it too. Django's set_language does
    this for a form; a plain link lets the pages carry no CSRF token, and choosing a language
    is nothing another site could abuse. A `next` off this site goes to the home page."""
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if code not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    shown_in = translation.get_language_from_path(next_url) or settings.LANGUAGE_CODE
    with translation.override(shown_in):  # next is resolved in its own language
        response = HttpResponseRedirect(translate_url(next_url, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )  # fmt: skip
    return response
