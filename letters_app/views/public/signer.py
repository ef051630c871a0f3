"""The private links a signer gets by e-mail: confirming, managing their entry (correcting it,
keeping it on a new text, withdrawing it), and undoing a withdrawal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from letters_app import selectors
from letters_app.forms.public import SignatureEditForm
from letters_app.models import Letter, Signature
from letters_app.rendering import text_language
from letters_app.services import signatures as signature_services
from letters_app.views import act


def _signature_or_404(pk: int, token: str, purpose: str) -> Signature:
    signature = signature_services.signature_get_by_token(pk=pk, token=token, purpose=purpose)
    if signature is None:
        raise Http404
    return signature


@never_cache
def signature_confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "confirm")
    # A withdrawn signer who signed again confirms their new signing, shown as it will be.
    shown = signature.resigning() or signature
    pending = shown.status == Signature.Status.PENDING
    if pending and signature_services.confirmation_expired(signature.letter):
        return render(
            request, "public/signature_expired.html", {"signature": signature}, status=410
        )
    if request.method == "POST":  # a second press changes nothing and reads the same
        if pending:
            signature_services.signature_confirm(signature=signature)
        return redirect("public:signature-confirm", pk=pk, token=token)
    manage_token = signature.token("manage")
    return render(request, "public/signature_confirm.html", {
        "signature": shown, "letter": signature.letter, "manage_token": manage_token,
        "listed_language": text_language(signature.letter, get_language()),
    })  # fmt: skip


@never_cache
def signature_manage(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "manage")
    changeable = _changeable(signature)
    form = SignatureEditForm(
        request.POST if request.method == "POST" and changeable else None, signature=signature
    )
    if form.is_bound and form.is_valid():
        try:
            signature_services.signature_update_display(signature=signature, data=form.display_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your entry is corrected."))
            return redirect("public:signature-manage", pk=pk, token=token)
    outdated = changeable and signature.version < signature.letter.version
    return render(request, "public/signature_manage.html", {
        "signature": signature, "letter": signature.letter, "form": form, "token": token,
        "changeable": changeable, "outdated": outdated,
        "changes": selectors.letter_changes_since(signature.letter, signature.version)
        if outdated else None,
        "listed_language": text_language(signature.letter, get_language()),
    })  # fmt: skip


def _changeable(signature: Signature) -> bool:
    gone = signature.status in (Signature.Status.WITHDRAWN, Signature.Status.REJECTED)
    return not gone and signature.letter.status not in Letter.FROZEN


@never_cache
@require_http_methods(["GET", "POST"])
def signature_withdraw(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Asks once (GET), then withdraws (POST)."""
    signature = _signature_or_404(pk, token, "manage")
    if request.method == "GET":
        if not _changeable(signature):
            return redirect("public:signature-manage", pk=pk, token=token)
        return render(request, "public/signature_withdraw.html", {
            "signature": signature, "letter": signature.letter, "token": token,
            "listed_language": text_language(signature.letter, get_language()),
        })  # fmt: skip
    return act(
        request,
        lambda: signature_services.signature_withdraw(signature=signature),
        success=_(
            "Your signature is withdrawn: your name is no longer on the list. We have "
            "e-mailed you a link to undo this."
        ),  # fmt: skip
        then="public:signature-manage",
        pk=pk,
        token=token,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signature_restore(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The link in the withdrawal's mail: shows what undoing it puts back (GET), does it
    (POST), or says why it no longer can."""
    signature = _signature_or_404(pk, token, "restore")
    if request.method == "POST":
        return act(
            request,
            lambda: signature_services.signature_restore(signature=signature),
            success=_("Your signature is back as it was."),
            then="public:signature-restore",
            pk=pk,
            token=token,
        )
    return render(request, "public/signature_restore.html", {
        "signature": signature, "letter": signature.letter,
        "refusal": signature_services.restore_refusal(signature),
        "manage_token": signature.token("manage"),
        "listed_language": text_language(signature.letter, get_language()),
    })  # fmt: skip


@require_POST
def signature_keep(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    signature = _signature_or_404(pk, token, "manage")
    return act(
        request,
        lambda: signature_services.signature_keep(signature=signature),
        success=_("Thank you: your signature stays on the new text."),
        then="public:signature-manage",
        pk=pk,
        token=token,
    )
