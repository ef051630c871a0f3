"""The admin's page of API tokens: read-only (their secrets are known to no one here), revoked
from the list through the same service as the letter's API tokens page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from letters_app.admin.common import ReadOnlyAdmin
from letters_app.models import ApiToken
from letters_app.services import api_tokens as token_services


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "letter", "scope", "created_by", "created_at",
                    "last_used_at", "revoked_at"]  # fmt: skip
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["letter", "created_by"]
    search_fields = ["name", "prefix", "letter__title", "created_by__username"]
    fields = ("letter", "name", "scope", "prefix", "created_by", "created_at", "last_used_at",
              "revoked_at", "revoked_by")  # fmt: skip
    readonly_fields = fields
    actions = ["revoke"]

    def frozen_reason(self, obj) -> str:
        return str(
            _(
                "A token is made on its letter's API tokens page, which shows its secret once: "
                "it cannot be changed here, only revoked from the list."
            )
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        done = sum(
            token_services.api_token_revoke(token=token, actor=request.user)
            for token in queryset.select_related("letter")
        )
        text = ngettext("%(n)s token revoked.", "%(n)s tokens revoked.", done) % {"n": done}
        self.message_user(request, text)
