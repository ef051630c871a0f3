"""The public API bench: the list of 100,000 signatories page by page, and the counts readers poll.

1. Depth: a letter with --page-signatures (100,000) public signatures, its list walked once to
   the end by following each page's `next` (100 a page: 1,000 pages, each asked once, so each
   rendered afresh), which checks that the pages hold numbers 1 to n, each once, in order. Then
   the first page, a page at each tenth of the list and the last, in turn on one connection,
   --page-requests (200) times each, the letter's cache version dropped before every GET so that
   each is rendered afresh (the query and the rendering, not the cache): each depth's median as a
   ratio of the first page's. Target: none above 1.2.
2. Throughput: GET /api/v1/letters/<slug>/counts by --readers busy readers, against a static file
   served by the same gunicorn (whitenoise), in turn, twice; the letter's page for readers
   (same cache, no limiter) beside them. Target: at least 0.5 × the static file. The counts come
   from the letter pages' cache (one Redis command), after the rate limit's (one more).

API_RATE_LIMIT is 1000000/m in the bench (run.py), so that the limiter runs on every request and
refuses none. Run as a section of `make bench` (`--sections api`), or alone:
`.venv/bin/python bench/api.py`, which uses its own database, `cosign_bench_api`.
"""

import asyncio
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

from bench import load, run  # noqa: E402

HOST = "127.0.0.1"
TARGET_DEPTH = 1.2  # any later page over the first
TARGET_STATIC = 0.5  # the counts' answers per second over a static file's


@dataclasses.dataclass
class Walk:
    """One walk of the list by `next`: each page's seconds and the numbers it held."""

    seconds: list[float] = dataclasses.field(default_factory=list)
    numbers: list[int] = dataclasses.field(default_factory=list)


async def list_walk(client, path: str) -> Walk:
    """Follow `next` from `path` to the last page with `client` (load.HttpClient, or anything
    with its `request`); addresses are read relative to the site."""
    walk = Walk()
    while path:
        started = time.perf_counter()
        response = await client.request("GET", path)
        walk.seconds.append(time.perf_counter() - started)
        if response.status != 200:
            raise run.BenchError(f"GET {path} answered {response.status}")
        page = json.loads(response.body)
        walk.numbers += [s["number"] for s in page["signatories"]]
        following = page["next"]
        path = "/api/" + following.split("/api/", 1)[1] if following else ""
    return walk


def api_path(slug: str, what: str = "") -> str:
    return f"/api/v1/letters/{slug}{what}"


class ApiBench:
    def __init__(self, bench):
        self.bench, self.args = bench, bench.args
        self.targets: list[tuple[str, bool | None, str]] = []

    def out(self, line: str = "") -> None:
        self.bench.out(line)

    def letter(self):
        from django.db import connection

        from bench.data import letter_open_for_signing
        from letters_app.models import Signature
        from tests.factories import signatures_bulk_create

        count = self.args.page_signatures
        started = time.perf_counter()
        letter = letter_open_for_signing(slug="bench-api")
        signatures_bulk_create(letter, count)
        with connection.cursor() as cursor:  # what autovacuum would have done by then
            cursor.execute(f"VACUUM ANALYZE {Signature._meta.db_table}")
        letter.refresh_from_db()
        self.out(f"  Seeded {count:,} public signatures in {time.perf_counter() - started:.0f} s")
        return letter

    def depth(self, letter) -> None:
        from letters_app.api.public import cursor_encode
        from letters_app.cache import PAGE_FRESH_SECONDS, letter_page_forget

        first = api_path(letter.slug, "/signatures")
        count = letter.signature_count
        # The first page, a page at each tenth of the list, and the last.
        depths = {1: first}
        for tenth in range(1, 10):
            after = count * tenth // 10 // 100 * 100
            depths[after // 100 + 1] = f"{first}?cursor={cursor_encode(after)}"
        depths[-(-count // 100)] = f"{first}?cursor={cursor_encode((count - 1) // 100 * 100)}"
        rounds = self.args.page_requests

        async def measure() -> tuple[Walk, dict[int, list[float]]]:
            client = load.HttpClient(HOST, self.bench.port)
            try:
                for _ in range(20):  # the connection, each worker's code
                    await client.request("GET", f"{first}?limit=1")
                await asyncio.sleep(PAGE_FRESH_SECONDS + 0.5)
                walk = await list_walk(client, first)
                timings: dict[int, list[float]] = {page: [] for page in depths}
                for _round in range(rounds):
                    for page, path in depths.items():
                        letter_page_forget(letter.slug)  # rendered afresh, not from the cache
                        started = time.perf_counter()
                        response = await client.request("GET", path)
                        timings[page].append(time.perf_counter() - started)
                        if response.status != 200:
                            raise run.BenchError(f"GET {path} answered {response.status}")
                return walk, timings
            finally:
                await client.close()

        walk, timings = asyncio.run(measure())
        whole = walk.numbers == list(range(1, count + 1))
        pages = len(walk.seconds)
        walked = [t * 1000 for t in walk.seconds]
        self.out(f"  Depth: the list walked once by `next`, {pages:,} pages of 100 on one "
                 f"connection, each page rendered afresh: median {statistics.median(walked):.1f} "
                 f"ms, p90 {statistics.quantiles(walked, n=10)[-1]:.1f} ms, last page "
                 f"{walked[-1]:.1f} ms; numbers 1 to {count:,}, each once, in order: "
                 f"{'yes' if whole else 'NO'}")  # fmt: skip
        self.out(f"    each depth rendered afresh (its letter's cache dropped before each GET), "
                 f"median of {rounds}, the depths in turn on one connection:")  # fmt: skip
        first_ms = statistics.median(timings[1]) * 1000
        worst = 0.0
        for page, seconds in timings.items():
            ms = statistics.median(seconds) * 1000
            ratio = ms / first_ms
            worst = max(worst, ratio)
            self.out(f"    page {page:>6,} (numbers {(page - 1) * 100 + 1:>7,}…): {ms:5.1f} ms = "
                     f"{ratio:.2f} × the first")  # fmt: skip
        self.targets.append((f"any later page <= {TARGET_DEPTH} × the first", worst <= TARGET_DEPTH,
                             f"{worst:.2f} (the worst depth)"))  # fmt: skip
        self.targets.append(("the walk lists every signatory once", whole,
                             f"{len(walk.numbers):,} of {count:,}"))  # fmt: skip
        self.plan(letter)

    def plan(self, letter) -> None:
        """The plan of the list's last page as the endpoint asks for it: one range of an index
        on (letter, number)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from letters_app import selectors

        with CaptureQueriesContext(connection) as captured:
            selectors.signature_list_public(letter, after=letter.signature_count - 100, limit=101)
        sql = captured.captured_queries[-1]["sql"]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
        self.out("    plan of the last page:")
        for row in plan:
            self.out(f"      {row}")

    def throughput(self, letter) -> None:
        from django.contrib.staticfiles.storage import staticfiles_storage

        a = self.args
        paths = {
            "static file": staticfiles_storage.url("css/cosign.css"),
            "counts": api_path(letter.slug, "/counts"),
            # For comparison: the letter's page for readers, from the same cache, no limiter.
            "letter page": letter.get_absolute_url(),
        }
        rates: dict[str, list[float]] = {name: [] for name in paths}
        sizes = {}
        for _round in range(2):  # in turn, twice: any drift of the machine falls on both
            for name, path in paths.items():
                result = asyncio.run(load.run_gets(
                    HOST, self.bench.port, path, users=a.readers, warmup=1,
                    duration=a.reader_duration,
                ))  # fmt: skip
                others = {k: v for k, v in result.statuses.items() if k != "200"}
                if others:
                    raise run.BenchError(f"GET {path} answered {others}")
                rates[name].append(result.per_second)
                sizes[name] = result.size
        mean = {name: statistics.mean(r) for name, r in rates.items()}
        static = mean["static file"]
        self.out(f"  Throughput: GETs by {a.readers} readers, every one busy, "
                 f"{a.reader_duration:g} s measured, two rounds in turn")  # fmt: skip
        for name, rate in mean.items():
            self.out(f"    {name:<14}{rate:>9,.0f}/s = {rate / static:5.2f} × static   "
                     f"{sizes[name]:,} bytes  {paths[name]}")  # fmt: skip
        ratio = mean["counts"] / static
        self.targets.append((f"counts >= {TARGET_STATIC} × a static file", ratio >= TARGET_STATIC,
                             f"{ratio:.2f}"))  # fmt: skip

    def report(self) -> None:
        self.out("  Targets (API)")
        for text, met, value in self.targets:
            mark = "n/a" if met is None else ("yes" if met else "NO")
            self.out(f"    {text:<46}{mark:<5}{value}")


def api_report(bench) -> bool:
    """The "API" section of `make bench`: measures and prints through `bench.out`; False when
    the walk did not list every signatory once (a slow run is reported, not an error)."""
    bench.out()
    bench.out(f"API: the public list of {bench.args.page_signatures:,} signatories by cursor, and "
              f"the counts against a static file; load average "
              f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    b = ApiBench(bench)
    try:
        from letters_app.fixtures_data import demo_letter
        from letters_app.models import LetterTemplate
        from letters_app.services.directory import recipients_load, templates_load

        if not LetterTemplate.objects.filter(key=demo_letter.TEMPLATE_KEY).exists():
            templates_load()
            recipients_load()
        letter = b.letter()
        if bench.gunicorn is None:
            bench.start_gunicorn()
        b.depth(letter)
        b.throughput(letter)
    except Exception as exc:  # the section failed; the rest of the report stands
        bench.out(f"  could not run: {type(exc).__name__}: {exc}")
        return False
    b.report()
    return all(met is not False for text, met, _value in b.targets if "once" in text)


def main(argv=None) -> int:
    """Alone: the bench's setup (database, broker, Django, gunicorn), this section only."""
    run.DB_NAME = "cosign_bench_api"
    bench = run.Bench(run.parse_args(argv))
    try:
        return run.run_alone(bench, api_report, title="Cosign API bench")
    finally:
        if bench.lines:
            (run.VAR / "api.txt").write_text("\n".join(bench.lines) + "\n")
            print(f"\nWritten to {(run.VAR / 'api.txt').relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
