from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from letters_app.models import (
    AuditEvent,
    Letter,
    LetterRecipient,
    LetterTemplate,
    LetterVersion,
    Recipient,
)
from letters_app.services import letters as letter_services


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


class LetterRecipientInline(admin.TabularInline):
    model = LetterRecipient
    extra = 0
    autocomplete_fields = ["recipient"]


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
                service(letter=letter, actor=request.user)
            except ValidationError as exc:
                modeladmin.message_user(
                    request, f"{letter}: {' '.join(exc.messages)}", level=messages.ERROR
                )
            else:
                modeladmin.message_user(request, f"{letter}: {letter.get_status_display()}")

    action.__name__ = service.__name__
    return action


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "kind", "created_by", "version", "updated_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "slug", "body", "created_by__username"]
    readonly_fields = ["status", "version", "created_at", "updated_at"]
    autocomplete_fields = ["created_by", "co_coordinators", "template"]
    inlines = [LetterRecipientInline, LetterVersionInline]
    actions = [
        _transition_action(letter_services.letter_open, _("Publish for signing")),
        _transition_action(letter_services.letter_close, _("Close signing")),
        _transition_action(letter_services.letter_reopen, _("Reopen signing")),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj and not obj.is_editable:
            return [f.name for f in Letter._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Edits go through the service, so a published letter gets a new text version.
        data = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
        }
        letter_services.letter_update(letter=obj, data=data, actor=request.user)


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
