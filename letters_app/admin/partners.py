"""The admin's pages of partners, the organizations asked to sign a letter, and of the mails
the workers send them and the letters' coordinators: read-only, each failed mail sent again
from the list through the same services the coordinators' pages use."""

from itertools import groupby

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from letters_app.admin.common import MailRowAdmin, ReadOnlyAdmin
from letters_app.models import CoordinatorMail, Partner, PartnerMail
from letters_app.services import digests as digest_services
from letters_app.services import partners as partner_services


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["name", "acronym", "letter", "email", "language", "status", "created_at",
                    "invited_at", "opened_at", "signed_at", "declined_at",
                    "unsubscribed_at"]  # fmt: skip
    list_filter = ["status", "letter"]
    list_select_related = ["letter"]
    search_fields = ["name", "acronym", "email", "letter__title"]
    fields = ("letter", "name", "acronym", "country", "email", "language", "status", "source",
              "added_by", "created_at", "invited_at", "mail_failed_at", "mail_error",
              "opened_at", "signed_at", "declined_at", "decline_reason", "unsubscribed_at",
              "signature")  # fmt: skip
    readonly_fields = fields

    def frozen_reason(self, obj) -> str:
        return str(
            _(
                "A partner is added and invited from its letter's partners page, and moves on as "
                "it answers through its personal link: it cannot be changed here."
            )
        )


@admin.register(PartnerMail)
class PartnerMailAdmin(MailRowAdmin):
    list_display = ["partner", "letter", "kind", "status", "attempts", "queued_at", "sent_at",
                    "reason"]  # fmt: skip
    list_filter = ["status", "kind"]
    list_select_related = ["partner__letter"]
    search_fields = ["partner__email", "partner__name", "partner__letter__title"]
    actions = ["resend"]

    @admin.display(description=_("letter"))
    def letter(self, obj: PartnerMail):
        return obj.partner.letter

    @admin.action(description=_("Send the selected failed mails again"))
    def resend(self, request, queryset):
        rows = queryset.select_related("partner__letter")
        self.resend_failed(request, rows, lambda failed: self._invite(failed, request.user))

    def _invite(self, failed: list[PartnerMail], actor) -> int:
        """Invite the partners again, letter by letter, as their coordinators' button does."""
        done = 0
        for _letter, rows in groupby(sorted(failed, key=self._letter_id), key=self._letter_id):
            chosen = list(rows)
            done += partner_services.partners_invite(
                letter=chosen[0].partner.letter, actor=actor,
                partner_ids=[row.partner_id for row in chosen],
            )  # fmt: skip
        return done

    @staticmethod
    def _letter_id(row: PartnerMail) -> int:
        return row.partner.letter_id


@admin.register(CoordinatorMail)
class CoordinatorMailAdmin(MailRowAdmin):
    list_display = ["to", "letter", "kind", "day", "language", "status", "attempts", "queued_at",
                    "sent_at", "reason"]  # fmt: skip
    list_filter = ["status", "kind"]
    list_select_related = ["letter"]
    search_fields = ["to", "letter__title"]
    actions = ["resend"]

    @admin.action(description=_("Send the selected failed mails again"))
    def resend(self, request, queryset):
        self.resend_failed(request, queryset.select_related("letter"), lambda failed: sum(
            self._resend_one(mail, request.user) for mail in failed))  # fmt: skip

    @staticmethod
    def _resend_one(mail: CoordinatorMail, actor) -> int:
        digest_services.coordinator_mail_resend(mail=mail, actor=actor)
        return 1
