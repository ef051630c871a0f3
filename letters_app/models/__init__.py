from .deliveries import Delivery, LetterSnapshot, PressRelease, SignerNotice
from .exports import ExportJob
from .letters import (
    TEXT_FIELDS,
    AuditEvent,
    Letter,
    LetterKind,
    LetterRecipient,
    LetterTemplate,
    LetterVersion,
)
from .recipients import Recipient
from .signatures import Blocklist, Signature, SiteSwitch

__all__ = [
    "Delivery",
    "ExportJob",
    "LetterSnapshot",
    "PressRelease",
    "SignerNotice",
    "Blocklist",
    "Signature",
    "SiteSwitch",
    "TEXT_FIELDS",
    "AuditEvent",
    "Letter",
    "LetterKind",
    "LetterRecipient",
    "LetterTemplate",
    "LetterVersion",
    "Recipient",
]
