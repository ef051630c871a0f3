import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import translation
from django_countries import countries
from django_countries.fields import Country

from letters_app.models import (
    Delivery,
    Letter,
    LetterSnapshot,
    LetterTemplate,
    Partner,
    Recipient,
    Signature,
    SignerMail,
    SignerNotice,
)
from letters_app.text import Change, text_diff


def user_can_coordinate(user: User | AnonymousUser, letter: Letter) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or letter.created_by_id == user.pk:
        return True
    return letter.co_coordinators.filter(pk=user.pk).exists()


def letter_list_for_coordinator(user: User | AnonymousUser) -> QuerySet[Letter]:
    """The letters a person created or co-coordinates, each with `pending_count`: its
    signatures waiting for approval (none where it needs no approval), and `silent_count`: its
    partners invited who have neither signed nor declined."""
    pending = (
        Signature.objects.filter(letter=OuterRef("pk"), status=Signature.Status.CONFIRMED)
        .order_by()
        .values("letter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    silent = (
        Partner.objects.filter(letter=OuterRef("pk"), status__in=Partner.SILENT)
        .order_by()
        .values("letter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Letter.objects.filter(Q(created_by=user) | Q(co_coordinators=user))
        .distinct()
        .select_related("created_by")
        .annotate(
            pending_count=Case(
                When(requires_approval=True, then=Coalesce(Subquery(pending), 0)), default=0
            ),
            silent_count=Coalesce(Subquery(silent), 0),
        )
    )


def letter_list_all(*, status: str = "", query: str = "") -> QuerySet[Letter]:
    """Every letter, whoever created it, the last changed first: of this status, and matching
    every word of `query` in the title, the web address or the creator's name or e-mail."""
    letters = Letter.objects.select_related("created_by").order_by("-updated_at", "-pk")
    if status:
        letters = letters.filter(status=status)
    for word in query.split()[:8]:
        letters = letters.filter(
            Q(title__icontains=word)
            | Q(slug__icontains=word)
            | Q(created_by__username__icontains=word)
            | Q(created_by__email__icontains=word)
        )
    return letters


def letter_get_for_coordinator(user: User | AnonymousUser, pk: int) -> Letter | None:
    """The letter, if this person may run it; None for anyone else (the views answer 404, so
    strangers learn nothing)."""
    letter = Letter.objects.select_related("created_by", "template").filter(pk=pk).first()
    if letter is None or not user_can_coordinate(user, letter):
        return None
    return letter


def letter_changes_since(letter: Letter, number: int) -> list[Change] | None:
    """What changed in the letter's text from version `number` to its present one; None when
    there is no such version (or no later one)."""
    if number >= letter.version:
        return None
    versions = {v.number: v for v in letter.versions.filter(number__in=[number, letter.version])}
    if len(versions) != 2:
        return None
    return text_diff(versions[number], versions[letter.version])


def letter_get_public(slug: str, *, fields: tuple[str, ...] = ()) -> Letter | None:
    """The letter under this address, unless it is still a draft (or there is none)."""
    letters = Letter.objects.filter(slug=slug).exclude(status=Letter.Status.DRAFT)
    return letters.only(*fields).first() if fields else letters.first()


SIGNING_FIELDS = (
    "slug", "title", "status", "version", "signing_deadline", "signing_paused",
    "signing_closed_at", "requires_approval", "accepts_organizations", "accepts_individuals",
    "accepts_mps", "language", "embed_origins",
)  # fmt: skip


def letter_get_for_signing(slug: str) -> Letter | None:
    """The public letter with only what the sign form needs: not its text, which can be long."""
    return letter_get_public(slug, fields=SIGNING_FIELDS)


def letter_list_public() -> QuerySet[Letter]:
    return Letter.objects.exclude(status=Letter.Status.DRAFT).order_by("-updated_at")


def template_list_active() -> QuerySet[LetterTemplate]:
    return LetterTemplate.objects.filter(is_active=True)


def recipient_list_directory(*, query: str = "", kind: str = "") -> QuerySet[Recipient]:
    """The directory in its own order, narrowed to entries matching every word of `query` in
    the name, title or institution, or naming the country (its code, or its name in English or
    in the language of the page)."""
    qs = Recipient.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    for word in query.split()[:8]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(title__icontains=word)
            | Q(institution__icontains=word)
            | Q(country__iexact=word)
            | Q(country__in=_country_codes_named(word))
        )
    return qs


def _country_codes_named(word: str) -> list[str]:
    """The codes of the countries whose name contains `word`, in English or the active language."""
    word = word.casefold()
    codes = {code for code, name in countries if word in name.casefold()}
    with translation.override("en"):
        codes |= {code for code, name in countries if word in name.casefold()}
    return sorted(codes)


# What a public list shows of a signature; the e-mail address is not even loaded.
SIGNATURE_PUBLIC_FIELDS = (
    "id", "letter_id", "number", "kind", "name", "acronym", "title", "affiliation", "party",
    "parliament", "country", "published_at",
)  # fmt: skip


def signature_list_public(
    letter: Letter,
    *,
    country: str = "",
    kind: str = "",
    after: int = 0,
    before: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Signature]:
    """Up to `limit` of the letter's public signatures (of this country and kind) numbered
    after `after`, in number order; given `before`, the last `limit` numbered before it, still
    in number order. One range of a partial index on (letter, [country, kind,] number) however
    deep the page. No count: ask for one row more than you show to learn whether there are more.
    `offset` only serves old links to a narrowed list's later pages."""
    signatures = Signature.objects.filter(letter=letter, is_public=True)
    if country:
        signatures = signatures.filter(country=country)
    if kind:
        signatures = signatures.filter(kind=kind)
    signatures = signatures.only(*SIGNATURE_PUBLIC_FIELDS)
    if before is not None:
        rows = signatures.filter(number__lt=before).order_by("-number")
        return list(rows[offset : offset + limit])[::-1]
    rows = signatures.filter(number__gt=after).order_by("number")
    return list(rows[offset : offset + limit])


# The coordinator's moderation queue: one tab per status, and the flagged ones whatever theirs.
SIGNATURE_QUEUE_TABS = {
    "pending": Q(status=Signature.Status.PENDING),
    "confirmed": Q(status=Signature.Status.CONFIRMED),
    "approved": Q(status=Signature.Status.APPROVED),
    "rejected": Q(status=Signature.Status.REJECTED),
    "withdrawn": Q(status=Signature.Status.WITHDRAWN),
    "flagged": Q(is_flagged=True),
    # A mail to the signer that could not be sent, whatever their status.
    "undelivered": Q(
        Exists(SignerMail.objects.filter(signature=OuterRef("pk"), status=SignerMail.Status.FAILED))
    ),
}


def signer_mails_failed(signatures: Iterable[Signature]) -> dict[int, SignerMail]:
    """The latest failed mail of each of these signatures that has one, by signature id."""
    failed = SignerMail.objects.filter(signature__in=signatures, status=SignerMail.Status.FAILED)
    return {mail.signature_id: mail for mail in failed.order_by("id")}


def signer_notice_counts(letter: Letter) -> dict[str, int]:
    """The letter's signer notices (and follow-ups) sent, waiting and failed, in one query."""
    N = SignerNotice.Status
    waiting = (N.QUEUED, N.SENDING)
    return SignerNotice.objects.filter(signature__letter=letter).aggregate(
        sent=Count("id", filter=Q(status=N.SENT)),
        waiting=Count("id", filter=Q(status__in=waiting) | Q(follow_up__in=waiting)),
        failed=Count("id", filter=Q(status=N.FAILED) | Q(follow_up=N.FAILED)),
    )


def signature_queue_counts(letter: Letter) -> dict[str, int]:
    """How many signatures each tab of the moderation queue holds, in one query."""
    counts = {tab: Count("id", filter=q) for tab, q in SIGNATURE_QUEUE_TABS.items()}
    return Signature.objects.filter(letter=letter).aggregate(**counts)


def signature_queue(letter: Letter, tab: str) -> QuerySet[Signature]:
    """The letter's signatures in one tab of the moderation queue, newest first."""
    return Signature.objects.filter(SIGNATURE_QUEUE_TABS[tab], letter=letter).order_by(
        "-created_at", "-id"
    )


def signature_sources_busy(
    *, since: datetime.datetime, threshold: int, limit: int = 50
) -> dict[str, list[dict[str, Any]]]:
    """E-mail domains and IP addresses that signed at least `threshold` times since `since`,
    busiest first: {"domains": [{"email_domain", "n"}], "ips": [{"ip_address", "n"}]}."""
    recent = Signature.objects.filter(created_at__gte=since)
    busy = {}
    for key, field in (("domains", "email_domain"), ("ips", "ip_address")):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gte=threshold)
            .order_by("-n", field)
        )
        busy[key] = list(rows[:limit])
    return busy


def delivery_list_for_letter(letter: Letter, *, document: str = "letter") -> QuerySet[Delivery]:
    """The letter's deliveries of one document, in the order they were made, with recipients."""
    return Delivery.objects.filter(letter=letter, document=document).select_related("recipient")


@dataclasses.dataclass
class DeliveryProgress:
    counts: dict[str, int]  # sent, waiting, failed, postal
    # each delivery's id, status, attempts, last_error, error_kind, response, sent_at
    rows: Sequence[Mapping[str, Any]]
    snapshot: LetterSnapshot | None
    ended: bool  # nothing more will change without a coordinator's action


def delivery_progress(letter: Letter, *, document: str = "letter") -> DeliveryProgress:
    """How far delivery of one document has come, and each row's state, for the progress poll.
    The letter's delivery has ended when its PDF could not be made, or when nothing waits: no
    e-mail, no PDF to make (a letter to postal recipients only waits for its PDF alone), and
    the letter has turned "sent", which it does just after its last delivery ends."""
    D = Delivery.Status
    rows = list(
        Delivery.objects.filter(letter=letter, document=document).values(
            "id", "status", "attempts", "last_error", "error_kind", "response", "sent_at"
        )
    )
    counts = {"sent": 0, "waiting": 0, "failed": 0, "postal": 0}
    for row in rows:
        if row["status"] == D.SENT:
            counts["sent"] += 1
        elif row["status"] == D.FAILED:
            counts["failed"] += 1
        elif row["status"] == D.POSTAL:
            counts["postal"] += 1
        else:
            counts["waiting"] += 1
    snapshot = LetterSnapshot.objects.filter(letter=letter).first()
    if document != Delivery.Document.LETTER:
        ended = counts["waiting"] == 0
    else:
        pdf = snapshot.pdf_status if snapshot else None
        ended = pdf == LetterSnapshot.PdfStatus.FAILED or (
            counts["waiting"] == 0
            and pdf != LetterSnapshot.PdfStatus.PENDING
            and letter.status != Letter.Status.FINALIZED
        )
    return DeliveryProgress(counts, rows, snapshot, ended)


# --- statistics ---------------------------------------------------------------------------------

COUNTRY_SUMMARY_SECONDS = 300


def signature_country_summary(letter: Letter) -> list[tuple]:
    """The letter's public signatures as (Country, count), most first (code "" for none given).

    Counting them scans the letter's public rows, about 30 ms at 100,000 (12 ms even with an
    index-only scan), while the page must cost the same at 100 as at 100,000. So the count is
    cached per letter for five minutes, and made again sooner only when the letter's public total,
    which the page already has from its counters, has moved by more than 1% (at once, for a
    small letter, where counting is cheap)."""
    total = letter.signature_count
    if not total:
        return []
    key = f"letter-country-summary:{letter.pk}"
    cached = cache.get(key)
    if cached is not None and abs(cached[0] - total) <= cached[0] // 100:
        summary = cached[1]
    else:
        counts = (
            Signature.objects.filter(letter=letter, is_public=True)
            .values_list("country")
            .annotate(n=Count("id"))
            .order_by("-n", "country")
        )
        summary = list(counts)
        cache.set(key, (total, summary), COUNTRY_SUMMARY_SECONDS)
    return [(Country(code=code), n) for code, n in summary]


def signature_stats_for_letter(letter: Letter) -> dict[str, Any]:
    """All of a letter's signatures counted for its coordinators, in four queries:
    {"totals": {"submitted", "ever_confirmed", <status>: n}, "days": [(date, submitted,
    confirmed)], "countries": [(code, n)], "kinds": [(kind, n)]}. Days are of signing, in the
    site's time zone; "confirmed" and the countries and kinds count confirmed or approved ones."""
    S = Signature.Status
    signatures = Signature.objects.filter(letter=letter)
    counted = Q(status__in=[S.CONFIRMED, S.APPROVED])
    totals = signatures.aggregate(
        submitted=Count("id"),
        ever_confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
        **{status: Count("id", filter=Q(status=status)) for status in S.values},
    )
    days = (
        signatures.annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(submitted=Count("id"), confirmed=Count("id", filter=counted))
        .order_by("day")
    )

    def by(field: str) -> list[tuple[Any, int]]:
        rows = signatures.filter(counted).values_list(field).annotate(n=Count("id"))
        return list(rows.order_by("-n", field))

    return {
        "totals": totals,
        "days": list(days),
        "countries": by("country"),
        "kinds": by("kind"),
    }
