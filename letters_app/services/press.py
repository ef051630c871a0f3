"""The press release that announces a finalized letter: drafted from the frozen snapshot, edited by
its coordinators, and e-mailed to media contacts through the same delivery ledger as the letter."""

import datetime
import re
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import Truncator, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from letters_app.models import (
    AuditAction,
    Delivery,
    Letter,
    LetterSnapshot,
    PressRelease,
    Recipient,
    Signature,
)
from letters_app.services import mails
from letters_app.services.audit import Actor, audit_record
from letters_app.services.deliveries import delivery_create
from letters_app.services.letters import find_placeholders

EDITABLE_FIELDS = ("headline", "dateline", "lead", "quote", "quote_by", "body", "distribution")
# The sentence of the letter that asks for something; the first one found is the main demand.
DEMAND_RE = re.compile(
    r"\b(urge|urges|call on|call upon|calls on|calls upon|appeal|appeals|demand|demands|ask|asks|"
    r"request|requests|exhort|exhortons|demandons|appelons|prions)\b",
    re.IGNORECASE,
)
# Characters that would make an organization's name Markdown rather than text; "<" would start
# raw HTML, which has no backslash escape: it becomes "&lt;".
MARKDOWN_SPECIALS_RE = re.compile(r"([\\`*_\[\]])")


def _finalized_snapshot(letter: Letter) -> LetterSnapshot:
    if letter.status not in Letter.FROZEN:
        raise ValidationError(_("Only a finalized letter can have a press release."))
    return letter.snapshot


@transaction.atomic
def press_release_draft(*, letter: Letter, actor: Actor) -> PressRelease:
    """Write a first press release from the finalized letter, for the coordinators to edit.
    Audited."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    snapshot = _finalized_snapshot(letter)
    if PressRelease.objects.filter(letter=letter).exists():
        raise ValidationError(_("This letter already has a press release."))
    content = snapshot.content
    text = content["letter"]
    entries = content["signatories"]
    press = PressRelease(
        letter=letter,
        headline=Truncator(_headline(content)).chars(300),
        dateline=Truncator(_dateline(text)).chars(200),
        lead=_lead(content),
        quote="",
        quote_by="",
        body="\n\n".join(
            [
                *_signatory_sentences(entries, text.get("language", "en")),
                text["about_sender"].strip()
                or _("[Context: what led to this letter, and what its signatories expect next.]"),
            ]
        ),
        distribution=Truncator(_distribution(letter, text)).chars(300),
    )
    press.full_clean()
    press.save()
    audit_record(letter=letter, actor=actor, action=AuditAction.PRESS_DRAFTED)
    return press


@transaction.atomic
def press_release_update(
    *, press: PressRelease, data: dict[str, Any], actor: Actor
) -> PressRelease:
    """Save the coordinators' changes to the press release. Audited with the fields changed."""
    press = PressRelease.objects.select_for_update().get(pk=press.pk)
    changed = [f for f in EDITABLE_FIELDS if f in data and data[f] != getattr(press, f)]
    for name in changed:
        setattr(press, name, data[name])
    if not changed:
        return press
    press.full_clean()
    press.save()
    audit_record(letter=press.letter, actor=actor, action=AuditAction.PRESS_EDITED, fields=changed)
    return press


def press_release_send_problems(press: PressRelease) -> list[str]:
    problems = []
    for name in EDITABLE_FIELDS:
        found = find_placeholders(getattr(press, name))
        if found:
            label = PressRelease._meta.get_field(name).verbose_name  # type: ignore[union-attr]  # a column
            problems.append(
                _("%(field)s still contains placeholders to fill in: %(found)s.")
                % {"field": str(label).capitalize(), "found": ", ".join(dict.fromkeys(found))}
            )
    if not press.quote.strip():
        problems.append(_("The quote is empty: write it, or it will be missing from the release."))
    elif not press.quote_by.strip():
        problems.append(_("Say who is quoted: name and title."))
    return problems


@transaction.atomic
def press_release_send(
    *, press: PressRelease, recipients: list[Recipient], actor: Actor
) -> list[Delivery]:
    """Make one press delivery per new recipient with an e-mail address, due at once. Those
    who already have it are skipped. Audited."""
    letter = Letter.objects.select_for_update().get(pk=press.letter_id)
    _finalized_snapshot(letter)
    problems = press_release_send_problems(press)
    if problems:
        raise ValidationError(problems)
    if not recipients:
        raise ValidationError(_("Choose at least one media contact."))
    without_email = [str(r) for r in recipients if not r.email]
    if without_email:
        raise ValidationError(
            _("These contacts have no e-mail address: %(names)s.")
            % {"names": "; ".join(without_email)}
        )
    already = set(
        Delivery.objects.filter(
            letter=letter, document=Delivery.Document.PRESS_RELEASE
        ).values_list("recipient_id", flat=True)
    )
    created = [
        delivery_create(
            letter=letter, recipient=r, due=True, document=Delivery.Document.PRESS_RELEASE
        )
        for r in dict.fromkeys(recipients)
        if r.pk not in already
    ]
    if created:
        audit_record(
            letter=letter, actor=actor, action=AuditAction.PRESS_SENT,
            recipients=[str(d.recipient) for d in created],
        )  # fmt: skip
    mails.mails_kick_on_commit()
    return created


# --- the draft's parts ---------------------------------------------------------------------------

KIND_ORDER = (Signature.Kind.ORGANIZATION, Signature.Kind.MP, Signature.Kind.INDIVIDUAL)


def _kind_count(kind: str, n: int) -> str:
    if kind == Signature.Kind.ORGANIZATION:
        text = ngettext("%(n)s organization", "%(n)s organizations", n)
    elif kind == Signature.Kind.MP:
        text = ngettext("%(n)s member of parliament", "%(n)s members of parliament", n)
    else:
        text = ngettext("%(n)s individual", "%(n)s individuals", n)
    return text % {"n": formats.number_format(n, force_grouping=True)}  # 1,200 · 1 200 · 1.200


def _signers_phrase(entries: list[dict]) -> str:
    """ "56 organizations and 3 members of parliament"."""
    by_kind = Counter(e["kind"] for e in entries)
    parts = [_kind_count(kind, by_kind[kind]) for kind in KIND_ORDER if by_kind[kind]]
    return get_text_list(parts, _("and")) if parts else _("[the signatories]")


def _recipient_names(content: dict) -> list[str]:
    """Each recipient as the press names them: the person, else the office."""
    ids = [r["id"] for r in content["recipients"]]
    found = Recipient.objects.in_bulk(ids)
    names = []
    for frozen in content["recipients"]:
        r = found.get(frozen["id"])
        if r is None:
            names.append(frozen["address_lines"][0] if frozen["address_lines"] else "")
            continue
        person = " ".join(p for p in (r.honorific, r.name) if p)
        names.append(", ".join(p for p in (person, r.title) if p) or r.institution)
    return [n for n in names if n]


def _headline(content: dict) -> str:
    firsts = []
    for frozen in content["recipients"]:
        lines = frozen["address_lines"]
        if lines:
            firsts.append(lines[0])
    recipients = get_text_list(firsts, _("and")) or _("[the recipients]")
    return _("%(signers)s sign an open letter to %(recipients)s") % {
        "signers": _capitalize(_signers_phrase(content["signatories"])),
        "recipients": recipients,
    }


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _dateline(text: dict) -> str:
    date = datetime.date.fromisoformat(text["date"]) if text["date"] else timezone.localdate()
    when = formats.date_format(date, "j F Y")
    place = text["place"].strip()
    if not place:
        return when
    city, _sep, rest = place.partition(",")
    return ", ".join(p for p in (city.strip().upper(), rest.strip(), when) if p)


def main_demand(body: str) -> str:
    """The first sentence of the letter's body that asks for something, as plain text."""
    sentences = []
    for paragraph in re.split(r"\n\s*\n", body or ""):
        lines = [_plain(line) for line in paragraph.splitlines()]
        text = " ".join(line for line in lines if line)
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    for sentence in sentences:
        if DEMAND_RE.search(sentence):
            return sentence
    return sentences[0] if sentences else ""


def _plain(line: str) -> str:
    """One line of Markdown as the words a reader sees."""
    line = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", "", line)
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"(\*\*|__|\*|`)", "", line)
    return line.strip()


def _lead(content: dict) -> str:
    text = content["letter"]
    recipients = get_text_list(_recipient_names(content), _("and")) or _("[the recipients]")
    values = {
        "title": text["title"],
        "signers": _signers_phrase(content["signatories"]),
        "recipients": recipients,
        "sender": text["sender_line"].strip(),
    }
    if values["sender"]:
        lead = _(
            "%(sender)s has sent an open letter, “%(title)s”, signed by %(signers)s, "
            "to %(recipients)s."
        )
    else:
        lead = _(
            "An open letter, “%(title)s”, signed by %(signers)s, has been sent to %(recipients)s."
        )
    lead %= values
    demand = main_demand(text["body"])
    if demand:
        lead += " " + _("The letter says: “%(demand)s”") % {"demand": demand}
    else:
        lead += " " + _("[The letter's main demand, in one sentence.]")
    return lead


def _by_country(entries: list[dict]) -> tuple[int, str]:
    """(number of countries, "Cambodia (30), France (12), …"), the largest first."""
    counts = Counter(e["country"] for e in entries)
    named = sorted(
        (
            (countries.name(code) if code else _("country not given"), n)
            for code, n in counts.items()
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return len([c for c in counts if c]), ", ".join(f"{name} ({n})" for name, n in named)


def organization_name(entry: dict, language: str) -> str:
    """The listed line without the country the snapshot added after the name, in the letter's
    `language`."""
    line = entry["line"]
    if not entry["country"]:
        return line
    # Snapshots made before lines were written in the letter's language have the site's.
    for written_in in dict.fromkeys((language, settings.LANGUAGE_CODE)):
        with translation.override(written_in):
            suffix = ", " + str(countries.name(entry["country"]))
        if line.endswith(suffix):
            return line.removesuffix(suffix)
    return line


def _markdown_text(text: str) -> str:
    return MARKDOWN_SPECIALS_RE.sub(r"\\\1", text).replace("<", "&lt;")


def _signatory_sentences(entries: list[dict], language: str) -> list[str]:
    """One paragraph per kind of signatory: the organizations named, the others counted."""
    paragraphs = []
    for kind in KIND_ORDER:
        of_kind = [e for e in entries if e["kind"] == kind]
        if not of_kind:
            continue
        n_countries, by_country = _by_country(of_kind)
        values = {
            "who": _kind_count(kind, len(of_kind)),
            "from": ngettext("from %(n)s country", "from %(n)s countries", n_countries)
            % {"n": n_countries},
            "by_country": by_country,
        }
        if kind == Signature.Kind.ORGANIZATION:
            names = [_markdown_text(organization_name(e, language)) for e in of_kind]
            values["names"] = get_text_list(names, _("and"))
            sentence = _("The letter is co-signed by %(who)s %(from)s — %(by_country)s: %(names)s.")
        else:
            sentence = _("It is signed by %(who)s %(from)s — %(by_country)s.")
        paragraphs.append(sentence % values)
    return paragraphs


def _distribution(letter: Letter, text: dict) -> str:
    sender = text["sender_line"].strip() or _("[the organization distributing it]")
    url = settings.SITE_URL + letter.get_absolute_url()
    return _(
        "This release is distributed by %(sender)s on behalf of the signatories. "
        "The letter and its signatories: %(url)s"
    ) % {"sender": sender, "url": url}
