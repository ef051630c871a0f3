"""Pages for coordinators: each checks access first, runs a form, and calls a service."""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_countries import countries

from letters_app import selectors
from letters_app.forms.author import (
    CoordinatorAddForm,
    ImportConfirmForm,
    ImportForm,
    LateRecipientForm,
    LetterForm,
    LetterNewForm,
    PressReleaseForm,
    PressSendForm,
    RecipientChoiceForm,
    RecipientForm,
    RecipientLanguageForm,
    RecipientSearchForm,
    SignatureDisplayForm,
    SignatureModerateForm,
    TranslationForm,
    TranslationNewForm,
)
from letters_app.models import (
    LETTER_LANGUAGES,
    TRANSLATED_FIELDS,
    Delivery,
    Letter,
    LetterSnapshot,
    LetterTranslation,
    PressRelease,
    Recipient,
    Signature,
    SignerMail,
    delivery_reason,
    language_name,
)
from letters_app.rendering import (
    listed_line,
    render_letter_html,
    render_press_release_html,
    render_press_release_text,
)
from letters_app.services import deliveries as delivery_services
from letters_app.services import imports as import_services
from letters_app.services import letters as letter_services
from letters_app.services import press as press_services
from letters_app.services import signatures as signature_services
from letters_app.text import text_diff

DIRECTORY_PAGE_SIZE = 50
SIGNATURES_PAGE_SIZE = 50
FIELD_LABELS = {f.name: f.verbose_name for f in Letter._meta.fields}
SIGNATURE_FIELD_LABELS = {f.name: f.verbose_name for f in Signature._meta.fields}
ACTION_LABELS = {
    "letter.pdf_retried": gettext_lazy("Asked for the PDF to be made again"),
    "signatures.exported": gettext_lazy("Exported the signatures with private columns"),
    "letter.created": gettext_lazy("Created the letter"),
    "letter.edited": gettext_lazy("Edited the letter"),
    "letter.recipients": gettext_lazy("Changed the recipients"),
    "letter.recipient_languages": gettext_lazy("Changed the recipients' languages"),
    "translation.created": gettext_lazy("Started a translation"),
    "translation.edited": gettext_lazy("Edited a translation"),
    "translation.ready": gettext_lazy("Marked a translation ready"),
    "translation.draft": gettext_lazy("Marked a translation as a draft"),
    "translation.deleted": gettext_lazy("Deleted a translation"),
    "coordinator.added": gettext_lazy("Added a co-coordinator"),
    "coordinator.removed": gettext_lazy("Removed a co-coordinator"),
    "letter.open": gettext_lazy("Opened the letter for signing"),
    "letter.closed": gettext_lazy("Closed signing"),
    "letter.finalized": gettext_lazy("Finalized the letter"),
    "letter.sent": gettext_lazy("Sent the letter"),
    "signature.approved": gettext_lazy("Approved a signature"),
    "signature.rejected": gettext_lazy("Rejected a signature"),
    "signature.invalidated": gettext_lazy("Invalidated a signature (abuse)"),
    "signature.withdrawn": gettext_lazy("Withdrew a signature"),
    "signature.edited": gettext_lazy("Corrected a signature"),
    "signatures.imported": gettext_lazy("Imported signatures from a list"),
    "delivery.retried": gettext_lazy("Sent a failed delivery again"),
    "signature.mail_resent": gettext_lazy("Sent a failed e-mail to a signer again"),
    "notices.resent": gettext_lazy("Sent the failed notices to signers again"),
    "delivery.late": gettext_lazy("Sent the letter to a late recipient"),
    "press.drafted": gettext_lazy("Drafted the press release"),
    "press.edited": gettext_lazy("Edited the press release"),
    "press.sent": gettext_lazy("Sent the press release"),
}
PRESS_FIELD_LABELS = {f.name: f.verbose_name for f in PressRelease._meta.fields}
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
def dashboard(request):
    letters = selectors.letter_list_for_coordinator(request.user)
    return render(request, "author/letter_list.html", {"letters": letters})


@login_required
def letter_new(request):
    form = LetterNewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = letter_services.letter_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Draft created: fill it in, then publish it."))
            return redirect("author:letter-edit", pk=letter.pk)
    return render(request, "author/letter_new.html", {"form": form})


@login_required
def letter_edit(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    if request.method != "POST":
        return _edit_page(request, letter, LetterForm(instance=letter))
    # A copy: the form writes the posted values on its instance, which a re-displayed page
    # previews, while the saved letter is compared with them.
    form = LetterForm(request.POST, instance=copy.copy(letter))
    if form.is_valid():
        try:
            saved = letter_services.letter_update(
                letter=letter,
                data=form.cleaned_data,
                actor=request.user,
                confirm_new_version=form.confirmed,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "needs_confirmation":
                form.ask_confirmation(exc.params["count"])
            form.add_service_errors(exc)
        else:
            if saved.version != letter.version:
                messages.success(request, _("Saved as text version %(n)s.") % {"n": saved.version})
            else:
                messages.success(request, _("Saved."))
            return redirect("author:letter-edit", pk=letter.pk)
    return _edit_page(request, letter, form)


def _edit_page(request, letter, form):
    # Shown again after a refused or unconfirmed save: the preview shows the text in the form.
    previewed = form.instance if form.is_bound else letter
    context = {"letter": letter, "form": form, "preview": render_letter_html(previewed)}
    return render(request, "author/letter_edit.html", context)


@login_required
@require_POST
def letter_preview(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    form = LetterForm(request.POST, instance=copy.copy(letter))
    form.is_valid()  # puts every valid posted value on the unsaved copy
    return HttpResponse(render_letter_html(form.instance))


@login_required
def letter_recipients(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    saved = letter.letter_recipients.values_list("recipient_id", flat=True)
    form = RecipientChoiceForm(request.POST if request.method == "POST" else None, saved=saved)
    if request.method == "POST" and form.is_valid():
        try:
            letter_services.letter_set_recipients(
                letter=letter, recipients=form.cleaned_data["recipients"], actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The recipients are saved."))
            return redirect(request.get_full_path())
    return _recipients_page(request, letter, choose_form=form)


@login_required
@require_POST
def letter_recipient_add(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    form = RecipientForm(request.POST)
    if form.is_valid():
        try:
            recipient = letter_services.letter_add_new_recipient(
                letter=letter, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s is in the directory and among the recipients.") % {"name": recipient},
            )
            return redirect("author:letter-recipients", pk=letter.pk)
    return _recipients_page(request, letter, add_form=form)


def _recipients_page(request, letter, *, choose_form=None, add_form=None, language_form=None):
    search = RecipientSearchForm(request.GET)
    query = search.cleaned_data if search.is_valid() else {}
    current = [lr.recipient for lr in letter.letter_recipients.select_related("recipient")]
    found = selectors.recipient_list_directory(
        query=query.get("q", ""), kind=query.get("kind", "")
    ).exclude(pk__in=[r.pk for r in current])
    if choose_form is not None and choose_form.is_bound:
        checked = set(choose_form.data.getlist("recipients"))
    else:
        checked = {str(r.pk) for r in current}
    found_page = Paginator(found, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "letter": letter,
        "search": search,
        "searching": bool(query.get("q") or query.get("kind")),
        "current": current,
        "found": list(found_page),
        "found_page": found_page,
        "checked": checked,
        "choose_form": choose_form or RecipientChoiceForm(),
        "add_form": add_form or RecipientForm(),
        "language_form": language_form or _language_form(letter),
    }
    return render(request, "author/letter_recipients.html", context)


def _language_form(letter, data=None) -> RecipientLanguageForm:
    letter_recipients = letter.letter_recipients.select_related("recipient")
    return RecipientLanguageForm(data, letter=letter, letter_recipients=letter_recipients)


@login_required
@require_POST
def letter_recipient_languages(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    form = _language_form(letter, request.POST)
    if form.is_valid():
        try:
            letter_services.letter_set_recipient_languages(
                letter=letter, languages=form.languages(), actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The recipients' languages are saved."))
            return redirect("author:letter-recipients", pk=letter.pk)
    return _recipients_page(request, letter, language_form=form)


def _can_manage_coordinators(user, letter) -> bool:
    return user.is_staff or letter.created_by_id == user.pk


@login_required
def letter_coordinators(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    can_manage = _can_manage_coordinators(request.user, letter)
    form = CoordinatorAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            user = form.cleaned_data["who"]
            try:
                letter_services.letter_add_coordinator(letter=letter, user=user, actor=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("%(name)s now coordinates this letter.") % {"name": user}
                )
                return redirect("author:letter-coordinators", pk=letter.pk)
    co_coordinators = letter.co_coordinators.order_by("username")
    context = {"letter": letter, "form": form, "can_manage": can_manage, "others": co_coordinators}
    return render(request, "author/letter_coordinators.html", context)


@login_required
@require_POST
def letter_coordinator_remove(request, pk, user_pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    if not _can_manage_coordinators(request.user, letter):
        raise PermissionDenied
    user = get_object_or_404(letter.co_coordinators, pk=user_pk)
    letter_services.letter_remove_coordinator(letter=letter, user=user, actor=request.user)
    messages.success(request, _("%(name)s no longer coordinates this letter.") % {"name": user})
    return redirect("author:letter-coordinators", pk=letter.pk)


@login_required
def letter_publish(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    edit_url = reverse("author:letter-edit", kwargs={"pk": letter.pk})
    places = {"recipients": reverse("author:letter-recipients", kwargs={"pk": letter.pk})}
    problems = [
        (message, places.get(field, f"{edit_url}#id_{field}"))
        for field, message in letter_services.letter_publish_checks(letter)
    ]
    return _status_change(
        request,
        letter,
        service=letter_services.letter_open,
        allowed=letter.status == Letter.Status.DRAFT,
        template="author/letter_publish.html",
        success=_("The letter is public and open for signing."),
        problems=problems,
    )


@login_required
def letter_close(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    return _status_change(
        request,
        letter,
        service=letter_services.letter_close,
        allowed=letter.status == Letter.Status.OPEN,
        template="author/letter_close.html",
        success=_("Signing is closed."),
    )


@login_required
def letter_reopen(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    deadline_passed = bool(letter.signing_deadline and letter.signing_deadline <= timezone.now())
    return _status_change(
        request,
        letter,
        service=letter_services.letter_reopen,
        allowed=letter.status == Letter.Status.CLOSED and not deadline_passed,
        template="author/letter_reopen.html",
        success=_("The letter is open for signing again."),
        deadline_passed=deadline_passed,
    )


def _status_change(
    request, letter, *, service, allowed, template, success, then="author:letter-edit", **context
):
    """Confirm on GET; on POST run the service, then redirect, or show why it refused."""
    errors = []
    if request.method == "POST":
        try:
            service(letter=letter, actor=request.user)
        except ValidationError as exc:
            shown = {message for message, _url in context.get("problems", [])}
            errors = [message for message in exc.messages if message not in shown]
        else:
            messages.success(request, success)
            return redirect(then, pk=letter.pk)
    context |= {"letter": letter, "allowed": allowed, "errors": errors}
    return render(request, template, context)


@login_required
def letter_history(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    events = [
        (event, ACTION_LABELS.get(event.action, event.action), _event_detail(event))
        for event in letter.audit_events.select_related("actor")
    ]
    versions, previous = [], None
    for version in letter.versions.select_related("created_by").order_by("number"):
        changes = text_diff(previous, version) if previous else None
        versions.insert(0, (version, changes, render_letter_html(letter, version)))
        previous = version
    context = {"letter": letter, "events": events, "versions": versions}
    return render(request, "author/letter_history.html", context)


def _event_detail(event) -> str:
    """A short human reading of an audit row's detail."""
    detail, parts = event.detail, []
    if detail.get("signature"):
        parts.append(_("signature #%(n)s") % {"n": detail["signature"]})
    labels = FIELD_LABELS
    if event.action.startswith("signature."):
        labels = SIGNATURE_FIELD_LABELS
    elif event.action.startswith("press."):
        labels = PRESS_FIELD_LABELS
    fields = [f for f in detail.get("fields", []) if f in labels]
    if fields:
        parts.append(", ".join(str(labels[f]) for f in fields))
    if event.action == "letter.edited" and detail.get("version"):
        parts.append(_("text version %(n)s") % {"n": detail["version"]})
    if detail.get("notified"):
        n = detail["notified"]
        parts.append(ngettext("%(n)s signer e-mailed", "%(n)s signers e-mailed", n) % {"n": n})
    if "recipients" in detail:
        n = len(detail["recipients"])
        parts.append(ngettext("%(n)s recipient", "%(n)s recipients", n) % {"n": n})
    if detail.get("recipient"):
        parts.append(detail["recipient"])
    if "imported" in detail:
        counts = {"n": detail["imported"], "skipped": detail.get("skipped", 0)}
        text = ngettext(
            "%(n)s added, %(skipped)s line skipped",
            "%(n)s added, %(skipped)s lines skipped",
            counts["skipped"],
        )
        parts.append(text % counts)
    if detail.get("language"):
        parts.append(language_name(detail["language"]))
    if detail.get("user"):
        parts.append(detail["user"])
    if detail.get("reason") == "deadline":
        parts.append(_("the signing deadline passed"))
    elif detail.get("reason"):
        parts.append(detail["reason"])
    return "; ".join(parts)


@login_required
def letter_signatures(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
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
                messages.error(request, " ".join(errors))
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


def _signatures_page(request, letter):
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
def signature_edit(request, pk, signature_pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
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


def _tidy_suggestion(signature: Signature) -> dict:
    """The display fields as display_text_tidy would write them, and a country typed at the end
    of the name moved to the country field; only what would change."""
    fields = SignatureDisplayForm.FIELDS_BY_KIND[signature.kind]
    texts = [f for f in fields if f not in NOT_TIDIED]
    tidy = {f: signature_services.display_text_tidy(getattr(signature, f)) for f in texts}
    name, country = signature_services.display_country_split(tidy["name"])
    if country and (not signature.country or signature.country.code == country):
        tidy["name"], tidy["country"] = name, country
    return {f: value for f, value in tidy.items() if value != getattr(signature, f)}


def _suggestion_rows(signature: Signature, suggestion: dict) -> list[tuple[str, str, str]]:
    """(label, now, suggested) for the page, with country codes shown as names."""

    def shown(field, value):
        return countries.name(str(value)) if field == "country" else value

    return [
        (Signature._meta.get_field(f).verbose_name, shown(f, getattr(signature, f)), shown(f, v))
        for f, v in suggestion.items()
    ]


# --- importing a list ---------------------------------------------------------------------------


# Django refuses a request whose fields (not files) weigh more than this, before any view (the
# CSRF check reads them first); the import page reads the body itself to say so clearly.
def _form_limit_mb() -> str:
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):.1f}".removesuffix(".0")


@csrf_exempt  # checked by `_letter_import`'s csrf_protect, once the body could be read
@login_required
def letter_import(request, pk):
    """Paste or upload a list, then see how every line reads: nothing is written here."""
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parsed here, where a body too big can be answered
        except RequestDataTooBig:
            form = ImportForm(letter=letter)
            return _import_page(request, letter, form, too_big=True, status=413)
    return _letter_import(request, letter)


@csrf_protect
def _letter_import(request, letter):
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
        **_paste_limit(),
    }
    return render(request, "author/letter_import_preview.html", context)


def _paste_limit() -> dict:
    return {"paste_limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 64 * 1024,
            "paste_limit_mb": _form_limit_mb()}  # fmt: skip


def _import_page(request, letter, form, *, too_big=False, status=200):
    kinds = [kind for kind, _label in form.fields["kind"].choices]
    refusal = _("This letter takes no signatures.")
    if kinds:
        refusal = import_services.import_refusal(letter, kinds[0])
    context = {"letter": letter, "form": form, "refusal": refusal, "too_big": too_big,
               **_paste_limit()}  # fmt: skip
    return render(request, "author/letter_import.html", context, status=status)


@login_required
@require_POST
def letter_import_confirm(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    form = ImportConfirmForm(request.POST, letter=letter)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["payload"]))
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


# --- translations --------------------------------------------------------------------------------


@login_required
def letter_translations(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    refusal = letter_services.translation_refusal(letter)
    if request.method == "POST" and refusal:
        messages.error(request, refusal)
        return redirect("author:letter-translations", pk=letter.pk)
    form = TranslationNewForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        return redirect(
            "author:translation-edit", pk=letter.pk, language=form.cleaned_data["language"]
        )
    context = {
        "letter": letter,
        "translations": letter.translations.select_related("updated_by"),
        "form": form,
        "refusal": refusal,
    }
    return render(request, "author/letter_translations.html", context)


def _translation_language(letter, language: str) -> str:
    """The language from the address: one a letter can be translated into, not the original."""
    if language not in dict(LETTER_LANGUAGES) or language == letter.language:
        raise Http404
    return language


@login_required
def translation_edit(request, pk, language):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    language = _translation_language(letter, language)
    translation = letter.translations.filter(language=language).first()
    instance = copy.copy(translation) if translation else LetterTranslation(letter=letter)
    form = TranslationForm(request.POST or None, instance=instance, language=language)
    refusal = letter_services.translation_refusal(letter)
    for field in form.fields.values() if refusal else ():
        field.disabled = True  # shown as frozen; a post still meets the service's refusal
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in TRANSLATED_FIELDS}
        try:
            letter_services.translation_save(
                letter=letter, language=language, data=data, actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("author:translation-edit", pk=letter.pk, language=language)
    context = {
        "letter": letter,
        "translation": translation,
        "language": language,
        "language_name": language_name(language),
        "form": form,
        "original": render_letter_html(letter),
        "problems": letter_services.translation_ready_problems(translation) if translation else {},
        "refusal": refusal,
    }
    return render(request, "author/translation_edit.html", context)


def _translation_get(request, pk, language) -> LetterTranslation:
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    return get_object_or_404(letter.translations.select_related("letter"), language=language)


@login_required
@require_POST
def translation_ready(request, pk, language):
    translation = _translation_get(request, pk, language)
    _act(
        request,
        lambda: letter_services.translation_mark_ready(translation=translation, actor=request.user),
        success=_("The translation is ready: readers are offered it."),
    )
    return redirect("author:translation-edit", pk=pk, language=language)


@login_required
@require_POST
def translation_draft(request, pk, language):
    translation = _translation_get(request, pk, language)
    _act(
        request,
        lambda: letter_services.translation_mark_draft(translation=translation, actor=request.user),
        success=_("The translation is a draft again: readers no longer see it."),
    )
    return redirect("author:translation-edit", pk=pk, language=language)


@login_required
@require_POST
def translation_delete(request, pk, language):
    translation = _translation_get(request, pk, language)
    try:
        letter_services.translation_delete(translation=translation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("author:translation-edit", pk=pk, language=language)
    messages.success(request, _("The translation is deleted."))
    return redirect("author:letter-translations", pk=pk)


# --- finalize and deliver ------------------------------------------------------------------------


@login_required
def letter_finalize(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    problems = [(m, None) for m in delivery_services.letter_finalize_problems(letter)]
    names = dict(LETTER_LANGUAGES)
    recipients = [
        (lr.recipient, names[lr.language or letter.language])
        for lr in letter.letter_recipients.select_related("recipient")
    ]
    return _status_change(
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
def letter_delivery(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    snapshot = LetterSnapshot.objects.filter(letter=letter).first()
    search = RecipientSearchForm(request.GET)
    query = search.cleaned_data if search.is_valid() else {}
    found_page = None
    if snapshot and (query.get("q") or query.get("kind")):
        receiving = letter.deliveries.values("recipient_id")  # the service refuses them
        found = selectors.recipient_list_directory(query=query["q"], kind=query["kind"])
        found = found.exclude(pk__in=receiving)
        found_page = Paginator(found, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    progress = selectors.delivery_progress(letter)["counts"]
    context = {
        "letter": letter,
        "snapshot": snapshot,
        "banner": _delivery_banner(letter, snapshot, progress),
        "deliveries": selectors.delivery_list_for_letter(letter),
        "progress": progress,
        "count_labels": _delivery_count_labels(progress),
        "notices": selectors.signer_notice_counts(letter),
        "search": search,
        "found": list(found_page or []),
        "found_page": found_page,
        "searched": found_page is not None,
    }
    return render(request, "author/letter_delivery.html", context)


@login_required
def letter_delivery_status(request, pk):
    """The delivery progress as JSON, polled by static/js/delivery-progress.js."""
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    document = request.GET.get("document", Delivery.Document.LETTER)
    if document not in Delivery.Document.values:
        document = Delivery.Document.LETTER
    progress = selectors.delivery_progress(letter, document=document)
    snapshot = LetterSnapshot.objects.filter(letter=letter).first()
    pdf_status = snapshot.pdf_status if snapshot else None
    labels = dict(Delivery.Status.choices)
    rows = [
        {
            "id": row["id"],
            "status": row["status"],
            "label": str(labels[row["status"]]),
            "attempts": row["attempts"],
            "reason": delivery_reason(row["error_kind"], row["last_error"]),
            "response": row["response"],
            "sent_at": _when(row["sent_at"]),
        }
        for row in progress["rows"]
    ]
    waiting = progress["counts"]["waiting"]
    pdf_failed = pdf_status == LetterSnapshot.PdfStatus.FAILED and document == "letter"
    pdf_pending = pdf_status == LetterSnapshot.PdfStatus.PENDING and document == "letter"
    # The letter becomes sent just after its last delivery ends: the page waits for that too.
    finalized = letter.status == Letter.Status.FINALIZED and document == "letter"
    return JsonResponse(
        {
            "counts": progress["counts"],
            "count_labels": _delivery_count_labels(progress["counts"]),
            "rows": rows,
            "pdf": pdf_status,
            "pdf_error": snapshot.pdf_error if snapshot else "",
            "letter": {"status": letter.shown_status, "label": letter.get_shown_status_display()},
            "banner": _delivery_banner(letter, snapshot, progress["counts"])
            if document == "letter"
            else None,
            # A letter to postal recipients only waits for nothing but its PDF.
            "ended": pdf_failed or (waiting == 0 and not pdf_pending and not finalized),
        }
    )


def _delivery_count_labels(counts: dict) -> dict[str, str]:
    """Each count of the delivery summary with its words, in the singular or the plural as the
    language wants it ("1 envoyé", "0 envoyé", "2 envoyés"); the page shows them, and
    static/js/delivery-progress.js puts in the new ones as the poll brings them."""
    words = {
        "sent": ngettext("%(n)s sent", "%(n)s sent", counts["sent"]),
        "waiting": ngettext("%(n)s waiting", "%(n)s waiting", counts["waiting"]),
        "failed": ngettext("%(n)s failed", "%(n)s failed", counts["failed"]),
        "postal": ngettext("%(n)s postal only", "%(n)s postal only", counts["postal"]),
    }
    return {key: text % {"n": counts[key]} for key, text in words.items()}


def _delivery_banner(letter: Letter, snapshot, counts: dict) -> dict | None:
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


def _when(moment) -> str:
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _act(request, action, *, success: str) -> None:
    """Run a service; its refusal, or `success`, becomes the next page's message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def letter_pdf_retry(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    _act(
        request,
        lambda: delivery_services.snapshot_pdf_retry(letter=letter, actor=request.user),
        success=_("The PDF is being made again; the e-mails follow."),
    )
    return redirect("author:letter-delivery", pk=letter.pk)


@login_required
@require_POST
def delivery_retry(request, pk, delivery_pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    delivery = get_object_or_404(letter.deliveries.select_related("recipient"), pk=delivery_pk)
    _act(
        request,
        lambda: delivery_services.delivery_retry(delivery=delivery, actor=request.user),
        success=_("Sending again to %(name)s.") % {"name": delivery.recipient},
    )
    if delivery.document == Delivery.Document.PRESS_RELEASE:
        return redirect("author:press-release", pk=letter.pk)
    return redirect("author:letter-delivery", pk=letter.pk)


@login_required
@require_POST
def signature_mail_resend(request, pk, signature_pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    signature = get_object_or_404(letter.signatures, pk=signature_pk)
    for mail in signature.mails.filter(status=SignerMail.Status.FAILED):
        signature_services.signer_mail_resend(mail=mail, actor=request.user)
    messages.success(request, _("The e-mail to %(email)s is being sent again.") % {
        "email": signature.email
    })  # fmt: skip
    return redirect(f"{reverse('author:letter-signatures', args=[letter.pk])}?tab=undelivered")


@login_required
@require_POST
def signer_notices_resend(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    done = delivery_services.signer_notices_resend(letter=letter, actor=request.user)
    messages.success(request, ngettext(
        "%(n)s notice to a signer is being sent again.",
        "%(n)s notices to signers are being sent again.", done,
    ) % {"n": done})  # fmt: skip
    return redirect("author:letter-delivery", pk=letter.pk)


@login_required
@require_POST
def letter_late_recipient(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    form = LateRecipientForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("author:letter-delivery", pk=letter.pk)
    recipient = form.cleaned_data["recipient"]
    _act(
        request,
        lambda: delivery_services.letter_add_late_recipient(
            letter=letter, recipient=recipient, actor=request.user
        ),
        success=_("%(name)s will receive the letter.") % {"name": recipient},
    )
    return redirect("author:letter-delivery", pk=letter.pk)


# --- press release -------------------------------------------------------------------------------


def _press_for(letter) -> PressRelease | None:
    return PressRelease.objects.filter(letter=letter).first()


@login_required
def press_release(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    press = _press_for(letter)
    if press is None or request.method != "POST":
        form = PressReleaseForm(instance=press) if press else None
        return _press_page(request, letter, press, form)
    form = PressReleaseForm(request.POST, instance=copy.copy(press))
    if form.is_valid():
        try:
            press_services.press_release_update(
                press=press, data=form.cleaned_data, actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The press release is saved."))
            return redirect("author:press-release", pk=letter.pk)
    return _press_page(request, letter, press, form)


def _press_page(request, letter, press, form):
    progress = selectors.delivery_progress(letter, document="press")["counts"]
    context = {
        "letter": letter,
        "press": press,
        "form": form,
        "can_draft": letter.status in Letter.FROZEN,
        "preview": render_press_release_html(press) if press else "",
        "problems": press_services.press_release_send_problems(press) if press else [],
        "deliveries": selectors.delivery_list_for_letter(letter, document="press"),
        "progress": progress,
        "count_labels": _delivery_count_labels(progress),
        "notices": selectors.signer_notice_counts(letter),
    }
    return render(request, "author/press_release.html", context)


@login_required
@require_POST
def press_release_draft(request, pk):
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    _act(
        request,
        lambda: press_services.press_release_draft(letter=letter, actor=request.user),
        success=_("A draft is ready: fill in the quote and check every part."),
    )
    return redirect("author:press-release", pk=letter.pk)


def _press_get(request, pk) -> tuple[Letter, PressRelease]:
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    return letter, get_object_or_404(PressRelease, letter=letter)


def _download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def press_release_preview(request, pk):
    _letter, press = _press_get(request, pk)
    form = PressReleaseForm(request.POST, instance=copy.copy(press))
    form.is_valid()  # puts every valid posted value on the unsaved copy
    return HttpResponse(render_press_release_html(form.instance))


@login_required
def press_release_text(request, pk):
    letter, press = _press_get(request, pk)
    return _download(
        render_press_release_text(press),
        content_type="text/plain; charset=utf-8",
        filename=f"{letter.slug}-press-release.txt",
    )


@login_required
def press_release_pdf(request, pk):
    """A page or two, made in the request: short enough not to need a task."""
    from weasyprint import HTML  # heavy: loaded by the one page that needs it

    letter, press = _press_get(request, pk)
    context = {"press": press, "press_html": render_press_release_html(press)}
    html = render_to_string("author/press_release_pdf.html", context, request=request)
    return _download(
        HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(),
        content_type="application/pdf",
        filename=f"{letter.slug}-press-release.pdf",
    )


@login_required
def press_release_send(request, pk):
    letter, press = _press_get(request, pk)
    form = PressSendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = press_services.press_release_send(
                press=press, recipients=list(form.cleaned_data["recipients"]), actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            n = len(created)
            text = ngettext(
                "The press release is on its way to %(n)s contact.",
                "The press release is on its way to %(n)s contacts.",
                n,
            )
            messages.success(request, text % {"n": n})
            return redirect("author:press-release", pk=letter.pk)
    already = set(
        letter.deliveries.filter(document=Delivery.Document.PRESS_RELEASE).values_list(
            "recipient_id", flat=True
        )
    )
    context = {
        "letter": letter,
        "press": press,
        "form": form,
        "media": list(form.fields["recipients"].queryset[:500]),
        "already": already,
        "problems": press_services.press_release_send_problems(press),
        "media_kind": Recipient.Kind.MEDIA.label,
    }
    return render(request, "author/press_release_send.html", context)


@login_required
def letter_stats(request, pk):
    from letters_app import charts

    letter = selectors.letter_get_for_coordinator(request.user, pk)
    stats = selectors.signature_stats_for_letter(letter)
    # While signing is open, the quiet days up to today are part of the picture.
    today = timezone.localdate() if letter.status == Letter.Status.OPEN else None
    context = {"letter": letter, "stats": stats, "charts": charts.letter_charts(stats, today=today)}
    return render(request, "author/letter_stats.html", context)
