from typing import Any

from django.db import transaction

from letters_app.models import Recipient
from letters_app.services.audit import Actor, actor_user, audit_record


@transaction.atomic
def recipient_create(*, actor: Actor, **fields: Any) -> Recipient:
    """Add an addressee to the directory (not yet curated). Audited."""
    recipient = Recipient(added_by=actor_user(actor), is_curated=False, **fields)
    recipient.full_clean()
    recipient.save()
    audit_record(letter=None, actor=actor, action="recipient.created", recipient=recipient.pk)
    return recipient
