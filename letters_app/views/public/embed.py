"""A letter on partners' own sites: the embed page (a compact sign form and the live count, for
an iframe) and the counter badge (an SVG image)."""

from django.http import Http404, HttpRequest, HttpResponse


def letter_embed(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def letter_badge(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404
