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

__all__ = [
    "TEXT_FIELDS",
    "AuditEvent",
    "Letter",
    "LetterKind",
    "LetterRecipient",
    "LetterTemplate",
    "LetterVersion",
    "Recipient",
]
