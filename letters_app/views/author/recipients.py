"""A letter's recipients: chosen from the directory or added, in their languages."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from letters_app import selectors
from letters_app.forms.author import (
    RecipientChoiceForm,
    RecipientForm,
    RecipientLanguageForm,
    RecipientSearchForm,
)
from letters_app.models import Letter
from letters_app.services import letters as letter_services
from letters_app.views import coordinated_letter
from letters_app.views.author.common import DIRECTORY_PAGE_SIZE


@login_required
def letter_recipients(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    saved = letter.letter_recipients.values_list("recipient_id", flat=True)
    form = RecipientChoiceForm(request.POST if request.method == "POST" else None, saved=saved)
    if request.method == "POST" and form.is_valid():
        try:
            letter_services.letter_set_recipients(
                letter=letter, recipients=form.cleaned_data["recipients"], actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The recipients are saved."))
            return redirect(request.get_full_path())
    return _recipients_page(request, letter, choose_form=form)


@login_required
@require_POST
def letter_recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = RecipientForm(request.POST)
    if form.is_valid():
        try:
            recipient = letter_services.letter_add_new_recipient(
                letter=letter, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s is in the directory and among the recipients.") % {"name": recipient},
            )
            return redirect("author:letter-recipients", pk=letter.pk)
    return _recipients_page(request, letter, add_form=form)


def _recipients_page(
    request: HttpRequest,
    letter: Letter,
    *,
    choose_form: RecipientChoiceForm | None = None,
    add_form: RecipientForm | None = None,
    language_form: RecipientLanguageForm | None = None,
) -> HttpResponse:
    search = RecipientSearchForm(request.GET)
    query = search.cleaned_data if search.is_valid() else {}
    current = [lr.recipient for lr in letter.letter_recipients.select_related("recipient")]
    found = selectors.recipient_list_directory(
        query=query.get("q", ""), kind=query.get("kind", "")
    ).exclude(pk__in=[r.pk for r in current])
    if choose_form is not None and choose_form.is_bound:
        checked = set(cast(QueryDict, choose_form.data).getlist("recipients"))
    else:
        checked = {str(r.pk) for r in current}
    found_page = Paginator(found, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "letter": letter,
        "search": search,
        "searching": bool(query.get("q") or query.get("kind")),
        "current": current,
        "found": list(found_page),
        "found_page": found_page,
        "checked": checked,
        "choose_form": choose_form or RecipientChoiceForm(),
        "add_form": add_form or RecipientForm(),
        "language_form": language_form or _language_form(letter),
    }
    return render(request, "author/letter_recipients.html", context)


def _language_form(letter: Letter, data: QueryDict | None = None) -> RecipientLanguageForm:
    letter_recipients = letter.letter_recipients.select_related("recipient")
    return RecipientLanguageForm(data, letter=letter, letter_recipients=letter_recipients)


@login_required
@require_POST
def letter_recipient_languages(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = _language_form(letter, request.POST)
    if form.is_valid():
        try:
            letter_services.letter_set_recipient_languages(
                letter=letter, languages=form.languages(), actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The recipients' languages are saved."))
            return redirect("author:letter-recipients", pk=letter.pk)
    return _recipients_page(request, letter, language_form=form)
