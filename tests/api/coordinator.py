"""Calling the coordinators' API as a program does, and checking each answer against the
OpenAPI schema the API serves."""

import functools
import json
from typing import Any

from django.test import Client
from jsonschema import Draft202012Validator

from letters_app.models import ApiToken, Letter
from letters_app.services.api_tokens import api_token_create

BASE = "/api/v1/coordinate/letters"


def token_for(letter: Letter, user, scope: str = ApiToken.Scope.READ_WRITE, name: str = "Our site"):
    """A new token of the letter, and its secret."""
    return api_token_create(letter=letter, name=name, scope=scope, actor=user)


def call(method: str, path: str, secret: str | None = None, body: Any = None, **headers):
    """One call with `Authorization: Bearer <secret>` (none when `secret` is None)."""
    client = Client()
    if secret is not None:
        headers.setdefault("Authorization", f"Bearer {secret}")
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method.lower())(path, **kwargs)


@functools.cache
def _spec_text() -> str:
    return Client().get("/api/v1/openapi.json").content.decode()


def served_schema() -> dict:
    return json.loads(_spec_text())


def conforms(response, template: str, method: str = "get") -> Any:
    """The answer's JSON, after checking it against what the served schema says this
    operation (its path `template`, as "/letters/{slug}/signatures") answers with its status."""
    spec = served_schema()
    operation = spec["paths"][f"/api/v1/coordinate{template}"][method.lower()]
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{response.status_code} is not in the schema of {template}"
    body = response.json()
    schema = declared["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": spec["components"]}).validate(body)
    return body
