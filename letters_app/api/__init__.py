"""Cosign's API, version 1, under /api/v1/: the public read endpoints (public.py) and the
endpoints a coordinator's token opens on its own letter (coordinator.py). django-ninja builds the
OpenAPI schema from the same typed functions that answer, so the documentation cannot drift from
the code."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import Throttled

from letters_app.api import coordinator, public

api = NinjaAPI(
    title="Cosign API",
    version="1",
    description="Read published open letters, their signatories and counts; "
    "with a coordinator's token, follow and run one letter.\n\n"
    "The public endpoints need no key and may be called from any site (CORS). Each answer "
    "carries an `ETag` and `Last-Modified`: ask again with `If-None-Match` and an unchanged "
    "answer is a bodiless 304. Counts and lists follow new signatures within a few seconds. "
    "Requests are limited per client address (429 with `Retry-After` past the limit). "
    'Errors are JSON: `{"detail": "…"}`.',
    urls_namespace="api-v1",
    docs_url="/docs/",
    # No link inside each operation's button (a control within a control, for screen readers).
    docs=Swagger(settings={"deepLinking": False}),
)
api.add_router("", public.router)
api.add_router("/coordinate", coordinator.router)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds Retry-After from the throttle's wait().
    seconds = f" Try again in {exc.wait:.0f} seconds." if exc.wait else ""
    detail = f"Too many requests from your address.{seconds}"
    return api.create_response(request, {"detail": detail}, status=429)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """An address under /api/ that names no endpoint: JSON too, as every answer of the API."""
    detail = f"No endpoint at {request.path}: the API's endpoints are listed at /api/v1/docs/."
    return JsonResponse({"detail": detail}, status=404)
