"""A letter's co-coordinators, and the e-mails each of them gets about its signatures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from letters_app.forms.author import CoordinatorAddForm, CoordinatorMailsForm
from letters_app.models import Letter
from letters_app.services import digests
from letters_app.services import letters as letter_services
from letters_app.views import coordinated_letter


def _can_manage_coordinators(user: User | AnonymousUser, letter: Letter) -> bool:
    return user.is_staff or letter.created_by_id == user.pk


@login_required
def letter_coordinators(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    can_manage = _can_manage_coordinators(request.user, letter)
    form = CoordinatorAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            user = form.cleaned_data["who"]
            try:
                letter_services.letter_add_coordinator(letter=letter, user=user, actor=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("%(name)s now coordinates this letter.") % {"name": user}
                )
                return redirect("author:letter-coordinators", pk=letter.pk)
    co_coordinators = letter.co_coordinators.order_by("username")
    context = {"letter": letter, "form": form, "can_manage": can_manage, "others": co_coordinators}
    if request.user in digests.coordinators(letter):
        chosen = digests.mails_chosen(letter, request.user)
        context["mails_form"] = CoordinatorMailsForm(initial={"mails": chosen})
    return render(request, "author/letter_coordinators.html", context)


@login_required
@require_POST
def letter_mails_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator chooses the e-mails they get about the letter's new signatures."""
    letter = coordinated_letter(request, pk)
    if request.user not in digests.coordinators(letter):
        raise PermissionDenied  # an admin looking on does not run the letter
    form = CoordinatorMailsForm(request.POST)
    if form.is_valid():
        digests.mails_choose(letter=letter, user=request.user, mails=form.cleaned_data["mails"])
        messages.success(request, _("Your choice of e-mails is saved."))
    else:
        messages.error(request, _("Choose one of the options offered."))
    return redirect("author:letter-coordinators", pk=letter.pk)


@login_required
@require_POST
def letter_coordinator_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    if not _can_manage_coordinators(request.user, letter):
        raise PermissionDenied
    user = get_object_or_404(letter.co_coordinators, pk=user_pk)
    letter_services.letter_remove_coordinator(letter=letter, user=user, actor=request.user)
    messages.success(request, _("%(name)s no longer coordinates this letter.") % {"name": user})
    return redirect("author:letter-coordinators", pk=letter.pk)
