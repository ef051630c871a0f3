"""Embed and share: a page of the letter's "Connect" tab. The sites that may show the sign form,
the snippets to paste into them (in the language chosen), and a preview of the embed page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from letters_app.forms.embed import EmbedOriginsForm, SnippetLanguageForm
from letters_app.services.embed import letter_set_embed_origins
from letters_app.templatetags.share import badge_snippet, embed_snippet, link_snippet
from letters_app.views import AuthenticatedHttpRequest, coordinated_letter


@login_required
def letter_embed(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = EmbedOriginsForm(request.POST or None, initial={"origins": letter.embed_origins})
    if request.method == "POST" and form.is_valid():
        try:
            letter_set_embed_origins(
                letter=letter, text=form.cleaned_data["origins"], actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The list of sites is saved."))
            return redirect("author:letter-embed", pk=letter.pk)
    chosen = SnippetLanguageForm(request.GET)
    site_languages = dict(settings.LANGUAGES)
    language = (chosen.is_valid() and chosen.cleaned_data["lang"]) or (
        letter.language if letter.language in site_languages else settings.LANGUAGE_CODE
    )
    with translation.override(language):  # the partner's page speaks the language chosen
        codes = [embed_snippet(letter), badge_snippet(letter), link_snippet(letter)]
        preview_url = reverse("public:letter-embed", kwargs={"slug": letter.slug})
    snippets = zip(
        ("embed", "badge", "link"),
        (
            _("The sign form with the live count (a frame)"),
            _("The counter badge (an image that links to the letter)"),
            _("A link to the letter"),
        ),
        (_("frame"), _("badge"), _("link")),
        codes,
        strict=True,
    )
    return render(request, "author/letter_embed.html", {
        "letter": letter, "form": form, "snippets": list(snippets), "preview_url": preview_url,
        "language_form": SnippetLanguageForm(initial={"lang": language}),
    })  # fmt: skip
