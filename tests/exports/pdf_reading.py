"""The text a reader's tools take out of a PDF: pypdf (what Python scripts and many search
indexes use), which must give every name back exactly as written, and poppler's
`pdftotext -raw` (what Linux viewers and desktop search use), which may only add spaces between
glyphs."""

import io
import re
import subprocess
import unicodedata

from pypdf import PdfReader

# A name with coeng (subscript) consonants and pre-base vowels.
KHMER_COENG = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
# A name with the sign ៊ (U+17CA) before an upper vowel, drawn like ុ, and ិ drawn to the right
# of its consonant.
KHMER_TRIISAP = "សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា"
KHMER_SWITZERLAND = "ស្វ៊ីស"
FRENCH_CURLY = "Fédération « Élan » des Œuvres d’Entraide “Solidarité”"
# Between them, every dependent vowel (ិ ី ឹ ឺ ើ ែ ៃ ោ ៅ ុំ ាំ among them), above and below
# marks set off their consonant to the left and to the right, and the signs ៉ ័ ់ ៍ ៈ.
KHMER_VOWELS = (
    "វិទ្យាស្ថានសេរីភាពនៅស្រែ",
    "សមាគមទឹកស្អាតឃុំកោះ",
    "អង្គការដៃគូគាំទ្រអ្នកជំងឺ",
    "បណ្ដាញយុវជនដើម្បីការកើតថ្មី",
    "ការិយាល័យប្រឹក្សាយុវជន",
    "សហគមន៍ ម៉ែន សុភ័ក្ត្រ",
    "ក្រុមសិល្បៈខ្មែរ រស់នៅព្រៃវែង",
    "សមាគមអ្នកជឿវៀតណាមនៅសួនច្បារ",
)
# The names every PDF test signs with. With a space in a Khmer name, pypdf measures gaps in the
# Khmer font against the width of its space glyph (0.26 em) rather than that of a glyph that
# happens to have code 32.
SIGNATORY_NAMES = (KHMER_COENG, KHMER_TRIISAP, KHMER_SWITZERLAND, FRENCH_CURLY, *KHMER_VOWELS)


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdftotext_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                            capture_output=True, check=True, timeout=60)  # fmt: skip
    return result.stdout.decode()


def reads_exactly(text: str, expected: str) -> bool:
    """`expected` (NFC) is in `text` as written: no character added, dropped or changed."""
    return unicodedata.normalize("NFC", expected) in unicodedata.normalize("NFC", text)


def reads_with_added_spaces(text: str, expected: str) -> bool:
    """`expected` (NFC) is in `text`, character for character, with at most spaces added."""
    expected = unicodedata.normalize("NFC", expected)
    pattern = r"[ \t]*".join(re.escape(c) for c in expected if not c.isspace() or c == " ")
    return re.search(pattern, unicodedata.normalize("NFC", text)) is not None


def unreadable(pdf: bytes, expected: list[str]) -> list[tuple[str, str]]:
    """(tool, line) for each of the `expected` lines that a tool does not read back from `pdf`:
    pypdf exactly, `pdftotext -raw` with at most spaces added."""
    pypdf, poppler = pypdf_text(pdf), pdftotext_text(pdf)
    return [("pypdf", line) for line in expected if not reads_exactly(pypdf, line)] + [
        ("pdftotext", line) for line in expected if not reads_with_added_spaces(poppler, line)
    ]


def fonts_of(pdf: bytes) -> list[tuple[str, str]]:
    """(font name without its subset tag, "yes" if embedded) for each font pdffonts lists."""
    result = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True,
                            timeout=60)  # fmt: skip
    rows = [line.split() for line in result.stdout.decode().splitlines()[2:]]
    return [(row[0].split("+", 1)[-1], row[-5]) for row in rows]


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    result = subprocess.run([tool, *args, "-", *(["-"] if tool == "pdftotext" else [])],
                            input=pdf, capture_output=True, check=True, timeout=60)  # fmt: skip
    return result.stdout.decode()


def text_of(pdf: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return poppler("pdftotext", pdf, "-raw", "-enc", "UTF-8", *pages)
