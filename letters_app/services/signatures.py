"""Signing a letter: add, confirm, correct, withdraw, moderate. Every change of a signature's
public state goes through here, so the letter's counts stay right."""

import datetime
import functools
import ipaddress
import math
import re
import secrets
import time
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F, Field, Model, Q, QuerySet, signals
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django_countries import countries

from letters_app import emails
from letters_app.cache import letter_page_forget, letter_page_touch
from letters_app.countries import country_resolve
from letters_app.models import (
    AuditAction,
    Blocklist,
    Letter,
    Partner,
    Signature,
    SignerMail,
    SiteSwitch,
    WebhookEventType,
    letter_language,
)
from letters_app.services import digests, mails, webhooks
from letters_app.services.audit import Actor, audit_record

S = Signature.Status
# The fields a row is written from, in its INSERT's order.
type AnyField = Field[Any, Any]  # Field is not subscriptable at run time
type Columns = tuple[AnyField, ...]
COUNT_FIELDS: dict[str, str] = {
    Signature.Kind.ORGANIZATION: "count_organizations",
    Signature.Kind.INDIVIDUAL: "count_individuals",
    Signature.Kind.MP: "count_mps",
}
ACCEPTS: dict[str, str] = {
    Signature.Kind.ORGANIZATION: "accepts_organizations",
    Signature.Kind.INDIVIDUAL: "accepts_individuals",
    Signature.Kind.MP: "accepts_mps",
}
SIGNING_RULES_TTL = 10.0  # seconds
# Providers that deliver first.last@ and firstlast@ to the same mailbox.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}
DISPLAY_FIELDS = (
    "name", "acronym", "organization_type", "website", "title", "affiliation", "party",
    "parliament", "country", "contact_name", "contact_role", "consent_public",
)  # fmt: skip


# --- normalizing -----------------------------------------------------------------------------


def email_normalize(email: str) -> str:
    """One address per mailbox: case, spaces, +tags, and dots where the provider ignores them."""
    local, _at, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


# Marks that draw nothing of their own: variation selectors, the grapheme joiner.
SELECTORS = re.compile("[\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _spells(c: str) -> bool:
    """Whether `c` counts when two names are compared: a letter, a digit, a space; or a mark
    that spells the word, as a Khmer or Indic vowel sign and the coeng or virama do (combining
    class 0 or 9), unlike an accent or an Arabic vowel point, which many leave out."""
    category = unicodedata.category(c)
    if category[0] in "LN" or c.isspace():
        return True
    spelling = category in ("Mn", "Mc") and unicodedata.combining(c) in (0, 9)
    return spelling and not SELECTORS.match(c)


def name_normalize(name: str) -> str:
    """For spotting the same organization twice: accents, case, punctuation and spaces dropped;
    joiners and selectors too, so a name reads the same typed with or without them. A name of
    symbols only (emoji) is compared by its symbols, less their skin tones."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    kept = "".join(c for c in folded if _spells(c))
    words = " ".join(kept.split())
    if words or not folded:
        return words
    symbols = "".join(c for c in folded if unicodedata.category(c) in ("So", "Sm", "Sc"))
    return symbols[:200]


# Bidi controls that open a run until a matching close: embeddings and overrides (LRE, RLE,
# LRO, RLO), closed by PDF; isolates (LRI, RLI, FSI), closed by PDI.
EMBEDDINGS, POP_EMBEDDING = frozenset("\u202a\u202b\u202d\u202e"), "\u202c"
ISOLATES, POP_ISOLATE = frozenset("\u2066\u2067\u2068"), "\u2069"
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Invisible on their own: a name made only of these (and spaces) is no name. At either end of a
# line they join nothing and are dropped, as spaces are.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Controls (category Cc) and the line and paragraph separators (Zl, Zp): nothing a line of the
# list holds. A character class, not a lookup per character.
LINE_BREAKING = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def bidi_balance(text: str) -> str:
    """`text` without the bidi controls that are not closed within it (nor closes that open
    nothing): one left open would turn the rest of the page around it (a name shown backwards,
    the next names or the country in the wrong order). Pairs closed in order are kept, as
    Arabic, Hebrew or Persian names mixed with Latin may need them."""
    if not BIDI_CONTROLS.search(text):
        return text
    kept: set[int] = set()
    opened: list[int] = []  # positions of the controls still open, innermost last
    for i, c in enumerate(text):
        if c in EMBEDDINGS or c in ISOLATES:
            opened.append(i)
        elif c == POP_EMBEDDING:
            if opened and text[opened[-1]] in EMBEDDINGS:
                kept.update((opened.pop(), i))
        elif c == POP_ISOLATE:
            # Closes its isolate and, unclosed, every embedding opened inside it.
            if any(text[j] in ISOLATES for j in opened):
                while text[opened[-1]] not in ISOLATES:
                    opened.pop()
                kept.update((opened.pop(), i))
    return "".join(c for i, c in enumerate(text) if i in kept or not BIDI_CONTROLS.match(c))


def _display_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Display fields without an unclosed bidi control, whoever typed them (the sign form has
    cleaned them already; a coordinator's or the admin's form has not)."""
    return {k: bidi_balance(v) if isinstance(v, str) else v for k, v in data.items()}


def line_clean(text: str) -> str:
    """One line of the list (a name, a title, an organization…) as it is kept: NFC, a tab made a
    space, bidi controls left unclosed dropped, single spaces, no invisible character at either
    end; "" when nothing visible is left. Joiners (ZWJ, ZWNJ), the zero width space that
    separates Khmer words, variation selectors and emoji modifiers are kept: names need them.
    Line breaks and other control characters are the caller's to refuse (LINE_BREAKING)."""
    text = bidi_balance(unicodedata.normalize("NFC", text).replace("\t", " "))
    text = " ".join(text.split()).strip(INVISIBLE + " ")
    if not any(unicodedata.category(c) not in ("Cf", "Mn", "Me", "Zs", "Cc") for c in text):
        return ""
    return text


def display_text_tidy(text: str) -> str:
    """A display field as the list should show it: one space between words, none just inside
    parentheses or before a comma, no doubled, leading or trailing comma: "( ATN )" → "(ATN)"."""
    text = " ".join(text.split())
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r"\(,\s*|,\s*\)", lambda m: m.group().strip(", "), text)
    text = re.sub(r"\s*\(\)", "", text)
    return text.strip(" ,")


def display_country_split(text: str) -> tuple[str, str]:
    """A country typed at the end of a name ("…, Cambodge", "…, USA") as (the rest, its country
    code), read as the import reads it; (text, "") when the last part names no country."""
    head, comma, last = text.rpartition(",")
    code = country_resolve(last) if comma and head.strip(" ,") else ""
    return (head.strip(" ,"), code) if code else (text, "")


# --- tokens ------------------------------------------------------------------------------------


def signature_get_by_token(*, pk: int, token: str, purpose: str) -> Signature | None:
    signature = Signature.objects.select_related("letter").filter(pk=pk).first()
    if signature is None or not constant_time_compare(signature.token(purpose), token):
        return None
    return signature


def confirmation_expired(letter: Letter, *, now: datetime.datetime | None = None) -> bool:
    """Confirm links work while the letter is open and for a grace period after it closes."""
    if letter.status == Letter.Status.OPEN:
        return False
    if letter.status != Letter.Status.CLOSED or letter.signing_closed_at is None:
        return True
    grace = datetime.timedelta(hours=settings.CONFIRMATION_GRACE_HOURS)
    return (now or timezone.now()) > letter.signing_closed_at + grace


# --- refusals ----------------------------------------------------------------------------------


def signing_refusal(letter: Letter, kind: str | None = None) -> str:
    """Why this letter takes no signature now (of this kind), or "" when it does."""
    if letter.status != Letter.Status.OPEN:
        return _("Signing of this letter has ended.")
    if letter.signing_deadline and letter.signing_deadline <= timezone.now():
        return _("The signing deadline of this letter has passed.")
    if letter.signing_paused or _signing_rules().paused:
        return _("Signing is paused for a moment. Please try again later.")
    if kind is not None and not getattr(letter, ACCEPTS.get(kind, ""), False):
        return _("This letter does not take signatures of this kind.")
    return ""


def is_blocked(*, email_normalized: str, ip_address: str | None) -> bool:
    """Whether the blocklist refuses this address (normalized), its domain or a subdomain of a
    blocked domain, or this IP address."""
    rules = _signing_rules()
    if email_normalized in rules.addresses:
        return True
    domain = email_normalized.rpartition("@")[2]
    if any(domain == d or domain.endswith("." + d) for d in rules.domains):
        return True
    if not (ip_address and rules.networks):
        return False
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return False
    return any(address in network for network in rules.networks)


@dataclass
class _SigningRules:
    loaded_at: float = -math.inf
    paused: bool = False
    domains: tuple[str, ...] = ()
    addresses: frozenset[str] = frozenset()
    networks: tuple = ()


_rules = _SigningRules()


def _signing_rules() -> _SigningRules:
    """The site-wide pause and the blocklist, read at most every SIGNING_RULES_TTL seconds per
    process: two queries fewer on every signature, and a change applies within seconds."""
    global _rules
    if time.monotonic() - _rules.loaded_at < SIGNING_RULES_TTL:
        return _rules
    entries = list(Blocklist.objects.values_list("kind", "value"))
    networks = []
    for kind, value in entries:
        if kind == Blocklist.Kind.IP:
            try:
                networks.append(ipaddress.ip_network(value, strict=False))
            except ValueError:
                continue
    _rules = _SigningRules(
        loaded_at=time.monotonic(),
        paused=SiteSwitch.objects.filter(signing_paused=True).exists(),
        domains=tuple(v for k, v in entries if k == Blocklist.Kind.DOMAIN),
        # Compared as signatures are: one.person@ and oneperson+tag@gmail.com are one mailbox.
        addresses=frozenset(email_normalize(v) for k, v in entries if k == Blocklist.Kind.EMAIL),
        networks=tuple(networks),
    )
    return _rules


def signing_rules_reload() -> None:
    """Apply a change of the pause switch or the blocklist in this process at once."""
    _rules.loaded_at = -math.inf


# --- the signer's side -------------------------------------------------------------------------


def signature_add(
    *,
    letter: Letter,
    kind: str,
    email: str,
    language: str = "",
    ip_address: str | None = None,
    mailed_to: str = "",
    **fields: Any,
) -> tuple[Signature, bool]:
    """Record a pending signature and mail its confirmation link; a second attempt with the
    same address creates nothing and mails a note instead. `language` is the signer's (the
    page they signed on; the letter's when not given): their e-mails speak it. `mailed_to` is
    the address a personal link came to: signing with that address is confirmed at once, as
    its link proves the mailbox, and no mail is sent. Returns (signature, created)."""
    refusal = signing_refusal(letter, kind)
    if refusal:
        raise ValidationError(refusal, code="closed")
    normalized = email_normalize(email)
    known = bool(mailed_to) and email_normalize(mailed_to) == normalized
    domain = normalized.rpartition("@")[2]
    if is_blocked(email_normalized=normalized, ip_address=ip_address):
        raise ValidationError(
            _("Signatures from this address are not accepted. Write to the coordinators."),
            code="blocked",
        )
    signature = Signature(
        letter=letter,
        kind=kind,
        email=email.strip(),
        email_normalized=normalized,
        email_domain=domain,
        ip_address=ip_address,
        secret=secrets.token_hex(16),
        version=letter.version,
        language=letter_language(language) if language else letter.language,
        mails_sent=0 if known else 1,  # the confirmation queued below
        **_display_safe({k: v for k, v in fields.items() if k in DISPLAY_FIELDS}),
    )
    signature.name_normalized = name_normalize(signature.name)
    signature.acronym_normalized = name_normalize(signature.acronym)
    # The letter is known to exist and the unique address is the database's to enforce: no
    # query here, so that signing costs one insert. The country is checked by its code rather
    # than by walking the whole list of countries.
    signature.full_clean(
        exclude=["letter", "country"], validate_unique=False, validate_constraints=False
    )
    if signature.country and countries.alpha2(signature.country.code) != signature.country.code:
        raise ValidationError({"country": _("Choose a country from the list.")})
    try:
        # Inside a caller's transaction a savepoint keeps a duplicate from breaking it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            if known:
                signature.save(force_insert=True)
                signature_confirm(signature=signature)
            else:
                _insert(signature, SignerMail(kind=SignerMail.Kind.CONFIRMATION))
    except IntegrityError:
        existing = Signature.objects.filter(letter=letter, email_normalized=normalized).first()
        if existing is None:  # not the unique address after all
            raise
        if known and existing.status in (S.PENDING, S.CONFIRMED, S.APPROVED):
            # Signed before through the same link: the page the signer is sent to says so.
            if existing.status == S.PENDING:
                signature_confirm(signature=existing)
                existing.refresh_from_db()
            return existing, False
        if not _resign_request(existing, signature):
            _queue_mail(existing, SignerMail.Kind.ALREADY_SIGNED)
        return existing, False
    mails.mails_kick_on_commit()
    return signature, True


def _insert(signature: Signature, mail: SignerMail) -> None:
    """Write the signature and the mail that asks its signer to confirm, together. On PostgreSQL
    one statement, built once per process, writes both: no BEGIN and COMMIT round trips, and
    none of the work of building an INSERT for every one of the signature's thirty-odd columns,
    which cost a fifth of a sign POST. Django's own save()s in a transaction whenever something
    listens to their signals or the database is another."""
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy `connection`, looked up on every use
    statement = _insert_statement()
    if (
        statement is None
        or db.vendor != "postgresql"
        or any(
            signal.has_listeners(model)
            for signal in (signals.pre_save, signals.post_save)
            for model in (Signature, SignerMail)
        )
    ):
        with transaction.atomic():
            signature.save(force_insert=True)
            mail.signature = signature
            mail.save(force_insert=True)
        return
    sql, signature_fields, mail_fields = statement
    values = [f.get_db_prep_save(f.pre_save(signature, True), db) for f in signature_fields]
    values += [f.get_db_prep_save(f.pre_save(mail, True), db) for f in mail_fields]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        signature.pk = cursor.fetchone()[0]
    signature._state.adding, signature._state.db = False, db.alias


def _columns(model: type[Model]) -> Columns | None:
    """The fields a row of `model` is written from, the id left to the database; None when a
    column has a database default or is generated, which only Django's save() and bulk_create()
    know how to leave out."""
    fields = tuple(f for f in model._meta.local_concrete_fields if not f.primary_key)
    return None if any(f.generated or f.has_db_default() for f in fields) else fields


@functools.cache
def insert_fields() -> Columns | None:
    """The fields a signature's row is written from (see _columns)."""
    return _columns(Signature)


@functools.cache
def _insert_statement() -> tuple[str, Columns, Columns] | None:
    """INSERT a signature's columns, and its mail's with the new signature's id, in one
    statement (a data-modifying WITH), returning the signature's id."""
    signature_fields, mail_fields = insert_fields(), _columns(SignerMail)
    if signature_fields is None or mail_fields is None or not Signature._meta.pk.db_returning:
        return None
    link = SignerMail._meta.get_field("signature")
    mail_fields = tuple(f for f in mail_fields if f is not link)
    quote = connection.ops.quote_name

    def column(field: AnyField) -> str:
        return quote(field.column)  # type: ignore[arg-type]  # concrete fields all have one

    pk = column(Signature._meta.pk)

    def columns(fields: Columns) -> str:
        return ", ".join(column(f) for f in fields)

    def params(fields: Columns) -> str:
        return ", ".join(["%s"] * len(fields))

    # Names from the models, quoted; every value is a parameter.
    sql = (
        f"WITH signature AS (INSERT INTO {quote(Signature._meta.db_table)} "  # noqa: S608
        f"({columns(signature_fields)}) VALUES ({params(signature_fields)}) RETURNING {pk}) "
        f"INSERT INTO {quote(SignerMail._meta.db_table)} "
        f"({quote(link.column)}, {columns(mail_fields)}) "
        f"SELECT {pk}, {params(mail_fields)} FROM signature RETURNING {quote(link.column)}"
    )
    return sql, signature_fields, mail_fields


def _resign_request(existing: Signature, new: Signature) -> bool:
    """A withdrawn signer signs again: what they typed now (`new`, checked, unsaved) is kept
    aside and a confirmation link mailed; their entry stays as it is until they confirm, so that
    nobody else typing their address changes it. False when `existing` is not withdrawn by its
    signer."""
    if existing.status != S.WITHDRAWN or existing.withdrawn_from == S.REJECTED:
        return False
    fields = {name: getattr(new, name) for name in DISPLAY_FIELDS}
    fields["country"] = new.country.code if new.country else ""
    data = {"kind": new.kind, "language": new.language, "ip_address": new.ip_address,
            "fields": fields}  # fmt: skip
    with transaction.atomic():
        if not Signature.objects.filter(pk=existing.pk, status=S.WITHDRAWN).update(
            resign_data=data
        ):
            return False
        _queue_mail(existing, SignerMail.Kind.CONFIRMATION)
    return True


def signature_resend(*, letter: Letter, email: str) -> None:
    """Mail the confirmation link again, if this address signed (or signed again after
    withdrawing) and has not confirmed yet."""
    waiting = Q(status=S.PENDING) | Q(status=S.WITHDRAWN, resign_data__isnull=False)
    signature = Signature.objects.filter(
        waiting, letter=letter, email_normalized=email_normalize(email)
    ).first()
    if signature is not None:
        _queue_mail(signature, SignerMail.Kind.CONFIRMATION)


@transaction.atomic
def _queue_mail(signature: Signature, kind: str, *, capped: bool = True) -> None:
    """Queue one mail to the signer, at most SIGNING_MAILS_PER_ADDRESS per address and letter.
    Not `capped`: a mail only the signer's own private link can cause, neither held back by the
    cap (which is against mails anyone typing the address could cause) nor counted in it."""
    if capped and not Signature.objects.filter(
        pk=signature.pk, mails_sent__lt=settings.SIGNING_MAILS_PER_ADDRESS
    ).update(mails_sent=F("mails_sent") + 1):
        return
    SignerMail.objects.create(signature=signature, kind=kind)
    mails.mails_kick_on_commit()


class SignerMailOutbox(mails.Outbox):
    """A signer's confirmation link, and the other mails about their signature."""

    model = SignerMail
    select_related = ("signature__letter",)

    def build(self, row: SignerMail) -> EmailMessage:
        return emails.BUILDERS[row.kind](row.signature)


@transaction.atomic
def signer_mail_resend(*, mail: SignerMail, actor: Actor) -> None:
    """Send a mail to a signer again once it has failed. Audited."""
    if not mails.rows_resend(SignerMailOutbox(), SignerMail.objects.filter(pk=mail.pk)):
        raise ValidationError(_("Only a mail that could not be sent is sent again."))
    audit_record(
        letter=mail.signature.letter, actor=actor, action=AuditAction.SIGNATURE_MAIL_RESENT,
        signature=mail.signature_id, kind=mail.kind,
    )  # fmt: skip
    mails.mails_kick_on_commit()


@transaction.atomic
def signature_confirm(*, signature: Signature) -> bool:
    """The signer confirmed by e-mail: listed now, or queued for approval; the coordinators who
    asked for it are mailed. Counted once; returns whether this call confirmed it."""
    if confirmation_expired(signature.letter):
        raise ValidationError(_("This confirmation link has expired: signing has ended."))
    if signature.status == S.WITHDRAWN:
        return _resign_confirm(signature)
    now = timezone.now()
    changed = Signature.objects.filter(pk=signature.pk, status=S.PENDING).update(
        status=S.CONFIRMED, confirmed_at=now
    )
    if not changed:
        return False
    # A partner who signed through its personal link with another address: signed now.
    if (
        Partner.objects.filter(signature=signature)
        .exclude(status=Partner.Status.SIGNED)
        .update(status=Partner.Status.SIGNED, signed_at=now)
    ):
        webhooks.webhook_partners_emit(partners=Partner.objects.filter(signature=signature))
    signature.refresh_from_db()
    _flag_if_duplicate(signature)
    if not signature.letter.requires_approval:
        _publish(signature)
    digests.signature_mails_queue(signature=signature)
    webhooks.webhook_event_emit(letter=signature.letter, type=WebhookEventType.SIGNATURE_CONFIRMED,
                                data=webhooks.signature_data(signature))  # fmt: skip
    return True


def _resign_confirm(signature: Signature) -> bool:
    """The withdrawn signer confirmed signing again: their entry becomes what they typed then,
    confirmed on the letter's current text, and listed (last) or queued for approval as a new
    signature is. Audited."""
    _letter_lock(signature.letter_id)  # before the signature's row, as every list change
    row = (
        Signature.objects.select_for_update()
        .select_related("letter")
        .filter(pk=signature.pk, status=S.WITHDRAWN, resign_data__isnull=False)
        .first()
    )
    new = row.resigning() if row is not None else None
    if row is None or new is None or row.resign_data is None:
        return False
    changed = [f for f in ("kind", *DISPLAY_FIELDS) if getattr(new, f) != getattr(row, f)]
    for name in ("kind", "language", *DISPLAY_FIELDS):
        setattr(row, name, getattr(new, name))
    row.ip_address = row.resign_data.get("ip_address") or row.ip_address
    row.name_normalized = name_normalize(row.name)
    row.acronym_normalized = name_normalize(row.acronym)
    row.status, row.confirmed_at, row.version = S.CONFIRMED, timezone.now(), row.letter.version
    row.withdrawn_at, row.withdrawn_from, row.resign_data = None, "", None
    row.is_flagged, row.flag_reason = False, ""
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    _flag_if_duplicate(row)
    if not row.letter.requires_approval:
        _publish(row)
    audit_record(
        letter=row.letter, actor=None, action=AuditAction.SIGNATURE_RESIGNED, signature=row.pk,
        from_status=S.WITHDRAWN, to_status=S.CONFIRMED, fields=changed,
    )  # fmt: skip
    webhooks.webhook_event_emit(letter=row.letter, type=WebhookEventType.SIGNATURE_CONFIRMED,
                                data=webhooks.signature_data(row))  # fmt: skip
    signature.refresh_from_db()
    return True


def _flag_if_duplicate(signature: Signature) -> None:
    if signature.kind != Signature.Kind.ORGANIZATION:
        return
    others = (
        Signature.objects.filter(letter=signature.letter_id, kind=signature.kind)
        .exclude(pk=signature.pk)
        .exclude(status__in=[S.PENDING, S.WITHDRAWN, S.REJECTED])
    )
    same_name = others.filter(name_normalized=signature.name_normalized)
    same_acronym = (
        others.filter(acronym_normalized=signature.acronym_normalized)
        if signature.acronym_normalized
        else others.none()
    )
    match = (same_name | same_acronym).first()
    if match is not None:
        reason = _("Same name or acronym as signature #%(n)s (%(name)s).") % {
            "n": match.pk,
            "name": match.name,
        }
        Signature.objects.filter(pk=signature.pk).update(is_flagged=True, flag_reason=reason)
        signature.is_flagged, signature.flag_reason = True, reason


def _publish(signature: Signature) -> None:
    """List the signature if it may be listed and is not yet, last, under the number after the
    letter's listed total; count it once."""
    if not signature.consent_public:
        return
    total = _letter_lock(signature.letter_id)
    now = timezone.now()
    if Signature.objects.filter(pk=signature.pk, is_public=False).update(
        is_public=True,
        published_at=F("published_at") if signature.published_at else now,
        number=total + 1,
    ):
        field = COUNT_FIELDS[signature.kind]
        Letter.objects.filter(pk=signature.letter_id).update(**{field: F(field) + 1})
        signature.is_public, signature.number = True, total + 1
        letter_page_touch(signature.letter.slug)


def _unpublish(signature: Signature) -> None:
    """Take the signature off the list; the later ones move up a number, so the list keeps no
    gaps and is numbered as the frozen list will be. Rare: one UPDATE of the later rows."""
    _letter_lock(signature.letter_id)
    listed = Signature.objects.filter(pk=signature.pk, is_public=True)
    number = listed.values_list("number", flat=True).first()
    if listed.update(is_public=False, number=None):
        field = COUNT_FIELDS[signature.kind]
        Letter.objects.filter(pk=signature.letter_id).update(**{field: F(field) - 1})
        if number is not None:
            Signature.objects.filter(
                letter_id=signature.letter_id, is_public=True, number__gt=number
            ).update(number=F("number") - 1)
        signature.is_public, signature.number = False, None
        letter_page_forget(signature.letter.slug)  # a name taken off shows at once


def _letter_lock(letter_id: int) -> int:
    """Lock the letter's row and return its listed total. Every change of a letter's list takes
    this lock first, then the signatures' rows: two changes of one list never cross."""
    counts = (
        Letter.objects.select_for_update()
        .filter(pk=letter_id)
        .values_list(*COUNT_FIELDS.values())
        .get()
    )
    return sum(counts)


def _refuse_if_frozen(signature: Signature) -> None:
    if signature.letter.status in Letter.FROZEN:
        raise ValidationError(
            _("The letter is finalized: its list of signatories can no longer change.")
        )


@transaction.atomic
def signature_update_display(
    *, signature: Signature, data: dict[str, Any], actor: Actor = None
) -> Signature:
    """Correct what the list shows (by the signer, or a coordinator tidying it). Audited."""
    _refuse_if_frozen(signature)
    data = _display_safe(data)
    changed = [f for f in DISPLAY_FIELDS if f in data and getattr(signature, f) != data[f]]
    if not changed:
        return signature
    if "consent_public" in changed:
        _letter_lock(signature.letter_id)  # before the signature's row, as every list change
    for name in changed:
        setattr(signature, name, data[name])
    signature.name_normalized = name_normalize(signature.name)
    signature.acronym_normalized = name_normalize(signature.acronym)
    signature.full_clean(validate_unique=False)
    signature.save()
    if "consent_public" in changed:
        if not signature.consent_public:
            _unpublish(signature)
        elif _listable(signature):
            _publish(signature)
    letter_page_forget(signature.letter.slug)
    audit_record(
        letter=signature.letter,
        actor=actor,
        action=AuditAction.SIGNATURE_EDITED,
        signature=signature.pk,
        fields=changed,
    )
    return signature


def _listable(signature: Signature) -> bool:
    if signature.status == S.APPROVED:
        return True
    return signature.status == S.CONFIRMED and not signature.letter.requires_approval


@transaction.atomic
def signature_withdraw(*, signature: Signature, actor: Actor = None) -> None:
    """Take the name off the list at once, and mail the signer a link to undo it. Audited."""
    _refuse_if_frozen(signature)
    if signature.status != S.WITHDRAWN:
        _status_set(signature, S.WITHDRAWN, actor=actor, action=AuditAction.SIGNATURE_WITHDRAWN)
        withdrawn = WebhookEventType.SIGNATURE_WITHDRAWN
        webhooks.webhook_event_emit(letter=signature.letter, type=withdrawn,
                                    data=webhooks.signature_data(signature))  # fmt: skip
        if signature.email:  # an imported name has no one to write to
            _queue_mail(signature, SignerMail.Kind.WITHDRAWN, capped=False)


def restore_refusal(signature: Signature) -> str:
    """Why the withdrawal of this signature can no longer be undone, or "" when it can."""
    if signature.letter.status in Letter.FROZEN:
        return _("The letter is finalized: its list of signatories can no longer change.")
    return signing_refusal(signature.letter)


@transaction.atomic
def signature_restore(*, signature: Signature) -> None:
    """Undo a withdrawal (the link in its mail): the signature is as it was before, listed
    again (last) if it was listed, while the letter takes signatures. Audited."""
    _letter_lock(signature.letter_id)  # then read the letter and the signature as they are
    signature.refresh_from_db()
    signature.letter.refresh_from_db()
    refusal = restore_refusal(signature)
    if refusal:
        raise ValidationError(refusal, code="closed")
    if signature.status != S.WITHDRAWN:
        return
    # Withdrawn before the status was kept: confirmed, if it ever was.
    target = signature.withdrawn_from or (S.CONFIRMED if signature.confirmed_at else S.PENDING)
    _status_set(signature, target, actor=None, action=AuditAction.SIGNATURE_RESTORED)


def _status_set(
    signature: Signature, target: str, *, actor: Actor, action: AuditAction, **detail: Any
) -> None:
    """Move a signature to `target`, list or unlist it accordingly, and audit the change."""
    _letter_lock(signature.letter_id)  # before the signature's row, as every list change
    from_status = signature.status
    signature.status = target
    if target == S.WITHDRAWN:
        signature.withdrawn_at, signature.withdrawn_from = timezone.now(), from_status
    elif from_status == S.WITHDRAWN:
        signature.withdrawn_at, signature.withdrawn_from = None, ""
    signature.resign_data = None  # a new signing waiting for confirmation ends here
    signature.save(update_fields=["status", "withdrawn_at", "withdrawn_from", "resign_data"])
    if _listable(signature):
        _publish(signature)
    else:
        _unpublish(signature)
    audit_record(
        letter=signature.letter,
        actor=actor,
        action=action,
        signature=signature.pk,
        from_status=from_status,
        to_status=target,
        **detail,
    )


@transaction.atomic
def signature_keep(*, signature: Signature) -> None:
    """The signer read the letter's new text and keeps their name on it."""
    _refuse_if_frozen(signature)
    Signature.objects.filter(pk=signature.pk).update(version=signature.letter.version)
    signature.version = signature.letter.version


# --- the coordinator's side --------------------------------------------------------------------


@transaction.atomic
def signature_moderate(*, signatures: QuerySet[Signature], approve: bool, actor: Actor) -> int:
    """Approve or reject confirmed (or earlier approved/rejected) signatures. Audited."""
    target = S.APPROVED if approve else S.REJECTED
    done = 0
    _letters_lock(signatures)
    for signature in signatures.select_related("letter").select_for_update():
        _refuse_if_frozen(signature)
        if signature.status not in (S.CONFIRMED, S.APPROVED, S.REJECTED):
            continue
        if signature.status == target:
            continue
        _status_set(signature, target, actor=actor, action=AuditAction(f"signature.{target}"))
        done += 1
    return done


def _letters_lock(signatures: QuerySet[Signature]) -> None:
    """Lock the letters of these signatures, in order, before the signatures' rows."""
    letter_ids = set(signatures.values_list("letter_id", flat=True))
    list(Letter.objects.filter(pk__in=letter_ids).order_by("pk").select_for_update().values("pk"))


@transaction.atomic
def signature_invalidate(*, signatures: QuerySet[Signature], actor: Actor, reason: str) -> int:
    """Reject a selected set in one go (abuse). Refuses an unfiltered selection. Audited."""
    if not signatures.query.where:
        raise ValidationError(
            _("Choose which signatures to invalidate: an empty filter is refused.")
        )
    done = 0
    _letters_lock(signatures)
    for signature in signatures.select_related("letter").select_for_update():
        if signature.status in (S.REJECTED, S.WITHDRAWN):
            continue
        _refuse_if_frozen(signature)
        _status_set(
            signature,
            S.REJECTED,
            actor=actor,
            action=AuditAction.SIGNATURE_INVALIDATED,
            reason=reason,
        )
        done += 1
    return done


def signatures_notify_new_version(*, letter: Letter) -> int:
    """After a material edit: mail every listed or confirmed signer the change. Queued on commit."""
    ids = list(
        Signature.objects.filter(
            letter=letter, status__in=[S.CONFIRMED, S.APPROVED], version__lt=letter.version
        )
        .exclude(email="")  # imported from a list: nobody to ask
        .values_list("pk", flat=True)
    )
    SignerMail.objects.bulk_create(
        [SignerMail(signature_id=pk, kind=SignerMail.Kind.NEW_VERSION) for pk in ids],
        batch_size=1000,
    )
    mails.mails_kick_on_commit()
    return len(ids)


@transaction.atomic
def signatures_publish_confirmed(*, letter: Letter) -> int:
    """After approval is switched off: list the confirmed signatures that were waiting for it."""
    waiting = Signature.objects.filter(
        letter=letter, status=S.CONFIRMED, is_public=False, consent_public=True
    ).select_related("letter")
    for signature in waiting:
        _publish(signature)
    return len(waiting)


@transaction.atomic
def signatures_approve_confirmed(*, letter: Letter) -> int:
    """When approval is switched on: the signatures confirmed until then were taken under the
    rule of the time (listed at once), so they are approved, and stay listed; approval applies
    to those confirmed from now on. Returns how many; the caller audits the change."""
    _letter_lock(letter.pk)
    return Signature.objects.filter(letter=letter, status=S.CONFIRMED).update(status=S.APPROVED)
