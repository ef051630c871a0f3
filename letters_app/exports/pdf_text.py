"""The text layer of a PDF made by WeasyPrint, made exact for Khmer.

A PDF viewer, pdftotext or pypdf turns each glyph code back into text through the font's
ToUnicode map: one text per code. WeasyPrint 70 writes the glyph's id as its code and maps each
glyph to the text of the first cluster it was drawn in. Khmer shaping draws one glyph in many
clusters: the pre-base vowel is drawn before its consonant and the syllable becomes one cluster,
and a glyph is shared by several characters (the top of ើ is the glyph of ី, ៊ before an upper
vowel is drawn as ុ). So a name reads back with letters that are not in it (`ដើម្បដើ` for
`ដើម្បី`), and which ones depends on what the PDF printed first.

`khmer_text_exact` gives every glyph drawn in a Khmer font a code of its own for each text it
stands for, through the font's CIDToGIDMap (PDF 32000-1, 9.7.4.2): the glyph drawn is the same,
the text it reads back as is that of its own cluster. The clusters are found again by shaping the
document's Khmer runs with HarfBuzz and the same font file, as Pango did, and reading the PDF's
glyphs against them. A cluster's text goes on its first glyph, its other glyphs read as nothing,
so the text comes back in logical order. Glyphs that match no cluster keep WeasyPrint's text.

The steps forward that WeasyPrint writes between glyphs (a number in a TJ array, before a mark
set to the right of its base) are drawn instead as blank glyphs as wide, which no extractor takes
for a gap between words; the page looks the same.
"""

import io
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
import uharfbuzz as hb
from fontTools.ttLib import TTFont

KHMER_RUN = re.compile("[\u1780-\u17ff\u19e0-\u19ff]+")
# Glyph ids, and how they cut into clusters: (number of glyphs, text) for each.
Clusters = dict[tuple[int, ...], tuple[tuple[int, str], ...]]


def khmer_runs(text: str) -> set[str]:
    """The runs of Khmer script in `text` (an HTML document will do: markup is not Khmer)."""
    return set(KHMER_RUN.findall(text))


@cache
def font_full_name(path: Path) -> str:
    return _full_name(TTFont(path, lazy=True))


def _full_name(ttfont: TTFont) -> str:
    return str(ttfont["name"].getDebugName(4) or "")


@cache
def _hb_font(path: Path) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))


def shape_clusters(path: Path, runs: Iterable[str]) -> Clusters:
    """Each cluster HarfBuzz makes of `runs` with the font at `path`: its glyph ids, its text.
    Some clusters are drawn with the same glyphs (`ស៊ី` and `សុី`, `វ៉ំ` and `វុំ` in Noto): a run
    with such a cluster is also given whole, so that its own text is found for it."""
    font = _hb_font(path)
    clusters: Clusters = {}
    texts: dict[tuple[int, ...], set[str]] = {}
    cuts = []
    for run in sorted(runs):  # the same clusters first, whatever the order of a set
        buffer = hb.Buffer()
        buffer.add_codepoints([ord(c) for c in run])  # clusters count characters
        buffer.guess_segment_properties()
        hb.shape(font, buffer)
        infos = buffer.glyph_infos
        starts = sorted({info.cluster for info in infos}) + [len(run)]
        ends = dict(zip(starts, starts[1:], strict=False))
        cut, i = [], 0
        while i < len(infos):
            start = infos[i].cluster
            j = i
            while j < len(infos) and infos[j].cluster == start:
                j += 1
            glyphs, text = tuple(info.codepoint for info in infos[i:j]), run[start : ends[start]]
            clusters.setdefault(glyphs, ((len(glyphs), text),))
            texts.setdefault(glyphs, set()).add(text)
            cut.append((glyphs, text))
            i = j
        cuts.append(cut)
    for cut in cuts:
        if any(len(texts[glyphs]) > 1 for glyphs, _text in cut):
            whole = tuple(glyph for glyphs, _text in cut for glyph in glyphs)
            clusters.setdefault(whole, tuple((len(glyphs), text) for glyphs, text in cut))
    return clusters


@cache
def blank_glyph(path: Path) -> int | None:
    """The id of the space glyph of the font at `path` if it draws nothing. The PDF's subset of
    the font draws nothing with it either: WeasyPrint keeps glyph ids when it subsets a font, and
    empties the glyphs it leaves out."""
    font = _hb_font(path)
    glyph = font.get_nominal_glyph(0x20)
    if glyph is None:
        return None
    extents = font.get_glyph_extents(glyph)
    return glyph if extents is not None and not (extents.width or extents.height) else None


def _segment(
    glyphs: list[int], clusters: Clusters, sizes: list[int]
) -> list[tuple[int, str | None]]:
    """`glyphs` cut into clusters: (length, text), text None for a glyph that no cut matches.
    `sizes`: the lengths of the keys of `clusters`, longest first. The cut leaves the fewest
    glyphs unmatched, and takes the longest piece on a tie."""
    n = len(glyphs)
    # best[i]: (glyphs left unmatched in glyphs[i:], the first piece's length, its clusters).
    best: list[tuple[int, int, tuple[tuple[int, str], ...] | None]] = [(0, 0, None)] * (n + 1)
    for i in range(n - 1, -1, -1):
        choice: tuple[int, int, tuple[tuple[int, str], ...] | None] = (best[i + 1][0] + 1, 1, None)
        for size in sizes:
            if size <= n - i:
                cut = clusters.get(tuple(glyphs[i : i + size]))
                if cut is not None and best[i + size][0] < choice[0]:
                    choice = (best[i + size][0], size, cut)
        best[i] = choice
    pieces: list[tuple[int, str | None]] = []
    i = 0
    while i < n:
        _unmatched, size, cut = best[i]
        pieces.extend(cut or [(1, None)])
        i += size
    return pieces


class _FontRewrite:
    """One Khmer font of the PDF: its new codes, each a glyph, the text it reads as and its
    width (None: the glyph's own)."""

    def __init__(self, font: pikepdf.Object, clusters: Clusters, blank: int | None):
        self.font = font
        self.clusters = clusters
        self.sizes = sorted({len(glyphs) for glyphs in clusters}, reverse=True)
        self.old_text = _read_to_unicode(font)
        self.blank = blank  # a glyph that draws nothing (the space), if the font has one
        self.codes: dict[tuple[int, str, float | None], int] = {(0, "", None): 0}  # .notdef
        self.keys: list[tuple[int, str, float | None]] = [(0, "", None)]

    def code(self, glyph: int, text: str, width: float | None = None) -> int:
        key = (glyph, text, width)
        if key not in self.codes:
            self.codes[key] = len(self.keys)
            self.keys.append(key)
        return self.codes[key]

    def spacer(self, width: float) -> int | None:
        """A code that draws nothing, reads as nothing and moves the pen by `width`."""
        return None if self.blank is None else self.code(self.blank, "", width)

    def recode(self, glyphs: list[int]) -> list[int]:
        codes, i = [], 0
        for size, text in _segment(glyphs, self.clusters, self.sizes):
            if text is None:
                codes.append(self.code(glyphs[i], self.old_text.get(glyphs[i], "")))
            else:
                codes.append(self.code(glyphs[i], text))
                codes.extend(self.code(g, "") for g in glyphs[i + 1 : i + size])
            i += size
        return codes

    def write(self, pdf: pikepdf.Pdf) -> None:
        descendant = self.font.DescendantFonts[0]
        widths = _read_widths(descendant)
        default = float(descendant.get("/DW", 1000))
        descendant.CIDToGIDMap = pdf.make_stream(
            b"".join(glyph.to_bytes(2, "big") for glyph, _text, _width in self.keys)
        )
        w = []
        for code, (glyph, _text, width) in enumerate(self.keys):
            w.extend(
                [code, pikepdf.Array([widths.get(glyph, default) if width is None else width])]
            )
        descendant.W = pikepdf.Array(w)
        self.font.ToUnicode = pdf.make_stream(_to_unicode_cmap(self.keys))


def khmer_text_exact(pdf_bytes: bytes, *, text: str, fonts: Iterable[Path]) -> bytes:
    """The PDF with every glyph of the Khmer `fonts` (font files, as embedded by WeasyPrint)
    coded by the text it was drawn for. `text`: the document's text (its HTML will do), whose
    Khmer runs are what the PDF draws. A PDF with no Khmer comes back as it was."""
    runs = khmer_runs(text)
    if not runs:
        return pdf_bytes
    by_name = {font_full_name(path): path for path in fonts}
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    rewrites: dict[tuple[int, int], _FontRewrite | None] = {}

    def rewrite_of(font: pikepdf.Object) -> _FontRewrite | None:
        key = font.objgen
        if key not in rewrites:
            path = by_name.get(_embedded_full_name(font))
            rewrites[key] = (
                _FontRewrite(font, shape_clusters(path, runs), blank_glyph(path)) if path else None
            )
        return rewrites[key]

    for page in pdf.pages:
        page.contents_coalesce()
        _recode_content(page, page.obj.Contents, rewrite_of)
    if not any(rewrites.values()):
        return pdf_bytes
    for rewrite in rewrites.values():
        if rewrite:
            rewrite.write(pdf)
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    return out.getvalue()


def _recode_content(owner, stream: pikepdf.Object, rewrite_of) -> None:
    """Recodes the glyphs that a page's or a form's content shows in Khmer fonts, and those of
    the forms it draws."""
    resources = owner.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") == "/Form":
            _recode_content(xobject, xobject, rewrite_of)
    instructions = list(pikepdf.parse_content_stream(owner))
    operands: list[list[Any]] = [list(instruction.operands) for instruction in instructions]
    # Per font, in the order shown: where each string is (instruction, index in a TJ array).
    shown: dict[tuple[int, int], tuple[_FontRewrite, list[tuple[int, int | None]]]] = {}
    places: list | None = None
    size = 0.0
    risen: dict[int, float] = {}  # a Ts raising a glyph of a Khmer font: the font size
    for index, instruction in enumerate(instructions):
        op = str(instruction.operator)
        if op == "Ts" and places is not None and float(operands[index][0]):
            risen[index] = size
        if op == "Tf":
            size = float(operands[index][1])
            font = fonts.get(str(operands[index][0]))
            rewrite = rewrite_of(font) if font is not None else None
            places = shown.setdefault(font.objgen, (rewrite, []))[1] if rewrite else None
        elif places is not None and op == "TJ":
            items = list(operands[index][0])
            operands[index][0] = items
            places.extend(
                (index, i) for i, item in enumerate(items) if isinstance(item, pikepdf.String)
            )
        elif places is not None and op == "Tj":
            places.append((index, None))
    if not shown:
        return
    for rewrite, font_places in shown.values():
        strings = [bytes(_at(operands, place)) for place in font_places]
        glyphs = [int.from_bytes(s[i : i + 2], "big") for s in strings for i in range(0, len(s), 2)]
        codes = iter(rewrite.recode(glyphs))
        for (index, item), string in zip(font_places, strings, strict=True):
            data = pikepdf.String(b"".join(next(codes).to_bytes(2, "big") for _ in string[::2]))
            if item is None:
                operands[index][0] = data
            else:
                operands[index][0][item] = data
    program = _fold_mark_offsets(
        [
            (ops, str(instruction.operator))
            for ops, instruction in zip(operands, instructions, strict=True)
        ],
        risen,
    )

    def rewrite_named(name) -> _FontRewrite | None:
        font = fonts.get(str(name))
        return rewrite_of(font) if font is not None else None

    _space_forward_steps(program, rewrite_named)
    new = []
    for ops, op in program:
        if ops and isinstance(ops[0], list):
            ops[0] = pikepdf.Array(ops[0])
        new.append(pikepdf.ContentStreamInstruction(ops, pikepdf.Operator(op)))
    stream.write(pikepdf.unparse_content_stream(new))


def _fold_mark_offsets(program: list[tuple[list, str]], risen: dict[int, float]) -> list:
    """WeasyPrint draws a raised or lowered mark as `Ts r [dx <mark>] TJ 0 Ts [<> -dx …] TJ`: the
    pen goes back by dx and forward again. Text extractors read the step forward as a gap between
    words (pypdf adds a space for one wider than half a space). The same step is drawn as
    character spacing (Tc) on the mark itself: the page is the same, and no gap is shown."""
    out, i = [], 0
    while i < len(program):
        ops, op = program[i]
        size = risen.get(i)
        if size is not None and i + 3 < len(program):
            (mark, op1), (reset, op2), (following, op3) = program[i + 1 : i + 4]
            items = list(following[0]) if op3 == "TJ" else []
            if (
                op1 == "TJ" and op2 == "Ts" and not float(reset[0]) and len(items) >= 2
                and isinstance(items[0], pikepdf.String) and not bytes(items[0])
                and not isinstance(items[1], pikepdf.String)
            ):  # fmt: skip
                spacing = -float(items[1]) / 1000 * size
                out += [(ops, op), ([spacing], "Tc"), (mark, op1), ([0], "Tc"), (reset, op2)]
                following[0] = items[2:]
                i += 3
                continue
        out.append((ops, op))
        i += 1
    return out


def _space_forward_steps(program: list[tuple[list, str]], rewrite_named) -> None:
    """WeasyPrint moves the pen forward with a number in a TJ array: before a mark drawn to the
    right of its base (`[-237.5 <ិ>]`), and for letter spacing or justification. Text extractors
    read such a step as a gap between words and add a space inside a name: pypdf 7 does for a
    step of 0.95 × half the width it takes for a space, that of a code reading as a space or else
    of code 32, whichever glyph that is, so it depends on what else the PDF draws. In the Khmer
    fonts each such step is drawn instead as a glyph that draws nothing, reads as nothing and is
    as wide as the step, less the character spacing (Tc) that applies to it: every glyph is drawn
    where it was, and no gap is left between glyphs. The program is changed in place."""
    rewrite, size, spacing = None, 0.0, 0.0
    saved = []  # the text state is part of the graphics state
    for ops, op in program:
        if op == "q":
            saved.append((rewrite, size, spacing))
        elif op == "Q" and saved:
            rewrite, size, spacing = saved.pop()
        elif op == "Tf":
            rewrite, size = rewrite_named(ops[0]), float(ops[1])
        elif op == "Tc":
            spacing = float(ops[0])
        elif op == "TJ" and rewrite is not None and size:
            items = []
            for item in ops[0]:
                if not isinstance(item, pikepdf.String) and float(item) < 0:
                    width = -float(item) - spacing * 1000 / size
                    code = rewrite.spacer(width) if width > 0 else None
                    if code is not None:
                        item = pikepdf.String(code.to_bytes(2, "big"))
                items.append(item)
            ops[0] = items


def _at(operands, place):
    index, item = place
    return operands[index][0] if item is None else operands[index][0][item]


def _embedded_full_name(font: pikepdf.Object) -> str:
    try:
        data = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
        return _full_name(TTFont(io.BytesIO(data), lazy=True))
    except (AttributeError, KeyError, IndexError, ValueError):
        return ""


def _read_to_unicode(font: pikepdf.Object) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", cmap)
    }


def _read_widths(descendant: pikepdf.Object) -> dict[int, float]:
    """The W array (PDF 32000-1, 9.7.4.3): `c [w1 w2 …]` and `c_first c_last w` entries."""
    widths, items, i = {}, list(descendant.get("/W", [])), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for code in range(first, int(items[i + 1]) + 1):
                widths[code] = float(items[i + 2])
            i += 3
    return widths


def _to_unicode_cmap(keys: list[tuple[int, str, float | None]]) -> bytes:
    entries = [(code, text) for code, (_glyph, text, _width) in enumerate(keys)]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <ffff>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        batch = entries[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar")
        lines.extend(f"<{code:04x}> <{text.encode('utf-16-be').hex()}>" for code, text in batch)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()
