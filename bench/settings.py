"""Cosign's settings plus the bench's own URLs (the baseline form next to the app's pages)."""

from letters_app.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
