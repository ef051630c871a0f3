"""Finalizing a letter and following its delivery."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from letters_app import selectors
from letters_app.forms.author import LateRecipientForm, RecipientSearchForm
from letters_app.models import LETTER_LANGUAGES, Delivery, Letter, LetterSnapshot, delivery_reason
from letters_app.services import deliveries as delivery_services
from letters_app.views import act, coordinated_letter
from letters_app.views.author.common import (
    DIRECTORY_PAGE_SIZE,
    delivery_count_labels,
    moment_shown,
    status_change,
)


@login_required
def letter_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    problems = [(m, None) for m in delivery_services.letter_finalize_problems(letter)]
    names = dict(LETTER_LANGUAGES)
    recipients = [
        (lr.recipient, names[lr.language or letter.language])
        for lr in letter.letter_recipients.select_related("recipient")
    ]
    return status_change(
        request,
        letter,
        service=delivery_services.letter_finalize,
        allowed=letter.status == Letter.Status.CLOSED,
        template="author/letter_finalize.html",
        success=_("The letter is finalized."),  # the delivery page's banner follows the rest
        then="author:letter-delivery",
        problems=problems,
        recipients=recipients,
        signature_count=letter.signatures.filter(is_public=True).count(),
    )


@login_required
def letter_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    progress = selectors.delivery_progress(letter)
    snapshot, counts = progress.snapshot, progress.counts
    search = RecipientSearchForm(request.GET)
    query = search.cleaned_data if search.is_valid() else {}
    found_page = None
    if snapshot and (query.get("q") or query.get("kind")):
        receiving = letter.deliveries.values("recipient_id")  # the service refuses them
        found = selectors.recipient_list_directory(query=query["q"], kind=query["kind"])
        found = found.exclude(pk__in=receiving)
        found_page = Paginator(found, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "letter": letter,
        "snapshot": snapshot,
        "banner": _delivery_banner(letter, snapshot, counts),
        "deliveries": selectors.delivery_list_for_letter(letter),
        "progress": counts,
        "count_labels": delivery_count_labels(counts),
        "notices": selectors.signer_notice_counts(letter),
        "search": search,
        "found": list(found_page or []),
        "found_page": found_page,
        "searched": found_page is not None,
    }
    return render(request, "author/letter_delivery.html", context)


@login_required
def letter_delivery_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The delivery progress as JSON, polled by static/js/delivery-progress.js."""
    letter = coordinated_letter(request, pk)
    document = request.GET.get("document", Delivery.Document.LETTER)
    if document not in Delivery.Document.values:
        document = Delivery.Document.LETTER
    progress = selectors.delivery_progress(letter, document=document)
    snapshot = progress.snapshot
    labels = dict(Delivery.Status.choices)
    rows = [
        {
            "id": row["id"],
            "status": row["status"],
            "label": str(labels[row["status"]]),
            "attempts": row["attempts"],
            "reason": delivery_reason(row["error_kind"], row["last_error"]),
            "response": row["response"],
            "sent_at": moment_shown(row["sent_at"]),
        }
        for row in progress.rows
    ]
    of_letter = document == Delivery.Document.LETTER
    return JsonResponse(
        {
            "counts": progress.counts,
            "count_labels": delivery_count_labels(progress.counts),
            "rows": rows,
            "pdf": snapshot.pdf_status if snapshot else None,
            "pdf_error": snapshot.pdf_error if snapshot else "",
            "letter": {"status": letter.shown_status, "label": letter.get_shown_status_display()},
            "banner": _delivery_banner(letter, snapshot, progress.counts) if of_letter else None,
            "ended": progress.ended,
        }
    )


def _delivery_banner(
    letter: Letter, snapshot: LetterSnapshot | None, counts: dict[str, int]
) -> dict[str, str] | None:
    """Where the letter's delivery stands, in a sentence and a colour, for the delivery page's
    banner (static/js/delivery-progress.js keeps it up to date)."""
    if snapshot is None:
        return None
    if snapshot.pdf_status == LetterSnapshot.PdfStatus.PENDING:
        text, tone = _("The PDF is being made: the e-mails go out once it is ready."), "info"
    elif snapshot.pdf_status == LetterSnapshot.PdfStatus.FAILED:
        text, tone = _("The PDF could not be made, so nothing has been sent."), "danger"
    elif letter.status == Letter.Status.FINALIZED:
        text, tone = _("Sending: the e-mails are going out."), "info"
    elif letter.shown_status == Letter.PARTLY_DELIVERED:
        total = counts["sent"] + counts["waiting"] + counts["failed"]
        n = letter.undelivered_count
        text = ngettext(
            "Partly delivered: %(n)s of the %(total)s recipients with an e-mail address has "
            "not received the letter (yet). The reason is below.",
            "Partly delivered: %(n)s of the %(total)s recipients with an e-mail address have "
            "not received the letter (yet). The reasons are below.",
            n,
        ) % {"n": n, "total": total}
        tone = "danger"
    elif counts["sent"]:
        text = _("Sent: every recipient with an e-mail address has received the letter.")
        if counts["postal"]:
            text += " " + _posted_to_others(counts["postal"])
        tone = "success"
    else:
        text, tone = _("Final: the letter is to be posted to its recipients."), "success"
    return {"text": text, "tone": tone}


def _posted_to_others(n: int) -> str:
    """As the public page of a letter e-mailed to some recipients and posted to others says it."""
    return ngettext(
        "It is to be posted to %(n)s other recipient.",
        "It is to be posted to %(n)s other recipients.",
        n,
    ) % {"n": n}


@login_required
@require_POST
def letter_pdf_retry(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    return act(
        request,
        lambda: delivery_services.snapshot_pdf_retry(letter=letter, actor=request.user),
        success=_("The PDF is being made again; the e-mails follow."),
        then="author:letter-delivery",
        pk=letter.pk,
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    delivery = get_object_or_404(letter.deliveries.select_related("recipient"), pk=delivery_pk)
    press = delivery.document == Delivery.Document.PRESS_RELEASE
    return act(
        request,
        lambda: delivery_services.delivery_retry(delivery=delivery, actor=request.user),
        success=_("Sending again to %(name)s.") % {"name": delivery.recipient},
        then="author:press-release" if press else "author:letter-delivery",
        pk=letter.pk,
    )


@login_required
@require_POST
def signer_notices_resend(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    done = delivery_services.signer_notices_resend(letter=letter, actor=request.user)
    messages.success(request, ngettext(
        "%(n)s notice to a signer is being sent again.",
        "%(n)s notices to signers are being sent again.", done,
    ) % {"n": done})  # fmt: skip
    return redirect("author:letter-delivery", pk=letter.pk)


@login_required
@require_POST
def letter_late_recipient(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = LateRecipientForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return redirect("author:letter-delivery", pk=letter.pk)
    recipient = form.cleaned_data["recipient"]
    return act(
        request,
        lambda: delivery_services.letter_add_late_recipient(
            letter=letter, recipient=recipient, actor=request.user
        ),
        success=_("%(name)s will receive the letter.") % {"name": recipient},
        then="author:letter-delivery",
        pk=letter.pk,
    )
