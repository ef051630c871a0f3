import dataclasses
import datetime
import ipaddress

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from letters_app import selectors
from letters_app.models import (
    TEXT_FIELDS,
    AuditEvent,
    Blocklist,
    Delivery,
    ExportJob,
    Letter,
    LetterRecipient,
    LetterSnapshot,
    LetterTemplate,
    LetterTranslation,
    LetterVersion,
    PressRelease,
    Recipient,
    Signature,
    SignerMail,
    SignerNotice,
    SiteSwitch,
)
from letters_app.services import deliveries as delivery_services
from letters_app.services import letters as letter_services
from letters_app.services import signatures as signature_services
from letters_app.services.audit import audit_record
from letters_app.services.signatures import signing_rules_reload

# "Signing unusually often": a domain or address with at least this many signatures in a window.
BUSY_THRESHOLD = 20
BUSY_WINDOWS = ((_("the last 24 hours"), datetime.timedelta(hours=24)),
                (_("the last 7 days"), datetime.timedelta(days=7)))  # fmt: skip


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "key", "position", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "key", "title", "body"]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "country", "email", "is_curated"]
    list_filter = ["kind", "is_curated", "country"]
    search_fields = ["name", "title", "institution", "email"]
    actions = ["mark_curated"]

    @admin.action(description=_("Mark selected recipients as curated"))
    def mark_curated(self, request, queryset):
        queryset.update(is_curated=True)


class FrozenAwareAdmin(admin.ModelAdmin):
    """An admin whose rows can be frozen: such a row is shown read-only with the reason, a save
    or delete of it is turned away with that reason, and a service's refusal of any save is
    shown as a message, never as a server error."""

    change_form_template = "admin/letters_app/change_form_frozen.html"

    def frozen_reason(self, obj) -> str:
        """Why `obj` cannot change here, or "" when it can."""
        return ""

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.frozen_reason(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.frozen_reason(obj):
            return False
        return super().has_delete_permission(request, obj)

    def _refused(self, request, message: str, obj):
        self.message_user(request, message, level=messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        reason = self.frozen_reason(obj) if obj is not None else ""
        if reason and request.method == "POST":
            return self._refused(request, reason, obj)
        if reason:
            extra_context = {**(extra_context or {}), "frozen_reason": reason}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:  # raised by save_model: the whole save is rolled back
            if obj is None:
                raise
            return self._refused(request, " ".join(exc.messages), obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and (reason := self.frozen_reason(obj)):
            return self._refused(request, reason, obj)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Django's "Delete selected" would end on its page of objects one may not delete.
        actions = super().get_actions(request, action_location=action_location)
        if "delete_selected" in actions:
            action = actions["delete_selected"]
            actions["delete_selected"] = dataclasses.replace(
                action, func=self._unless_frozen(action.func)
            )
        return actions

    @staticmethod
    def _unless_frozen(delete_selected):
        def action(modeladmin, request, queryset):
            """Delete nothing when a selected row is frozen: say which, and why."""
            refused = [
                (obj, reason) for obj in queryset if (reason := modeladmin.frozen_reason(obj))
            ]
            for obj, reason in refused:
                modeladmin.message_user(request, f"{obj}: {reason}", level=messages.ERROR)
            if refused:
                return None  # back to the list
            return delete_selected(modeladmin, request, queryset)

        return action


def letter_frozen_reason(letter) -> str:
    if letter is None or letter.status not in Letter.FROZEN:
        return ""
    return _(
        "This letter is %(status)s: its text, recipients and signatories were frozen and sent "
        "as they are, so nothing of it can change here."
    ) % {"status": letter.get_shown_status_display().lower()}


class LetterRecipientInline(admin.TabularInline):
    model = LetterRecipient
    extra = 0
    autocomplete_fields = ["recipient"]

    # `obj` is the letter: the To: block of a finalized one was sent as it is.
    def has_add_permission(self, request, obj=None):
        return not letter_frozen_reason(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not letter_frozen_reason(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not letter_frozen_reason(obj) and super().has_delete_permission(request, obj)


class LetterVersionInline(admin.TabularInline):
    model = LetterVersion
    extra = 0
    can_delete = False
    fields = ["number", "title", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _transition_action(service, description):
    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        for letter in queryset:
            try:
                letter = service(letter=letter, actor=request.user)
            except ValidationError as exc:
                modeladmin.message_user(
                    request, f"{letter}: {' '.join(exc.messages)}", level=messages.ERROR
                )
            else:
                modeladmin.message_user(request, f"{letter}: {letter.get_shown_status_display()}")

    action.__name__ = service.__name__
    return action


class LetterAdminForm(forms.ModelForm):
    confirm_new_version = forms.BooleanField(
        label=_("E-mail the signers the new text"),
        required=False,
        help_text=_(
            "Needed to change the text of a published letter that has signers: each is asked "
            "to keep or withdraw their signature."
        ),
    )

    class Meta:
        model = Letter
        fields = "__all__"  # noqa: DJ007 - the admin passes its own list of fields
        labels = {"co_coordinators": _("Co-coordinators")}  # read-only pages show it too

    def clean(self):
        cleaned = super().clean()
        letter = self.instance
        text_changed = set(self.changed_data) & set(TEXT_FIELDS)
        if letter.pk and text_changed and not cleaned.get("confirm_new_version"):
            signers = letter_services.letter_signers_to_notify(letter)
            if signers:
                raise letter_services.needs_confirmation_error(signers)
        return cleaned


@admin.register(Letter)
class LetterAdmin(FrozenAwareAdmin):
    form = LetterAdminForm
    list_display = ["title", "shown_status", "kind", "created_by", "version", "signing_paused",
                    "requires_approval", "updated_at"]  # fmt: skip
    list_filter = ["status", "kind", "signing_paused", "requires_approval"]
    search_fields = ["title", "slug", "body", "created_by__username"]
    exclude = ["status"]  # changed by the actions; shown as every page shows it (shown_status)
    readonly_fields = ["shown_status", "version", "created_at", "updated_at"]
    autocomplete_fields = ["created_by", "co_coordinators", "template"]
    inlines = [LetterRecipientInline, LetterVersionInline]
    actions = [
        _transition_action(letter_services.letter_open, _("Publish for signing")),
        _transition_action(letter_services.letter_close, _("Close signing")),
        _transition_action(letter_services.letter_reopen, _("Reopen signing")),
    ]

    @admin.display(description=_("status"), ordering="status")
    def shown_status(self, letter: Letter) -> str:
        return letter.get_shown_status_display()  # "partly delivered", as every page says

    def frozen_reason(self, obj) -> str:
        return letter_frozen_reason(obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and self.frozen_reason(obj):  # nothing to confirm on a read-only page
            fields = [name for name in fields if name != "confirm_new_version"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Edits go through the service, so a published letter gets a new text version.
        data = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
        }
        letter_services.letter_update(
            letter=obj,
            data=data,
            actor=request.user,
            confirm_new_version=form.cleaned_data.get("confirm_new_version", False),
        )


class InvalidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are these signatures invalid?"),
        max_length=300,
        help_text=_("Kept in the audit trail of each letter, e.g. 'one person, many addresses'."),
    )


@admin.register(Signature)
class SignatureAdmin(FrozenAwareAdmin):
    list_display = ["name", "acronym", "kind", "letter", "status", "email", "country",
                    "is_public", "is_flagged", "created_at"]  # fmt: skip
    list_filter = ["status", "kind", "is_flagged", "is_public", "letter", "country"]
    list_select_related = ["letter"]
    search_fields = ["name", "acronym", "email", "email_normalized"]
    date_hierarchy = "created_at"
    fields = ["letter", "kind", "status", "is_public", "version",
              *signature_services.DISPLAY_FIELDS, "email", "email_domain", "ip_address",
              "is_flagged", "flag_reason", "created_at", "confirmed_at", "published_at",
              "withdrawn_at"]  # fmt: skip
    readonly_fields = ["letter", "kind", "status", "is_public", "version", "consent_public",
                       "email", "email_domain", "ip_address", "is_flagged", "flag_reason",
                       "created_at", "confirmed_at", "published_at", "withdrawn_at"]  # fmt: skip
    actions = ["approve", "reject", "invalidate", "export_csv", "export_xlsx", "export_json"]

    def has_add_permission(self, request):
        return False  # people sign on the letter's page

    def has_delete_permission(self, request, obj=None):
        return False  # reject or invalidate instead: the counts and the audit trail stay right

    def frozen_reason(self, obj) -> str:
        if obj.letter.status not in Letter.FROZEN:
            return ""
        return _("The letter is finalized: its list of signatories can no longer change.")

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        signature = Signature.objects.select_related("letter").get(pk=obj.pk)
        signature_services.signature_update_display(
            signature=signature, data=data, actor=request.user
        )

    @admin.action(description=_("Approve selected signatures"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, approve=True)

    @admin.action(description=_("Reject selected signatures"))
    def reject(self, request, queryset):
        self._moderate(request, queryset, approve=False)

    def _moderate(self, request, queryset, *, approve):
        self._run(
            request,
            lambda: signature_services.signature_moderate(
                signatures=queryset, approve=approve, actor=request.user
            ),
            ngettext_lazy("%(n)s signature changed.", "%(n)s signatures changed.", "n"),
        )

    def _run(self, request, service, done_message) -> None:
        """Run a service; say how many it changed, or why it refused."""
        try:
            done = service()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
        else:
            self.message_user(request, done_message % {"n": done})

    @admin.action(description=_("Invalidate selected (abuse)"))
    def invalidate(self, request, queryset):
        """Ask why on a page of its own, then reject the whole selection through the service."""
        if not queryset.query.where:
            self.message_user(
                request,
                _("Choose which signatures to invalidate: the whole list is refused."),
                level=messages.ERROR,
            )
            return None
        form = InvalidateForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run(
                request,
                lambda: signature_services.signature_invalidate(
                    signatures=queryset, actor=request.user, reason=reason
                ),
                ngettext_lazy("%(n)s signature invalidated.", "%(n)s signatures invalidated.", "n"),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Invalidate signatures"),
            "form": form,
            "signatures": queryset.select_related("letter")[:200],
            "count": queryset.count(),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(
            request, "admin/letters_app/signature/invalidate_confirmation.html", context
        )

    @admin.action(description=_("Export selected as CSV, with private columns"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected as XLSX, with private columns"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Export selected as JSON, with private columns"))
    def export_json(self, request, queryset):
        return self._export(request, queryset, "json")

    def _export(self, request, queryset, fmt):
        """The selection, letter by letter in list order, as a file; recorded per letter."""
        from letters_app.exports import signatures as exports

        ids = queryset.values_list("pk", flat=True)
        selected = exports.signature_queryset(private=True).filter(pk__in=ids)
        for letter in Letter.objects.filter(signatures__in=ids).distinct():
            audit_record(letter=letter, actor=request.user, action="signatures.exported",
                         format=fmt, private=True, via="admin")  # fmt: skip
        out = exports.spooled_file()
        exports.export_write(selected, out, fmt=fmt, private=True, across_letters=True)
        out.seek(0)
        filename = f"signatures-private-{timezone.now():%Y-%m-%d}.{exports.FORMATS[fmt][1]}"
        return FileResponse(
            out, as_attachment=True, filename=filename, content_type=exports.FORMATS[fmt][0]
        )

    def get_urls(self):
        busy = path(
            "unusual/",
            self.admin_site.admin_view(self.unusual_view),
            name="letters_app_signature_unusual",
        )
        return [busy, *super().get_urls()]

    def unusual_view(self, request):
        """E-mail domains and IP addresses with the most signatures lately, to check by hand."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            threshold = max(1, int(request.GET.get("threshold", BUSY_THRESHOLD)))
        except ValueError:
            threshold = BUSY_THRESHOLD
        changelist = reverse("admin:letters_app_signature_changelist")
        sources = ((_("E-mail domain"), "domains", "email_domain"),
                   (_("IP address"), "ips", "ip_address"))  # fmt: skip
        windows = []
        for label, length in BUSY_WINDOWS:
            since = timezone.now() - length
            busy = selectors.signature_sources_busy(since=since, threshold=threshold)
            rows = []
            for kind, key, field in sources:
                for row in busy[key]:
                    query = {field: row[field], "created_at__gte": since.isoformat()}
                    rows.append((kind, row[field], row["n"], f"{changelist}?{urlencode(query)}"))
            windows.append((label, rows))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Signing unusually often"),
            "threshold": threshold,
            "windows": windows,
        }
        return TemplateResponse(request, "admin/letters_app/signature/unusual.html", context)


class BlocklistForm(forms.ModelForm):
    class Meta:
        model = Blocklist
        fields = ["kind", "value", "reason"]

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), (cleaned.get("value") or "").strip().lower()
        if kind == Blocklist.Kind.IP:
            try:
                value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                self.add_error("value", _("Give an IP address or network, e.g. 203.0.113.0/24."))
        elif kind == Blocklist.Kind.DOMAIN:
            value = value.rpartition("@")[2]
            if "." not in value or " " in value:
                self.add_error("value", _("Give a domain such as example.org."))
        cleaned["value"] = value
        return cleaned


@admin.register(Blocklist)
class BlocklistAdmin(admin.ModelAdmin):
    form = BlocklistForm
    list_display = ["value", "kind", "reason", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(letter=None, actor=request.user, action="blocklist.saved", entry=str(obj))
        signing_rules_reload()

    def delete_model(self, request, obj):
        audit_record(letter=None, actor=request.user, action="blocklist.deleted", entry=str(obj))
        super().delete_model(request, obj)
        signing_rules_reload()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SiteSwitch)
class SiteSwitchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "signing_paused", "updated_at"]

    def has_add_permission(self, request):
        return not SiteSwitch.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """One row: go straight to it."""
        switch = SiteSwitch.get()
        return HttpResponseRedirect(
            reverse("admin:letters_app_siteswitch_change", args=[switch.pk])
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "signing_paused" in form.changed_data:
            action = "site.signing_paused" if obj.signing_paused else "site.signing_resumed"
            audit_record(letter=None, actor=request.user, action=action)
        signing_rules_reload()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "letter", "actor", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["action", "letter__title", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(FrozenAwareAdmin):
    """A record written by the services only: admins read it, nobody edits it here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def frozen_reason(self, obj) -> str:
        return _("This record is written by Cosign itself: it cannot be changed here.")


@admin.register(LetterSnapshot)
class LetterSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["letter", "version", "signatory_count", "pdf_status", "created_at", "sha256"]
    list_filter = ["pdf_status"]
    search_fields = ["letter__title", "sha256"]
    exclude = ["content"]

    def frozen_reason(self, obj) -> str:
        return _(
            "A snapshot is the letter exactly as it was finalized, under its SHA-256: it never "
            "changes."
        )


@admin.register(LetterTranslation)
class LetterTranslationAdmin(ReadOnlyAdmin):
    """Coordinators write translations on the letter's pages, where readiness is checked."""

    list_display = ["letter", "language", "status", "source_version", "updated_at", "updated_by"]
    list_filter = ["language", "status"]
    search_fields = ["letter__title", "title"]

    def frozen_reason(self, obj) -> str:
        return letter_frozen_reason(obj.letter) or _(
            "Coordinators write translations on the letter's own pages, where readiness is checked."
        )


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "letter", "format", "private", "status", "rows_done",
                    "rows_total", "requested_by"]  # fmt: skip
    list_filter = ["status", "format", "private"]
    search_fields = ["letter__title", "requested_by__username"]
    exclude = ["file"]  # downloaded from the prepared exports page, which checks who asks


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "letter", "document", "status", "attempts", "sent_at"]
    list_filter = ["status", "document", "letter"]
    search_fields = ["recipient__name", "recipient__institution", "email", "letter__title"]
    actions = ["retry"]

    def frozen_reason(self, obj) -> str:
        return _(
            "A delivery records what was sent to one recipient, as the worker sent it: it "
            "cannot be changed here. A failed one can be sent again from the list."
        )

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request, queryset):
        done = 0
        for delivery in queryset.filter(status=Delivery.Status.FAILED).select_related("letter"):
            delivery_services.delivery_retry(delivery=delivery, actor=request.user)
            done += 1
        self.message_user(request, _("%(n)s deliveries queued again.") % {"n": done})


@admin.register(SignerNotice)
class SignerNoticeAdmin(ReadOnlyAdmin):
    list_display = ["signature", "status", "outcome", "follow_up", "attempts", "sent_at", "reason"]
    list_filter = ["status", "follow_up"]
    search_fields = ["signature__name", "signature__letter__title"]
    actions = ["resend"]

    @admin.action(description=_("Send the failed notices of the selected letters' signers again"))
    def resend(self, request, queryset):
        letters = Letter.objects.filter(pk__in=queryset.values("signature__letter_id"))
        done = sum(
            delivery_services.signer_notices_resend(letter=letter, actor=request.user)
            for letter in letters
        )
        self.message_user(request, _("%(n)s notices queued again.") % {"n": done})


@admin.register(SignerMail)
class SignerMailAdmin(ReadOnlyAdmin):
    list_display = ["signature", "kind", "status", "attempts", "queued_at", "sent_at", "reason"]
    list_filter = ["status", "kind"]
    search_fields = ["signature__email", "signature__name", "signature__letter__title"]
    list_select_related = ["signature"]
    actions = ["resend"]

    def frozen_reason(self, obj) -> str:
        return _(
            "A mail to a signer records what the worker sent and what the server answered: it "
            "cannot be changed here. A failed one can be sent again from the list."
        )

    @admin.action(description=_("Send the selected failed mails again"))
    def resend(self, request, queryset):
        done = 0
        failed = queryset.filter(status=SignerMail.Status.FAILED).select_related(
            "signature__letter"
        )
        for mail in failed:
            signature_services.signer_mail_resend(mail=mail, actor=request.user)
            done += 1
        self.message_user(request, _("%(n)s mails queued again.") % {"n": done})


@admin.register(PressRelease)
class PressReleaseAdmin(admin.ModelAdmin):
    list_display = ["headline", "letter", "updated_at"]
    search_fields = ["headline", "letter__title"]
