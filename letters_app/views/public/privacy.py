"""Privacy: the page that says what Cosign keeps about signers and for how long, and a signer
erasing their personal data from their private link."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from letters_app import selectors
from letters_app.models import Letter
from letters_app.rendering import text_language
from letters_app.services import privacy as privacy_services
from letters_app.services import signatures as signature_services
from letters_app.views import found


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public/privacy.html", {"retention_days": settings.SIGNER_DATA_RETENTION_DAYS}
    )


@never_cache
def signature_erase(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Asks once (GET), then erases (POST); the link that led here stops working."""
    signature = signature_services.signature_get_by_token(pk=pk, token=token, purpose="manage")
    if signature is None:
        raise Http404
    letter = signature.letter
    if request.method == "POST":
        privacy_services.signature_erase(signature=signature)
        return redirect("public:signature-erased", slug=letter.slug)
    return render(request, "public/signature_erase.html", {
        "signature": signature, "letter": letter, "token": token,
        "delivered": letter.status in Letter.FROZEN,
        "listed_language": text_language(letter, get_language()),
    })  # fmt: skip


@never_cache
def signature_erased(request: HttpRequest, slug: str) -> HttpResponse:
    """Says the erasure is done; it names no signer, so it may be the same for anyone."""
    letter = found(selectors.letter_get_public(slug))
    return render(request, "public/signature_erased.html", {
        "letter": letter, "delivered": letter.status in Letter.FROZEN,
    })  # fmt: skip
