"""A letter's translations."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from letters_app.forms.author import TranslationForm, TranslationNewForm
from letters_app.models import (
    LETTER_LANGUAGES,
    TRANSLATED_FIELDS,
    Letter,
    LetterTranslation,
    language_name,
)
from letters_app.rendering import render_letter_html
from letters_app.services import letters as letter_services
from letters_app.views import act, coordinated_letter


@login_required
def letter_translations(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    refusal = letter_services.translation_refusal(letter)
    if request.method == "POST" and refusal:
        messages.error(request, refusal)
        return redirect("author:letter-translations", pk=letter.pk)
    form = TranslationNewForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        return redirect(
            "author:translation-edit", pk=letter.pk, language=form.cleaned_data["language"]
        )
    context = {
        "letter": letter,
        "translations": letter.translations.select_related("updated_by"),
        "form": form,
        "refusal": refusal,
    }
    return render(request, "author/letter_translations.html", context)


def _translation_language(letter: Letter, language: str) -> str:
    """The language from the address: one a letter can be translated into, not the original."""
    if language not in dict(LETTER_LANGUAGES) or language == letter.language:
        raise Http404
    return language


@login_required
def translation_edit(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    language = _translation_language(letter, language)
    translation = letter.translations.filter(language=language).first()
    instance = copy.copy(translation) if translation else LetterTranslation(letter=letter)
    form = TranslationForm(request.POST or None, instance=instance, language=language)
    refusal = letter_services.translation_refusal(letter)
    for field in form.fields.values() if refusal else ():
        field.disabled = True  # shown as frozen; a post still meets the service's refusal
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in TRANSLATED_FIELDS}
        try:
            letter_services.translation_save(
                letter=letter, language=language, data=data, actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("author:translation-edit", pk=letter.pk, language=language)
    context = {
        "letter": letter,
        "translation": translation,
        "language": language,
        "language_name": language_name(language),
        "form": form,
        "original": render_letter_html(letter),
        "problems": letter_services.translation_ready_problems(translation) if translation else {},
        "refusal": refusal,
    }
    return render(request, "author/translation_edit.html", context)


def _translation_get(request: HttpRequest, pk: int, language: str) -> LetterTranslation:
    letter = coordinated_letter(request, pk)
    return get_object_or_404(letter.translations.select_related("letter"), language=language)


@login_required
@require_POST
def translation_ready(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    translation = _translation_get(request, pk, language)
    return act(
        request,
        lambda: letter_services.translation_mark_ready(translation=translation, actor=request.user),
        success=_("The translation is ready: readers are offered it."),
        then="author:translation-edit",
        pk=pk,
        language=language,
    )


@login_required
@require_POST
def translation_draft(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    translation = _translation_get(request, pk, language)
    return act(
        request,
        lambda: letter_services.translation_mark_draft(translation=translation, actor=request.user),
        success=_("The translation is a draft again: readers no longer see it."),
        then="author:translation-edit",
        pk=pk,
        language=language,
    )


@login_required
@require_POST
def translation_delete(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    translation = _translation_get(request, pk, language)
    try:
        letter_services.translation_delete(translation=translation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("author:translation-edit", pk=pk, language=language)
    messages.success(request, _("The translation is deleted."))
    return redirect("author:letter-translations", pk=pk)
