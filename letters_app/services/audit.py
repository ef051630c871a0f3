from letters_app.models import AuditAction, AuditEvent, Letter


def audit_record(*, letter: Letter | None, actor, action: AuditAction, **detail) -> AuditEvent:
    """Write one row of the audit trail."""
    from_status = detail.pop("from_status", "")
    to_status = detail.pop("to_status", "")
    return AuditEvent.objects.create(
        letter=letter,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
    )
