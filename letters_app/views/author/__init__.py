"""Pages for coordinators, one module per domain: each page checks access first, runs a form,
and calls a service."""

from letters_app.views.author.api_tokens import letter_api_tokens
from letters_app.views.author.coordinators import (
    letter_coordinator_remove,
    letter_coordinators,
    letter_mails_choose,
)
from letters_app.views.author.delivery import (
    delivery_retry,
    letter_delivery,
    letter_delivery_status,
    letter_finalize,
    letter_late_recipient,
    letter_pdf_retry,
    signer_notices_resend,
)
from letters_app.views.author.embed import letter_embed
from letters_app.views.author.imports import letter_import, letter_import_confirm
from letters_app.views.author.letters import (
    dashboard,
    letter_close,
    letter_edit,
    letter_history,
    letter_new,
    letter_preview,
    letter_publish,
    letter_reopen,
)
from letters_app.views.author.partners import (
    letter_partners,
    letter_partners_confirm,
    letter_partners_earlier,
    letter_partners_export,
    letter_partners_invite,
)
from letters_app.views.author.press import (
    press_release,
    press_release_draft,
    press_release_pdf,
    press_release_preview,
    press_release_send,
    press_release_text,
)
from letters_app.views.author.recipients import (
    letter_recipient_add,
    letter_recipient_languages,
    letter_recipients,
)
from letters_app.views.author.reminders import (
    letter_partner_reminder_cancel,
    letter_partner_reminders,
    letter_partners_remind,
)
from letters_app.views.author.signatures import (
    letter_signatures,
    signature_edit,
    signature_mail_resend,
)
from letters_app.views.author.stats import letter_stats
from letters_app.views.author.translations import (
    letter_translations,
    translation_delete,
    translation_draft,
    translation_edit,
    translation_ready,
)
from letters_app.views.author.webhooks import letter_webhooks

__all__ = [
    "letter_api_tokens",
    "letter_embed",
    "letter_webhooks",
    "letter_partner_reminder_cancel",
    "letter_partner_reminders",
    "letter_partners_remind",
    "dashboard",
    "letter_new",
    "letter_edit",
    "letter_preview",
    "letter_recipients",
    "letter_recipient_add",
    "letter_recipient_languages",
    "letter_coordinators",
    "letter_coordinator_remove",
    "letter_mails_choose",
    "letter_publish",
    "letter_close",
    "letter_reopen",
    "letter_history",
    "letter_signatures",
    "signature_edit",
    "letter_import",
    "letter_import_confirm",
    "letter_translations",
    "translation_edit",
    "translation_ready",
    "translation_draft",
    "translation_delete",
    "letter_finalize",
    "letter_delivery",
    "letter_delivery_status",
    "letter_pdf_retry",
    "delivery_retry",
    "signature_mail_resend",
    "signer_notices_resend",
    "letter_late_recipient",
    "press_release",
    "press_release_draft",
    "press_release_preview",
    "press_release_text",
    "press_release_pdf",
    "press_release_send",
    "letter_stats",
    "letter_partners",
    "letter_partners_confirm",
    "letter_partners_earlier",
    "letter_partners_invite",
    "letter_partners_export",
]
