"""How a call of the coordinators' API says who it is: `Authorization: Bearer cosign_…`, a
token made on the letter's Connect › API tokens page. Every call a token makes, refused or
not, is a row of its letter's audit trail."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from ninja.errors import HttpError
from ninja.security import HttpBearer

from letters_app.models import ApiToken, Letter
from letters_app.services.api_tokens import api_call_record, api_token_authenticate


class TokenAuth(HttpBearer):
    """A live token of the letter, or 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return api_token_authenticate(token)


def request_token(request: HttpRequest) -> ApiToken:
    """The token the call was authenticated with (set by TokenAuth)."""
    token = request.auth  # type: ignore[attr-defined]
    if not isinstance(token, ApiToken):  # an endpoint of this router, without its auth
        raise HttpError(401, "Unauthorized")
    return token


def token_letter(request: HttpRequest, slug: str, *, write: bool = False) -> Letter:
    """The letter under `slug`, if it is the token's: 404 for any other letter, whatever the
    token may do (a token never learns that another letter exists), then 403 when the call
    changes something and the token may only read."""
    token = request_token(request)
    if token.letter.slug != slug:
        raise HttpError(404, "Not found.")
    if write and not token.writes:
        raise HttpError(403, "This token may only read: make a read and write token to do this.")
    return token.letter


def calls_recorded(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap an operation (a router's decorator in "view" mode, around authentication): once it
    has answered, a call made with a token is recorded with the answer's status; a refusal for
    want of a token says how to give one."""

    @functools.wraps(run)
    def recorded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        if response.status_code == 401:  # how to authenticate, as RFC 6750 asks
            response["WWW-Authenticate"] = 'Bearer realm="Cosign"'
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            api_call_record(token=token, method=request.method or "", path=request.path,
                            status=response.status_code)  # fmt: skip
        return response

    return recorded
