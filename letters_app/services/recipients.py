from django.db import transaction

from letters_app.models import AuditAction, Recipient
from letters_app.services.audit import audit_record


@transaction.atomic
def recipient_create(*, actor, **fields) -> Recipient:
    """Add an addressee to the directory (not yet curated). Audited."""
    recipient = Recipient(added_by=actor, is_curated=False, **fields)
    recipient.full_clean()
    recipient.save()
    audit_record(
        letter=None, actor=actor, action=AuditAction.RECIPIENT_CREATED, recipient=recipient.pk
    )
    return recipient
