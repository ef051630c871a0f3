"""The finalized letter as a PDF, from the same rendering as the page and the e-mails: the
letter's fragment (rendering.py) on A4 under a letterhead, the numbered signatory annex, and a
footer with the page number and the snapshot's SHA-256. Made by WeasyPrint in a Celery task
(services/deliveries.py, snapshot_pdf_make); it reads local static files and nothing else."""

import dataclasses
import functools
import statistics
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from letters_app.exports.pdf_text import khmer_text_exact
from letters_app.models import LetterSnapshot
from letters_app.rendering import LetterView, render_view_html, snapshot_view

STYLESHEET = "css/pdf.css"
# The faces of every PDF, from the files in static/fonts; the Khmer ones have their text layer
# made exact (pdf_text.py).
FONTS_STYLESHEET = "css/pdf-fonts.css"
KHMER_FONTS = (
    "fonts/NotoSerifKhmer-Regular.ttf",
    "fonts/NotoSerifKhmer-Bold.ttf",
    "fonts/NotoSansKhmer-Regular.ttf",
    "fonts/NotoSansKhmer-Bold.ttf",
)
# From this many signatories the annex starts on a page of its own.
ANNEX_PAGE_FROM = 30
# Two columns when the typical line fits one (about 40 characters at 9.5 pt) and the list is not
# too long: WeasyPrint 70 lays out the rest of a multi-column list again for every column of
# every page, so their cost grows with the square of the list (bench/pdf.py: 5,000 names take
# 2.6 times as long in two columns as in one). Longer lists run in one column.
ANNEX_COLUMNS_MEDIAN_CHARS = 40
ANNEX_COLUMNS_UP_TO = 2_000
# Noto Serif's figures are tabular (0.559 em, as wide as a figure space), its period is
# 0.250 em and its space 0.260 em: the width of "5000. " for the hanging indent.
FIGURE_EM, PERIOD_SPACE_EM = 0.559, 0.51
FIGURE_SPACE = "\u2007"


def local_fetcher(roots: list[Path]):
    """A WeasyPrint fetcher that reads files under `roots` and nothing else: no network, no
    other file, whatever a letter's text links to."""
    return _local_fetcher_class()(roots)


@functools.cache
def _local_fetcher_class():
    # WeasyPrint is loaded by the first PDF made, not by every process that imports this module:
    # it costs a web process 0.4 s and 50 MiB.
    from weasyprint.urls import URLFetcher

    class LocalFileFetcher(URLFetcher):
        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.roots = [root.resolve() for root in roots]

        def fetch(self, url, headers=None):
            if not url.startswith("file://"):
                raise ValueError(f"The letter PDF fetches no remote resource: {url[:200]}")
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"The letter PDF reads only static files: {url[:200]}")
            return super().fetch(url, headers)

    return LocalFileFetcher


def static_roots() -> list[Path]:
    return [Path(d) for d in settings.STATICFILES_DIRS] + [Path(settings.STATIC_ROOT)]


def render_letter_pdf(snapshot: LetterSnapshot, *, language: str = "") -> bytes:
    """The snapshot as it was frozen, as PDF bytes: the original, or the frozen translation into
    `language`. The stylesheet puts the Khmer font after the Latin one whatever the language."""
    lv = snapshot_view(snapshot, language=language)
    with translation.override(lv.language):  # the text's, not the active one of the worker
        html = render_to_string("pdf/letter.html", letter_context(lv))
    return write_pdf(html, stylesheets=[FONTS_STYLESHEET, STYLESHEET])


def static_file(name: str) -> Path:
    path = finders.find(name)
    if not path:
        raise FileNotFoundError(f"static/{name} is missing")
    return Path(path)


def write_pdf(html: str, *, stylesheets: list[str]) -> bytes:
    """`html` as PDF, with `stylesheets` (static paths) and the shipped fonts; every name in it
    reads back as it was written, Khmer included."""
    from weasyprint import CSS, HTML  # see _local_fetcher_class
    from weasyprint.text.fonts import FontConfiguration

    fetcher, fonts = local_fetcher(static_roots()), FontConfiguration()
    paths = [static_file(name) for name in stylesheets]
    base_url = paths[0].parent.parent.as_uri() + "/"  # the static folder
    pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=p, url_fetcher=fetcher, font_config=fonts) for p in paths],
        font_config=fonts,
    )
    return khmer_text_exact(pdf, text=html, fonts=[static_file(name) for name in KHMER_FONTS])


def letter_context(lv: LetterView) -> dict:
    """The template's context. The letter is the shared fragment without its list; the list is
    laid out here for print, each number written out (the snapshot's, right-aligned with figure
    spaces) rather than drawn as a list marker, which costs WeasyPrint about as much again as the
    line itself."""
    signatories = lv.signatories
    count = len(signatories)
    digits = len(str(signatories[-1]["n"])) if signatories else 1
    body_class = []
    if count >= ANNEX_PAGE_FROM:
        body_class.append("pdf-annex-page")
        median = statistics.median(len(s["line"]) for s in signatories)
        if count <= ANNEX_COLUMNS_UP_TO and median <= ANNEX_COLUMNS_MEDIAN_CHARS:
            body_class.append("pdf-annex-columns")
    return {
        "lv": lv,
        "letter_html": render_view_html(dataclasses.replace(lv, signatories=[])),
        "letterhead": letterhead(lv),
        "signatories": [(str(s["n"]).rjust(digits, FIGURE_SPACE), s["line"]) for s in signatories],
        "body_class": " ".join(body_class),
        "annex_indent_em": f"{digits * FIGURE_EM + PERIOD_SPACE_EM:.3f}",
    }


def letterhead(lv: LetterView) -> tuple[str, list[str]]:
    """The sender's name, large, and the rest of the From: block, small: the name is the sender
    line, else the From: block's first line, and is not repeated under itself."""
    name, lines = lv.sender_line.strip(), list(lv.from_lines)
    if not name and lines:
        name, lines = lines[0], lines[1:]
    elif lines and lines[0].casefold() == name.casefold():
        lines = lines[1:]
    return name, lines
