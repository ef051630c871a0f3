"""The admin's pages of letters: their templates, the letters themselves (text, recipients, the
lifecycle's actions), their frozen snapshots and their translations."""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from letters_app.admin.common import (
    FrozenAwareAdmin,
    ReadOnlyAdmin,
    adopt,
    form_fields,
    letter_frozen_reason,
)
from letters_app.models import (
    TEXT_FIELDS,
    Letter,
    LetterRecipient,
    LetterSnapshot,
    LetterTemplate,
    LetterTranslation,
    LetterVersion,
)
from letters_app.services import letters as letter_services


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "key", "position", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "key", "title", "body"]


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
    fields = ("number", "title", "created_by", "created_at")
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
        cleaned = cast(dict, super().clean())  # a ModelForm's clean() returns its cleaned_data
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
    # The sites that may frame the sign form are checked and audited on Connect › Embed.
    readonly_fields = ["shown_status", "version", "embed_origins", "created_at", "updated_at"]
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
            created = letter_services.letter_create(
                template=obj.template,
                actor=request.user,
                **form_fields(obj, form, exclude=("template",)),
            )
            adopt(obj, created)
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


@admin.register(LetterSnapshot)
class LetterSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["letter", "version", "signatory_count", "pdf_status", "created_at", "sha256"]
    list_filter = ["pdf_status"]
    search_fields = ["letter__title", "sha256"]
    exclude = ["content"]

    def frozen_reason(self, obj) -> str:
        return str(
            _(
                "A snapshot is the letter exactly as it was finalized, under its SHA-256: it "
                "never changes."
            )
        )


@admin.register(LetterTranslation)
class LetterTranslationAdmin(ReadOnlyAdmin):
    """Coordinators write translations on the letter's pages, where readiness is checked."""

    list_display = ["letter", "language", "status", "source_version", "updated_at", "updated_by"]
    list_filter = ["language", "status"]
    search_fields = ["letter__title", "title"]

    def frozen_reason(self, obj) -> str:
        return letter_frozen_reason(obj.letter) or str(
            _(
                "Coordinators write translations on the letter's own pages, where readiness is "
                "checked."
            )
        )
