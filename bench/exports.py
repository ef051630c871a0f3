"""The exports bench: a letter's public list as CSV at 100,000 signatures against PostgreSQL's
own `COPY (SELECT …) TO STDOUT (FORMAT csv)` of the same columns, the two in turn in one run
(the export itself streams a COPY on PostgreSQL; Python's writer, SQLite's path, is timed too);
the export process's peak memory at 1,000 and at 100,000 signatures (each export in a fresh
process of its own, so that one's peak is not the other's); and the same list as XLSX.
Targets: CSV within 2 × COPY, peak memory flat in row count (within a few MB), XLSX < 15 s.

Run as a section of `make bench` (bench/run.py calls `exports_report`), or alone:
`.venv/bin/python bench/exports.py [--sizes 1000 100000]`, which uses the same PostgreSQL
server as `make bench` but its own database, `cosign_bench_exports`, so that it can run beside
it.
"""

import argparse
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

SIZES = (1_000, 100_000)
ROUNDS = 3  # COPY and the CSV export in turn; the median of each
TARGET_COPY_RATIO = 2.0
TARGET_MEMORY_MB = 5.0  # peak RSS at the large size over the small one
TARGET_XLSX_SECONDS = 15.0


@dataclass
class ExportsResult:
    sizes: tuple[int, int]
    copy_seconds: list[float] = field(default_factory=list)
    csv_seconds: list[float] = field(default_factory=list)
    csv_first_chunk: list[float] = field(default_factory=list)
    copy_bytes: int = 0
    csv_bytes: int = 0
    python_csv_seconds: float = 0.0
    private_csv_seconds: float = 0.0
    xlsx_seconds: float = 0.0
    xlsx_bytes: int = 0
    memory: dict = field(default_factory=dict)  # (format, size) -> child's figures

    @property
    def ratio(self) -> float:
        return statistics.median(self.csv_seconds) / statistics.median(self.copy_seconds)


def letter_with_signatures(count: int):
    """An open letter (the demo letter's text) with `count` confirmed, public signatures."""
    from django.contrib.auth import get_user_model

    from letters_app.fixtures_data import demo_letter
    from letters_app.models import LetterTemplate, Recipient
    from letters_app.services.directory import recipients_load, templates_load
    from letters_app.services.letters import (
        letter_create,
        letter_open,
        letter_set_recipients,
        letter_update,
    )
    from tests.factories import signatures_bulk_create

    if not LetterTemplate.objects.filter(key=demo_letter.TEMPLATE_KEY).exists():
        templates_load()
    if not Recipient.objects.filter(**demo_letter.RECIPIENT).exists():
        recipients_load()
    tag = secrets.token_hex(3)
    coordinator = get_user_model().objects.create_user(f"bench-exports-{tag}")
    template = LetterTemplate.objects.get(key=demo_letter.TEMPLATE_KEY)
    letter = letter_create(template=template, actor=coordinator)
    letter = letter_update(
        letter=letter,
        data={**demo_letter.TEXT, "slug": f"bench-exports-{count}-{tag}",
              "accepts_individuals": True, "accepts_mps": True},
        actor=coordinator,
    )  # fmt: skip
    rapporteur = Recipient.objects.get(**demo_letter.RECIPIENT)
    letter_set_recipients(letter=letter, recipients=[rapporteur], actor=coordinator)
    letter = letter_open(letter=letter, actor=coordinator)
    signatures_bulk_create(letter, count)
    return letter


def public_export(letter, *, private: bool = False):
    from letters_app.exports.signatures import export_columns, signature_queryset

    queryset = signature_queryset(letters=[letter], private=private)
    return queryset, export_columns(private=private)


def copy_sql(letter) -> str:
    """COPY of the export's columns as PostgreSQL has them: the same rows in the same order,
    numbered by the server; country names are Python's to add, so COPY has the code only."""
    from letters_app.exports.signatures import PUBLIC_COLUMNS
    from letters_app.models import Signature

    fields = [c.field for c in PUBLIC_COLUMNS if c.field]
    columns = ", ".join(f'"{f}"' for f in fields)
    return (
        "COPY (SELECT row_number() OVER (ORDER BY published_at, id) AS n, "  # noqa: S608
        f"{columns} FROM {Signature._meta.db_table} WHERE letter_id = {int(letter.pk)} "
        "AND is_public ORDER BY published_at, id) TO STDOUT (FORMAT csv, HEADER)"
    )


def time_copy(letter) -> tuple[float, int]:
    from django.db import connection

    connection.ensure_connection()
    size = 0
    started = time.perf_counter()
    with connection.connection.cursor() as cursor, cursor.copy(copy_sql(letter)) as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


def time_csv(letter, *, private: bool = False, python: bool = False) -> tuple[float, float, int]:
    """Seconds to the first chunk and to the last, and bytes, as the response streams them."""
    from letters_app.exports.signatures import csv_python_stream, csv_stream

    queryset, columns = public_export(letter, private=private)
    size, first = 0, None
    stream = (csv_python_stream if python else csv_stream)(queryset, columns)
    started = time.perf_counter()
    for chunk in stream:
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
    return first or 0.0, time.perf_counter() - started, size


def time_xlsx(letter) -> tuple[float, int]:
    import tempfile

    from letters_app.exports.signatures import xlsx_write

    queryset, columns = public_export(letter)
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        xlsx_write(queryset, columns, out, title=letter.title)
        seconds = time.perf_counter() - started
        return seconds, out.tell()


def child_memory(letter_id: int, fmt: str) -> dict:
    """Export in a fresh process and read its peak RSS before and after."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", str(letter_id), fmt],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the memory probe failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_kb() -> int:
    """This process's peak resident memory in KiB since the last `_reset_peak`."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak measured is
    # the export's, not Django's setup.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def child_main(letter_id: int, fmt: str) -> int:
    """In the child: Django set up, everything imported and a first export of a few rows made,
    then the whole export into a temporary file; the peak RSS before and during it."""
    import gc
    import tempfile

    import django

    django.setup()
    from letters_app.exports.signatures import export_write
    from letters_app.models import Letter

    letter = Letter.objects.get(pk=letter_id)
    queryset, _columns = public_export(letter)
    with tempfile.TemporaryFile() as out:
        export_write(queryset[:10], out, fmt=fmt, private=False, title=letter.title)
    gc.collect()
    _reset_peak()
    before = _peak_kb()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        export_write(queryset, out, fmt=fmt, private=False, title=letter.title)
        size = out.tell()
    seconds = time.perf_counter() - started
    after = _peak_kb()
    print(json.dumps({"before_kb": before, "after_kb": after, "seconds": seconds, "bytes": size}))
    return 0


def measure(sizes: tuple[int, int] = SIZES) -> ExportsResult:
    """Django must be set up on a migrated PostgreSQL database."""
    from django.db import connection

    small, big = sizes
    result = ExportsResult(sizes=sizes)
    letters = {n: letter_with_signatures(n) for n in sizes}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE letters_app_signature")
    time_copy(letters[big])  # warm: the table in PostgreSQL's cache, the code paths loaded
    time_csv(letters[small])
    for _round in range(ROUNDS):
        seconds, result.copy_bytes = time_copy(letters[big])
        result.copy_seconds.append(seconds)
        first, seconds, result.csv_bytes = time_csv(letters[big])
        result.csv_first_chunk.append(first)
        result.csv_seconds.append(seconds)
    result.python_csv_seconds = time_csv(letters[big], python=True)[1]
    result.private_csv_seconds = time_csv(letters[big], private=True)[1]
    result.xlsx_seconds, result.xlsx_bytes = time_xlsx(letters[big])
    for fmt in ("csv", "xlsx"):
        for n in sizes:
            result.memory[fmt, n] = child_memory(letters[n].pk, fmt)
    return result


def report_lines(r: ExportsResult) -> list[str]:
    small, big = r.sizes
    copy_s, csv_s = statistics.median(r.copy_seconds), statistics.median(r.csv_seconds)
    lines = [
        f"  COPY (SELECT …) TO STDOUT, {big:,} rows: {copy_s * 1000:,.0f} ms "
        f"({r.copy_bytes / 1e6:,.1f} MB), median of {ROUNDS}",
        f"  CSV export (public columns), {big:,} rows: {csv_s * 1000:,.0f} ms "
        f"({r.csv_bytes / 1e6:,.1f} MB), first chunk after "
        f"{statistics.median(r.csv_first_chunk) * 1000:,.0f} ms; = {r.ratio:.2f} × COPY",
        f"  CSV export with private columns: {r.private_csv_seconds * 1000:,.0f} ms",
        f"  CSV by Python's writer (SQLite's path): {r.python_csv_seconds * 1000:,.0f} ms; = "
        f"{r.python_csv_seconds / copy_s:.2f} × COPY",
        f"  XLSX (write-only), {big:,} rows: {r.xlsx_seconds:.1f} s ({r.xlsx_bytes / 1e6:,.1f} MB)",
    ]
    growth = {}
    for fmt in ("csv", "xlsx"):
        m_small, m_big = r.memory[fmt, small], r.memory[fmt, big]
        growth[fmt] = (m_big["after_kb"] - m_small["after_kb"]) / 1024
        lines.append(
            f"  peak RSS during a {fmt.upper()} export: {m_small['after_kb'] / 1024:,.1f} MB "
            f"at {small:,} rows, {m_big['after_kb'] / 1024:,.1f} MB at {big:,}: "
            f"{growth[fmt]:+,.1f} MB (RSS before it: {m_small['before_kb'] / 1024:,.1f} and "
            f"{m_big['before_kb'] / 1024:,.1f} MB; {m_big['seconds']:.1f} s at {big:,})"
        )
    verdicts = [
        (f"CSV within {TARGET_COPY_RATIO:g} × COPY", r.ratio <= TARGET_COPY_RATIO,
         f"{r.ratio:.2f}"),
        (f"CSV memory flat ({big:,} vs {small:,} within {TARGET_MEMORY_MB:g} MB)",
         abs(growth["csv"]) <= TARGET_MEMORY_MB, f"{growth['csv']:+.1f} MB"),
        (f"XLSX memory flat (within {TARGET_MEMORY_MB:g} MB)",
         abs(growth["xlsx"]) <= TARGET_MEMORY_MB, f"{growth['xlsx']:+.1f} MB"),
        (f"XLSX of {big:,} < {TARGET_XLSX_SECONDS:g} s", r.xlsx_seconds < TARGET_XLSX_SECONDS,
         f"{r.xlsx_seconds:.1f} s"),
    ]  # fmt: skip
    for text, met, value in verdicts:
        lines.append(f"  target: {text:<52}{'yes' if met else 'NO':<5}{value}")
    return lines


def exports_report(bench, sizes: tuple[int, int] = SIZES) -> bool:
    """The "Exports" section of `make bench`, printed through `bench.out`; a missed target is
    reported, not an error."""
    bench.out()
    bench.out(
        f"Exports: a letter's public list at {sizes[0]:,} and {sizes[1]:,} signatures, in this "
        "process (memory: in a fresh process per export)"
    )
    try:
        r = measure(sizes)
    except Exception as exc:  # the section failed; the rest of the report stands
        bench.out(f"  could not run: {type(exc).__name__}: {exc}")
        return False
    for line in report_lines(r):
        bench.out(line)
    return True


def main(argv=None) -> int:
    """Alone: the bench's own setup (database, Django), this section only."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(int(argv[1]), argv[2])
    from bench import run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=list(SIZES), metavar="N")
    parser.add_argument("--postgres", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"))  # fmt: skip
    args = parser.parse_args(argv)
    run.DB_NAME = "cosign_bench_exports"
    bench = run.Bench(run.parse_args(["--postgres", args.postgres]))

    # Nothing is queued that a worker should see.
    return run.run_alone(
        bench,
        lambda b: exports_report(b, tuple(args.sizes)),
        title="Cosign exports bench",
        broker="memory://",
    )


if __name__ == "__main__":
    sys.exit(main())
