from .api_tokens import ApiToken
from .deliveries import Delivery, LetterSnapshot, PressRelease, SignerNotice, delivery_reason
from .digests import CoordinatorMail, CoordinatorMailChoice, CoordinatorMails
from .exports import ExportJob
from .incidents import Incident, IncidentMail, UserLanguage
from .letters import (
    LETTER_LANGUAGES,
    TEXT_FIELDS,
    TRANSLATED_FIELDS,
    TRANSLATION_REQUIRED_FIELDS,
    AuditAction,
    AuditEvent,
    Letter,
    LetterKind,
    LetterRecipient,
    LetterTemplate,
    LetterTranslation,
    LetterVersion,
    language_direction,
    language_name,
    letter_language,
)
from .mails import SignerMail
from .partners import Partner, PartnerMail
from .recipients import Recipient
from .reminders import PartnerReminder
from .signatures import ERASED_PREFIX, Blocklist, Signature, SiteSwitch
from .webhooks import Webhook, WebhookDelivery, WebhookEvent, WebhookEventType

__all__ = [
    "ApiToken",
    "CoordinatorMail",
    "CoordinatorMailChoice",
    "CoordinatorMails",
    "ERASED_PREFIX",
    "Delivery",
    "delivery_reason",
    "ExportJob",
    "Incident",
    "IncidentMail",
    "UserLanguage",
    "LetterSnapshot",
    "PressRelease",
    "SignerNotice",
    "SignerMail",
    "Partner",
    "PartnerMail",
    "PartnerReminder",
    "Blocklist",
    "Signature",
    "SiteSwitch",
    "LETTER_LANGUAGES",
    "TEXT_FIELDS",
    "TRANSLATED_FIELDS",
    "TRANSLATION_REQUIRED_FIELDS",
    "LetterTranslation",
    "language_direction",
    "language_name",
    "letter_language",
    "AuditAction",
    "AuditEvent",
    "Letter",
    "LetterKind",
    "LetterRecipient",
    "LetterTemplate",
    "LetterVersion",
    "Recipient",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookEventType",
]
