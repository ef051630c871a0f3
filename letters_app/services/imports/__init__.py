"""Importing an existing list of signatories: read a paste or an upload (`reading`), parse every
line (`parsing`), preview it against the letter (`preview`), and on confirmation add the
signatures in one transaction (`confirm`)."""

from letters_app.countries import country_resolve
from letters_app.services.imports.confirm import (
    IMPORTED_PREFIX,
    ImportResult,
    import_confirm,
    import_refusal,
)
from letters_app.services.imports.parsing import MAX_LINE_CHARS, ImportLine, Problem, import_parse
from letters_app.services.imports.preview import (
    COMMON_HEADINGS,
    ImportPreview,
    PreviewRow,
    heading_key,
    import_preview,
    import_preview_partners,
)
from letters_app.services.imports.reading import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_LINES,
    import_read_file,
    import_text_check,
)

__all__ = [
    "COMMON_HEADINGS",
    "IMPORTED_PREFIX",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_LINE_CHARS",
    "MAX_LINES",
    "ImportLine",
    "ImportPreview",
    "ImportResult",
    "PreviewRow",
    "Problem",
    "country_resolve",
    "heading_key",
    "import_confirm",
    "import_parse",
    "import_preview",
    "import_preview_partners",
    "import_read_file",
    "import_refusal",
    "import_text_check",
]
