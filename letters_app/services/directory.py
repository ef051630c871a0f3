"""Load the curated letter templates and recipient directory from letters_app/fixtures_data."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from letters_app.fixtures_data.letter_templates import LETTER_TEMPLATES
from letters_app.fixtures_data.recipients import RECIPIENTS
from letters_app.models import AuditAction, LetterTemplate, Recipient
from letters_app.services.audit import Actor, audit_record

# Set when a recipient is first loaded, then left alone: an admin replaces the example
# address with a verified one, and reloading the directory must not undo that.
RECIPIENT_CREATE_ONLY = ("email",)


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self, noun: str) -> str:
        return (
            f"{noun}: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )


def _upsert[M: (LetterTemplate, Recipient)](
    model: type[M],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    create_only: tuple[str, ...] = (),
) -> tuple[M, str]:
    """Create the row matching `lookup`, or bring it in line with `values`; saves only changes."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [
        name
        for name, value in values.items()
        if name not in create_only and getattr(obj, name) != value
    ]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save()
    return obj, "updated"


def _audit_load(result: LoadResult, *, action: AuditAction, actor: Actor) -> None:
    """One audit row for a load that created or updated anything; none for one that did not."""
    if result.changed:
        audit_record(
            letter=None, actor=actor, action=action, created=result.created, updated=result.updated
        )


@transaction.atomic
def templates_load(*, actor: Actor = None) -> LoadResult:
    """Create or update the five letter templates by key; audited when anything changed."""
    result = LoadResult()
    for data in LETTER_TEMPLATES:
        values = {k: v for k, v in data.items() if k != "key"}
        _, outcome = _upsert(LetterTemplate, lookup={"key": data["key"]}, values=values)
        getattr(result, outcome).append(data["key"])
    _audit_load(result, action=AuditAction.TEMPLATES_LOADED, actor=actor)
    return result


@transaction.atomic
def recipients_load(*, actor: Actor = None) -> LoadResult:
    """Create or update the curated directory by institution, name and title; audited likewise."""
    result = LoadResult()
    identity = ("institution", "name", "title")
    data: dict[str, Any]
    for data in RECIPIENTS:
        data = {"honorific": "", "name": "", "is_curated": True, **data}
        lookup = {k: data[k] for k in identity}
        values = {k: v for k, v in data.items() if k not in identity}
        recipient, outcome = _upsert(
            Recipient, lookup=lookup, values=values, create_only=RECIPIENT_CREATE_ONLY
        )
        getattr(result, outcome).append(str(recipient))
    _audit_load(result, action=AuditAction.RECIPIENTS_LOADED, actor=actor)
    return result
