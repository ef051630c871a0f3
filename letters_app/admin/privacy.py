"""The admin erasing signers' personal data, through the service a signer's own link uses."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from letters_app.admin.common import selection_page
from letters_app.services import privacy as privacy_services


class ErasureActions(admin.ModelAdmin):
    """The "Erase personal data" action of the signatures' list: it asks once, on a page of its
    own, then erases each selected signature."""

    @admin.action(description=_("Erase the personal data of selected signers"))
    def erase_personal_data(self, request, queryset):
        if "erase_confirmed" not in request.POST:
            return selection_page(
                self, request, queryset, title=_("Erase personal data"),
                template="admin/letters_app/signature/erase_confirmation.html",
            )  # fmt: skip
        erased = 0
        for signature in queryset.select_related("letter").order_by("pk"):
            if not privacy_services.is_erased(signature):
                privacy_services.signature_erase(signature=signature, actor=request.user)
                erased += 1
        message = ngettext(
            "The personal data of %(n)s signer is erased.",
            "The personal data of %(n)s signers is erased.",
            erased,
        )
        self.message_user(request, message % {"n": erased}, level=messages.SUCCESS)
        return None
