"""Signing a letter: the sign form, the page that says to check one's mail, and sending the
confirmation link again."""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from letters_app import cache as letter_cache
from letters_app import selectors
from letters_app.forms.public import ResendForm, SignForm, accepted_kinds
from letters_app.models import Letter
from letters_app.ratelimit import RateLimitedRequest, client_ip, rate_limited
from letters_app.services import signatures as signature_services
from letters_app.views import found
from letters_app.views.public.letters import ended_notice, letter_page


@rate_limited("public.sign")
def letter_sign(request: RateLimitedRequest, slug: str) -> HttpResponse:
    letter = found(letter_cache.letter_get_for_signing(slug))
    if letter.status != Letter.Status.OPEN:
        letter = found(selectors.letter_get_public(slug))
        return letter_page(request, letter, notice=ended_notice(letter))
    if request.method != "POST":
        return _sign_page(request, SignForm(letter=letter, kind=request.GET.get("kind")))
    if request.limited or "choose_kind" in request.POST:
        # Too many tries, or another kind chosen without JavaScript: the form again, as typed.
        typed = SignForm(letter=letter, kind=request.POST.get("kind"), initial=request.POST.dict())
        return _sign_page(request, typed, status=429 if request.limited else 200)
    form = SignForm(request.POST, letter=letter)
    if sign_submit(request, form):
        return _sign_done(letter.slug)
    return _sign_page(request, form)


def sign_submit(request: HttpRequest, form: SignForm) -> bool:
    """Sign with what the form holds: True when the signer is to be told to check their mail (a
    new signature, a second try with the same address, or a robot, answered as a person and
    with nothing recorded); False when the form shows why not. For every form that signs."""
    if form.is_robot():
        return True
    if form.is_valid():
        try:
            signature_services.signature_add(
                letter=form.letter,
                language=get_language(),
                ip_address=client_ip(request),
                **form.signature_data,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return True
    return False


def _sign_done(slug: str) -> HttpResponseRedirect:
    return redirect(_sign_done_url(slug, get_language(), get_script_prefix()))


@functools.lru_cache(maxsize=4096)
def _sign_done_url(slug: str, language: str, script_prefix: str) -> str:
    """The done page's address, as reverse() gives it in the active language under the active
    script prefix (both in the key), kept per process: reversing it was a twentieth of a sign
    POST."""
    return reverse("public:letter-sign-done", kwargs={"slug": slug})


def _sign_page(request: HttpRequest, form: SignForm, *, status: int = 200) -> HttpResponse:
    letter = form.letter
    return render(request, "public/letter_sign.html", {
        "letter": letter, "form": form, "kinds": accepted_kinds(letter), "limited": status == 429,
        "refusal": signature_services.signing_refusal(letter),
    }, status=status)  # fmt: skip


def letter_sign_done(request: HttpRequest, slug: str) -> HttpResponse:
    letter = found(selectors.letter_get_public(slug))
    return _done_page(request, letter, ResendForm())


@rate_limited("public.resend")
def letter_resend(request: RateLimitedRequest, slug: str) -> HttpResponse:
    letter = found(selectors.letter_get_public(slug))
    if request.method != "POST":
        return redirect("public:letter-sign-done", slug=letter.slug)
    if request.limited:
        typed = ResendForm(initial={"email": request.POST.get("email", "")})
        return _done_page(request, letter, typed, status=429)
    form = ResendForm(request.POST)
    if not form.is_valid():
        return _done_page(request, letter, form)
    signature_services.signature_resend(letter=letter, email=form.cleaned_data["email"])
    # The same words whether or not the address signed: the page tells nobody who did.
    messages.info(request, _("If this address signed and has not confirmed yet, the link is on "
                             "its way again. Look in your spam folder too."))  # fmt: skip
    return redirect("public:letter-sign-done", slug=letter.slug)


def _done_page(
    request: HttpRequest, letter: Letter, form: ResendForm, *, status: int = 200
) -> HttpResponse:
    context = {"letter": letter, "form": form, "limited": status == 429}
    return render(request, "public/letter_sign_done.html", context, status=status)
