"""A coordinator's letters: the list, a new letter, its text, its status and its history."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from letters_app import selectors
from letters_app.forms.author import LetterForm, LetterNewForm
from letters_app.models import AuditAction, Letter, LetterVersion
from letters_app.rendering import render_letter_html
from letters_app.services import letters as letter_services
from letters_app.text import Change, text_diff
from letters_app.views import coordinated_letter
from letters_app.views.author.common import status_change


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    letters = selectors.letter_list_for_coordinator(request.user)
    return render(request, "author/letter_list.html", {"letters": letters})


@login_required
def letter_new(request: HttpRequest) -> HttpResponse:
    form = LetterNewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = letter_services.letter_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Draft created: fill it in, then publish it."))
            return redirect("author:letter-edit", pk=letter.pk)
    return render(request, "author/letter_new.html", {"form": form})


@login_required
def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    if request.method != "POST":
        return _edit_page(request, letter, LetterForm(instance=letter))
    # A copy: the form writes the posted values on its instance, which a re-displayed page
    # previews, while the saved letter is compared with them.
    form = LetterForm(request.POST, instance=copy.copy(letter))
    if form.is_valid():
        try:
            saved = letter_services.letter_update(
                letter=letter,
                data=form.cleaned_data,
                actor=request.user,
                confirm_new_version=form.confirmed,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "needs_confirmation" and exc.params:
                form.ask_confirmation(exc.params["count"])
            form.add_service_errors(exc)
        else:
            if saved.version != letter.version:
                messages.success(request, _("Saved as text version %(n)s.") % {"n": saved.version})
            else:
                messages.success(request, _("Saved."))
            return redirect("author:letter-edit", pk=letter.pk)
    return _edit_page(request, letter, form)


def _edit_page(request: HttpRequest, letter: Letter, form: LetterForm) -> HttpResponse:
    # Shown again after a refused or unconfirmed save: the preview shows the text in the form.
    previewed = form.instance if form.is_bound else letter
    context = {"letter": letter, "form": form, "preview": render_letter_html(previewed)}
    return render(request, "author/letter_edit.html", context)


@login_required
@require_POST
def letter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = LetterForm(request.POST, instance=copy.copy(letter))
    form.is_valid()  # puts every valid posted value on the unsaved copy
    return HttpResponse(render_letter_html(form.instance))


@login_required
def letter_publish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    edit_url = reverse("author:letter-edit", kwargs={"pk": letter.pk})
    places = {"recipients": reverse("author:letter-recipients", kwargs={"pk": letter.pk})}
    problems = [
        (message, places.get(field, f"{edit_url}#id_{field}"))
        for field, message in letter_services.letter_publish_checks(letter)
    ]
    return status_change(
        request,
        letter,
        service=letter_services.letter_open,
        allowed=letter.status == Letter.Status.DRAFT,
        template="author/letter_publish.html",
        success=_("The letter is public and open for signing."),
        problems=problems,
    )


@login_required
def letter_close(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    return status_change(
        request,
        letter,
        service=letter_services.letter_close,
        allowed=letter.status == Letter.Status.OPEN,
        template="author/letter_close.html",
        success=_("Signing is closed."),
    )


@login_required
def letter_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    deadline_passed = bool(letter.signing_deadline and letter.signing_deadline <= timezone.now())
    return status_change(
        request,
        letter,
        service=letter_services.letter_reopen,
        allowed=letter.status == Letter.Status.CLOSED and not deadline_passed,
        template="author/letter_reopen.html",
        success=_("The letter is open for signing again."),
        deadline_passed=deadline_passed,
    )


@login_required
def letter_history(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    # A program's calls, one a second maybe, would bury the changes: the API tokens page
    # shows them.
    events = letter.audit_events.exclude(action=AuditAction.API_CALL).select_related("actor")
    versions: list[tuple[LetterVersion, list[Change] | None, str]] = []
    previous = None
    for version in letter.versions.select_related("created_by").order_by("number"):
        changes = text_diff(previous, version) if previous else None
        versions.insert(0, (version, changes, render_letter_html(letter, version)))
        previous = version
    context = {"letter": letter, "events": events, "versions": versions}
    return render(request, "author/letter_history.html", context)
