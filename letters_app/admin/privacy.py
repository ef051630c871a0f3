"""The admin erasing signers' personal data, through the service a signer's own link uses."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from letters_app.services import privacy as privacy_services

# How many of the selected signatures the confirmation page names.
SHOWN = 200


class ErasureActions(admin.ModelAdmin):
    """The "Erase personal data" action of the signatures' list: it asks once, on a page of its
    own, then erases each selected signature."""

    @admin.action(description=_("Erase the personal data of selected signers"))
    def erase_personal_data(self, request, queryset):
        if "erase_confirmed" not in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Erase personal data"),
                "signatures": queryset.select_related("letter")[:SHOWN],
                "count": queryset.count(),
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(
                request, "admin/letters_app/signature/erase_confirmation.html", context
            )
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
