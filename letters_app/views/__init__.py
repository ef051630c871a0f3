"""The pages: `public` for readers and signers, `author` for coordinators, `staff` for both
signed-in roles' shared pages. Selectors return a row or None; a view decides on the 404."""

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest

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
