import datetime
import re
from collections.abc import Collection
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from letters_app.cache import letter_page_forget, letter_signing_forget
from letters_app.models import (
    TEXT_FIELDS,
    TRANSLATED_FIELDS,
    TRANSLATION_REQUIRED_FIELDS,
    AuditAction,
    Letter,
    LetterRecipient,
    LetterTemplate,
    LetterTranslation,
    LetterVersion,
    PartnerReminder,
    Recipient,
    Signature,
    language_name,
)
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.recipients import recipient_create
from letters_app.services.signatures import (
    signatures_approve_confirmed,
    signatures_notify_new_version,
    signatures_publish_confirmed,
)
from letters_app.text import text_diff, text_fields_normalize, text_normalize

S = Letter.Status
# to-status: the statuses a letter may come from.
TRANSITIONS: dict[str, set[Letter.Status]] = {
    S.OPEN: {S.DRAFT, S.CLOSED},
    S.CLOSED: {S.OPEN},
    S.FINALIZED: {S.CLOSED},
    S.SENT: {S.FINALIZED},
}
EDITABLE_FIELDS = (
    *TEXT_FIELDS,
    "slug",
    "language",
    "letter_date",
    "signing_deadline",
    "accepts_organizations",
    "accepts_individuals",
    "accepts_mps",
    "requires_approval",
    "signing_paused",
)
# A bracketed marker such as [Your name], of any length; not a Markdown link "[text](url)" or
# "[text][ref]", a reference definition "[ref]: url" at the start of a line, nor a footnote "[1]".
PLACEHOLDER_RE = re.compile(r"(?m)(?!^\[[^\]\n]*\]:)(?<!\])\[(?!\d+\])([^\[\]\n]+)\](?![(\[])")


def find_placeholders(text: str) -> list[str]:
    return [f"[{m.group(1)}]" for m in PLACEHOLDER_RE.finditer(text or "")]


def letter_publish_checks(letter: Letter) -> list[tuple[str, str]]:
    """Every reason the letter cannot be opened yet, as (field to fix or "recipients", message)."""
    problems = []
    for name in TEXT_FIELDS:
        found = find_placeholders(getattr(letter, name))
        if found:
            label = Letter._meta.get_field(name).verbose_name  # type: ignore[union-attr]  # a column
            message = _("%(field)s still contains placeholders to fill in: %(found)s.") % {
                "field": str(label).capitalize(),
                "found": ", ".join(dict.fromkeys(found)),
            }
            problems.append((name, message))
    if not letter.body.strip():
        problems.append(("body", _("The body is empty: write the letter before publishing it.")))
    if not letter.letter_recipients.exists():
        msg = _("The letter has no recipient: choose at least one from the directory.")
        problems.append(("recipients", msg))
    if not (letter.accepts_organizations or letter.accepts_individuals or letter.accepts_mps):
        msg = _("Choose at least one kind of signatory the letter accepts.")
        problems.append(("accepts_organizations", msg))
    if letter.signing_deadline and letter.signing_deadline <= timezone.now():
        msg = _("The signing deadline is in the past: move it or clear it.")
        problems.append(("signing_deadline", msg))
    return problems


def letter_publish_problems(letter: Letter) -> list[str]:
    """Every reason the letter cannot be opened for signing yet, one message each."""
    return [message for _field, message in letter_publish_checks(letter)]


def _unique_slug(text: str) -> str:
    base = slugify(text)[:100].strip("-") or "letter"
    slug, n = base, 1
    while Letter.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def letter_create(
    *, template: LetterTemplate | None, actor: Actor, title: str = "", **fields: Any
) -> Letter:
    """Create a draft letter from a template; `fields` (the admin's form gives them all) take the
    place of what the template gives. Records the creation."""
    letter = Letter(created_by=actor_user(actor), letter_date=timezone.localdate())
    if template is not None:
        letter.template = template
        for name in ("kind", "accepts_organizations", "accepts_individuals", "accepts_mps"):
            setattr(letter, name, getattr(template, name))
        for name in TEXT_FIELDS:
            setattr(letter, name, getattr(template, name))
    for name, value in fields.items():
        setattr(letter, name, value)
    text = text_fields_normalize({name: getattr(letter, name) for name in TEXT_FIELDS})
    for name, value in text.items():
        setattr(letter, name, value)
    if title:
        letter.title = text_normalize(title)
    letter.slug = letter.slug or _unique_slug(letter.title)
    letter.full_clean()
    letter.save()
    detail = {"template": template.key} if template is not None else {}
    audit_record(letter=letter, actor=actor, action=AuditAction.LETTER_CREATED, **detail)
    return letter


def _snapshot(letter: Letter, actor: Actor) -> LetterVersion:
    letter.version += 1
    version = LetterVersion(letter=letter, number=letter.version, created_by=actor_user(actor))
    for name in TEXT_FIELDS:
        setattr(version, name, getattr(letter, name))
    version.save()
    return version


def _refuse_unless_editable(letter: Letter) -> None:
    if not letter.is_editable:
        raise ValidationError(
            _("This letter is %(status)s: its text and recipients can no longer change.")
            % {"status": letter.get_shown_status_display().lower()}
        )


def letter_signers_to_notify(letter: Letter) -> int:
    """How many signers a new text version of this letter would e-mail (keep or withdraw)."""
    if letter.status == S.DRAFT:
        return 0
    return Signature.objects.filter(
        letter=letter, status__in=[Signature.Status.CONFIRMED, Signature.Status.APPROVED]
    ).count()


def needs_confirmation_error(count: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "%(count)s signer will be e-mailed what changed and asked to keep or withdraw "
            "their signature. Tick the box to confirm.",
            "%(count)s signers will be e-mailed what changed and asked to keep or withdraw "
            "their signatures. Tick the box to confirm.",
            count,
        ),
        code="needs_confirmation",
        params={"count": count},
    )


def _reminders_move(letter: Letter) -> None:
    """The deadline changed: the partners' reminders some days before it, not sent yet, move
    with it (and wait, without a deadline)."""
    reminders = PartnerReminder.objects.filter(
        letter=letter, kind=PartnerReminder.Kind.BEFORE, state=PartnerReminder.State.SCHEDULED
    )
    for reminder in reminders:
        reminder.due_at = reminder.due(letter.signing_deadline)
        reminder.save(update_fields=["due_at"])


@transaction.atomic
def letter_update(
    *, letter: Letter, data: dict[str, Any], actor: Actor, confirm_new_version: bool = False
) -> Letter:
    """Save edits; after publishing, a change of text makes a new version and e-mails the signers
    (on commit), which must be confirmed when there are any. The text is compared and stored
    normalized (line endings, trailing spaces, NFC), so only a change a reader sees counts.
    Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _refuse_unless_editable(letter)
    data = text_fields_normalize(data)
    stored = text_fields_normalize({f: getattr(letter, f) for f in EDITABLE_FIELDS})
    changed = [f for f in EDITABLE_FIELDS if f in data and stored[f] != data[f]]
    if not changed:
        return letter
    letter_signing_forget(letter.slug, data.get("slug") or letter.slug)
    letter_page_forget(letter.slug, data.get("slug") or letter.slug)
    approval_dropped = letter.requires_approval and not data.get("requires_approval", True)
    approval_raised = not letter.requires_approval and data.get("requires_approval", False)
    for name in changed:
        setattr(letter, name, data[name])
    letter.full_clean()
    if "language" in changed and letter.translations.filter(language=letter.language).exists():
        raise ValidationError(
            {"language": _("The letter has a translation into this language: delete it first.")}
        )
    # Only what a reader would see changed makes a version: never one that shows no change.
    new_version = (
        letter.status != S.DRAFT
        and bool(set(changed) & set(TEXT_FIELDS))
        and bool(text_diff(SimpleNamespace(**stored), letter))
    )
    signers = letter_signers_to_notify(letter) if new_version else 0
    if signers and not confirm_new_version:
        raise needs_confirmation_error(signers)
    if new_version:
        _snapshot(letter, actor)
    letter.save()
    if "signing_deadline" in changed:
        _reminders_move(letter)
    detail: dict[str, Any] = {"fields": changed}
    if approval_dropped:
        signatures_publish_confirmed(letter=letter)  # nothing is waiting for approval any more
    if approval_raised:  # those listed stay listed: approval is for the ones to come
        detail["approved"] = signatures_approve_confirmed(letter=letter)
    if new_version:
        detail["version"] = letter.version
    if signers:
        detail["notified"] = signatures_notify_new_version(letter=letter)
    audit_record(letter=letter, actor=actor, action=AuditAction.LETTER_EDITED, **detail)
    return letter


@transaction.atomic
def letter_set_recipients(*, letter: Letter, recipients: list[Recipient], actor: Actor) -> None:
    """Replace the letter's recipients, the first the main addressee: the given order is the
    To: block's everywhere the letter shows. Audited."""
    # Locked and read again: finalizing, which freezes the recipients, waits for this or wins.
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _refuse_unless_editable(letter)
    before = list(letter.letter_recipients.values_list("recipient_id", flat=True))
    after = [r.pk for r in recipients]
    if before == after:
        return
    languages = dict(letter.letter_recipients.values_list("recipient_id", "language"))
    letter.letter_recipients.all().delete()
    LetterRecipient.objects.bulk_create(
        LetterRecipient(letter=letter, recipient=r, position=i, language=languages.get(r.pk, ""))
        for i, r in enumerate(recipients)
    )
    letter_page_forget(letter.slug)  # the To: block
    audit_record(letter=letter, actor=actor, action=AuditAction.LETTER_RECIPIENTS, recipients=after)


@transaction.atomic
def letter_add_new_recipient(
    *, letter: Letter, actor: Actor, first: bool = False, **fields: Any
) -> Recipient:
    """Add an addressee to the directory and to the letter's recipients, last or, as the main
    addressee, `first`. Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _refuse_unless_editable(letter)
    recipient = recipient_create(actor=actor, **fields)
    current = [lr.recipient for lr in letter.letter_recipients.select_related("recipient")]
    chosen = [recipient, *current] if first else [*current, recipient]
    letter_set_recipients(letter=letter, recipients=chosen, actor=actor)
    return recipient


@transaction.atomic
def letter_add_coordinator(*, letter: Letter, user: User, actor: Actor) -> None:
    """Give another person the right to edit and run this letter. Audited."""
    if user == letter.created_by or letter.co_coordinators.filter(pk=user.pk).exists():
        raise ValidationError(_("%(name)s already coordinates this letter.") % {"name": user})
    letter.co_coordinators.add(user)
    audit_record(
        letter=letter, actor=actor, action=AuditAction.COORDINATOR_ADDED, user=user.get_username()
    )


@transaction.atomic
def letter_remove_coordinator(*, letter: Letter, user: User, actor: Actor) -> None:
    """Take a co-coordinator off the letter. Audited."""
    letter.co_coordinators.remove(user)
    audit_record(
        letter=letter, actor=actor, action=AuditAction.COORDINATOR_REMOVED, user=user.get_username()
    )


def letter_status_change(
    letter: Letter,
    to: str,
    *,
    actor: Actor,
    allowed_from: Collection[str] | None = None,
    **detail: Any,
) -> Letter:
    """Move the letter to status `to` from one it may leave for it (`allowed_from`, else the
    TRANSITIONS rule), under a row lock; forget its cached pages and record the change with
    `detail`. Raises ValidationError, saying why, from any other status."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status not in (allowed_from or TRANSITIONS[to]):
        raise ValidationError(
            _("A letter that is %(current)s cannot become %(target)s.")
            % {"current": letter.get_shown_status_display().lower(), "target": S(to).label.lower()}
        )
    from_status = letter.status
    letter.status = to
    if to == S.CLOSED:
        letter.signing_closed_at = timezone.now()  # confirmation links expire a grace after this
    letter.save(update_fields=["status", "version", "signing_closed_at", "updated_at"])
    letter_signing_forget(letter.slug)
    letter_page_forget(letter.slug)
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditAction(f"letter.{to}"),
        from_status=from_status,
        to_status=to,
        **detail,
    )
    return letter


@transaction.atomic
def letter_open(*, letter: Letter, actor: Actor) -> Letter:
    """Publish a draft for signing; freezes text version 1. Refused with every problem listed."""
    problems = letter_publish_problems(letter)
    if problems:
        raise ValidationError(problems)
    if letter.version == 0:
        _snapshot(letter, actor)
        Letter.objects.filter(pk=letter.pk).update(version=letter.version)
        # Translations made from the draft were made from the text that version 1 freezes.
        letter.translations.filter(source_version=0).update(source_version=letter.version)
    return letter_status_change(letter, S.OPEN, actor=actor)


@transaction.atomic
def letter_close(*, letter: Letter, actor: Actor, reason: str = "") -> Letter:
    """End signing. Audited."""
    return letter_status_change(letter, S.CLOSED, actor=actor, reason=reason)


@transaction.atomic
def letter_reopen(*, letter: Letter, actor: Actor) -> Letter:
    """Open signing again, unless its deadline has passed. Audited."""
    if letter.signing_deadline and letter.signing_deadline <= timezone.now():
        raise ValidationError(
            _("The signing deadline has passed: move it before reopening the letter.")
        )
    # Only from closed: a draft is opened by letter_open, which checks it and freezes version 1.
    return letter_status_change(letter, S.OPEN, actor=actor, allowed_from={S.CLOSED})


def letter_close_expired(*, now: datetime.datetime | None = None) -> int:
    """Close every open letter whose deadline has passed; returns how many."""
    now = now or timezone.now()
    expired = Letter.objects.filter(status=S.OPEN, signing_deadline__lte=now)
    closed = 0
    for letter in expired:
        with transaction.atomic():
            try:
                letter_close(letter=letter, actor=None, reason="deadline")
            except ValidationError:
                continue  # closed by a person meanwhile
            closed += 1
    return closed


# --- translations --------------------------------------------------------------------------------


def translation_refusal(letter: Letter) -> str:
    """Why the letter's translations can no longer change, or "" while they can: what was
    finalized is what was sent, translations included."""
    if letter.status not in Letter.FROZEN:
        return ""
    return _(
        "This letter is %(status)s: its translations were frozen with it and can no longer change."
    ) % {"status": letter.get_shown_status_display().lower()}


def _refuse_if_finalized(letter: Letter) -> None:
    if refusal := translation_refusal(letter):
        raise ValidationError(refusal, code="frozen")


def translation_ready_problems(translation: LetterTranslation) -> dict[str, str]:
    """Why the translation cannot be marked ready, by field: a part the original has and the
    translation lacks, or a placeholder left in it."""
    letter = translation.letter
    problems = {}
    for name in TRANSLATED_FIELDS:
        field = LetterTranslation._meta.get_field(name)
        label = str(field.verbose_name).capitalize()  # type: ignore[union-attr]  # a column
        value = getattr(translation, name)
        if (
            name in TRANSLATION_REQUIRED_FIELDS
            and getattr(letter, name).strip()
            and not value.strip()
        ):
            problems[name] = _(
                "%(field)s is missing: the original has one, so the translation needs it too."
            ) % {"field": label}
        elif found := find_placeholders(value):
            problems[name] = _("%(field)s still contains placeholders to fill in: %(found)s.") % {
                "field": label,
                "found": ", ".join(dict.fromkeys(found)),
            }
    return problems


@transaction.atomic
def translation_save(
    *, letter: Letter, language: str, data: dict[str, Any], actor: Actor
) -> LetterTranslation:
    """Create or change the letter's translation into `language`; a ready one must stay complete.
    A new translation is a draft made from the letter's present text version. Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _refuse_if_finalized(letter)
    if language == letter.language:
        raise ValidationError(
            {"language": _("This is the letter's original language: edit the letter itself.")}
        )
    found = LetterTranslation.objects.filter(letter=letter, language=language).first()
    created = found is None
    translation = found or LetterTranslation(
        letter=letter, language=language, source_version=letter.version
    )
    data = text_fields_normalize(data, TRANSLATED_FIELDS)
    stored = text_fields_normalize({f: getattr(translation, f) for f in TRANSLATED_FIELDS})
    changed = [f for f in TRANSLATED_FIELDS if f in data and stored[f] != data[f]]
    if not changed and not created:
        return translation
    for name in changed:
        setattr(translation, name, data[name])
    translation.updated_by = actor_user(actor)
    translation.full_clean()
    if translation.is_ready and (problems := translation_ready_problems(translation)):
        raise ValidationError(problems)
    translation.save()
    letter_page_forget(letter.slug)
    action = AuditAction.TRANSLATION_CREATED if created else AuditAction.TRANSLATION_EDITED
    audit_record(letter=letter, actor=actor, action=action, language=language, fields=changed)
    return translation


@transaction.atomic
def translation_mark_ready(*, translation: LetterTranslation, actor: Actor) -> LetterTranslation:
    """Offer the translation to readers and recipients, as made from the letter's present text
    version; refused with a reason per missing part. Audited."""
    translation = (
        LetterTranslation.objects.select_for_update()
        .select_related("letter")
        .get(pk=translation.pk)
    )
    _refuse_if_finalized(translation.letter)
    problems = translation_ready_problems(translation)
    if problems:
        raise ValidationError(problems)
    translation.status = LetterTranslation.Status.READY
    translation.source_version = translation.letter.version
    translation.updated_by = actor_user(actor)
    translation.save(update_fields=["status", "source_version", "updated_by", "updated_at"])
    letter_page_forget(translation.letter.slug)
    audit_record(
        letter=translation.letter, actor=actor, action=AuditAction.TRANSLATION_READY,
        language=translation.language, version=translation.source_version,
    )  # fmt: skip
    return translation


@transaction.atomic
def translation_mark_draft(*, translation: LetterTranslation, actor: Actor) -> LetterTranslation:
    """Withdraw the translation from readers and recipients. Audited."""
    _refuse_if_finalized(Letter.objects.select_for_update().get(pk=translation.letter_id))
    translation.status = LetterTranslation.Status.DRAFT
    translation.updated_by = actor_user(actor)
    translation.save(update_fields=["status", "updated_by", "updated_at"])
    letter_page_forget(translation.letter.slug)
    audit_record(
        letter=translation.letter, actor=actor, action=AuditAction.TRANSLATION_DRAFT,
        language=translation.language,
    )  # fmt: skip
    return translation


@transaction.atomic
def translation_delete(*, translation: LetterTranslation, actor: Actor) -> None:
    """Delete the translation, unless the letter is finalized. Audited."""
    _refuse_if_finalized(Letter.objects.select_for_update().get(pk=translation.letter_id))
    translation.delete()
    letter_page_forget(translation.letter.slug)
    audit_record(
        letter=translation.letter, actor=actor, action=AuditAction.TRANSLATION_DELETED,
        language=translation.language,
    )  # fmt: skip


@transaction.atomic
def letter_set_recipient_languages(
    *, letter: Letter, languages: dict[int, str], actor: Actor
) -> None:
    """Choose the language each recipient is sent ("" or the original's: the original), among
    the letter's translations; finalizing checks they are ready. Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _refuse_unless_editable(letter)
    offered = set(letter.translations.values_list("language", flat=True))
    changed = {}
    for lr in letter.letter_recipients.select_related("recipient"):
        language = languages.get(lr.recipient_id, lr.language)
        language = "" if language == letter.language else language
        if language and language not in offered:
            raise ValidationError(
                _("The letter has no translation into %(language)s.")
                % {"language": language_name(language)}
            )
        if language != lr.language:
            lr.language = language
            lr.save(update_fields=["language"])
            changed[str(lr.recipient)] = language or letter.language
    if changed:
        audit_record(
            letter=letter,
            actor=actor,
            action=AuditAction.LETTER_RECIPIENT_LANGUAGES,
            languages=changed,
        )
