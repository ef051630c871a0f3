"""Every letter, for admins: the way to the coordinator pages and the exports of letters they
did not create, which are on no one's own list but their coordinators'."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from letters_app import selectors
from letters_app.forms.staff import LetterSearchForm

LETTERS_PAGE_SIZE = 50


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    """Every letter, the last changed first, narrowed by status and words; a page at a time."""
    if not request.user.is_staff:
        raise Http404
    form = LetterSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    letters = selectors.letter_list_all(
        status=filters.get("status", ""), query=filters.get("q", "")
    )
    page = Paginator(letters, LETTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    status = 200 if form.is_valid() else 400
    return render(request, "staff/letter_list.html", {"form": form, "page": page}, status=status)
