from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from letters_app.models import AuditAction, AuditEvent, Letter

# Who made a change: the person signed in (`request.user`), or no one (a signer, the worker, a
# command). Rows record only a signed-in person.
type Actor = User | AnonymousUser | None


def actor_user(actor: Actor) -> User | None:
    """The person to record as having made a change: the actor if signed in, else no one."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def audit_record(
    *, letter: Letter | None, actor: Actor, action: AuditAction, **detail: Any
) -> AuditEvent:
    """Write one row of the audit trail."""
    from_status = detail.pop("from_status", "")
    to_status = detail.pop("to_status", "")
    return AuditEvent.objects.create(
        letter=letter,
        actor=actor_user(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
    )
