"""Coordinators kept informed of their letter's signatures, each as they chose for each letter:
no e-mail, one per new signature, or a daily summary (CoordinatorMails).

A new signature (confirmed by its signer: listed, or waiting for approval) writes one mail row
per coordinator who asked for one per signature, in the transaction that confirms it. Once a
day, after DIGEST_HOUR in TIME_ZONE, a beat task writes one summary row per coordinator who
asked for it, for each letter on which something happened in the day up to that hour: the new
signatures, the signatures waiting for approval and the partners' progress. A unique constraint
on coordinator, letter and day keeps it to one, however many times the task runs; a quiet day
writes none. The mail workers send the rows like every other mail (services/mails.py).

Without a choice of their own, the person who created the letter gets the daily summary, at
most one short e-mail a day and none on a quiet day, so that a new letter's first signatures
do not go unnoticed; a co-coordinator, added by someone else, gets nothing until they ask."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from letters_app import emails
from letters_app.models import (
    AuditAction,
    CoordinatorMail,
    CoordinatorMailChoice,
    CoordinatorMails,
    Letter,
    Partner,
    Signature,
    UserLanguage,
    letter_language,
)
from letters_app.services import mails
from letters_app.services.audit import Actor, audit_record

S = Signature.Status
NEW = (S.CONFIRMED, S.APPROVED)  # a new signature still standing
DIGEST_NAMES = 50  # names a summary quotes; it counts the rest


# --- who wants what ------------------------------------------------------------------------------


def mails_default(letter: Letter, user: User) -> str:
    """What a coordinator gets without a choice of their own (see the module's docstring); never
    one e-mail per signature, which signature_mails_queue counts on."""
    return CoordinatorMails.DAILY if letter.created_by_id == user.pk else CoordinatorMails.NONE


def coordinators(letter: Letter) -> list[User]:
    """The people who run the letter: its creator, then its co-coordinators."""
    return [letter.created_by, *letter.co_coordinators.order_by("pk")]


def mails_chosen(letter: Letter, user: User) -> str:
    """What this coordinator gets about the letter's signatures."""
    chosen = CoordinatorMailChoice.objects.filter(letter=letter, user=user).first()
    return chosen.mails if chosen else mails_default(letter, user)


@transaction.atomic
def mails_choose(*, letter: Letter, user: User, mails: str) -> None:
    """A coordinator chooses, for themselves, the e-mails they get about the letter's new
    signatures. Audited when it changes."""
    if user not in coordinators(letter):
        raise ValidationError(_("Only the people who run this letter get its e-mails."))
    if mails not in CoordinatorMails.values:
        raise ValidationError(_("Choose one of the options offered."))
    before = mails_chosen(letter, user)
    CoordinatorMailChoice.objects.update_or_create(
        letter=letter, user=user, defaults={"mails": mails}
    )
    if before != mails:
        audit_record(letter=letter, actor=user, action=AuditAction.COORDINATOR_MAILS, mails=mails)


def _wanting(letters: Iterable[Letter], mails: str) -> list[tuple[Letter, User]]:
    """Each letter's coordinators who chose `mails` (or have it by default) and have an
    address to write to."""
    letters = list(letters)
    chosen = {
        (c.letter_id, c.user_id): c.mails
        for c in CoordinatorMailChoice.objects.filter(letter__in=letters)
    }
    found = []
    for letter in letters:
        for user in coordinators(letter):
            choice = chosen.get((letter.pk, user.pk)) or mails_default(letter, user)
            if choice == mails and user.is_active and user.email:
                found.append((letter, user))
    return found


def _row(
    letter: Letter, user: User, languages: dict[int, str], **fields: object
) -> CoordinatorMail:
    language = letter_language(languages.get(user.pk, "en"))
    return CoordinatorMail(letter=letter, user=user, to=user.email, language=language, **fields)


def _languages(users: Iterable[User]) -> dict[int, str]:
    """The language each person last chose on the site; English for the others."""
    ids = [u.pk for u in users]
    return dict(UserLanguage.objects.filter(user_id__in=ids).values_list("user_id", "language"))


# --- one mail per new signature --------------------------------------------------------------


def signature_mails_queue(*, signature: Signature) -> int:
    """The signature was just confirmed (listed, or waiting for approval): write a mail to each
    coordinator who asked for one per signature, once per signature. Call inside the
    transaction that confirms it; returns how many coordinators asked."""
    asked = CoordinatorMailChoice.objects.filter(
        letter_id=signature.letter_id, mails=CoordinatorMails.EACH
    )
    if not asked.exists():  # nobody has it by default: one query on most confirmations
        return 0
    wanting = _wanting([signature.letter], CoordinatorMails.EACH)
    languages = _languages(user for _letter, user in wanting)
    rows = [
        _row(letter, user, languages, kind=CoordinatorMail.Kind.SIGNATURE, signature=signature)
        for letter, user in wanting
    ]
    written = CoordinatorMail.objects.bulk_create(rows, ignore_conflicts=True)
    mails.mails_kick_on_commit()
    return len(written)


# --- the daily summary ----------------------------------------------------------------------


def digest_day(now: datetime.datetime | None = None) -> datetime.date:
    """The last day whose summary is due: today once DIGEST_HOUR has struck (in TIME_ZONE),
    else yesterday."""
    local = timezone.localtime(now or timezone.now())
    return (
        local.date() if local.hour >= settings.DIGEST_HOUR else local.date() - datetime.timedelta(1)
    )


def digest_window(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """What the summary of `day` covers: from DIGEST_HOUR the day before to DIGEST_HOUR on
    `day`, in TIME_ZONE (23 or 25 hours when the clocks change)."""
    hour = datetime.time(settings.DIGEST_HOUR)
    start = datetime.datetime.combine(day - datetime.timedelta(days=1), hour)
    end = datetime.datetime.combine(day, hour)
    return timezone.make_aware(start), timezone.make_aware(end)


def new_signatures(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Signature]:
    """The signatures confirmed between `start` and `end` and still standing."""
    return Signature.objects.filter(status__in=NEW, confirmed_at__gte=start, confirmed_at__lt=end)


# Each step of a partner's way, with how a summary says it happened (the status's own words).
FUNNEL_STEPS = (
    ("invited_at", Partner.Status.INVITED),
    ("opened_at", Partner.Status.OPENED),
    ("signed_at", Partner.Status.SIGNED),
    ("declined_at", Partner.Status.DECLINED),
    ("unsubscribed_at", Partner.Status.UNSUBSCRIBED),
    ("mail_failed_at", Partner.Status.MAIL_FAILED),
)


def funnel_movement(
    *, letter_ids: Iterable[int] | None, start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[str]]:
    """What moved between `start` and `end` in each letter's funnel of partners, as lines a
    summary lists ("Signed: 2"), in the active language, by letter id; only letters where
    something moved. One query."""
    partners = (
        Partner.objects.all()
        if letter_ids is None
        else Partner.objects.filter(letter_id__in=list(letter_ids))
    )
    moved = partners.filter(
        Q.create([(f"{field}__range", (start, end)) for field, _status in FUNNEL_STEPS], Q.OR)
    )
    counts = moved.values("letter_id").annotate(**{
        field: Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
        for field, _status in FUNNEL_STEPS
    })  # fmt: skip
    lines: dict[int, list[str]] = {}
    for row in cast(Iterable[dict[str, int]], counts):
        shown = [
            # Translators: a line of the daily summary: a step of the partners' way, how many.
            _("%(step)s: %(n)s")
            % {"step": status.label, "n": number_format(row[field], force_grouping=True)}
            for field, status in FUNNEL_STEPS
            if row[field]
        ]
        if shown:
            lines[row["letter_id"]] = shown
    return lines


@dataclass(frozen=True)
class Digest:
    new: list[Signature]
    new_count: int
    pending: int
    funnel: list[str]


def digest_content(letter: Letter, day: datetime.date) -> Digest:
    """What the summary of `day` says about the letter: the signatures that came in, those
    waiting for approval now, and the funnel's movement."""
    start, end = digest_window(day)
    new = new_signatures(start, end).filter(letter=letter).order_by("confirmed_at", "pk")
    pending = (
        Signature.objects.filter(letter=letter, status=S.CONFIRMED).count()
        if letter.requires_approval
        else 0
    )
    funnel = funnel_movement(letter_ids=[letter.pk], start=start, end=end).get(letter.pk, [])
    return Digest(list(new[:DIGEST_NAMES]), new.count(), pending, funnel)


@transaction.atomic
def digests_queue(*, now: datetime.datetime | None = None) -> int:
    """Write the summary of the last day whose DIGEST_HOUR has struck, for each coordinator who
    asked for it, of each letter on which something happened that day; none twice. Returns how
    many were written."""
    day = digest_day(now)
    start, end = digest_window(day)
    busy = set(new_signatures(start, end).order_by().values_list("letter_id", flat=True).distinct())
    busy |= set(funnel_movement(letter_ids=None, start=start, end=end))
    letters = (
        Letter.objects.filter(pk__in=busy)
        .select_related("created_by")
        .prefetch_related("co_coordinators")
        .order_by("pk")
    )
    wanting = _wanting(letters, CoordinatorMails.DAILY)
    languages = _languages(user for _letter, user in wanting)
    rows = [
        _row(letter, user, languages, kind=CoordinatorMail.Kind.DIGEST, day=day)
        for letter, user in wanting
    ]
    # Rows already written for this day are left as they are: the unique constraint says so.
    before = CoordinatorMail.objects.filter(kind=CoordinatorMail.Kind.DIGEST, day=day).count()
    CoordinatorMail.objects.bulk_create(rows, ignore_conflicts=True)
    written = CoordinatorMail.objects.filter(kind=CoordinatorMail.Kind.DIGEST, day=day).count()
    if written > before:
        mails.mails_kick_on_commit()
    return written - before


# --- sending ----------------------------------------------------------------------------------


class CoordinatorMailOutbox(mails.Outbox):
    """A coordinator told of a new signature, or the daily summary."""

    model = CoordinatorMail
    select_related = ("letter", "signature")

    def build(self, row: CoordinatorMail) -> EmailMessage:
        if row.kind == CoordinatorMail.Kind.SIGNATURE:
            return emails.coordinator_signature(row)
        if row.day is None:  # a summary has its day (a constraint): never here
            raise ValueError("A daily summary without its day.")
        with translation.override(row.language):  # the funnel's lines are in the mail's words
            digest = digest_content(row.letter, row.day)
        return emails.coordinator_digest(
            row, new=digest.new, new_count=digest.new_count, pending=digest.pending,
            funnel=digest.funnel,
        )  # fmt: skip


@transaction.atomic
def coordinator_mail_resend(*, mail: CoordinatorMail, actor: Actor) -> None:
    """Send a mail to a coordinator again once it has failed. Audited."""
    if not mails.rows_resend(CoordinatorMailOutbox(), CoordinatorMail.objects.filter(pk=mail.pk)):
        raise ValidationError(_("Only a mail that could not be sent is sent again."))
    audit_record(
        letter=mail.letter, actor=actor, action=AuditAction.COORDINATOR_MAIL_RESENT,
        kind=mail.kind, to=mail.to,
    )  # fmt: skip
    mails.mails_kick_on_commit()
