"""The admin's pages of what Cosign sends: deliveries of letters, notices and mails to signers,
each sent again from the list when it failed, and the press releases."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from letters_app.admin.common import ReadOnlyAdmin, adopt, form_fields
from letters_app.models import Delivery, Letter, PressRelease, SignerMail, SignerNotice
from letters_app.services import deliveries as delivery_services
from letters_app.services import press as press_services
from letters_app.services import signatures as signature_services


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "letter", "document", "status", "attempts", "sent_at"]
    list_filter = ["status", "document", "letter"]
    search_fields = ["recipient__name", "recipient__institution", "email", "letter__title"]
    actions = ["retry"]

    def frozen_reason(self, obj) -> str:
        return str(
            _(
                "A delivery records what was sent to one recipient, as the worker sent it: it "
                "cannot be changed here. A failed one can be sent again from the list."
            )
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
        return str(
            _(
                "A mail to a signer records what the worker sent and what the server answered: "
                "it cannot be changed here. A failed one can be sent again from the list."
            )
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

    def get_readonly_fields(self, request, obj=None):
        return ["letter"] if obj is not None else []  # a release belongs to its letter for good

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "letter":  # only a finalized letter has a press release
            kwargs["queryset"] = Letter.objects.filter(status__in=Letter.FROZEN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Through the services, as on the coordinators' pages: a new release is drafted from
        its letter, then given the text typed here."""
        data = form_fields(obj, form)
        press = obj if change else press_services.press_release_draft(
            letter=obj.letter, actor=request.user
        )  # fmt: skip
        adopt(obj, press_services.press_release_update(press=press, data=data, actor=request.user))
