"""A letter's text as a reader sees it: normalized before it is compared or stored, and the
difference between two versions of it, paragraph by paragraph and sentence by sentence."""

import difflib
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from html import unescape

from django.utils.html import strip_tags
from django.utils.text import capfirst

from letters_app.models import TEXT_FIELDS, LetterVersion
from letters_app.rendering import markdown_to_html

# The one field written in Markdown, where two spaces at the end of a line break it.
MARKDOWN_FIELDS = frozenset({"body"})


@functools.lru_cache(maxsize=256)  # called on both sides of every comparison
def text_normalize(value: str, *, markdown: bool = False) -> str:
    """`value` as stored and compared: Unicode NFC, LF line endings, no space at the end of a
    line or around the whole; in Markdown, two spaces (or more) end a line only where the letter
    renders them as a line break, and then exactly two."""
    value = unicodedata.normalize("NFC", value or "")
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tidy = [line.rstrip() for line in lines]
    if markdown:
        spaced = [
            i
            for i, (line, following) in enumerate(itertools.pairwise(lines))
            if line.expandtabs(4).endswith("  ") and line.strip() and following.strip()
        ]
        return _joined(tidy, _breaks_rendered(tidy, spaced))
    return _joined(tidy, [])


def _joined(lines: list[str], breaks: list[int]) -> str:
    chosen = set(breaks)
    return "\n".join(line + "  " if i in chosen else line for i, line in enumerate(lines)).strip()


def _breaks_rendered(lines: list[str], spaced: list[int]) -> list[int]:
    """Those of the `spaced` lines whose two spaces at the end render as a line break: inside a
    paragraph they do, before a list item or a heading, or at the end of a block, nothing."""
    if not spaced:
        return []

    def breaks(chosen: list[int]) -> int:
        return markdown_to_html(_joined(lines, chosen)).count("<br")

    baseline = breaks([])
    kept = [i for i in spaced if breaks([i]) > baseline]  # each on its own adds a <br>
    # Should breaks ever depend on each other, keep every one rather than lose one a reader sees.
    if _rendered(_joined(lines, kept), spacing="") != _rendered(_joined(lines, spaced), spacing=""):
        return spaced
    return kept


def _rendered(source: str, *, spacing: str) -> str:
    """The Markdown rendered, each run of whitespace made `spacing`: the same for texts a reader
    sees the same (" ": words wrapped onto other lines; "": spaces that render nothing)."""
    return spacing.join(markdown_to_html(source).split())


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
        label = LetterVersion._meta.get_field(self.field).verbose_name  # type: ignore[union-attr]  # a column
        return str(capfirst(label))


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
        markdown = field in MARKDOWN_FIELDS
        before, after = "\n\n".join(old_p[i1:i2]), "\n\n".join(new_p[j1:j2])
        if markdown and _rendered(before, spacing=" ") == _rendered(after, spacing=" "):
            continue  # the same words, wrapped onto other lines
        # Reworded paragraphs: only the sentences that differ.
        old_s = [s for p in old_p[i1:i2] for s in _sentences(p)]
        new_s = [s for p in new_p[j1:j2] for s in _sentences(p)]
        inner = difflib.SequenceMatcher(a=old_s, b=new_s, autojunk=False)
        reworded = [
            Change(field, old_s[k1:k2], new_s[l1:l2])
            for t, k1, k2, l1, l2 in inner.get_opcodes()
            if t != "equal"
        ]
        # The same sentences broken into lines otherwise: the lines as a reader sees them.
        shown = (_as_read(before), _as_read(after)) if markdown else (before, after)
        changes += reworded or [Change(field, [shown[0]], [shown[1]])]
    return changes


def _as_read(source: str) -> str:
    """Markdown as the lines a reader sees: one per line break, paragraph, item or heading."""
    html = re.sub(r"<br\s*/?>|</(?:p|li|h\d|tr)>", "\n", _rendered(source, spacing=" "))
    lines = (line.strip() for line in unescape(strip_tags(html)).split("\n"))
    return "\n".join(line for line in lines if line)


def text_diff(old, new) -> list[Change]:
    """What changed from the text `old` to `new` (letters or versions), as a reader sees it, in
    the order of the letter: an empty list when a reader would see the same text (only spacing,
    line endings, or words wrapped onto other lines differ)."""
    changes = []
    for name in TEXT_FIELDS:
        markdown = name in MARKDOWN_FIELDS
        before = text_normalize(getattr(old, name), markdown=markdown)
        after = text_normalize(getattr(new, name), markdown=markdown)
        if before != after:
            changes += _field_changes(name, before, after)
    return changes
