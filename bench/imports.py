"""The import bench: a coordinator's list of 10,000 pasted lines (numbered or not, stray commas,
spaces inside parentheses, "AUS" beside "Australia", a few names the letter already has), parsed,
previewed and confirmed against a letter that already holds 10,000 signatures. Timed twice: the
services alone, and the two requests a coordinator makes (preview page, then confirm) through
Django's test client in this process. Target: under 10 s for the 10,000 lines.

Run as a section of `make bench` (bench/run.py calls `import_report`), or alone:
`.venv/bin/python bench/imports.py`, which uses the same PostgreSQL server as `make bench` but
its own database, `cosign_bench_imports`, so that it can run beside it.
"""

import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

HOST = "127.0.0.1"
LINES = 10_000
EXISTING = 10_000  # signatures the letter already has
DUPLICATES_EVERY = 100  # one line in this many names an organization that already signed
TARGET_SECONDS = 10.0
PAYLOAD_RE = re.compile(r'name="payload" value="([^"]+)"')
COUNTRIES = ["France", "AUS", "Australia", "Cambodge", "USA", "United Kingdom", "KHM", "Canada"]


@dataclass
class ImportTiming:
    lines: int = LINES
    seconds: dict[str, float] = field(default_factory=dict)  # step -> seconds
    created: int = 0
    skipped: int = 0
    counted: int = 0  # what the letter's counter rose by
    page_bytes: int = 0
    error: str = ""

    @property
    def services_total(self) -> float:
        return sum(self.seconds.get(s, 0.0) for s in ("parse", "preview", "confirm"))

    @property
    def views_total(self) -> float:
        return self.seconds.get("preview page", 0.0) + self.seconds.get("confirm request", 0.0)


def pasted_list(lines: int = LINES, tag: str = "") -> str:
    """A list as coalitions paste them, every shape the parser meets in the seed letters."""
    out = []
    for i in range(lines):
        country = COUNTRIES[i % len(COUNTRIES)]
        if i % DUPLICATES_EVERY == 0:
            out.append(f"{i + 1}. Civic Space Organization {i}, {country}")
            continue
        name = f"Coalition Member {tag} {i}"
        shape = i % 5
        if shape == 0:
            out.append(f"{i + 1}. {name} (CM{i}), {country}")
        elif shape == 1:
            out.append(f"  {i + 1}. {name}, (CM{i}), {country}, ")
        elif shape == 2:
            out.append(f"{name} ( CM{i} ) , {country} ,")
        elif shape == 3:
            out.append(f"{name} d’Alsace et de l'Île-de-France, {country}")
        else:
            out.append(f"សមាគម {name} (CM{i}), {country}")
    return "\n".join(out)


def letter_with_signatures(existing: int = EXISTING):
    """An open letter with `existing` public signatures, and its coordinator."""
    from django.contrib.auth import get_user_model

    from letters_app.fixtures_data import demo_letter
    from letters_app.models import LetterTemplate, Recipient
    from letters_app.services.directory import templates_load
    from letters_app.services.letters import (
        letter_create,
        letter_open,
        letter_set_recipients,
        letter_update,
    )
    from tests.factories import signatures_bulk_create

    if not LetterTemplate.objects.filter(key=demo_letter.TEMPLATE_KEY).exists():
        templates_load()
    tag = secrets.token_hex(3)
    coordinator = get_user_model().objects.create_user(f"bench-import-{tag}")
    office = Recipient.objects.create(
        name=f"Import Office {tag}", institution="Bench Ministry", country="FR",
        kind=Recipient.Kind.GOVERNMENT, email=f"office-{tag}@bench.example.org",
    )  # fmt: skip
    template = LetterTemplate.objects.get(key=demo_letter.TEMPLATE_KEY)
    letter = letter_create(template=template, actor=coordinator)
    letter = letter_update(
        letter=letter, data={**demo_letter.TEXT, "slug": f"bench-import-{tag}"}, actor=coordinator
    )
    letter_set_recipients(letter=letter, recipients=[office], actor=coordinator)
    letter = letter_open(letter=letter, actor=coordinator)
    signatures_bulk_create(letter, existing)
    letter.refresh_from_db()
    return letter, coordinator


def measure(lines: int = LINES) -> ImportTiming:
    """Time the services, then the two requests, each on its own letter. Django must be set up
    on a migrated PostgreSQL database."""
    from django.test import Client
    from django.urls import reverse

    from letters_app.models import Letter
    from letters_app.services.imports import import_confirm, import_parse, import_preview

    timing = ImportTiming(lines=lines)
    letter, coordinator = letter_with_signatures()
    text = pasted_list(lines, "s")
    before = letter.count_organizations

    started = time.perf_counter()
    parsed = import_parse({"text": text})
    timing.seconds["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    import_preview(letter=letter, lines=parsed)
    timing.seconds["preview"] = time.perf_counter() - started
    started = time.perf_counter()
    result = import_confirm(letter=letter, lines=parsed, actor=coordinator)
    timing.seconds["confirm"] = time.perf_counter() - started
    timing.created, timing.skipped = result.created, len(result.skipped)
    timing.counted = Letter.objects.get(pk=letter.pk).count_organizations - before

    letter, coordinator = letter_with_signatures()
    client = Client(HTTP_HOST=HOST)
    client.force_login(coordinator)
    started = time.perf_counter()
    page = client.post(
        reverse("author:letter-import", kwargs={"pk": letter.pk}),
        {"kind": "organization", "text": pasted_list(lines, "v")},
    )
    timing.seconds["preview page"] = time.perf_counter() - started
    timing.page_bytes = len(page.content)
    payload = PAYLOAD_RE.search(page.content.decode())
    if page.status_code != 200 or payload is None:
        timing.error = f"the preview page answered {page.status_code}, without a confirm button"
        return timing
    started = time.perf_counter()
    done = client.post(
        reverse("author:letter-import-confirm", kwargs={"pk": letter.pk}),
        {"payload": unescape(payload.group(1))},
    )
    timing.seconds["confirm request"] = time.perf_counter() - started
    if done.status_code != 302:
        timing.error = f"the confirmation answered {done.status_code}"
    return timing


def import_report(bench) -> bool:
    """The "Import" section of `make bench`: measures, prints through `bench.out`, and says
    whether every line was imported once and counted (a slow run is reported, not an error)."""
    bench.out()
    bench.out(
        f"Import: {LINES:,} pasted lines (1 in {DUPLICATES_EVERY} already signed) into a letter "
        f"with {EXISTING:,} signatures, parse -> preview -> confirm"
    )
    try:
        t = measure()
    except Exception as exc:  # the section failed; the rest of the report stands
        bench.out(f"  could not run: {type(exc).__name__}: {exc}")
        return False
    for line in report_lines(t):
        bench.out(line)
    return not t.error and t.counted == t.created


def report_lines(t: ImportTiming) -> list[str]:
    s = t.seconds
    lines = [
        f"  services: parse {s['parse']:.2f} s, preview {s['preview']:.2f} s, confirm "
        f"{s['confirm']:.2f} s = {t.services_total:.2f} s; {t.created:,} added, {t.skipped:,} "
        f"skipped as duplicates, counter +{t.counted:,}"
    ]
    if t.error:
        lines.append(f"  stopped: {t.error}")
    else:
        lines.append(
            f"  requests: preview page {s['preview page']:.2f} s "
            f"({t.page_bytes / 1024:,.0f} KiB), confirm {s['confirm request']:.2f} s = "
            f"{t.views_total:.2f} s"
        )
    met = not t.error and max(t.services_total, t.views_total) < TARGET_SECONDS
    lines.append(
        f"  target < {TARGET_SECONDS:.0f} s for {t.lines:,} lines: {'yes' if met else 'NO'}"
    )
    return lines


def main(argv=None) -> int:
    """Alone: the bench's own setup (database, Django), this section only."""
    from bench import run

    run.DB_NAME = "cosign_bench_imports"
    args = run.parse_args(argv)
    bench = run.Bench(args)

    # No task is queued by an import: no broker to choose, and Redis is left alone.
    return run.run_alone(bench, import_report, title="Cosign import bench", broker="filesystem://")


if __name__ == "__main__":
    sys.exit(main())
