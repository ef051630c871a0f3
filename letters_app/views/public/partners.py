"""A partner's personal link: the invitation page (GET shows, POST acts, so that a mail
scanner following the link changes nothing), the sign form filled in with what the
coordinators know of the organization, declining, and unsubscribing in one click."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from letters_app.forms.partners import PartnerDeclineForm
from letters_app.forms.public import SignForm, accepted_kinds
from letters_app.models import Letter, Partner, Signature
from letters_app.ratelimit import RateLimitedRequest, client_ip, rate_limited
from letters_app.services import partners as partner_services
from letters_app.services import signatures as signature_services
from letters_app.views import found


def _partner(secret: str) -> Partner:
    return found(partner_services.partner_get_by_secret(secret))


def _invitation_page(
    request: HttpRequest, partner: Partner, *, form: PartnerDeclineForm | None = None
) -> HttpResponse:
    context = {
        "partner": partner,
        "letter": partner.letter,
        "open": partner.letter.status == Letter.Status.OPEN,
        "decline_form": form or PartnerDeclineForm(),
    }
    return render(request, "public/partner_invitation.html", context)


@never_cache
def partner_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """What the partner is asked, and its choices: each a button (a POST)."""
    return _invitation_page(request, _partner(secret))


@never_cache
@require_POST
@rate_limited("public.sign")
def partner_sign(request: RateLimitedRequest, secret: str) -> HttpResponse:
    """The "open" button: the sign form, filled in; the form sent: the signature."""
    partner = _partner(secret)
    letter = partner.letter
    if letter.status != Letter.Status.OPEN:
        return _invitation_page(request, partner)
    if "open" in request.POST:
        partner_services.partner_open(partner=partner)
        initial = {"name": partner.name, "acronym": partner.acronym,
                   "country": partner.country.code, "email": partner.email}  # fmt: skip
        form = SignForm(letter=letter, kind=Signature.Kind.ORGANIZATION, initial=initial)
        return _sign_page(request, partner, form)
    if request.limited or "choose_kind" in request.POST:
        typed = SignForm(letter=letter, kind=request.POST.get("kind"), initial=request.POST.dict())
        return _sign_page(request, partner, typed, status=429 if request.limited else 200)
    form = SignForm(request.POST, letter=letter)
    if form.is_robot():
        return redirect("public:letter-sign-done", slug=letter.slug)
    if form.is_valid():
        try:
            signature = partner_services.partner_sign(
                partner=partner, language=get_language(), ip_address=client_ip(request),
                **form.signature_data,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if signature.status == Signature.Status.PENDING:  # another address: confirm it
                return redirect("public:letter-sign-done", slug=letter.slug)
            return redirect("public:partner-invitation", secret=partner.secret)
    return _sign_page(request, partner, form)


def _sign_page(
    request: HttpRequest, partner: Partner, form: SignForm, *, status: int = 200
) -> HttpResponse:
    letter = partner.letter
    return render(request, "public/letter_sign.html", {
        "letter": letter, "form": form, "kinds": accepted_kinds(letter), "limited": status == 429,
        "refusal": signature_services.signing_refusal(letter), "partner": partner,
    }, status=status)  # fmt: skip


@never_cache
@require_POST
def partner_decline(request: HttpRequest, secret: str) -> HttpResponse:
    partner = _partner(secret)
    form = PartnerDeclineForm(request.POST)
    if not form.is_valid():
        return _invitation_page(request, partner, form=form)
    partner_services.partner_decline(partner=partner, reason=form.cleaned_data["reason"])
    return redirect("public:partner-invitation", secret=partner.secret)


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" here, with no cookie
def partner_unsubscribe(request: HttpRequest, secret: str) -> HttpResponse:
    """GET asks (a scanner changes nothing); POST, from the page or a mail client, unsubscribes."""
    partner = _partner(secret)
    if request.method == "POST":
        partner_services.partner_unsubscribe(partner=partner)
        partner.refresh_from_db()
    return render(request, "public/partner_unsubscribe.html",
                  {"partner": partner, "letter": partner.letter})  # fmt: skip
