"""The site-wide rules of signing an admin sets: the blocklist and the switch that pauses signing
on every letter. Each change is audited and applied in this process at once."""

from django.db import transaction

from letters_app.models import AuditAction, Blocklist, SiteSwitch
from letters_app.services.audit import Actor, audit_record
from letters_app.services.signatures import signing_rules_reload


@transaction.atomic
def blocklist_entry_save(*, entry: Blocklist, actor: Actor) -> Blocklist:
    """Add or change a blocklisted domain or address. Audited."""
    entry.full_clean()
    entry.save()
    audit_record(letter=None, actor=actor, action=AuditAction.BLOCKLIST_SAVED, entry=str(entry))
    signing_rules_reload()
    return entry


@transaction.atomic
def blocklist_entry_delete(*, entry: Blocklist, actor: Actor) -> None:
    """Let a blocklisted domain or address sign again. Audited."""
    audit_record(letter=None, actor=actor, action=AuditAction.BLOCKLIST_DELETED, entry=str(entry))
    entry.delete()
    signing_rules_reload()


@transaction.atomic
def site_switch_save(*, switch: SiteSwitch, actor: Actor) -> SiteSwitch:
    """Save the site switch as set; pausing or resuming signing on every letter is audited."""
    was_paused = SiteSwitch.objects.filter(pk=switch.pk, signing_paused=True).exists()
    switch.full_clean()
    switch.save()
    if switch.signing_paused != was_paused:
        action = (
            AuditAction.SITE_SIGNING_PAUSED
            if switch.signing_paused
            else AuditAction.SITE_SIGNING_RESUMED
        )
        audit_record(letter=None, actor=actor, action=action)
    signing_rules_reload()
    return switch
