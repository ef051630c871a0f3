from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from letters_app.models import AuditAction, Recipient
from letters_app.services.audit import Actor, actor_user, audit_record


@transaction.atomic
def recipient_create(*, actor: Actor, **fields: Any) -> Recipient:
    """Add an addressee to the directory (not yet curated). Audited."""
    recipient = Recipient(added_by=actor_user(actor), is_curated=False, **fields)
    recipient.full_clean()
    recipient.save()
    audit_record(
        letter=None, actor=actor, action=AuditAction.RECIPIENT_CREATED, recipient=recipient.pk
    )
    return recipient


@transaction.atomic
def recipients_curate(*, recipients: QuerySet[Recipient], actor: Actor) -> int:
    """Mark these recipients as checked by an admin; each newly curated one is audited.
    Returns how many were."""
    curated = list(recipients.filter(is_curated=False).select_for_update())
    for recipient in curated:
        audit_record(
            letter=None, actor=actor, action=AuditAction.RECIPIENT_CURATED, recipient=recipient.pk
        )
    return Recipient.objects.filter(pk__in=[r.pk for r in curated]).update(is_curated=True)
