"""A letter's partners: the organizations its coordinators ask to sign, added from a list (read,
previewed and confirmed as the signatories' import is) or from earlier letters' signatories."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from letters_app.exports.partners import partner_csv_stream
from letters_app.forms.author import ImportConfirmForm
from letters_app.forms.partners import (
    PARTNERS_KIND,
    PartnerEarlierForm,
    PartnerImportForm,
    PartnerInviteForm,
)
from letters_app.models import Letter, Partner
from letters_app.services import imports as import_services
from letters_app.services import partners as partner_services
from letters_app.views import coordinated_letter
from letters_app.views.author.common import paste_limits
from letters_app.views.author.reminders import reminders_context

# Rows of the partners' table a page: at 5,000 partners it costs what it costs at 50.
PARTNERS_PAGE_SIZE = 50


def _page(
    request: HttpRequest,
    letter: Letter,
    *,
    form: PartnerImportForm | None = None,
    too_big: bool = False,
    status: int = 200,
) -> HttpResponse:
    candidates = partner_services.partner_candidates(letter, request.user)
    shown = request.GET.get("status", "")
    counts = partner_services.partner_counts(letter)
    partners = partner_services.partner_list(letter, status=shown)
    page = Paginator(partners, PARTNERS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "letter": letter,
        "partners": page,
        "page": page,
        "total": sum(counts.values()),
        "funnel": [(value, label, counts[value]) for value, label in Partner.Status.choices],
        "status": shown if shown in counts else "",
        "form": form or PartnerImportForm(letter=letter),
        "earlier_form": PartnerEarlierForm(candidates=candidates) if candidates else None,
        "refusal": partner_services.partners_refusal(letter),
        "invite_refusal": partner_services.invite_refusal(letter),
        "too_big": too_big,
        "import_action": "author:letter-partners",
        "max_partners": partner_services.MAX_PARTNERS,
        **paste_limits(),
        **reminders_context(letter),
    }
    return render(request, "author/letter_partners.html", context, status=status)


@csrf_exempt  # checked by `_letter_partners`'s csrf_protect, once the body could be read
@login_required
def letter_partners(request: HttpRequest, pk: int) -> HttpResponse:
    """The partners, and the forms to add some; a list posted here is previewed, not added."""
    letter = coordinated_letter(request, pk)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parsed here, where a body too big can be answered
        except RequestDataTooBig:
            return _page(request, letter, too_big=True, status=413)
    return _letter_partners(request, letter)


@csrf_protect
def _letter_partners(request: HttpRequest, letter: Letter) -> HttpResponse:
    if request.method != "POST":
        return _page(request, letter)
    form = PartnerImportForm(request.POST, request.FILES, letter=letter)
    if not form.is_valid():
        return _page(request, letter, form=form)
    source = form.cleaned_data["source"]
    lines = import_services.import_parse(source, partners=True)
    preview = import_services.import_preview_partners(letter=letter, lines=lines)
    payload = ImportConfirmForm.payload_for(letter=letter, kind=PARTNERS_KIND, source=source)
    added = len(preview.importable)
    context = {
        "letter": letter,
        "preview": preview,
        "confirm_form": ImportConfirmForm(initial={"payload": payload}, letter=letter),
        "payload_too_big": len(payload) + 1024 > settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "form": form if "text" in source else PartnerImportForm(letter=letter),
        "refusal": partner_services.partners_refusal(letter)
        or partner_services.partners_room(letter, added),
        "import_action": "author:letter-partners",
        **paste_limits(),
    }
    return render(request, "author/letter_partners_preview.html", context)


def _adding(
    request: HttpRequest, letter: Letter, add: Callable[[], partner_services.PartnersResult]
) -> HttpResponse:
    """Run `add`, say what it added (or why nothing), and go back to the partners."""
    try:
        result = add()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("author:letter-partners", pk=letter.pk)
    text = ngettext("%(n)s partner added.", "%(n)s partners added.", result.created)
    text %= {"n": result.created}
    if result.skipped:
        n = len(result.skipped)
        text += " " + ngettext("%(n)s line skipped.", "%(n)s lines skipped.", n) % {"n": n}
    messages.success(request, text)
    return redirect("author:letter-partners", pk=letter.pk)


@login_required
@require_POST
def letter_partners_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = ImportConfirmForm(request.POST, letter=letter)
    if not form.is_valid():
        messages.error(request, " ".join(map(str, form.errors["payload"])))
        return redirect("author:letter-partners", pk=letter.pk)
    if form.cleaned_data["payload"].get("kind") != PARTNERS_KIND:  # a signatures' preview
        messages.error(request, _("This preview cannot be read: preview the list again."))
        return redirect("author:letter-partners", pk=letter.pk)
    source = form.cleaned_data["payload"]["source"]
    lines = import_services.import_parse(source, partners=True)
    keep = form.cleaned_data["keep"]
    return _adding(request, letter, lambda: partner_services.partners_add(
        letter=letter, lines=lines, actor=request.user, keep=keep))  # fmt: skip


@login_required
@require_POST
def letter_partners_earlier(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    candidates = partner_services.partner_candidates(letter, request.user)
    form = PartnerEarlierForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, " ".join(map(str, form.errors["signatures"])))
        return redirect("author:letter-partners", pk=letter.pk)
    chosen = form.cleaned_data["signatures"]
    return _adding(request, letter, lambda: partner_services.partners_add_earlier(
        letter=letter, signature_ids=chosen, user=request.user, actor=request.user))  # fmt: skip


@login_required
@require_POST
def letter_partners_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite the ticked partners, or ("everyone") all those not invited yet."""
    letter = coordinated_letter(request, pk)
    ids = list(Partner.objects.filter(letter=letter).values_list("pk", flat=True))
    form = PartnerInviteForm(request.POST, partner_ids=ids)
    if not form.is_valid():
        messages.error(request, _("Choose partners from the list."))
        return redirect("author:letter-partners", pk=letter.pk)
    chosen = None if form.cleaned_data["everyone"] else form.cleaned_data["partners"]
    try:
        n = partner_services.partners_invite(letter=letter, actor=request.user, partner_ids=chosen)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if n:
            text = ngettext(
                "%(n)s invitation is on its way.", "%(n)s invitations are on their way.", n
            )
            messages.success(request, text % {"n": n})
        else:
            messages.info(request, _("No partner to invite: those chosen were invited already."))
    return redirect("author:letter-partners", pk=letter.pk)


@login_required
def letter_partners_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The partners (of the status filtered on), their steps and times, as CSV."""
    letter = coordinated_letter(request, pk)
    partners = partner_services.partner_list(letter, status=request.GET.get("status", ""))
    response = StreamingHttpResponse(
        partner_csv_stream(partners), content_type="text/csv; charset=utf-8; header=present"
    )
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-partners.csv"'
    return response
