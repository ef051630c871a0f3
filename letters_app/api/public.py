"""The public read endpoints: published letters, their texts, signatories and counts."""

from ninja import Router

router = Router(tags=["Letters"])
