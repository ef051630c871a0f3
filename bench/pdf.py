"""The finalized letter's PDF at 100 and at 5,000 signatories: seconds to render and pages, the
big one as a ratio of the small. `bench/run.py` prints it as its "PDF" section; run alone with
`.venv/bin/python bench/pdf.py [--sizes 100 5000] [--repeat 3]`, it needs no database: the
snapshots are built in memory, as `letter_finalize` would freeze the demo letter.

The target is a 5,000-signatory letter in under 10 s, in the Celery task that makes it."""

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script: the root, not bench/, first on the path
    sys.path[:1] = [str(ROOT)]

TARGET_SIGNATORIES = 5_000
TARGET_SECONDS = 10.0
SIZES = (100, TARGET_SIGNATORIES)

COUNTRIES = ["Cambodia", "France", "Germany", "United States of America", "Australia",
             "Canada", "Switzerland", "Japan", "Thailand", "Belgium"]  # fmt: skip
# Names of the lengths and scripts the letters carry: short and long, accents, Khmer.
NAMES = [
    ("Association des Ressortissants Khmers {i}", "ARK{i}"),
    ("Ligue des droits de l'Homme, section {i}", ""),
    ("សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស {i}", ""),
    ("Comité de soutien aux défenseurs {i}", "CSD"),
    ("Cambodian Community Network {i}", "CCN"),
    ("Friends of Civic Space {i}", ""),
]


@dataclass
class PdfTiming:
    signatories: int
    seconds: float  # the best of the runs
    pages: int | None
    size: int


def snapshot_make(signatories: int):
    """An unsaved LetterSnapshot of the demo letter with `signatories` listed organizations."""
    from letters_app.fixtures_data import demo_letter
    from letters_app.fixtures_data.recipients import SPECIAL_RAPPORTEUR_CAMBODIA
    from letters_app.models import LetterSnapshot, Recipient
    from letters_app.services.deliveries import content_sha256

    fields = {k: v for k, v in SPECIAL_RAPPORTEUR_CAMBODIA.items() if k != "kind"}
    recipient = Recipient(kind=SPECIAL_RAPPORTEUR_CAMBODIA["kind"], **fields)
    lines = []
    for n in range(1, signatories + 1):
        name, acronym = NAMES[n % len(NAMES)]
        head = name.format(i=n) + (f" ({acronym.format(i=n)})" if acronym else "")
        lines.append({"n": n, "line": f"{head}, {COUNTRIES[n % len(COUNTRIES)]}",
                      "kind": "organization", "country": "FR"})  # fmt: skip
    content = {
        "letter": {
            **demo_letter.TEXT,
            "sender_line": "Cosign Demo Coalition",
            "about_sender": "A coalition of associations of Cambodians abroad.",
            "slug": demo_letter.SLUG,
            "version": 1,
            "date": "2024-05-17",
        },
        "recipients": [
            {
                "id": 1,
                "address_lines": recipient.address_lines,
                "email": recipient.email,
                "salutation": recipient.salutation,
            }
        ],  # fmt: skip
        "signatories": lines,
    }
    return LetterSnapshot(content=content, sha256=content_sha256(content))


def pdf_pages(pdf: bytes) -> int | None:
    """Pages, as poppler's pdfinfo reads them (None without poppler-utils)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    out = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=True).stdout
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def measure(signatories: int, *, repeat: int = 1) -> PdfTiming:
    from letters_app.exports.letter_pdf import render_letter_pdf

    snapshot = snapshot_make(signatories)
    best, pdf = float("inf"), b""
    for _ in range(repeat):
        started = time.perf_counter()
        pdf = render_letter_pdf(snapshot)
        best = min(best, time.perf_counter() - started)
    return PdfTiming(signatories, best, pdf_pages(pdf), len(pdf))


def report(out, *, sizes=SIZES, repeat: int = 1) -> PdfTiming:
    """Print the section with `out(line)`; returns the largest size's timing."""
    measure(min(sizes))  # warm-up: imports, fonts found once per process
    timings = [measure(n, repeat=repeat) for n in sizes]
    small = timings[0]
    out()
    out(f"PDF: render_letter_pdf (WeasyPrint) of the demo letter, in this process, "
        f"best of {repeat}")  # fmt: skip
    for t in timings:
        pages = "?" if t.pages is None else f"{t.pages:,}"
        out(f"  at {t.signatories:>6,} signatories: {t.seconds:6.2f} s, {pages:>4} pages, "
            f"{t.size / 1024:,.0f} KiB, {t.seconds / small.seconds:5.1f} × the time at "
            f"{small.signatories:,}")  # fmt: skip
    return timings[-1]


def target_met(timing: PdfTiming) -> bool:
    return timing.signatories >= TARGET_SIGNATORIES and timing.seconds < TARGET_SECONDS


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="(100 5000)")
    p.add_argument("--repeat", type=int, default=1, help="runs per size, best kept (1)")
    p.add_argument("--keep", type=Path, help="a folder to write the PDFs into, to look at them")
    args = p.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "letters_app.settings")
    import django

    django.setup()
    last = report(print, sizes=sorted(args.sizes), repeat=args.repeat)
    if args.keep:
        from letters_app.exports.letter_pdf import render_letter_pdf

        args.keep.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            (args.keep / f"letter-{n}.pdf").write_bytes(render_letter_pdf(snapshot_make(n)))
    verdict = "yes" if target_met(last) else "NO"
    print(f"  {TARGET_SIGNATORIES:,} signatories in < {TARGET_SECONDS:g} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
