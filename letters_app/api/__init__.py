"""Cosign's API, version 1, under /api/v1/: the public read endpoints (public.py) and the
endpoints a coordinator's token opens on its own letter (coordinator.py). django-ninja builds the
OpenAPI schema from the same typed functions that answer, so the documentation cannot drift from
the code."""

from ninja import NinjaAPI

from letters_app.api import coordinator, public

api = NinjaAPI(
    title="Cosign API",
    version="1",
    description="Read published open letters, their signatories and counts; "
    "with a coordinator's token, follow and run one letter.",
    urls_namespace="api-v1",
    docs_url="/docs/",
)
api.add_router("", public.router)
api.add_router("/coordinate", coordinator.router)
