"""Importing a list of signatories: paste or upload, preview, confirm."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from letters_app.forms.author import ImportConfirmForm, ImportForm
from letters_app.models import Letter
from letters_app.services import imports as import_services
from letters_app.views import coordinated_letter
from letters_app.views.author.common import paste_limits


@csrf_exempt  # checked by `_letter_import`'s csrf_protect, once the body could be read
@login_required
def letter_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Paste or upload a list, then see how every line reads: nothing is written here."""
    letter = coordinated_letter(request, pk)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parsed here, where a body too big can be answered
        except RequestDataTooBig:
            form = ImportForm(letter=letter)
            return _import_page(request, letter, form, too_big=True, status=413)
    return _letter_import(request, letter)


@csrf_protect
def _letter_import(request: HttpRequest, letter: Letter) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request, letter, ImportForm(letter=letter))
    form = ImportForm(request.POST, request.FILES, letter=letter)
    if not form.is_valid():
        return _import_page(request, letter, form)
    kind, source = form.cleaned_data["kind"], form.cleaned_data["source"]
    lines = import_services.import_parse(source, kind=kind)
    preview = import_services.import_preview(letter=letter, lines=lines)
    payload = ImportConfirmForm.payload_for(letter=letter, kind=kind, source=source)
    context = {
        "letter": letter,
        "preview": preview,
        "confirm_form": ImportConfirmForm(initial={"payload": payload}, letter=letter),
        # The confirmation posts the list back: more than Django reads, and it could not.
        "payload_too_big": len(payload) + 1024 > settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "form": form if "text" in source else ImportForm(initial={"kind": kind}, letter=letter),
        "refusal": import_services.import_refusal(letter, kind),
        # The button's words, the number left for import-count.js to put in (or leave out).
        "add_label": {
            n: ngettext("Add %(n)s signature", "Add %(n)s signatures", count)
            for n, count in (("one", 1), ("other", 2))
        },
        **paste_limits(),
    }
    return render(request, "author/letter_import_preview.html", context)


def _import_page(
    request: HttpRequest,
    letter: Letter,
    form: ImportForm,
    *,
    too_big: bool = False,
    status: int = 200,
) -> HttpResponse:
    field = form.fields["kind"]  # a ChoiceField whose choices ImportForm lists as pairs
    kinds = [kind for kind, _label in field.choices]  # type: ignore[attr-defined]
    refusal = _("This letter takes no signatures.")
    if kinds:
        refusal = import_services.import_refusal(letter, kinds[0])
    context = {"letter": letter, "form": form, "refusal": refusal, "too_big": too_big,
               **paste_limits()}  # fmt: skip
    return render(request, "author/letter_import.html", context, status=status)


@login_required
@require_POST
def letter_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    form = ImportConfirmForm(request.POST, letter=letter)
    if not form.is_valid():
        messages.error(request, " ".join(map(str, form.errors["payload"])))
        return redirect("author:letter-import", pk=letter.pk)
    data = form.cleaned_data["payload"]
    lines = import_services.import_parse(data["source"], kind=data["kind"])
    try:
        result = import_services.import_confirm(
            letter=letter, lines=lines, actor=request.user, keep=form.cleaned_data["keep"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("author:letter-import", pk=letter.pk)
    text = ngettext("%(n)s signature imported.", "%(n)s signatures imported.", result.created)
    text %= {"n": result.created}
    if result.skipped:
        n = len(result.skipped)
        text += " " + ngettext("%(n)s line skipped.", "%(n)s lines skipped.", n) % {"n": n}
    messages.success(request, text)
    tab = "approved" if letter.requires_approval else "confirmed"
    return redirect(reverse("author:letter-signatures", kwargs={"pk": letter.pk}) + f"?tab={tab}")
