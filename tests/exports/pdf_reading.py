"""The text a reader's tools take out of a PDF: pypdf (what Python scripts and many search
indexes use) and poppler's `pdftotext -raw` (what Linux viewers and desktop search use), and a
check that a name is in it as written, allowing only spaces that the tools add between glyphs."""

import io
import re
import subprocess
import unicodedata

from pypdf import PdfReader

# A name with coeng (subscript) consonants and pre-base vowels.
KHMER_COENG = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
# A name with the sign ៊ (U+17CA) before an upper vowel, drawn like ុ.
KHMER_TRIISAP = "សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា"
KHMER_SWITZERLAND = "ស្វ៊ីស"
FRENCH_CURLY = "Fédération « Élan » des Œuvres d’Entraide “Solidarité”"


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdftotext_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                            capture_output=True, check=True, timeout=60)  # fmt: skip
    return result.stdout.decode()


def reads_as(text: str, name: str) -> bool:
    """`name` (NFC) is in `text`, character for character, with at most spaces added."""
    name = unicodedata.normalize("NFC", name)
    pattern = r"[ \t]*".join(re.escape(c) for c in name if not c.isspace() or c == " ")
    return re.search(pattern, unicodedata.normalize("NFC", text)) is not None


def fonts_of(pdf: bytes) -> list[tuple[str, str]]:
    """(font name without its subset tag, "yes" if embedded) for each font pdffonts lists."""
    result = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True,
                            timeout=60)  # fmt: skip
    rows = [line.split() for line in result.stdout.decode().splitlines()[2:]]
    return [(row[0].split("+", 1)[-1], row[-5]) for row in rows]
