"""Reading a list of signatories as it comes: a paste, or the rows of an uploaded CSV or XLSX file,
refused (with a message for the coordinator) when it is too big or not what it says it is."""

import csv
import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024  # an upload, or a paste
MAX_LINES = 20_000
MAX_COLUMNS = 20  # read from an upload; the rest of a wide sheet is ignored
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024  # all entries of the zip together
MAX_XLSX_RATIO = 100  # uncompressed over compressed, per entry: more is a zip bomb
MAX_XLSX_ENTRIES = 1_000


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


def import_read_file(upload: File) -> list[list[str]]:
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


def _read_xlsx(upload: File) -> list[list[str]]:
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
    rows: list[list[str]] = []
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
