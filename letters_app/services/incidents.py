"""Alerts on unusual signing. The worker looks at the last INCIDENT_WINDOW_MINUTES of signatures
every minute (beat) for bursts on one letter from one source: one address (IPv4) or network
(IPv6, grouped by /64, which one subscriber holds), one e-mail domain, or names that look alike.
A burst opens an `Incident` and, in the same transaction, one alert mail row per admin (staff
or superuser with an e-mail), which the mail workers send like every other mail: once per
incident, however many runs see the burst. The incident stays open, its count kept up, until an
admin invalidates its signatures or marks it resolved; a burst from the same source after that,
counted from the moment it was closed, opens a new one.

The big public mail providers are left out of the domain count: a popular letter gets hundreds
of honest gmail.com signatures an hour, and an alert on them would teach admins to ignore alerts.
A burst from one address still shows, whatever the domain."""

import datetime
import ipaddress
import itertools
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app import emails
from letters_app.models import (
    AuditAction,
    Incident,
    IncidentMail,
    Signature,
    UserLanguage,
    letter_language,
)
from letters_app.services import mails
from letters_app.services.audit import Actor, actor_user, audit_record
from letters_app.services.signatures import signature_invalidate

logger = logging.getLogger(__name__)

K = Incident.Kind
# Digits that stand in for letters in made-up variants of a name ("J0hn 5mith").
LOOKALIKE_DIGITS = str.maketrans("013457", "oleast")
ALERT_EXAMPLES = 5  # names an alert quotes


# --- the keys a burst is grouped by -------------------------------------------------------------


def address_key(ip_address: str) -> str:
    """The source an address counts under: an IPv4 address itself, an IPv6 address's /64."""
    address = ipaddress.ip_address(ip_address)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def name_key(name_normalized: str) -> str:
    """The common form of names that look alike: the normalized name (accents, case and
    punctuation already gone) with its words in order, numbers dropped, digits within words
    read as the letters they imitate, doubled letters made single: "Jean Dupont", "jean
    DUPONT 2", "Dupont Jean", "Jeann Dup0nt" are one name. "" for a name with no letters."""
    words = []
    for word in name_normalized.split():
        if word.isdigit():
            continue
        word = word.translate(LOOKALIKE_DIGITS)
        word = "".join(c for c in word if not c.isdigit())
        word = "".join(c for c, _run in itertools.groupby(word))
        if word:
            words.append(word)
    return " ".join(sorted(words))


def _thresholds() -> dict[str, int]:
    return {
        K.ADDRESS: settings.INCIDENT_ADDRESS_THRESHOLD,
        K.DOMAIN: settings.INCIDENT_DOMAIN_THRESHOLD,
        K.NAME: settings.INCIDENT_NAME_THRESHOLD,
    }


# --- which signatures make an incident ---------------------------------------------------------


def _counted() -> QuerySet[Signature]:
    """Signatures a burst counts: invalidated or rejected ones have been dealt with."""
    return Signature.objects.exclude(status=Signature.Status.REJECTED)


def _matching(signatures: QuerySet[Signature], *, kind: str, key: str) -> QuerySet[Signature]:
    """Those of `signatures` from the source `key` of `kind`."""
    if kind == K.DOMAIN:
        return signatures.filter(email_domain=key)
    if kind == K.ADDRESS and "/" not in key:
        return signatures.filter(ip_address=key)
    if kind == K.ADDRESS:
        addresses = signatures.filter(ip_address__contains=":").values_list("pk", "ip_address")
        ids = [pk for pk, ip in addresses if ip and address_key(ip) == key]
    else:
        names = signatures.values_list("pk", "name_normalized")
        ids = [pk for pk, name in names if name_key(name) == key]
    return signatures.filter(pk__in=ids)


def incident_signatures(incident: Incident) -> QuerySet[Signature]:
    """The signatures of the incident: its letter's, from its source, since its first one (and
    until it was closed), whatever their status."""
    signatures = Signature.objects.filter(
        letter_id=incident.letter_id, created_at__gte=incident.first_at
    )
    if incident.closed_at is not None:
        signatures = signatures.filter(created_at__lte=incident.closed_at)
    return _matching(signatures, kind=incident.kind, key=incident.key)


@dataclass(frozen=True)
class Burst:
    letter_id: int
    kind: str
    key: str
    count: int
    first_at: datetime.datetime


def bursts_find(*, since: datetime.datetime) -> list[Burst]:
    """Sources with at least their threshold of signatures on one letter since `since`. Grouped
    in the database by exact value, then by source here (an IPv6 /64, a name's common form)."""
    recent = _counted().filter(created_at__gte=since)
    thresholds = _thresholds()
    found: list[Burst] = []
    domains = (
        recent.exclude(email_domain__in=settings.INCIDENT_PUBLIC_DOMAINS)
        .values("letter_id", "email_domain")
        .annotate(n=Count("id"), first=Min("created_at"))
        .filter(n__gte=thresholds[K.DOMAIN])
    )
    found += [
        Burst(row["letter_id"], K.DOMAIN, row["email_domain"], row["n"], row["first"])
        for row in domains
    ]
    for kind, field, key_of in (
        (K.ADDRESS, "ip_address", address_key),
        (K.NAME, "name_normalized", name_key),
    ):
        groups: dict[tuple[int, str], list[tuple[int, datetime.datetime]]] = defaultdict(list)
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values("letter_id", field)
            .annotate(n=Count("id"), first=Min("created_at"))
        )
        for row in rows:
            key = key_of(row[field]) if row[field] else ""
            if key:
                groups[row["letter_id"], key].append((row["n"], row["first"]))
        for (letter_id, key), counts in groups.items():
            n = sum(c for c, _first in counts)
            if n >= thresholds[kind]:
                found.append(Burst(letter_id, kind, key, n, min(f for _c, f in counts)))
    return found


# --- opening and following incidents ------------------------------------------------------------


def admins_to_alert() -> list[tuple[str, str]]:
    """Each admin's address and the language their alerts speak: the one they last chose on the
    site, else English."""
    admins = (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    chosen = dict(UserLanguage.objects.values_list("user_id", "language"))
    addresses: dict[str, str] = {}
    for user in admins:
        addresses.setdefault(user.email.strip().lower(), chosen.get(user.pk, "en"))
    return list(addresses.items())


def _open(burst: Burst, *, now: datetime.datetime) -> Incident | None:
    """Open the incident and queue its alert to every admin, together; None when another run
    opened it first."""
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                letter_id=burst.letter_id, kind=burst.kind, key=burst.key, count=burst.count,
                first_at=burst.first_at, opened_at=now, last_seen_at=now,
            )  # fmt: skip
            IncidentMail.objects.bulk_create(
                [
                    IncidentMail(incident=incident, to=to, language=letter_language(language))
                    for to, language in admins_to_alert()
                ]
            )
    except IntegrityError:  # the one open incident of this source exists
        return None
    return incident


def _new_burst(burst: Burst, *, since: datetime.datetime) -> Burst | None:
    """The burst as it stands after the last incident of its source was closed within the
    window: only signatures made since then count towards a new one."""
    closed = (
        Incident.objects.filter(
            letter_id=burst.letter_id, kind=burst.kind, key=burst.key, closed_at__gte=since
        )
        .order_by("-closed_at")
        .first()
    )
    if closed is None:
        return burst
    after = _matching(
        _counted().filter(letter_id=burst.letter_id, created_at__gt=closed.closed_at),
        kind=burst.kind,
        key=burst.key,
    ).aggregate(n=Count("id"), first=Min("created_at"))
    if after["n"] < _thresholds()[burst.kind]:
        return None
    return Burst(burst.letter_id, burst.kind, burst.key, after["n"], after["first"])


def incidents_detect(*, now: datetime.datetime | None = None) -> int:
    """Open an incident, and queue its alert to the admins, for each new burst; keep the count
    of those already open up to date, and close those whose every signature has since been
    rejected. Returns how many were opened."""
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=settings.INCIDENT_WINDOW_MINUTES)
    open_incidents = {
        (i.letter_id, i.kind, i.key): i for i in Incident.objects.filter(closed_at__isnull=True)
    }
    opened = 0
    for found in bursts_find(since=since):
        if (found.letter_id, found.kind, found.key) in open_incidents:
            continue
        burst = _new_burst(found, since=since)
        if burst is not None and _open(burst, now=now) is not None:
            opened += 1
    for incident in open_incidents.values():
        _follow(incident, now=now)
    if opened:
        mails.mails_kick_on_commit()
    return opened


def _follow(incident: Incident, *, now: datetime.datetime) -> None:
    """Count the open incident's signatures again; close it once none is left standing (an
    admin or coordinator rejected them another way)."""
    standing = incident_signatures(incident).exclude(status=Signature.Status.REJECTED).count()
    if standing == 0:
        incident_resolve(incident=incident, actor=None, resolution=Incident.Resolution.INVALIDATED)
        return
    Incident.objects.filter(pk=incident.pk, closed_at__isnull=True).update(
        count=max(standing, incident.count), last_seen_at=now
    )


# --- resolving -----------------------------------------------------------------------------------


@transaction.atomic
def incident_resolve(
    *, incident: Incident, actor: Actor, resolution: str = Incident.Resolution.DISMISSED,
    reason: str = "",
) -> bool:  # fmt: skip
    """Close an open incident (a new burst from its source opens a new one). Audited. Returns
    whether this call closed it."""
    closed = Incident.objects.filter(pk=incident.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), resolution=resolution, resolved_by=actor_user(actor)
    )
    if not closed:
        return False
    incident.refresh_from_db()
    detail = {"incident": incident.pk, "kind": incident.kind, "resolution": resolution}
    audit_record(
        letter=incident.letter, actor=actor, action=AuditAction.INCIDENT_RESOLVED,
        **detail, **({"reason": reason} if reason else {}),
    )  # fmt: skip
    return True


@transaction.atomic
def incident_invalidate(
    *, incident: Incident, signatures: QuerySet[Signature], actor: Actor, reason: str
) -> int:
    """Invalidate the chosen signatures of an open incident (signature_invalidate) and close it
    as resolved that way. Audited. Returns how many signatures were invalidated."""
    if not incident.is_open:
        raise ValidationError(_("This alert has already been resolved."))
    done = signature_invalidate(
        signatures=signatures.filter(pk__in=incident_signatures(incident).values("pk")),
        actor=actor,
        reason=reason,
    )
    incident_resolve(
        incident=incident, actor=actor, resolution=Incident.Resolution.INVALIDATED, reason=reason
    )
    return done


# --- the alert mails ----------------------------------------------------------------------------


class IncidentMailOutbox(mails.Outbox):
    """The alert about an incident to each admin."""

    model = IncidentMail
    select_related = ("incident__letter",)

    def build(self, row: IncidentMail) -> EmailMessage:
        signatures = incident_signatures(row.incident).order_by("created_at", "pk")
        examples = list(signatures.values_list("name", flat=True)[:ALERT_EXAMPLES])
        return emails.incident_alert(row, examples=examples)


@transaction.atomic
def user_language_set(*, user: Actor, language: str) -> None:
    """Remember the language a signed-in person chose: their mails from the site speak it."""
    person = actor_user(user)
    if person is not None:
        UserLanguage.objects.update_or_create(
            user=person, defaults={"language": letter_language(language)}
        )
