"""A letter's signatures: the moderation queue, a line corrected, a mail sent again."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from letters_app import selectors
from letters_app.forms.author import SignatureDisplayForm, SignatureModerateForm
from letters_app.models import Letter, Signature, SignerMail
from letters_app.rendering import listed_line
from letters_app.services import signatures as signature_services
from letters_app.views import coordinated_letter

SIGNATURES_PAGE_SIZE = 50


NOT_TIDIED = ("country", "organization_type", "website")  # chosen from a list, or a link


# Each tab names the signatures it holds (plural in French: "Confirmées"), where a row's status
# names one ("Confirmée").
SIGNATURE_TABS = {
    "pending": gettext_lazy("Waiting for e-mail confirmation"),
    "confirmed": pgettext_lazy("signatures tab", "Confirmed"),
    "approved": pgettext_lazy("signatures tab", "Approved"),
    "rejected": pgettext_lazy("signatures tab", "Rejected"),
    "withdrawn": pgettext_lazy("signatures tab", "Withdrawn"),
    "flagged": gettext_lazy("Flagged"),
    "undelivered": gettext_lazy("Mail not delivered"),
}


@login_required
def letter_signatures(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    if request.method == "POST":
        form = SignatureModerateForm(request.POST, letter=letter)
        if form.is_valid():
            approve = form.cleaned_data["action"] == "approve"
            chosen = form.cleaned_data["signatures"]  # of this letter only: the form checks
            try:
                done = signature_services.signature_moderate(
                    signatures=chosen, approve=approve, actor=request.user
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _moderated_message(done, len(chosen), approve))
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(map(str, errors)))
        return redirect(request.get_full_path())
    return _signatures_page(request, letter)


def _moderated_message(done: int, chosen: int, approve: bool) -> str:
    if approve:
        text = ngettext("%(n)s signature approved.", "%(n)s signatures approved.", done)
    else:
        text = ngettext("%(n)s signature rejected.", "%(n)s signatures rejected.", done)
    text %= {"n": done}
    if done < chosen:
        text += " " + _("The others were already so, or are not confirmed by e-mail yet.")
    return text


def _signatures_page(request: HttpRequest, letter: Letter) -> HttpResponse:
    tab = request.GET.get("tab", "confirmed")
    if tab not in SIGNATURE_TABS:
        tab = "confirmed"
    counts = selectors.signature_queue_counts(letter)
    queue = selectors.signature_queue(letter, tab).select_related("imported_by")
    paginator = Paginator(queue, SIGNATURES_PAGE_SIZE)
    frozen = letter.status in Letter.FROZEN  # nothing on the list can change: nothing is offered
    page = paginator.get_page(request.GET.get("page"))
    failed = selectors.signer_mails_failed(page.object_list)
    context = {
        "letter": letter,
        "tab": tab,
        "tabs": [(key, label, counts[key]) for key, label in SIGNATURE_TABS.items()],
        "page": page,
        # Each row as the letter lists it: its country named in the letter's language.
        # With the last mail to the signer that could not be sent, if any.
        "rows": [
            (signature, listed_line(signature, letter.language), failed.get(signature.pk))
            for signature in page
        ],
        "can_moderate": tab in ("confirmed", "approved", "rejected", "flagged") and not frozen,
        "frozen": frozen,
    }
    return render(request, "author/letter_signatures.html", context)


@login_required
def signature_edit(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    signature = get_object_or_404(letter.signatures, pk=signature_pk)
    suggestion = _tidy_suggestion(signature)
    if request.method == "POST":
        form = SignatureDisplayForm(request.POST, instance=copy.copy(signature))
        if form.is_valid():
            try:
                signature_services.signature_update_display(
                    signature=signature, data=form.cleaned_data, actor=request.user
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved: %(line)s") % {"line": signature.display_line})
                return redirect("author:letter-signatures", pk=letter.pk)
    else:
        initial = suggestion if request.GET.get("tidy") else {}
        form = SignatureDisplayForm(instance=signature, initial=initial)
    frozen = letter.status in Letter.FROZEN
    for field in form.fields.values() if frozen else ():
        field.disabled = True
    context = {"letter": letter, "signature": signature, "form": form, "frozen": frozen}
    context["suggestion"] = _suggestion_rows(signature, suggestion)
    return render(request, "author/signature_edit.html", context)


def _tidy_suggestion(signature: Signature) -> dict[str, str]:
    """The display fields as display_text_tidy would write them, and a country typed at the end
    of the name moved to the country field; only what would change."""
    fields = SignatureDisplayForm.FIELDS_BY_KIND[Signature.Kind(signature.kind)]
    texts = [f for f in fields if f not in NOT_TIDIED]
    tidy = {f: signature_services.display_text_tidy(getattr(signature, f)) for f in texts}
    name, country = signature_services.display_country_split(tidy["name"])
    if country and (not signature.country or signature.country.code == country):
        tidy["name"], tidy["country"] = name, country
    return {f: value for f, value in tidy.items() if value != getattr(signature, f)}


def _suggestion_rows(
    signature: Signature, suggestion: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(label, now, suggested) for the page, with country codes shown as names."""

    def shown(field: str, value: str) -> str:
        return countries.name(str(value)) if field == "country" else value

    labels = {field.name: field.verbose_name for field in Signature._meta.fields}
    return [
        (str(labels[f]), shown(f, getattr(signature, f)), shown(f, v))
        for f, v in suggestion.items()
    ]


@login_required
@require_POST
def signature_mail_resend(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    signature = get_object_or_404(letter.signatures, pk=signature_pk)
    for mail in signature.mails.filter(status=SignerMail.Status.FAILED):
        signature_services.signer_mail_resend(mail=mail, actor=request.user)
    messages.success(request, _("The e-mail to %(email)s is being sent again.") % {
        "email": signature.email
    })  # fmt: skip
    return redirect(f"{reverse('author:letter-signatures', args=[letter.pk])}?tab=undelivered")
