"""The pages: `public` for readers and signers, `author` for coordinators, `staff` for both
signed-in roles' shared pages. Selectors return a row or None; a view decides on the 404."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from letters_app import selectors
from letters_app.models import Letter


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a @login_required page: its user is signed in."""

    user: User


def found[T](row: T | None) -> T:
    """What a selector found, or the "not found" page."""
    if row is None:
        raise Http404
    return row


def coordinated_letter(request: HttpRequest, pk: int) -> Letter:
    """The letter, if the signed-in person may run it; "not found" for anyone else, so that
    strangers learn nothing."""
    return found(selectors.letter_get_for_coordinator(request.user, pk))


def act(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    success: str,
    then: str,
    **url_kwargs: Any,
) -> HttpResponseRedirect:
    """Run a service (a button's POST on any page), then go to the page `then` (a URL name, with
    `url_kwargs`): the service's refusal, or `success`, is that page's message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(then, **url_kwargs)
