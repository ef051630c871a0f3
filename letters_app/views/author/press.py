"""The press release drafted from a finalized letter."""

import copy
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from letters_app import selectors
from letters_app.exports.letter_pdf import FONTS_STYLESHEET, write_pdf
from letters_app.forms.author import PressReleaseForm, PressSendForm
from letters_app.models import Delivery, Letter, PressRelease, Recipient
from letters_app.rendering import render_press_release_html, render_press_release_text
from letters_app.services import press as press_services
from letters_app.views import act, coordinated_letter
from letters_app.views.author.common import delivery_count_labels


def _press_for(letter: Letter) -> PressRelease | None:
    return PressRelease.objects.filter(letter=letter).first()


@login_required
def press_release(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    press = _press_for(letter)
    if press is None or request.method != "POST":
        form = PressReleaseForm(instance=press) if press else None
        return _press_page(request, letter, press, form)
    form = PressReleaseForm(request.POST, instance=copy.copy(press))
    if form.is_valid():
        try:
            press_services.press_release_update(
                press=press, data=form.cleaned_data, actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The press release is saved."))
            return redirect("author:press-release", pk=letter.pk)
    return _press_page(request, letter, press, form)


def _press_page(
    request: HttpRequest, letter: Letter, press: PressRelease | None, form: PressReleaseForm | None
) -> HttpResponse:
    progress = selectors.delivery_progress(letter, document="press").counts
    context = {
        "letter": letter,
        "press": press,
        "form": form,
        "can_draft": letter.status in Letter.FROZEN,
        "preview": render_press_release_html(press) if press else "",
        "problems": press_services.press_release_send_problems(press) if press else [],
        "deliveries": selectors.delivery_list_for_letter(letter, document="press"),
        "progress": progress,
        "count_labels": delivery_count_labels(progress),
    }
    return render(request, "author/press_release.html", context)


@login_required
@require_POST
def press_release_draft(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    return act(
        request,
        lambda: press_services.press_release_draft(letter=letter, actor=request.user),
        success=_("A draft is ready: fill in the quote and check every part."),
        then="author:press-release",
        pk=letter.pk,
    )


def _press_get(request: HttpRequest, pk: int) -> tuple[Letter, PressRelease]:
    letter = coordinated_letter(request, pk)
    return letter, get_object_or_404(PressRelease, letter=letter)


def _download(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def press_release_preview(request: HttpRequest, pk: int) -> HttpResponse:
    _letter, press = _press_get(request, pk)
    form = PressReleaseForm(request.POST, instance=copy.copy(press))
    form.is_valid()  # puts every valid posted value on the unsaved copy
    return HttpResponse(render_press_release_html(form.instance))


@login_required
def press_release_text(request: HttpRequest, pk: int) -> HttpResponse:
    letter, press = _press_get(request, pk)
    return _download(
        render_press_release_text(press),
        content_type="text/plain; charset=utf-8",
        filename=f"{letter.slug}-press-release.txt",
    )


@login_required
def press_release_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A page or two, made in the request (short enough not to need a task), as the letter's
    PDF is: in the shipped faces, reading local static files only."""
    letter, press = _press_get(request, pk)
    context = {"press": press, "press_html": render_press_release_html(press)}
    html = render_to_string("author/press_release_pdf.html", context, request=request)
    return _download(
        write_pdf(html, stylesheets=[FONTS_STYLESHEET]),
        content_type="application/pdf",
        filename=f"{letter.slug}-press-release.pdf",
    )


@login_required
def press_release_send(request: HttpRequest, pk: int) -> HttpResponse:
    letter, press = _press_get(request, pk)
    form = PressSendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = press_services.press_release_send(
                press=press, recipients=list(form.cleaned_data["recipients"]), actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            n = len(created)
            text = ngettext(
                "The press release is on its way to %(n)s contact.",
                "The press release is on its way to %(n)s contacts.",
                n,
            )
            messages.success(request, text % {"n": n})
            return redirect("author:press-release", pk=letter.pk)
    already = set(
        letter.deliveries.filter(document=Delivery.Document.PRESS_RELEASE).values_list(
            "recipient_id", flat=True
        )
    )
    media = cast(ModelMultipleChoiceField, form.fields["recipients"]).queryset
    context = {
        "letter": letter,
        "press": press,
        "form": form,
        "media": list(media[:500]) if media is not None else [],
        "already": already,
        "problems": press_services.press_release_send_problems(press),
        "media_kind": Recipient.Kind.MEDIA.label,
    }
    return render(request, "author/press_release_send.html", context)
