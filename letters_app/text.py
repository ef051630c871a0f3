"""A letter's text as a reader sees it: normalized before it is compared or stored, and the
difference between two versions of it, paragraph by paragraph and sentence by sentence."""

import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.utils.text import capfirst

from letters_app.models import TEXT_FIELDS, LetterVersion

# The one field written in Markdown, where two spaces at the end of a line break it.
MARKDOWN_FIELDS = frozenset({"body"})


def text_normalize(value: str, *, markdown: bool = False) -> str:
    """`value` as stored and compared: Unicode NFC, LF line endings, no space at the end of a
    line or around the whole; in Markdown a line break (two spaces or more) stays two spaces."""
    value = unicodedata.normalize("NFC", value or "")
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tidy = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        broken = markdown and line.endswith("  ") and line.strip() and following.strip()
        tidy.append(line.rstrip() + ("  " if broken else ""))
    return "\n".join(tidy).strip()


def text_fields_normalize(data: dict, fields=TEXT_FIELDS) -> dict:
    """`data` with each of `fields` it holds normalized, Markdown as Markdown."""
    return {
        name: text_normalize(value, markdown=name in MARKDOWN_FIELDS) if name in fields else value
        for name, value in data.items()
    }


@dataclass(frozen=True)
class Change:
    """One place where a part of the letter changed: what was removed and what was added there
    (paragraphs, or sentences when a paragraph was reworded)."""

    field: str
    removed: list[str]
    added: list[str]

    @property
    def label(self) -> str:
        return capfirst(LetterVersion._meta.get_field(self.field).verbose_name)


# A sentence: an optional list marker, then up to a full stop, question or exclamation mark
# (with any closing quote or bracket) before a space, a Khmer khan (។ ៕), or the end of the line.
_SENTENCE = re.compile(r"(?:(?:\d+[.)]|[-*+>])\s+)?\S.*?(?:[.!?…]+[\"'”’»)\]*_]*(?=\s|$)|[។៕]+|$)")


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    return [m.group(0).strip() for line in paragraph.split("\n") for m in _SENTENCE.finditer(line)]


def _field_changes(field: str, old: str, new: str) -> list[Change]:
    old_p, new_p = _paragraphs(old), _paragraphs(new)
    changes = []
    matcher = difflib.SequenceMatcher(a=old_p, b=new_p, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace":
            changes.append(Change(field, old_p[i1:i2], new_p[j1:j2]))
            continue
        # Reworded paragraphs: only the sentences that differ.
        old_s = [s for p in old_p[i1:i2] for s in _sentences(p)]
        new_s = [s for p in new_p[j1:j2] for s in _sentences(p)]
        inner = difflib.SequenceMatcher(a=old_s, b=new_s, autojunk=False)
        changes += [
            Change(field, old_s[k1:k2], new_s[l1:l2])
            for t, k1, k2, l1, l2 in inner.get_opcodes()
            if t != "equal"
        ]
    return changes


def text_diff(old, new) -> list[Change]:
    """What changed from the text `old` to `new` (letters or versions), as a reader sees it, in
    the order of the letter: an empty list when only spacing or line endings differ."""
    changes = []
    for name in TEXT_FIELDS:
        markdown = name in MARKDOWN_FIELDS
        before = text_normalize(getattr(old, name), markdown=markdown)
        after = text_normalize(getattr(new, name), markdown=markdown)
        if before != after:
            changes += _field_changes(name, before, after)
    return changes
