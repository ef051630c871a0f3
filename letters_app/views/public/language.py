"""The language switch."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from letters_app.services.incidents import user_language_set


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
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=code)  # the mails they get speak it
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
