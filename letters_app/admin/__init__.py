"""The Django admin, one module per domain; importing them registers their pages."""

from letters_app.admin import (
    api_tokens,
    deliveries,
    incidents,
    letters,
    partners,
    recipients,
    signatures,
    site,
    webhooks,
)

__all__ = [
    "api_tokens",
    "deliveries",
    "incidents",
    "letters",
    "partners",
    "recipients",
    "signatures",
    "site",
    "webhooks",
]
