"""The admin's pages of webhooks and of what was sent to them: read-only (the secret is not
shown), a failed delivery sent again from the list through the coordinators' service."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from letters_app.admin.common import ReadOnlyAdmin
from letters_app.models import Webhook, WebhookDelivery
from letters_app.services import webhooks as webhook_services


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ["url", "letter", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["letter", "created_by"]
    search_fields = ["url", "letter__title"]
    fields = ("letter", "url", "events", "is_active", "created_by", "created_at")
    readonly_fields = fields

    def frozen_reason(self, obj) -> str:
        return str(
            _("A webhook is added, paused and deleted by its letter's coordinators, on the "
              "letter's Connect page.")
        )  # fmt: skip


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "webhook", "status", "attempts", "last_status_code",
                    "last_error", "created_at", "sent_at"]  # fmt: skip
    list_filter = ["status", "event__type"]
    list_select_related = ["event", "webhook"]
    search_fields = ["webhook__url", "event__id"]
    fields = ("webhook", "event", "status", "attempts", "next_attempt_at", "last_status_code",
              "last_error", "last_duration_ms", "claimed_at", "sent_at", "created_at")  # fmt: skip
    readonly_fields = fields
    actions = ["retry"]

    @admin.display(description=_("event"))
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request, queryset):
        done = 0
        for delivery in queryset.filter(status=WebhookDelivery.Status.FAILED).select_related(
            "webhook__letter", "event"
        ):
            try:
                webhook_services.webhook_delivery_retry(delivery=delivery, actor=request.user)
            except ValidationError:
                continue
            done += 1
        text = ngettext("%(n)s delivery sent again.", "%(n)s deliveries sent again.", done)
        self.message_user(request, text % {"n": done}, level=messages.SUCCESS)
