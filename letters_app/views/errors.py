"""The error pages, in the site's frame and the visitor's language (templates/errors/): Django
calls these for a refused, unknown or failed request (letters_app/urls handler400 … handler500)
and for a form sent without its CSRF token. Rate-limited views answer 429 themselves."""

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# What a visitor sees when even the 500 page fails (its template broken, say): plain words.
PLAIN_500 = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Server error · Cosign</title>'
    "<h1>Server error</h1><p>The page could not be shown. Please try again in a few minutes.</p>"
    "</html>"
)


# An unknown address reaches no view, hence has no CSRF token yet: the page's log out button
# needs one.
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseBadRequest(_render(request, "errors/400.html"))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseForbidden(_render(request, "errors/403.html"))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseNotFound(_render(request, "errors/404.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its token, most often one left open past its session."""
    return render(request, "errors/403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered from the template alone: no request context, so that neither a
    database that is down nor a broken session stops it from being shown."""
    try:
        return HttpResponseServerError(loader.render_to_string("errors/500.html"))
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(PLAIN_500)


def _render(request: HttpRequest, template: str) -> str:
    return loader.render_to_string(template, request=request)
