from django.urls import path

from letters_app.views import author

app_name = "author"
urlpatterns = [
    path("", author.dashboard, name="dashboard"),
    path("letters/new/", author.letter_new, name="letter-new"),
    path("letters/<int:pk>/", author.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/preview/", author.letter_preview, name="letter-preview"),
    path("letters/<int:pk>/recipients/", author.letter_recipients, name="letter-recipients"),
    path(
        "letters/<int:pk>/recipients/new/",
        author.letter_recipient_add,
        name="letter-recipient-add",
    ),
    path(
        "letters/<int:pk>/recipients/languages/",
        author.letter_recipient_languages,
        name="letter-recipient-languages",
    ),
    path("letters/<int:pk>/translations/", author.letter_translations, name="letter-translations"),
    path(
        "letters/<int:pk>/translations/<str:language>/",
        author.translation_edit,
        name="translation-edit",
    ),
    path(
        "letters/<int:pk>/translations/<str:language>/ready/",
        author.translation_ready,
        name="translation-ready",
    ),
    path(
        "letters/<int:pk>/translations/<str:language>/draft/",
        author.translation_draft,
        name="translation-draft",
    ),
    path(
        "letters/<int:pk>/translations/<str:language>/delete/",
        author.translation_delete,
        name="translation-delete",
    ),
    path("letters/<int:pk>/coordinators/", author.letter_coordinators, name="letter-coordinators"),
    path(
        "letters/<int:pk>/coordinators/<int:user_pk>/remove/",
        author.letter_coordinator_remove,
        name="letter-coordinator-remove",
    ),
    path("letters/<int:pk>/coordinators/mails/", author.letter_mails_choose, name="letter-mails"),
    path("letters/<int:pk>/publish/", author.letter_publish, name="letter-publish"),
    path("letters/<int:pk>/close/", author.letter_close, name="letter-close"),
    path("letters/<int:pk>/reopen/", author.letter_reopen, name="letter-reopen"),
    path("letters/<int:pk>/history/", author.letter_history, name="letter-history"),
    path("letters/<int:pk>/signatures/", author.letter_signatures, name="letter-signatures"),
    path(
        "letters/<int:pk>/signatures/<int:signature_pk>/",
        author.signature_edit,
        name="signature-edit",
    ),
    path(
        "letters/<int:pk>/signatures/<int:signature_pk>/mail/resend/",
        author.signature_mail_resend,
        name="signature-mail-resend",
    ),
    path("letters/<int:pk>/import/", author.letter_import, name="letter-import"),
    path(
        "letters/<int:pk>/import/confirm/",
        author.letter_import_confirm,
        name="letter-import-confirm",
    ),
    path("letters/<int:pk>/partners/", author.letter_partners, name="letter-partners"),
    path(
        "letters/<int:pk>/partners/confirm/",
        author.letter_partners_confirm,
        name="letter-partners-confirm",
    ),
    path(
        "letters/<int:pk>/partners/export.csv",
        author.letter_partners_export,
        name="letter-partners-export",
    ),
    path(
        "letters/<int:pk>/partners/invite/",
        author.letter_partners_invite,
        name="letter-partners-invite",
    ),
    path(
        "letters/<int:pk>/partners/reminders/",
        author.letter_partner_reminders,
        name="letter-partner-reminders",
    ),
    path(
        "letters/<int:pk>/partners/reminders/<int:reminder_pk>/cancel/",
        author.letter_partner_reminder_cancel,
        name="letter-partner-reminder-cancel",
    ),
    path(
        "letters/<int:pk>/partners/remind/",
        author.letter_partners_remind,
        name="letter-partners-remind",
    ),
    path(
        "letters/<int:pk>/partners/earlier/",
        author.letter_partners_earlier,
        name="letter-partners-earlier",
    ),
    path("letters/<int:pk>/finalize/", author.letter_finalize, name="letter-finalize"),
    path("letters/<int:pk>/delivery/", author.letter_delivery, name="letter-delivery"),
    path(
        "letters/<int:pk>/delivery/status/",
        author.letter_delivery_status,
        name="letter-delivery-status",
    ),
    path("letters/<int:pk>/delivery/pdf/", author.letter_pdf_retry, name="letter-pdf-retry"),
    path(
        "letters/<int:pk>/delivery/notices/resend/",
        author.signer_notices_resend,
        name="signer-notices-resend",
    ),
    path(
        "letters/<int:pk>/delivery/<int:delivery_pk>/retry/",
        author.delivery_retry,
        name="delivery-retry",
    ),
    path(
        "letters/<int:pk>/delivery/late/",
        author.letter_late_recipient,
        name="letter-late-recipient",
    ),
    path("letters/<int:pk>/press/", author.press_release, name="press-release"),
    path("letters/<int:pk>/press/draft/", author.press_release_draft, name="press-release-draft"),
    path(
        "letters/<int:pk>/press/preview/",
        author.press_release_preview,
        name="press-release-preview",
    ),
    path(
        "letters/<int:pk>/press/release.txt", author.press_release_text, name="press-release-text"
    ),
    path("letters/<int:pk>/press/release.pdf", author.press_release_pdf, name="press-release-pdf"),
    path("letters/<int:pk>/press/send/", author.press_release_send, name="press-release-send"),
    path("letters/<int:pk>/stats/", author.letter_stats, name="letter-stats"),
    path("letters/<int:pk>/embed/", author.letter_embed, name="letter-embed"),
    path("letters/<int:pk>/api-tokens/", author.letter_api_tokens, name="letter-api-tokens"),
    path("letters/<int:pk>/webhooks/", author.letter_webhooks, name="letter-webhooks"),
]
