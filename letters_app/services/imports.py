"""Importing an existing list of signatories: read a paste or an upload, parse every line, preview
it against the letter, and on confirmation add the signatures in one transaction.

Imported signatures carry no e-mail address: `email` is empty, which Django's mailers skip (a
message to nobody is not sent), and `email_normalized` holds `imported:<32 hex digits>`, which
cannot be a normalized address (those always hold an "@"). The constraint "one signature per
address and letter" stays what it was for real addresses, and each imported row is distinct."""

import csv
import dataclasses
import functools
import io
import re
import secrets
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_countries import countries

from letters_app.cache import letter_page_forget
from letters_app.countries import country_resolve
from letters_app.exports.signatures import formula_restore
from letters_app.fixtures_data.letter_templates import LETTER_TEMPLATES
from letters_app.models import Letter, Signature
from letters_app.models.signatures import signatory_line
from letters_app.rendering import SIGNATORY_FIELDS, signatory_lines
from letters_app.services.audit import audit_record
from letters_app.services.letters import find_placeholders
from letters_app.services.signatures import (
    ACCEPTS,
    COUNT_FIELDS,
    display_text_tidy,
    insert_fields,
    name_normalize,
)

MAX_BYTES = 5 * 1024 * 1024  # an upload, or a paste
MAX_LINES = 20_000
MAX_LINE_CHARS = 1_000
MAX_COLUMNS = 20  # read from an upload; the rest of a wide sheet is ignored
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024  # all entries of the zip together
MAX_XLSX_RATIO = 100  # uncompressed over compressed, per entry: more is a zip bomb
MAX_XLSX_ENTRIES = 1_000
IMPORTED_PREFIX = "imported:"
S = Signature.Status

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
    "parliament": {"parliament", "parlement"},
}


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


@dataclass
class PreviewRow:
    line: ImportLine
    country_name: str  # in the interface's language: how Cosign read the list
    listed: str  # as the letter's public list will show it, in the letter's language; "" if skipped


@dataclass
class ImportPreview:
    lines: list[ImportLine]
    language: str = ""  # the letter's: the language its list is written in

    @functools.cached_property
    def rows(self) -> list[PreviewRow]:
        """Each line beside its country's name and its line on the public list, which is in the
        letter's language whatever the interface's. Each country's name is looked up once."""
        importable = self.importable
        listed = iter(signatory_lines([line.signatory_row() for line in importable],
                                      self.language or translation.get_language()))  # fmt: skip
        names: dict[str, str] = {"": ""}
        rows = []
        for line in self.lines:
            if line.country not in names:
                names[line.country] = str(countries.name(line.country))
            text = next(listed) if line.importable else ""
            rows.append(PreviewRow(line=line, country_name=names[line.country], listed=text))
        return rows

    @property
    def importable(self) -> list[ImportLine]:
        return [line for line in self.lines if line.importable]

    @property
    def skipped(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.importable]

    @property
    def with_problems(self) -> list[ImportLine]:
        """The lines to look at before confirming, in the list's order."""
        return [line for line in self.lines if line.problems]

    @property
    def keepable(self) -> list[ImportLine]:
        return [line for line in self.lines if line.keepable]


@dataclass
class ImportResult:
    created: int
    skipped: list[ImportLine]


# --- reading ---------------------------------------------------------------------------------


def import_text_check(text: str) -> None:
    """Refuse a paste that is too big to read (ValidationError)."""
    if len(text) > MAX_BYTES:
        raise ValidationError(
            _("The list is too long: at most %(mb)s MB at once. Split it in parts.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    if text.count("\n") >= MAX_LINES:
        raise ValidationError(_lines_message(), code="too_many_lines")


def _lines_message() -> str:
    return _("The list has more than %(n)s lines. Import it in parts.") % {
        "n": number_format(MAX_LINES, force_grouping=True)
    }


def import_read_file(upload) -> list[list[str]]:
    """The rows of an uploaded CSV or XLSX file, first sheet only, as text cells. Refuses
    (ValidationError with a message for the coordinator) a file too big, with too many rows,
    not UTF-8, not a spreadsheet, or a zip that would unpack to far more than it weighs."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is too big (%(size)s MB): at most %(mb)s MB. Split it in parts.")
            % {"size": f"{upload.size / (1024 * 1024):.0f}", "mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(upload)
    return _read_csv(upload.read(MAX_BYTES + 1))


def _read_csv(data: bytes) -> list[list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(_encoding_message(), code="encoding")
    if b"\x00" in data:
        raise ValidationError(
            _("This file is not a CSV or XLSX file. Save the list as CSV (UTF-8) or XLSX."),
            code="not_text",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_encoding_message(), code="encoding") from None
    import_text_check(text)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row[:MAX_COLUMNS] for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise ValidationError(
            _("This CSV file cannot be read: %(error)s.") % {"error": exc}, code="csv"
        ) from None
    return rows


def _encoding_message() -> str:
    return _(
        "This file is not in UTF-8, the only text encoding Cosign reads. In your spreadsheet, "
        "save it as “CSV UTF-8”, or as XLSX."
    )


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _("This file is not an XLSX spreadsheet Cosign can read. Save it again as XLSX or CSV."),
        code="not_xlsx",
    )


def _read_xlsx(upload) -> list[list[str]]:
    # Checked before openpyxl unpacks anything: a few kilobytes can hold gigabytes of zeros.
    try:
        archive = zipfile.ZipFile(upload)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_xlsx() from None
    total = sum(e.file_size for e in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
    if len(entries) > MAX_XLSX_ENTRIES or total > MAX_XLSX_UNCOMPRESSED or ratio > MAX_XLSX_RATIO:
        raise ValidationError(
            _(
                "This spreadsheet would unpack to far more than it weighs: Cosign does not "
                "open it. Save the list again as XLSX or CSV."
            ),
            code="zip_bomb",
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise _not_xlsx()
    from openpyxl import load_workbook  # loaded by the one path that needs it

    upload.seek(0)
    rows = []
    try:
        workbook = load_workbook(upload, read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                if len(rows) >= MAX_LINES:
                    raise ValidationError(_lines_message(), code="too_many_lines")
                rows.append(["" if v is None else str(v) for v in row])
        finally:
            workbook.close()
    except ValidationError:
        raise
    except Exception:  # openpyxl raises whatever its parsers met: all mean "not readable"
        raise _not_xlsx() from None
    return rows


# --- parsing ---------------------------------------------------------------------------------


def import_parse(source: dict, *, kind: str = Signature.Kind.ORGANIZATION) -> list[ImportLine]:
    """Every line of `{"text": …}` (a paste) or `{"rows": [[…], …]}` (a file) as Cosign reads
    it, with its problems. Pure: reads and writes nothing."""
    if "text" in source:
        return [
            _parse_line(position, raw, kind)
            for position, raw in enumerate(source["text"].splitlines(), start=1)
            if raw.strip()
        ]
    rows = source["rows"]
    columns = _header_columns(rows[0]) if rows else None
    if columns is None:  # no header: each row is a line of the list, cut into cells
        return [
            _parse_line(position, ", ".join(c.strip() for c in row if c.strip()), kind)
            for position, row in enumerate(rows, start=1)
            if any(c.strip() for c in row)
        ]
    return [
        _parse_row(position, row, columns, kind)
        for position, row in enumerate(rows[1:], start=2)
        if any(c.strip() for c in row)
    ]


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
    def get(name):
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
        limit = Signature._meta.get_field(name).max_length
        if len(getattr(line, name)) > limit:
            line.problem(
                "unparsed",
                _("The %(field)s is longer than %(n)s characters.")
                % {"field": Signature._meta.get_field(name).verbose_name, "n": limit},
            )
    return line


# --- preview and confirm -----------------------------------------------------------------------

DUPLICATE_CODES = {"duplicate_existing", "duplicate_list", "acronym_shared"}
CHUNK = 500  # names per IN (…): SQLite takes no more than a few thousand parameters

# Lines pasted with a list that are no signatory: its heading, and the headings lists carry.
# Compared whole, as `heading_key` folds them, so an organization is never taken for one.
COMMON_HEADINGS = (
    "Signatories", "Signatory", "Signatory organizations", "Signatory organisations",
    "Signing organizations", "Signing organisations", "Signed", "Signed by", "Co-signed by",
    "Cosigned by", "Co-signatories", "Cosignatories", "Co-signers", "Cosigners",
    "Endorsed by", "Endorsements", "Endorsing organizations", "List of signatories",
    "The undersigned", "Undersigned", "Organizations", "Organisations", "Individuals",
    "Individual signatories", "Signataires", "Les signataires", "Liste des signataires",
    "Organisations signataires", "Signé par", "Signée par", "Cosignataires",
    "Co-signataires", "Particuliers", "អ្នកចុះហត្ថលេខា", "បញ្ជីអ្នកចុះហត្ថលេខា",
    *(template["signatory_heading"] for template in LETTER_TEMPLATES),
)  # fmt: skip
COLONS = ":：៖"  # Latin, full-width, Khmer


def heading_key(text: str) -> str:
    """A heading as compared: "SIGNATORIES :" as "signatories" (case, spaces, final colon, NFC)."""
    folded = unicodedata.normalize("NFC", " ".join(text.casefold().split()))
    return folded.rstrip(COLONS + " ")


@functools.cache
def _common_heading_keys() -> frozenset[str]:
    return frozenset(heading_key(heading) for heading in COMMON_HEADINGS)


def _letter_heading_keys(letter: Letter) -> frozenset[str]:
    """The letter's signatory heading and its translations' (one query)."""
    headings = [letter.signatory_heading]
    headings += letter.translations.values_list("signatory_heading", flat=True)
    return frozenset(heading_key(h) for h in headings) - {""}


def import_preview(
    *, letter: Letter, lines: list[ImportLine], keep: frozenset[int] = frozenset()
) -> ImportPreview:
    """The lines as the letter will take them. Skipped unless their position is in `keep`: a
    bracketed placeholder, a heading (the letter's, a translation's, or a common one), a line
    with no country in a list where most have one. Skipped for good: a duplicate of a signature
    the letter already has (same name, or same acronym of an organization), or of an earlier
    line. Worked out again from the lines at every call. Reads; writes nothing."""
    lines = [
        dataclasses.replace(line, kept=line.position in keep,
                            problems=[p for p in line.problems if p.code not in PREVIEW_CODES])
        for line in lines
    ]  # fmt: skip
    _not_signatories(letter, lines)
    existing_names, existing_acronyms = _existing(letter, lines)
    seen_names: dict[str, ImportLine] = {}
    seen_acronyms: dict[str, ImportLine] = {}
    for line in lines:
        if not line.importable:
            continue
        key = name_normalize(line.name)
        acronym = name_normalize(line.acronym)
        if key in existing_names:
            line.problem(
                "duplicate_existing",
                _("Already signed: %(line)s (%(status)s).") % existing_names[key],
            )
        elif key in seen_names:
            line.problem(
                "duplicate_list",
                _("Same name as line %(n)s: imported once.") % {"n": seen_names[key].position},
            )
        elif acronym and acronym in existing_acronyms:
            line.problem(
                "acronym_shared",
                _("Same acronym as %(line)s: imported, and flagged for a look.")
                % existing_acronyms[acronym],
                blocking=False,
            )
        elif acronym and acronym in seen_acronyms:
            line.problem(
                "acronym_shared",
                _("Same acronym as line %(n)s: imported, and flagged for a look.")
                % {"n": seen_acronyms[acronym].position},
                blocking=False,
            )
        if line.importable:
            seen_names.setdefault(key, line)
            if acronym:
                seen_acronyms.setdefault(acronym, line)
    return ImportPreview(lines=lines, language=letter.language)


PREVIEW_CODES = DUPLICATE_CODES | {"heading", "country_expected"}
NOT_NAMES = {"unparsed", "placeholder", "heading"}


def _not_signatories(letter: Letter, lines: list[ImportLine]) -> None:
    """Flag, in place, the headings, and the lines without a country in a list that has them."""
    own, common = _letter_heading_keys(letter), _common_heading_keys()
    for line in lines:
        if line.country:  # a line that ends with a country is no heading
            continue
        key = heading_key(BULLET_RE.sub("", line.raw.strip()))
        if key in own:
            line.problem("heading", _("The letter’s signatory heading, not a signatory."),
                         keepable=True)  # fmt: skip
        elif key in common:
            line.problem("heading", _("A heading, not a signatory."), keepable=True)
    readable, missing = 0, []
    for line in lines:
        if not line.problems:
            readable += 1
        elif any(p.code in NOT_NAMES for p in line.problems):  # "No country" would say nothing
            line.problems = [p for p in line.problems if p.code != "country_missing"]
        else:
            readable += 1
            if any(p.code == "country_missing" for p in line.problems):
                missing.append(line)
    if len(missing) * 2 >= readable:  # most lines have no country: none is expected
        return
    for line in missing:
        line.problems = [p for p in line.problems if p.code != "country_missing"]
        line.problem(
            "country_expected",
            _("No country, though the rest of the list gives one."),
            keepable=True,
        )


def _existing(letter: Letter, lines: list[ImportLine]) -> tuple[dict, dict]:
    """The letter's live signatures (not withdrawn or rejected) that share a name or an
    organization's acronym with a line, by normalized name and by normalized acronym."""
    names = sorted({name_normalize(line.name) for line in lines} - {""})
    acronyms = sorted({name_normalize(line.acronym) for line in lines} - {""})
    live = Signature.objects.filter(letter=letter).exclude(status__in=[S.WITHDRAWN, S.REJECTED])
    labels = dict(S.choices)
    by_name, by_acronym = {}, {}
    for field_name, values, found in (("name_normalized", names, by_name),
                                      ("acronym_normalized", acronyms, by_acronym)):  # fmt: skip
        for start in range(0, len(values), CHUNK):
            chunk = live.filter(**{f"{field_name}__in": values[start : start + CHUNK]})
            if field_name == "acronym_normalized":
                chunk = chunk.filter(kind=Signature.Kind.ORGANIZATION)
            for signature in chunk.order_by("id"):
                found.setdefault(
                    getattr(signature, field_name),
                    {"line": signature.display_line, "status": labels[signature.status]},
                )
    return by_name, by_acronym


def import_refusal(letter: Letter, kind: str) -> str:
    """Why this letter takes no import (of this kind) now, or ""."""
    if letter.status in Letter.FROZEN:
        return _("The letter is finalized: its list of signatories can no longer change.")
    if not getattr(letter, ACCEPTS.get(kind, ""), False):
        return _("This letter does not take signatures of this kind.")
    return ""


@transaction.atomic
def import_confirm(
    *, letter: Letter, lines: list[ImportLine], actor, keep: frozenset[int] = frozenset()
) -> ImportResult:
    """Add every importable line as a listed signature marked as imported by `actor`, in one
    transaction; lines with a blocking problem are skipped and returned, unless the problem may
    be overruled and the line's position is in `keep` (see `import_preview`). Counts the
    letter's signatories and writes one audit row."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)  # one import at a time
    kinds = {line.kind for line in lines}
    for kind in kinds:
        refusal = import_refusal(letter, kind)
        if refusal:
            raise ValidationError(refusal, code="refused")
    # Checked again under the lock: a double click, or a colleague's import, adds nothing twice.
    preview = import_preview(letter=letter, lines=lines, keep=keep)
    now = timezone.now()
    status = S.APPROVED if letter.requires_approval else S.CONFIRMED
    signatures = [_signature(letter, line, actor=actor, status=status, now=now)
                  for line in preview.importable]  # fmt: skip
    # Listed last, in the list's order, numbered on from the letter's total (read under its
    # lock); they share published_at, and their ids are given in the same order.
    for number, signature in enumerate(signatures, start=letter.signature_count + 1):
        signature.number = number
    _signatures_insert(signatures)
    counts = {}
    for signature in signatures:
        field_name = COUNT_FIELDS[signature.kind]
        counts[field_name] = counts.get(field_name, 0) + 1
    if counts:
        Letter.objects.filter(pk=letter.pk).update(
            **{name: F(name) + n for name, n in counts.items()}
        )
    if signatures:
        letter_page_forget(letter.slug)
    kept = sum(1 for line in preview.importable if line.kept and line.keepable)
    audit_record(
        letter=letter,
        actor=actor,
        action="signatures.imported",
        imported=len(signatures),
        skipped=len(preview.skipped),
        **({"kept": kept} if kept else {}),  # flagged lines the coordinator chose to add
    )
    return ImportResult(created=len(signatures), skipped=preview.skipped)


def _signatures_insert(signatures: list[Signature]) -> None:
    """Signature.objects.bulk_create(signatures), by COPY on PostgreSQL, in the list's order:
    building one INSERT of ten thousand rows of thirty-odd columns took longer than storing them.
    The values are those save() writes."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = insert_fields()
    if db.vendor != "postgresql" or fields is None:
        Signature.objects.bulk_create(signatures, batch_size=1000)
        return
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        db.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {quote(Signature._meta.db_table)} ({columns}) FROM STDIN"  # names from the model
        ) as copy,
    ):
        for signature in signatures:
            copy.write_row([f.get_db_prep_save(f.pre_save(signature, True), db) for f in fields])


def _signature(letter: Letter, line: ImportLine, *, actor, status: str, now) -> Signature:
    """A listed signature for this line: what `signature_confirm` and `_publish` would leave,
    with no e-mail address (see the module's docstring)."""
    shared = [p.message for p in line.problems if p.code == "acronym_shared"]
    signature = Signature(
        letter=letter,
        status=status,
        is_public=True,
        consent_public=True,  # the coordinator lists the names their signatories agreed to show
        email="",
        email_normalized=f"{IMPORTED_PREFIX}{uuid.uuid4().hex}",
        email_domain="",
        secret=secrets.token_hex(16),
        imported_by=actor,
        version=letter.version,
        confirmed_at=now,
        published_at=now,
        is_flagged=bool(shared),
        flag_reason=" ".join(shared)[:300],
        name_normalized=name_normalize(line.name),
        acronym_normalized=name_normalize(line.acronym),
        **line.fields(),
    )
    # Left out: the address, on purpose; the country, a code the parser took from the list;
    # the letter and the actor, known to exist (checking costs a query a row).
    signature.full_clean(
        exclude=["letter", "country", "email", "imported_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return signature
