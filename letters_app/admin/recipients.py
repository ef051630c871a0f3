"""The admin's page of the directory of recipients."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from letters_app.models import Recipient
from letters_app.services import recipients as recipient_services


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "country", "email", "is_curated"]
    list_filter = ["kind", "is_curated", "country"]
    search_fields = ["name", "title", "institution", "email"]
    actions = ["mark_curated"]

    @admin.action(description=_("Mark selected recipients as curated"))
    def mark_curated(self, request, queryset):
        recipient_services.recipients_curate(recipients=queryset, actor=request.user)
