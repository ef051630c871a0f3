"""A letter on partners' own sites: the embed page (a compact sign form and the live count, for
an iframe) and the counter badge (an SVG image).

The embed page may be framed by the sites its coordinators list (Letter.embed_origins), and by
Cosign itself; every other page keeps frame-ancestors 'none' and X-Frame-Options: DENY. Inside
a frame on another site the browser may withhold Cosign's cookies, the CSRF cookie among them:
the embed form carries a signed, dated token for its letter instead, and a POST whose Origin is
another site's is refused."""

from collections.abc import Collection
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.csp import CSP
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt

from letters_app import cache as letter_cache
from letters_app import selectors
from letters_app.forms.public import SignForm, accepted_kinds
from letters_app.models import Letter
from letters_app.ratelimit import RateLimitedRequest, rate_limited
from letters_app.services import signatures as signature_services
from letters_app.services.embed import embed_token_make, embed_token_refusal
from letters_app.views import found
from letters_app.views.public.letters import ended_notice
from letters_app.views.public.signing import sign_submit

# The counts the embed page and the badge show, read without the letter's text.
COUNT_FIELDS = (
    "slug", "title", "language", "status", "count_organizations", "count_individuals",
    "count_mps",
)  # fmt: skip
# How long a browser or proxy may keep the badge: the shared cache keeps it fresh within
# PAGE_FRESH_SECONDS behind it.
BADGE_MAX_AGE = 10


def framed(request: HttpRequest, response: HttpResponse, letter: Letter) -> HttpResponse:
    """Let the letter's listed sites, and Cosign, show this response in a frame: the site's
    policy with their frame-ancestors, through Django's own csp_override (a decorator, applied
    here to this one response since the sites are the letter's)."""
    policy = cast(dict[str, Collection[str] | str], settings.SECURE_CSP)
    config = {**policy, "frame-ancestors": [CSP.SELF, *letter.embed_origin_list]}
    return csp_override(config)(lambda request: response)(request)


@xframe_options_exempt
@csrf_exempt  # the form's own token (embed_token_refusal) stands in for the CSRF cookie
@rate_limited("public.sign")
def letter_embed(request: RateLimitedRequest, slug: str) -> HttpResponse:
    letter = found(letter_cache.letter_get_for_signing(slug))
    if request.method == "POST":
        return framed(request, _embed_post(request, letter), letter)
    page = letter_cache.letter_page(
        slug, f"embed:{get_language()}", lambda: _embed_page(request, slug).content
    )
    response = HttpResponse(page.content)
    patch_cache_control(response, private=True, no_cache=True)  # its token is dated
    return framed(request, response, letter)


def _embed_page(request: HttpRequest, slug: str) -> HttpResponse:
    letter = found(selectors.letter_get_public(slug))
    return _embed_form_page(request, letter, SignForm(letter=letter))


def _embed_post(request: RateLimitedRequest, letter: Letter) -> HttpResponse:
    typed = SignForm(letter=letter, kind=request.POST.get("kind"), initial=request.POST.dict())
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() not in _own_origins(request):
        refusal = _("This form can only be sent from its own page. Please open the letter.")
        return _embed_form_page(request, letter, typed, refusal=refusal, status=403)
    if letter.status != Letter.Status.OPEN:
        return _embed_form_page(request, letter, typed, status=200)
    refusal = embed_token_refusal(request.POST.get("embed_token", ""), letter)
    if refusal:
        return _embed_form_page(request, letter, typed, refusal=refusal, status=403)
    if request.limited or "choose_kind" in request.POST:
        return _embed_form_page(request, letter, typed, status=429 if request.limited else 200)
    form = SignForm(request.POST, letter=letter)
    if sign_submit(request, form):
        return _embed_done(letter.slug)
    return _embed_form_page(request, letter, form)


def _own_origins(request: HttpRequest) -> set[str]:
    """The origins of Cosign's own pages: the one asked, and the one links are made with."""
    site = urlsplit(settings.SITE_URL)
    return {f"{request.scheme}://{request.get_host()}".lower(), f"{site.scheme}://{site.netloc}"}


def _embed_done(slug: str) -> HttpResponseRedirect:
    return redirect("public:letter-embed-done", slug=slug)


def _embed_form_page(
    request: HttpRequest, letter: Letter, form: SignForm, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    counted = found(selectors.letter_get_public(letter.slug, fields=COUNT_FIELDS))
    return render(request, "public/letter_embed.html", {
        "letter": letter, "count": counted.signature_count, "form": form,
        "count_shown": format_html(
            '<strong class="embed-count-number">{}</strong>',
            number_format(counted.signature_count, force_grouping=True),
        ),
        "kinds": accepted_kinds(letter), "limited": status == 429, "token_refusal": refusal,
        "refusal": signature_services.signing_refusal(letter),
        "notice": "" if letter.status == Letter.Status.OPEN else ended_notice(letter),
        "embed_token": embed_token_make(letter),
        "counts_url": f"/api/v1/letters/{letter.slug}/counts",
    }, status=status)  # fmt: skip


@xframe_options_exempt
def letter_embed_done(request: HttpRequest, slug: str) -> HttpResponse:
    """The frame's "check your mail" step, with ways to ask others to sign."""
    letter = found(selectors.letter_get_public(slug))
    response = render(request, "public/letter_embed_done.html", {"letter": letter})
    return framed(request, response, letter)


def letter_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """The letter's count of signatures as an SVG image, in the language of the address."""
    language = get_language()

    def render_badge() -> bytes:
        letter = found(selectors.letter_get_public(slug, fields=COUNT_FIELDS))
        return badge_svg(letter).encode()

    page = letter_cache.letter_page(slug, f"badge:{language}", render_badge)
    etag = f'"{page.etag}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        page.content, content_type="image/svg+xml; charset=utf-8"
    )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE)
    return response


def badge_svg(letter: Letter) -> str:
    """A shields-like badge: "signatures" on the left, the count as the page's language writes
    it on the right. Widths are estimated from the number of characters."""
    label = pgettext("counter badge", "signatures")
    count = number_format(letter.signature_count, force_grouping=True)
    label_width, count_width = _text_width(label), _text_width(count)
    return render_to_string("public/letter_badge.svg", {
        "letter": letter, "label": label, "count": count,
        # Strings, not numbers: a template would write 12.5 as 12,5 in French.
        "label_width": str(label_width), "count_width": str(count_width),
        "width": str(label_width + count_width),
        "label_x": f"{label_width / 2:.1f}", "count_x": f"{label_width + count_width / 2:.1f}",
    })  # fmt: skip


def _text_width(text: str) -> int:
    return 7 * len(text) + 12
