"""A letter's signatories, or every letter's for an admin, as CSV, XLSX, JSON, PDF and the
numbered text the seed letters use (`12. Association TEP NIMITH (ATN), France`).

One row generator, `signature_rows`, reads the chosen columns with `values_list` and
`iterator(chunk_size=…)` (a server-side cursor on PostgreSQL), and one writer per format takes its
rows: memory stays flat however long the list is. CSV, JSON and text are generators of bytes for a
`StreamingHttpResponse` (on PostgreSQL the CSV comes from the server's own `COPY (SELECT …) TO
STDOUT`, byte for byte what the Python writer makes: `csv_copy_stream`). XLSX is openpyxl's
write-only workbook into a file; the PDF is WeasyPrint's, for lists short enough to lay out in a
request (`PDF_MAX_ROWS`).

Spreadsheets: a value typed by a person that a spreadsheet would read as a formula (it begins with
=, +, -, @, |, %, a tab, CR or NUL) is written with a leading apostrophe, in CSV and XLSX alike, and
`formula_restore` takes it off again, so that an exported list re-imports byte for byte.
"""

import csv
import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, cast

from django.conf import settings
from django.db import connections
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When, Window
from django.db.models.functions import Concat, Left, NullIf, RowNumber
from django.db.models.lookups import In, Regex
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from letters_app.exports.letter_pdf import FONTS_STYLESHEET, write_pdf
from letters_app.models import Letter, Signature

CHUNK_ROWS = 2_000  # rows fetched per round trip, and written per chunk of the stream
PDF_MAX_ROWS = 5_000  # WeasyPrint lays out 5,000 lines in about 10 s (bench/pdf.py)
TEXT_PREVIEW_ROWS = 1_000  # lines shown on the export page to copy

# Told the number of rows written so far, every CHUNK_ROWS rows: an export job's progress.
Progress = Callable[[int], None] | None

FORMATS = {
    "csv": ("text/csv; charset=utf-8; header=present", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json; charset=utf-8", "json"),
    "pdf": ("application/pdf", "pdf"),
    "txt": ("text/plain; charset=utf-8", "txt"),
}
FORMAT_CHOICES = [
    ("csv", _("CSV (spreadsheets, other tools)")),
    ("xlsx", _("Excel workbook (XLSX)")),
    ("json", _("JSON")),
    ("pdf", _("PDF: the numbered list")),
    ("txt", _("Text: the numbered list, to copy")),
]
# Formats anyone may take of a public list: streamed, cheap. XLSX and PDF cost seconds of a
# worker, so only the letter's coordinators and admins make them.
OPEN_FORMATS = ("csv", "json", "txt")


# --- formulas --------------------------------------------------------------------------------

# The characters that make Excel, LibreOffice or Google Sheets read a cell beginning with one as
# a formula (OWASP's list, and defusedcsv's | and %): the one list the exports neutralize (in
# Python and in SQL) and the import restores.
FORMULA_START = "=+-@\t\r\0|%"
# After any apostrophes: "'=x" gets one more, so that taking one off gives back what was written.
_FORMULA = re.compile(f"'*[{re.escape(FORMULA_START)}]")
_FIRST = frozenset(FORMULA_START + "'")


def formula_neutralize(value: str) -> str:
    """The value as a spreadsheet shows it as text: with a leading apostrophe if it could be read
    as a formula."""
    return "'" + value if value and value[0] in _FIRST and _FORMULA.match(value) else value


def formula_restore(value: str) -> str:
    """What `formula_neutralize` was given: for importing an exported list."""
    return value[1:] if value[:1] == "'" and _FORMULA.match(value, 1) else value


# --- columns and rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    field: str | None = None  # what values_list reads; None: computed here
    typed: bool = False  # typed by a person: neutralized in spreadsheets


LETTER_COLUMN = Column("letter", "letter__slug")
PUBLIC_COLUMNS = (
    Column("n"),
    Column("kind", "kind"),
    Column("name", "name", typed=True),
    Column("acronym", "acronym", typed=True),
    Column("organization_type", "organization_type"),
    Column("title", "title", typed=True),
    Column("affiliation", "affiliation", typed=True),
    Column("party", "party", typed=True),
    Column("parliament", "parliament", typed=True),
    Column("country", "country"),
    Column("country_name"),
    Column("website", "website", typed=True),
    Column("version", "version"),
    Column("published_at", "published_at"),
)
# For the letter's coordinators and admins only: e-mail, contact person, IP-derived data.
PRIVATE_COLUMNS = (
    Column("id", "id"),
    Column("status", "status"),
    Column("is_public", "is_public"),
    Column("consent_public", "consent_public"),
    Column("email", "email", typed=True),
    Column("contact_name", "contact_name", typed=True),
    Column("contact_role", "contact_role", typed=True),
    Column("email_domain", "email_domain", typed=True),
    Column("ip_address", "ip_address"),
    Column("is_flagged", "is_flagged"),
    Column("flag_reason", "flag_reason", typed=True),
    Column("imported_by", "imported_by__username", typed=True),
    Column("created_at", "created_at"),
    Column("confirmed_at", "confirmed_at"),
    Column("withdrawn_at", "withdrawn_at"),
)
DATETIME_KEYS = frozenset({
    "published_at", "created_at", "confirmed_at", "withdrawn_at",
    # a partner's steps (exports/partners.py)
    "invited_at", "mail_failed_at", "opened_at", "signed_at", "declined_at", "unsubscribed_at",
})  # fmt: skip


def export_columns(*, private: bool, across_letters: bool = False) -> tuple[Column, ...]:
    columns = PUBLIC_COLUMNS + (PRIVATE_COLUMNS if private else ())
    return (columns[0], LETTER_COLUMN, *columns[1:]) if across_letters else columns


def column_keys(columns: Iterable[Column]) -> list[str]:
    return [c.key for c in columns]


def signature_rows(
    queryset: QuerySet[Signature], columns: tuple[Column, ...], progress: Progress = None
) -> Iterator[list]:
    """One list per signature, in `columns`' order and the queryset's: `n` counts from 1, times
    are ISO 8601 in UTC, a missing value is None. Reads CHUNK_ROWS at a time (on PostgreSQL a
    server-side cursor), so memory stays flat. Each list is new: a writer may change it."""
    fields = [c.field for c in columns if c.field]
    keys = [c.key for c in columns if c.field]
    datetimes = [i + 1 for i, key in enumerate(keys) if key in DATETIME_KEYS]
    country = keys.index("country") + 2 if "country" in keys else None
    names: dict[str, str] = {"": ""}
    rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS)
    for n, values in enumerate(rows, start=1):
        if progress is not None and n % CHUNK_ROWS == 1 and n > 1:
            progress(n - 1)
        row = [n, *values]
        for i in datetimes:
            if row[i] is not None:
                # Stored and read in UTC (USE_TZ): no conversion to pay for.
                row[i] = row[i].isoformat(timespec="seconds")
        if country is not None:
            code = row[country - 1]
            name = names.get(code)
            if name is None:
                name = names[code] = str(countries.name(code))
            row.insert(country, name)
        yield row


def signature_lines(queryset: QuerySet[Signature], progress: Progress = None) -> Iterator[str]:
    """`12. Association TEP NIMITH (ATN), France`: the list as the seed letters number it, each
    line in its letter's language as the letter's own list and PDF write it (country names, "Member
    of Parliament")."""
    fields = ("kind", "name", "acronym", "title", "affiliation", "party", "parliament", "country")
    signatures = (
        queryset.select_related("letter")
        .only(*fields, "letter__language")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        for n, signature in enumerate(signatures, start=1):
            if progress is not None and n % CHUNK_ROWS == 1 and n > 1:
                progress(n - 1)
            if signature.letter.language != language:  # a list is mostly of one letter
                language = signature.letter.language
                translation.activate(language)
            yield f"{n}. {signature.display_line}"


# --- what to export --------------------------------------------------------------------------


def signature_queryset(
    *,
    letters: Iterable[Letter] | None = None,
    private: bool,
    status: Iterable[str] = (),
    kind: Iterable[str] = (),
    country: Iterable[str] = (),
    signed_from=None,
    signed_before=None,
    version: int | None = None,
) -> QuerySet[Signature]:
    """The signatures to export, in list order (letter by letter across letters). A public export
    holds the public list only; a private one every signature, whatever its status."""
    qs = Signature.objects.all()
    if letters is not None:
        qs = qs.filter(letter__in=list(letters))
    if not private:
        qs = qs.filter(is_public=True)
    if status:
        qs = qs.filter(status__in=list(status))
    if kind:
        qs = qs.filter(kind__in=list(kind))
    if country:
        qs = qs.filter(country__in=list(country))
    if signed_from is not None:
        qs = qs.filter(created_at__gte=signed_from)
    if signed_before is not None:
        qs = qs.filter(created_at__lt=signed_before)
    if version is not None:
        qs = qs.filter(version=version)
    return qs.order_by(*LIST_ORDER)


# The public list's order (and its partial index); signatures never listed come last.
LIST_ORDER = (F("letter_id").asc(), F("published_at").asc(nulls_last=True), F("id").asc())


def signature_filtered(
    filters: dict, *, letters: Iterable[Letter] | None, private: bool
) -> QuerySet[Signature]:
    """The signatures an export's `filters` name, as `SignatureExportForm.filters()` gives them
    (JSON: lists of statuses, kinds and country codes; days signed from and to, as ISO dates; the
    text version), from these letters (all without)."""
    start, end = filters.get("signed_from"), filters.get("signed_to")
    return signature_queryset(
        letters=letters,
        private=private,
        status=filters.get("status", ()),
        kind=filters.get("kind", ()),
        country=filters.get("country", ()),
        signed_from=_day_start(datetime.date.fromisoformat(start)) if start else None,
        signed_before=_day_start(datetime.date.fromisoformat(end), days=1) if end else None,
        version=filters.get("version"),
    )


def _day_start(day: datetime.date, *, days: int = 0) -> datetime.datetime:
    """Midnight starting `day` (plus `days`) where the site is."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), None) + (
        datetime.timedelta(days=days)
    )


# --- writers ---------------------------------------------------------------------------------


def _spreadsheet_rows(rows: Iterable[list], columns: tuple[Column, ...]) -> Iterator[list]:
    typed = [i for i, c in enumerate(columns) if c.typed]
    for row in rows:
        for i in typed:
            value = row[i]
            if value and value[0] in _FIRST:
                row[i] = formula_neutralize(value)
        yield row


class _Lines:
    """A file for csv.writer that keeps what it is given until taken."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        text, self.parts = "".join(self.parts), []
        return text.encode()


def csv_stream(
    queryset, columns: tuple[Column, ...], *, bom: bool = False, progress: Progress = None
) -> Iterator[bytes]:
    """The CSV export: PostgreSQL's COPY where there is one, else Python's writer: same bytes.
    Progress is written on the export's own connection, which a COPY holds to its end: with
    `progress`, Python's writer."""
    if connections[queryset.db].vendor == "postgresql" and progress is None:
        return csv_copy_stream(queryset, columns, bom=bom)
    return csv_python_stream(queryset, columns, bom=bom, progress=progress)


def _csv_header(columns: tuple[Column, ...], *, bom: bool) -> bytes:
    out = _Lines()
    if bom:
        out.write("\ufeff")
    csv.writer(out, dialect="excel").writerow(column_keys(columns))
    return out.take()


def csv_python_stream(
    queryset, columns: tuple[Column, ...], *, bom: bool = False, progress: Progress = None
) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8 (CRLF, quotes doubled, a field quoted when it holds a comma, a quote
    or a line break), in chunks of CHUNK_ROWS rows. Formulas are neutralized by
    `formula_neutralize`: every value defusedcsv would change and tab, CR and NUL too, in a way
    that can be undone (defusedcsv's writer escapes | inside a value, which cannot), and only in
    the columns people type, which keeps the export within twice the time of PostgreSQL's COPY."""
    out = _Lines()
    writer = csv.writer(out, dialect="excel")
    yield _csv_header(columns, bom=bom)
    chunk = []
    for row in _spreadsheet_rows(signature_rows(queryset, columns, progress), columns):
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            writer.writerows(chunk)
            chunk.clear()
            yield out.take()
    writer.writerows(chunk)
    yield out.take()


# --- CSV by PostgreSQL's COPY ----------------------------------------------------------------

# `formula_neutralize` in SQL (PostgreSQL text holds no NUL, the one character left out); the
# first character is compared before the pattern is tried, which halves the cost.
_FORMULA_SQL = "^'*[" + "".join(sorted(set(FORMULA_START) - {"\0", "-"})) + "-]"  # "-" last
_FIRST_SQL = sorted(_FIRST - {"\0"})
_BOOLEAN_KEYS = frozenset({"is_public", "consent_public", "is_flagged"})
_VERBATIM_KEYS = frozenset({"id", "version", "ip_address"})  # COPY writes them as Python does


class _IsoUtc(Func):
    """`datetime.isoformat(timespec="seconds")` of a time read in UTC."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    output_field = CharField()


class _JsonGet(Func):
    """`mapping ->> key`: one lookup in a constant the planner parses once."""

    template = "(%(expressions)s)"
    arg_joiner = "::jsonb ->> "
    output_field = CharField()


def _copy_expression(column: Column, order):
    """The column as text the way the Python writer puts it: an empty string as NULL (which COPY
    writes as nothing, where it would quote ""), True/False, formulas neutralized."""
    if column.key == "n":
        return Window(RowNumber(), order_by=order)
    if column.key == "country_name":
        names = {code: str(countries.name(code)) for code, _name in countries}
        return NullIf(_JsonGet(Value(json.dumps(names)), F("country")), Value(""))
    name = cast(str, column.field)  # only the number and the country's name have none
    field = F(name)
    if column.key in DATETIME_KEYS:
        return _IsoUtc(field)
    if column.key in _BOOLEAN_KEYS:
        return Case(When(**{name: True}, then=Value("True")), default=Value("False"))
    if column.key in _VERBATIM_KEYS:
        return field
    text = NullIf(field, Value(""))
    if column.typed:
        neutralized = Concat(Value("'"), field, output_field=CharField())
        formula = Q(In(Left(field, 1), _FIRST_SQL)) & Q(Regex(field, _FORMULA_SQL))
        return Case(When(formula, then=neutralized), default=text, output_field=CharField())
    return text


def copy_sql(queryset, columns: tuple[Column, ...]) -> str:
    """`COPY (SELECT …) TO STDOUT` of the export's rows: the queryset's filters and order, every
    value already as text, parameters inlined by the driver's own quoting."""
    order = list(queryset.query.order_by)
    names = {f"_c{i}": _copy_expression(c, order) for i, c in enumerate(columns)}
    select = queryset.annotate(**names).values_list(*names)
    sql, params = select.query.sql_with_params()
    connection = connections[queryset.db]
    # COPY is PostgreSQL's, and so is compose_sql: the export takes this path only there.
    composed = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
    return f"COPY ({composed}) TO STDOUT (FORMAT csv)"


def _crlf(data: bytes, quoted: bool) -> tuple[bytes, bool]:
    """COPY ends a record with LF, Python's writer (and RFC 4180) with CRLF: every LF outside
    quotes becomes CRLF; a line break inside a quoted value stays as it is. `quoted`: whether
    `data` begins inside quotes; returned for the data that follows."""
    if b'"' not in data:
        return (data if quoted else data.replace(b"\n", b"\r\n")), quoted
    parts = data.split(b'"')
    for i in range(1 if quoted else 0, len(parts), 2):
        parts[i] = parts[i].replace(b"\n", b"\r\n")
    return b'"'.join(parts), quoted ^ (len(parts) % 2 == 0)


def csv_copy_stream(queryset, columns: tuple[Column, ...], *, bom: bool = False) -> Iterator[bytes]:
    """`csv_python_stream`'s bytes, made by PostgreSQL: about twice as fast, as flat in memory."""
    yield _csv_header(columns, bom=bom)
    connection = connections[queryset.db]
    sql = copy_sql(queryset, columns)
    quoted, blocks = False, []
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for block in copy:
            blocks.append(block)
            if len(blocks) == CHUNK_ROWS:
                data, quoted = _crlf(b"".join(blocks), quoted)
                blocks.clear()
                yield data
    if blocks:
        yield _crlf(b"".join(blocks), quoted)[0]


def json_stream(
    queryset, columns: tuple[Column, ...], progress: Progress = None
) -> Iterator[bytes]:
    """A JSON array of objects, one per signature, keys in column order; UTF-8 as it is."""
    keys = column_keys(columns)
    yield b"["
    separator = "\n"
    chunk = []
    for row in signature_rows(queryset, columns, progress):
        chunk.append(json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False))
        if len(chunk) == CHUNK_ROWS:
            yield (separator + ",\n".join(chunk)).encode()
            separator, chunk = ",\n", []
    if chunk:
        yield (separator + ",\n".join(chunk)).encode()
    yield b"\n]\n"


def text_stream(queryset, progress: Progress = None) -> Iterator[bytes]:
    chunk = []
    for line in signature_lines(queryset, progress):
        chunk.append(line)
        if len(chunk) == CHUNK_ROWS:
            yield ("\n".join(chunk) + "\n").encode()
            chunk = []
    if chunk:
        yield ("\n".join(chunk) + "\n").encode()


def xlsx_write(
    queryset, columns: tuple[Column, ...], fileobj: IO[bytes], *, title: str,
    progress: Progress = None,
) -> None:  # fmt: skip
    """One sheet, with openpyxl's write-only workbook: rows go to a temporary file as they come,
    never all in memory. openpyxl would store a string beginning with = as a formula: neutralized
    like CSV. Characters XML cannot hold (control characters) become U+FFFD."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.append(column_keys(columns))
    typed = [i for i, c in enumerate(columns) if c.typed]
    for row in _spreadsheet_rows(signature_rows(queryset, columns, progress), columns):
        for i in typed:
            if row[i] and ILLEGAL_CHARACTERS_RE.search(row[i]):
                row[i] = ILLEGAL_CHARACTERS_RE.sub("\ufffd", row[i])
        # An empty string is written as a cell of its own; None as no cell at all.
        sheet.append([None if value == "" else value for value in row])
    workbook.save(fileobj)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", " ", title).strip()[:31] or "Signatures"


def pdf_bytes(queryset, *, title: str) -> bytes:
    """The numbered list on A4, in the shipped faces (a Latin one first, then Khmer), read from
    local files only; every name reads back from the PDF as it was written."""
    context = {"title": title, "lines": list(signature_lines(queryset)), "made_at": timezone.now()}
    html = render_to_string("staff/signatures_pdf.html", context)
    return write_pdf(html, stylesheets=[FONTS_STYLESHEET])


def export_write(
    queryset, fileobj: IO[bytes], *, fmt: str, private: bool, across_letters=False, bom=False,
    title: str = "Signatures", progress: Progress = None,
) -> None:  # fmt: skip
    """The whole export into a binary file: for the command, the admin's actions and tasks."""
    columns = export_columns(private=private, across_letters=across_letters)
    if fmt == "xlsx":
        xlsx_write(queryset, columns, fileobj, title=title, progress=progress)
    elif fmt == "pdf":
        fileobj.write(pdf_bytes(queryset, title=title))
    else:
        stream = export_stream(queryset, fmt=fmt, columns=columns, bom=bom, progress=progress)
        for chunk in stream:
            fileobj.write(chunk)


def export_stream(
    queryset, *, fmt: str, columns, bom: bool = False, progress: Progress = None
) -> Iterator[bytes]:
    """The streamed formats: csv, json, txt."""
    if fmt == "csv":
        return csv_stream(queryset, columns, bom=bom, progress=progress)
    if fmt == "json":
        return json_stream(queryset, columns, progress)
    if fmt == "txt":
        return text_stream(queryset, progress)
    raise ValueError(f"{fmt} is not streamed")


def text_preview(queryset, limit: int = TEXT_PREVIEW_ROWS) -> tuple[str, bool]:
    """The first `limit` numbered lines, and whether there are more."""
    lines = list(signature_lines(queryset[: limit + 1]))
    return "\n".join(lines[:limit]), len(lines) > limit


def spooled_file() -> IO[bytes]:
    """Where a workbook is built: memory up to a few MB, then a temporary file."""
    import tempfile

    return tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
