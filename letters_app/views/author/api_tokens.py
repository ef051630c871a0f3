"""API tokens: a page of the letter's "Connect" tab. A new token's secret is shown on the page
the creation leads to, once: it waits in the session for that one page, and is kept nowhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from letters_app.forms.api_tokens import ApiTokenForm
from letters_app.models import ApiToken, Letter
from letters_app.services import api_tokens as token_services
from letters_app.views import coordinated_letter, found

SHOWN_ONCE = "api_token_secret"  # the session's key for the secret to show on the next page


@never_cache
@login_required
def letter_api_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = ApiTokenForm(request.POST if "name" in request.POST else None)
    if "revoke" in request.POST:
        return _revoke(request, letter, request.POST["revoke"])
    if form.is_valid():
        token, secret = token_services.api_token_create(
            letter=letter, actor=request.user, **form.cleaned_data
        )
        request.session[SHOWN_ONCE] = {"token": token.pk, "secret": secret}
        return redirect("author:letter-api-tokens", pk=letter.pk)
    shown = request.session.pop(SHOWN_ONCE, None)
    tokens = token_services.api_token_list(letter)
    new = next((t for t in tokens if shown and t.pk == shown["token"]), None)
    return render(request, "author/letter_api_tokens.html", {
        "letter": letter, "form": form, "tokens": tokens, "new": new,
        "calls": token_services.api_calls_recent(letter),
        "secret": shown["secret"] if new else "",
        "example_url": request.build_absolute_uri(
            reverse("api-v1:coordinate-signatures", kwargs={"slug": letter.slug})),
        "docs_url": reverse("api-v1:openapi-view"),
    })  # fmt: skip


def _revoke(request: HttpRequest, letter: Letter, token_id: str) -> HttpResponse:
    token = found(ApiToken.objects.filter(letter=letter, pk=token_id).first()
                  if token_id.isdigit() else None)  # fmt: skip
    if token_services.api_token_revoke(token=token, actor=request.user):
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("author:letter-api-tokens", pk=letter.pk)
