"""Parsing a list of signatories: every line, or every row of a file, as Cosign reads it (number,
name, acronym, country…), with its problems. Pure: reads and writes nothing."""

import re
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import CharField
from django.utils.translation import gettext as _
from django_countries import countries

from letters_app.countries import country_resolve
from letters_app.exports.signatures import formula_restore
from letters_app.models import Signature
from letters_app.models.signatures import signatory_line
from letters_app.rendering import SIGNATORY_FIELDS
from letters_app.services.letters import find_placeholders
from letters_app.services.signatures import (
    bidi_balance,
    display_text_tidy,
    name_normalize,
)

MAX_LINE_CHARS = 1_000

NUMBER_RE = re.compile(r"^(\d{1,6})\s*[.)](?!\d)\s*")
BULLET_RE = re.compile(r"^[-•*·–]\s+")
# "Name (ACR)" and "Name, (ACR)": the parenthesis is a word of its own, the acronym has no
# quotes or parentheses, so that `=HYPERLINK("x")` stays a name.
ACRONYM_RE = re.compile(r"^(?P<name>.*?\S)[\s,]+\((?P<acronym>[^()\"“”]{1,30})\)$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

HEADERS = {
    "number": {"#", "n", "no", "no.", "n°", "nº", "number", "numéro", "numero", "num"},
    "kind": {"kind", "signing as"},
    "name": {"name", "nom", "organization", "organisation", "signatory", "signataire"},
    "acronym": {"acronym", "acronyme", "sigle", "abbreviation"},
    "country": {"country", "pays"},
    "title": {"title", "role", "title or role", "fonction"},
    "affiliation": {"affiliation"},
    "party": {"party", "parti"},
    "parliament": {"parliament", "parlement", "chamber", "chambre", "house"},
    "email": {"email", "e-mail", "mail", "contact e-mail", "contact email", "courriel"},
    "language": {"language", "langue", "lang"},
}
# A partner's language as lists write it, by its folded spelling.
LANGUAGE_WORDS = {
    "en": "en", "english": "en", "anglais": "en", "អង់គ្លេស": "en",
    "fr": "fr", "french": "fr", "français": "fr", "francais": "fr", "បារាំង": "fr",
    "km": "km", "khmer": "km", "ខ្មែរ": "km",
}  # fmt: skip
EMAIL_RE = re.compile(r"<?([^\s,;<>\"()]+@[^\s,;<>\"()]*)>?")


@dataclass
class Problem:
    code: str
    message: str
    blocking: bool  # the line is not imported
    keepable: bool = False  # ...unless the coordinator keeps it, line by line


@dataclass
class ImportLine:
    """One line of the list as Cosign reads it."""

    position: int  # 1-based, in the paste or the file
    raw: str
    kind: str
    number: int | None = None
    name: str = ""
    acronym: str = ""
    country: str = ""  # ISO 3166 alpha-2, or ""
    title: str = ""
    affiliation: str = ""
    party: str = ""
    parliament: str = ""
    email: str = ""  # a partner's contact address, as written
    language: str = ""  # a partner's language (a code), or "" for the letter's
    problems: list[Problem] = field(default_factory=list)
    kept: bool = False  # the coordinator keeps it despite its keepable problems

    @property
    def importable(self) -> bool:
        if not self.problems:  # most lines, read several times a preview
            return True
        return not any(p.blocking and not (p.keepable and self.kept) for p in self.problems)

    @property
    def keepable(self) -> bool:
        """Skipped for problems the coordinator may overrule, and for no other."""
        blocking = [p for p in self.problems if p.blocking]
        return bool(blocking) and all(p.keepable for p in blocking)

    @property
    def country_name(self) -> str:
        return str(countries.name(self.country)) if self.country else ""

    def problem(
        self, code: str, message: str, *, blocking: bool = True, keepable: bool = False
    ) -> None:
        self.problems.append(Problem(code, message, blocking, keepable))

    def signatory_row(self) -> tuple:
        """The line's fields in SIGNATORY_FIELDS' order."""
        return tuple(getattr(self, name) for name in SIGNATORY_FIELDS)

    def fields(self) -> dict:
        """The display fields of the signature this line becomes."""
        names = ("kind", "name", "acronym", "country", "title", "affiliation", "party",
                 "parliament")  # fmt: skip
        return {n: getattr(self, n) for n in names}

    @property
    def display_line(self) -> str:
        """As the public list will show it, in the active language."""
        fields = self.fields()
        del fields["country"]
        return signatory_line(**fields, country=self.country_name)


def import_parse(
    source: dict, *, kind: str = Signature.Kind.ORGANIZATION, partners: bool = False
) -> list[ImportLine]:
    """Every line of `{"text": …}` (a paste) or `{"rows": [[…], …]}` (a file) as Cosign reads
    it, with its problems. With `partners`, each line is an organization to ask to sign, with
    a contact address and a language ("Name (ACR), Country, contact@example.org, fr"), and a
    paste from a spreadsheet (cells cut by tabs) is read as its rows. Pure: reads and writes
    nothing."""
    if partners:
        kind = Signature.Kind.ORGANIZATION
        if "text" in source and "\t" in source["text"]:
            source = {"rows": [raw.split("\t") for raw in source["text"].splitlines()]}
    parse_line = _parse_partner_line if partners else _parse_line
    if "text" in source:
        return [
            parse_line(position, raw, kind)
            for position, raw in enumerate(source["text"].splitlines(), start=1)
            if raw.strip()
        ]
    rows = source["rows"]
    columns = _header_columns(rows[0]) if rows else None
    if columns is None:  # no header: each row is a line of the list, cut into cells
        return [
            parse_line(position, ", ".join(c.strip() for c in row if c.strip()), kind)
            for position, row in enumerate(rows, start=1)
            if any(c.strip() for c in row)
        ]
    lines = [
        _parse_row(position, row, columns, kind)
        for position, row in enumerate(rows[1:], start=2)
        if any(c.strip() for c in row)
    ]
    if partners:
        for line in lines:
            _partner_check(line, line.email, line.language)
    return lines


def _parse_partner_line(position: int, raw: str, kind: str) -> ImportLine:
    """A partner's line: its address and language (wherever they stand) taken out, the rest
    read as a signatory's line."""
    if len(raw) > MAX_LINE_CHARS:
        return _parse_line(position, raw, kind)
    found = EMAIL_RE.search(raw)
    email = found.group(1) if found else ""
    rest = (raw[: found.start()] + raw[found.end() :]) if found else raw
    cells = [c.strip() for c in rest.split(",")]
    while cells and not cells[-1]:
        cells.pop()
    language = ""
    if cells and cells[-1].casefold() in LANGUAGE_WORDS:
        language = cells.pop()
    line = _parse_line(position, ", ".join(c for c in cells if c), kind)
    line.raw = raw
    return _partner_check(line, email, language)


def _partner_check(line: ImportLine, email: str, language: str) -> ImportLine:
    line.email = formula_restore(email.strip())
    written = language.strip()
    line.language = LANGUAGE_WORDS.get(written.casefold(), "")
    if written and not line.language:
        line.problem(
            "language_unknown",
            _("Unknown language “%(l)s”: the letter’s is used.") % {"l": written},
            blocking=False,
        )
    if not line.email:
        line.problem("email_missing", _("No contact e-mail."))
        return line
    try:
        validate_email(line.email)
    except ValidationError:
        line.problem("email_invalid", _("Not an e-mail address: “%(e)s”.") % {"e": line.email})
    return line


def _header_columns(row: list[str]) -> dict[str, int] | None:
    columns = {}
    for index, cell in enumerate(row):
        label = " ".join(cell.casefold().split())
        for name, labels in HEADERS.items():
            if label in labels and name not in columns:
                columns[name] = index
    return columns if "name" in columns else None


def _cell(text: str) -> str:
    # Not tidied: a column holds one field as it was written, and comes back byte for byte.
    return formula_restore(text.strip())


def _parse_row(position: int, row: list[str], columns: dict[str, int], kind: str) -> ImportLine:
    def get(name: str) -> str:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else ""

    raw = ", ".join(c.strip() for c in row if c.strip())
    row_kind = get("kind").strip()
    kind = row_kind if row_kind in Signature.Kind.values else kind
    line = ImportLine(position=position, raw=raw, kind=kind)
    number = get("number").strip().rstrip(".")
    line.number = int(number) if number.isdigit() and len(number) <= 6 else None
    for name in ("name", "acronym", "title", "affiliation", "party", "parliament"):
        setattr(line, name, _cell(get(name)))
    line.email, line.language = get("email").strip(), get("language").strip()
    if kind != Signature.Kind.ORGANIZATION:
        line.acronym = ""
    country = _cell(get("country"))
    if country:
        line.country = country_resolve(country)
        if not line.country:
            line.problem("country_unknown", _("Unknown country: “%(c)s”.") % {"c": country})
    else:
        line.problem("country_missing", _("No country."), blocking=False)
    return _check(line)


def _parse_line(position: int, raw: str, kind: str) -> ImportLine:
    line = ImportLine(position=position, raw=raw, kind=kind)
    if len(raw) > MAX_LINE_CHARS:
        line.problem("unparsed", _("Too long to be one signatory: is it a paragraph?"))
        return line
    text = BULLET_RE.sub("", raw.strip())
    number = NUMBER_RE.match(text)
    if number:
        line.number = int(number.group(1))
        text = text[number.end() :]
    # A cell a spreadsheet escaped with an apostrophe so as not to run a formula: one comes off,
    # as Cosign's own exports put one on.
    text = display_text_tidy(formula_restore(text))
    head, comma, last = text.rpartition(",")
    if comma and head.strip(" ,"):
        line.country = country_resolve(last)
        if not line.country:
            line.problem("country_unknown", _("Unknown country: “%(c)s”.") % {"c": last.strip()})
        text = head.strip(" ,")
    else:
        line.problem("country_missing", _("No country."), blocking=False)
    if kind == Signature.Kind.ORGANIZATION:
        acronym = ACRONYM_RE.match(text)
        if acronym:
            text, line.acronym = acronym.group("name").rstrip(" ,"), acronym.group("acronym")
        line.name = text
    else:
        parts = [p.strip() for p in text.split(",")]
        line.name, rest = parts[0], parts[1:]
        if rest:
            line.title = rest.pop(0)
        extra = "party" if kind == Signature.Kind.MP else "affiliation"
        setattr(line, extra, ", ".join(rest))
    return _check(line)


def _check(line: ImportLine) -> ImportLine:
    # Kept as written, less a bidi control left open, which would turn the list around it.
    for name in ("name", "acronym", "title", "affiliation", "party", "parliament"):
        setattr(line, name, bidi_balance(getattr(line, name)))
    if CONTROL_RE.search(line.name) or not name_normalize(line.name):
        line.problem("unparsed", _("No name could be read on this line."))
    placeholders = find_placeholders(line.raw) if "[" in line.raw else []
    if placeholders:
        line.problem(
            "placeholder",
            _("A placeholder to fill in, not a signatory: %(found)s.")
            % {"found": ", ".join(dict.fromkeys(placeholders))},
            keepable=True,
        )
    for name in ("name", "acronym", "title", "affiliation", "party", "parliament"):
        model_field = cast(CharField, Signature._meta.get_field(name))  # a column of text
        limit = cast(int, model_field.max_length)  # each of these has one
        if len(getattr(line, name)) > limit:
            line.problem(
                "unparsed",
                _("The %(field)s is longer than %(n)s characters.")
                % {"field": model_field.verbose_name, "n": limit},
            )
    return line
