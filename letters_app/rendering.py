"""The one place a letter becomes HTML or plain text: page, preview, e-mail and PDF share it."""

import dataclasses
import datetime
import functools
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import override
from django_countries import countries

from letters_app.models import (
    TEXT_FIELDS,
    TRANSLATED_FIELDS,
    Letter,
    LetterSnapshot,
    LetterTranslation,
    LetterVersion,
    Recipient,
    language_direction,
)
from letters_app.models.signatures import signatory_line

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote", "a",
    "h2", "h3", "h4", "hr", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def markdown_to_html(source: str) -> SafeString:
    """Markdown to HTML that is safe to show: no raw HTML, scripts or javascript: links."""
    html = markdown.markdown(source or "", extensions=["sane_lists", "tables"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above


# --- a letter's parts in the language of its text ----------------------------------------------
# Country names in a To: block or a signatory line belong to the text they are part of: an English
# letter says "Switzerland" to a reader of the French pages, and its French translation "Suisse".

# What a signatory line is made of, in signatory_line's order.
SIGNATORY_FIELDS = (
    "kind", "name", "acronym", "title", "affiliation", "party", "parliament", "country",
)  # fmt: skip


def address_blocks(recipients: list[Recipient], language: str) -> list[list[str]]:
    """Each recipient's To: block, in `language` whatever language is active."""
    with override(language):
        return [recipient.address_lines for recipient in recipients]


def signatory_lines(rows: list[tuple], language: str) -> list[str]:
    """Each signatory's line (`Association X (AX), France`) in `language`, from rows of
    SIGNATORY_FIELDS; as Signature.display_line writes it, whatever language is active."""
    names: dict[str, str] = {"": ""}
    lines = []
    with override(language):
        for kind, name, acronym, title, affiliation, party, parliament, code in rows:
            if code not in names:
                names[code] = str(countries.name(code))
            lines.append(
                signatory_line(
                    kind,
                    name=name,
                    acronym=acronym,
                    title=title,
                    affiliation=affiliation,
                    party=party,
                    parliament=parliament,
                    country=names[code],
                )
            )
    return lines


def text_language(letter: Letter, language: str) -> str:
    """The language of the text a reader in `language` is shown: the ready translation into it,
    else the original's."""
    if language == letter.language:
        return language
    ready = letter.translations.filter(language=language, status=LetterTranslation.Status.READY)
    return language if ready.exists() else letter.language


def listed_line(signature, language: str) -> str:
    """A signatory's line as the letter's text in `language` lists it."""
    with override(language):
        return signature.display_line


@dataclass(frozen=True)
class LetterView:
    """A letter (or one of its versions) as the parts a reader sees, in order."""

    title: str
    place: str
    date: object
    to_blocks: list[list[str]]
    from_lines: list[str]
    salutation: str
    body_markdown: str
    body_html: SafeString
    closing: str
    sender_line: str
    signatory_heading: str
    about_sender: str
    version: int
    # Only for a finalized letter: [{"n", "line", "kind", "country"}, …] and the content's hash.
    signatories: list[dict] = field(default_factory=list)
    sha256: str = ""
    # The language of this text (the original's or a translation's), for lang and dir.
    language: str = "en"
    direction: str = "ltr"


def _text_parts(parts: Mapping[str, str]) -> dict:
    """The LetterView fields made of the letter's text (TEXT_FIELDS), a letter's or a snapshot's:
    the From: block as lines, the body as Markdown and as HTML."""
    return {
        "title": parts["title"],
        "place": parts["place"],
        "from_lines": [line.strip() for line in parts["from_block"].splitlines() if line.strip()],
        "salutation": parts["salutation"],
        "body_markdown": parts["body"],
        "body_html": markdown_to_html(parts["body"]),
        "closing": parts["closing"],
        "sender_line": parts["sender_line"],
        "signatory_heading": parts["signatory_heading"],
        "about_sender": parts["about_sender"],
    }


def letter_view(
    letter: Letter,
    version: LetterVersion | None = None,
    translation: LetterTranslation | None = None,
) -> LetterView:
    """Gather what a letter shows; reads the text from `version` when one is given, and the
    translated parts from `translation` (the place, From: block and sender stay the original's)."""
    text = version or letter
    parts = {name: getattr(text, name) for name in TEXT_FIELDS}
    language = letter.language
    if translation is not None:
        parts |= {name: getattr(translation, name) for name in TRANSLATED_FIELDS}
        language = translation.language
    recipients = [lr.recipient for lr in letter.letter_recipients.select_related("recipient")]
    return LetterView(
        **_text_parts(parts),
        date=letter.letter_date,
        to_blocks=address_blocks(recipients, language),
        version=version.number if version else letter.version,
        language=language,
        direction=language_direction(language),
    )


def snapshot_view(
    snapshot: LetterSnapshot, *, salutation: str = "", language: str = ""
) -> LetterView:
    """A finalized letter as frozen; `salutation` replaces the letter's in one recipient's copy,
    and `language`, when a translation into it was frozen, gives the translated parts."""
    text = snapshot.content["letter"]
    language = language or text.get("language", "en")
    to_blocks = [r["address_lines"] for r in snapshot.content["recipients"]]
    signatories = snapshot.content["signatories"]
    translated = snapshot.content.get("translations", {}).get(language)
    if translated:
        text = text | {name: translated[name] for name in TRANSLATED_FIELDS}
        # Frozen in the translation's language too (snapshots made before that had only the
        # original's).
        to_blocks = translated.get("address_lines", to_blocks)
        if "signatory_lines" in translated:
            lines = translated["signatory_lines"]
            signatories = [s | {"line": line} for s, line in zip(signatories, lines, strict=True)]
    else:
        language = text.get("language", "en")
    date = text["date"]
    return LetterView(
        **_text_parts(text | {"salutation": salutation or text["salutation"]}),
        date=datetime.date.fromisoformat(date) if date else None,
        to_blocks=to_blocks,
        version=text["version"],
        signatories=signatories,
        sha256=snapshot.sha256,
        language=language,
        direction=language_direction(language),
    )


def render_letter_html(
    letter: Letter,
    version: LetterVersion | None = None,
    translation: LetterTranslation | None = None,
) -> str:
    return render_view_html(letter_view(letter, version, translation))


def render_letter_text(
    letter: Letter,
    version: LetterVersion | None = None,
    translation: LetterTranslation | None = None,
) -> str:
    return render_view_text(letter_view(letter, version, translation))


def render_view_html(lv: LetterView) -> str:
    return render_to_string("public/fragment_letter.html", {"lv": lv})


# Stands for a recipient's salutation in a frozen letter rendered once for all its recipients;
# letters, digits and dashes, which escaping leaves alone, and unknown to any letter's text.
_SALUTATION = f"cosign-salutation-{secrets.token_hex(16)}"


def snapshot_render(
    snapshot: LetterSnapshot, *, salutation: str = "", language: str = ""
) -> tuple[LetterView, str, str]:
    """One recipient's copy of the frozen letter: snapshot_view(snapshot, salutation=…,
    language=…) and its HTML and text, exactly as render_view_html and render_view_text give
    them. The letter is rendered once per process for each snapshot and language, and each copy
    only gets its own salutation: rendering the signatory list of a large letter was most of a
    delivery's cost."""
    if salutation and salutation != " ".join(salutation.split()):  # not one plain line
        lv = snapshot_view(snapshot, salutation=salutation, language=language)
        return lv, render_view_html(lv), render_view_text(lv)
    lv, html, text = _snapshot_rendered(snapshot, snapshot.sha256, language, bool(salutation))
    if not salutation:
        return dataclasses.replace(lv), html, text
    return (
        dataclasses.replace(lv, salutation=salutation),
        mark_safe(html.replace(_SALUTATION, escape(salutation))),  # noqa: S308 - escaped
        text.replace(_SALUTATION, salutation),
    )


@functools.lru_cache(maxsize=8)
def _snapshot_rendered(snapshot, sha256: str, language: str, own_salutation: bool):
    salutation = _SALUTATION if own_salutation else ""
    lv = snapshot_view(snapshot, salutation=salutation, language=language)
    return lv, render_view_html(lv), render_view_text(lv)


def render_view_text(lv: LetterView) -> str:
    text = render_to_string("public/fragment_letter.txt", {"lv": lv})
    # Templates leave blank runs where optional parts are empty; keep one blank line at most.
    lines, blank = [], False
    for line in text.splitlines():
        if line.strip():
            lines.append(line.rstrip())
            blank = False
        elif not blank and lines:
            lines.append("")
            blank = True
    return "\n".join(lines).strip() + "\n"


# --- the press release -------------------------------------------------------------------------

# The escapes the press release draft puts in names so that Markdown leaves them as text.
_MARKDOWN_ESCAPE_RE = re.compile(r"\\([\\`*_\[\]])")


def _press_context(press) -> dict:
    return {"press": press, "body_html": markdown_to_html(press.body)}


def render_press_release_html(press) -> str:
    """A press release (saved or not) as HTML, sanitized like a letter."""
    return render_to_string("author/fragment_press_release.html", _press_context(press))


def render_press_release_text(press) -> str:
    """A press release as plain text: the body's Markdown kept, its escapes removed."""
    context = _press_context(press) | {
        "body_text": _MARKDOWN_ESCAPE_RE.sub(r"\1", press.body).replace("&lt;", "<")
    }
    text = render_to_string("author/fragment_press_release.txt", context)
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"
