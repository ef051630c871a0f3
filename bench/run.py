"""`make bench`: signing throughput against a bare Django baseline, the public letter page at
100 and at 100,000 signatures, and the finalized letter's PDF at 100 and 5,000 signatories (see
bench/pdf.py), in one run on this machine. Prints a table and writes it to
var/bench/latest.txt.

Everything runs here: a dedicated PostgreSQL database (created, migrated, dropped), gunicorn on
127.0.0.1 with the bench settings (bench/settings.py: Cosign's settings plus the baseline form),
Celery's broker on a spare Redis database (flushed afterwards), and the load generator
(bench/load.py) in this process. Exits non-zero only when the bench itself broke, or when an
accepted signature is missing from the database (its figures then mean nothing); a missed target
is reported, not an error.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import datetime
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

from bench import cpu, load, pdf  # noqa: E402

VAR = ROOT / "var" / "bench"
HOST = "127.0.0.1"
DB_NAME = "cosign_bench"

# The targets; each figure is compared with a baseline measured in the same run.
TARGET_RATE = 300  # accepted signatures per second
TARGET_P95_MS = 200
TARGET_RATIO = 0.6  # of the bare baseline's rate
TARGET_PAGE_RATIO = 1.2  # page time at 100,000 signatures over its time at 100
TARGET_READER_STATIC = 0.5  # anonymous letter page's answers per second over a static file's
TARGET_READER_SIZES = 1.1  # its cost at 100,000 signatures over its cost at 100
TARGET_LIST_DEPTH = 1.2  # the last page of the 100,000 list over the first


SECTIONS = (
    "signing", "page", "pdf", "delivery", "mail", "exports", "imports", "partners", "api",
)  # fmt: skip


class BenchError(Exception):
    """The bench could not run (not: a target was missed)."""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=32, help="virtual users per round (32)")
    p.add_argument("--duration", type=float, default=10, help="measured seconds per round (10)")
    p.add_argument("--warmup", type=float, default=2, help="warm-up seconds per round (2)")
    p.add_argument("--rounds", type=int, default=2, help="baseline/Cosign pairs, alternated (2)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker; >1 is gthread (1)")
    p.add_argument(
        "--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS),
        help="what to measure (all); signing and page share their setup",
    )  # fmt: skip
    p.add_argument("--page-signatures", type=int, default=100_000, help="the big letter (100000)")
    p.add_argument("--page-requests", type=int, default=200, help="GETs per page size (200)")
    p.add_argument("--readers", type=int, default=16, help="readers per throughput round (16)")
    p.add_argument(
        "--reader-duration", type=float, default=5, help="measured seconds per reader round (5)"
    )
    p.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="server to create the bench database on (env BENCH_POSTGRES_URL)",
    )
    p.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="a spare Redis database for Celery's broker, flushed afterwards (env BENCH_REDIS_URL)",
    )
    p.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE", DB_NAME),
        help=f"the database to create, use and drop ({DB_NAME}; env BENCH_DATABASE)",
    )
    p.add_argument(
        "--mail-count", type=int, default=6000, help="mail: the backlog sent at once (6000)"
    )
    p.add_argument(
        "--mail-seconds", type=float, default=60, help="mail: seconds of each signing load (60)"
    )
    p.add_argument(
        "--outage", type=float, default=0, metavar="SECONDS",
        help="mail: also stop the SMTP server this long while signing goes on (off; 600 for ten "
        "minutes)",
    )  # fmt: skip
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pct(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


class Bench:
    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.gunicorn: subprocess.Popen | None = None
        self.gunicorn_log = VAR / "gunicorn.log"
        self.database_created = False
        self.redis = None  # a client on the broker's database, when the broker is Redis
        self.broker = ""
        self.lines: list[str] = []
        self.cosign_missing = ""
        self.finished = False

    # --- setting up ----------------------------------------------------------------------------

    def choose_broker(self) -> None:
        """Redis when it answers: the production broker, and tasks can be counted. Otherwise
        kombu's filesystem queue in var/bench. No worker runs: the tasks just wait in the queue."""
        import redis

        client = redis.Redis.from_url(self.args.redis, socket_connect_timeout=2)
        try:
            client.ping()
        except redis.RedisError:
            self.broker = "filesystem://"
            return
        keys = client.scan_iter(count=1000)
        foreign = [k for k in keys if not k.startswith(BENCH_KEY_PREFIXES)][:5]
        if foreign:
            raise BenchError(
                f"Redis database {self.args.redis} holds keys that are not Celery's ({foreign}); "
                "choose a spare one with BENCH_REDIS_URL."
            )
        client.flushdb()
        self.redis, self.broker = client, self.args.redis

    def environment(self) -> dict[str, str]:
        """Production's settings, over plain HTTP on loopback, with the signing rate limit out of
        the way. Applied to this process (which seeds and checks) and to gunicorn."""
        return {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{self.args.postgres.rstrip('/')}/{self.args.database}",
            # Each worker keeps its connection for the whole bench (production: 60 s), so that
            # the CPU of its PostgreSQL backend can be read before and after a round.
            "DB_CONN_MAX_AGE": "3600",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{self.port}",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SIGNING_RATE_LIMIT": "1000000/h",
            # The API's limiter counts every request (one Redis command) and refuses none;
            # BENCH_API_RATE_LIMIT= (empty) measures the API without it.
            "API_RATE_LIMIT": os.environ.get("BENCH_API_RATE_LIMIT", "1000000/m"),
            "CELERY_BROKER_URL": self.broker,
            # The rate limits' cache, on Redis as in docker-compose.yml (else each worker's memory).
            "CACHE_URL": self.broker if self.redis is not None else "",
            "COSIGN_VAR_DIR": str(VAR / "app"),  # static files, queue folders
            "MAIL_OUTBOX_DIR": str(VAR / "app" / "outbox"),  # mail, unless a section's SMTP
            "LOG_LEVEL": "WARNING",
        }

    def admin_connection(self):
        import psycopg

        try:
            return psycopg.connect(f"{self.args.postgres.rstrip('/')}/postgres", autocommit=True)
        except psycopg.Error as exc:
            raise BenchError(f"PostgreSQL at {self.args.postgres} is not reachable: {exc}") from exc

    def create_database(self) -> str:
        with self.admin_connection() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.args.database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.args.database}")
            self.database_created = True
            return conn.execute("SHOW server_version").fetchone()[0]

    def setup_django(self) -> None:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        from bench.views import baseline_table_create

        baseline_table_create()

    def start_gunicorn(self) -> None:
        a = self.args
        cmd = [sys.executable, "-m", "gunicorn", "letters_app.wsgi:application",
               "--bind", f"{HOST}:{self.port}", "--workers", str(a.workers),
               "--worker-class", "gthread" if a.threads > 1 else "sync",
               "--threads", str(a.threads), "--backlog", "2048", "--timeout", "60",
               "--log-level", "warning", "--error-logfile", str(self.gunicorn_log)]  # fmt: skip
        self.gunicorn = subprocess.Popen(
            cmd, cwd=ROOT, env=os.environ.copy(), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if self.gunicorn.poll() is not None:
                raise BenchError("gunicorn stopped at startup:\n" + self.log_tail())
            try:
                response = asyncio.run(self.get("/bench/baseline/"))
            except load.FAILURES:
                response = None
            if response is not None:
                if response.status != 200:
                    raise BenchError(f"GET /bench/baseline/ answered {response.status}")
                return
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer within 60 s:\n" + self.log_tail())
            time.sleep(0.2)

    async def get(self, path: str) -> load.Response:
        client = load.HttpClient(HOST, self.port)
        try:
            return await client.request("GET", path)
        finally:
            await client.close()

    def log_tail(self) -> str:
        if not self.gunicorn_log.exists():
            return "(no log)"
        return "\n".join(self.gunicorn_log.read_text(errors="replace").splitlines()[-30:])

    # --- the runs ------------------------------------------------------------------------------

    def run(self) -> int:
        a = self.args
        VAR.mkdir(parents=True, exist_ok=True)
        self.choose_broker()
        os.environ.update(self.environment())
        started = time.monotonic()
        pg_version = self.create_database()
        self.setup_django()
        from bench import data

        seeding = time.monotonic()
        big = a.page_signatures if "page" in a.sections else 100
        letters = data.letters_create(page_signatures=big)
        seeding = time.monotonic() - seeding
        self.start_gunicorn()
        cosign = self.cosign_target(letters.signing)

        self.header(pg_version, seeding, letters)
        ok, rounds, page_ratio, pdf_timing, readers = True, None, None, None, None
        if "signing" in a.sections:
            rounds = self.signing_rounds(cosign)
            queued = self.tasks_queued()
            ok = self.signing_report(rounds, cosign, letters, queued)
            self.round_trip_report()
            self.query_report(letters, cosign)
        if "page" in a.sections:
            page_ratio = self.page_report(letters)
            readers = self.readers_report(letters)
        if "pdf" in a.sections:
            pdf_timing = pdf.report(self.out)
        self.targets_report(rounds, page_ratio, pdf_timing, readers)
        if "delivery" in a.sections:
            from bench.delivery import delivery_report  # its own letter, SMTP server, workers

            delivery_report(self)
        if "mail" in a.sections:
            from bench.mail import mail_report  # its own letters, SMTP server, worker and beat

            mail_report(self)
        if "exports" in a.sections:
            from bench.exports import exports_report  # its own letters of 1,000 and 100,000

            exports_report(self)
        if "imports" in a.sections:
            from bench.imports import import_report  # its own letters, in this process

            import_report(self)
        if "partners" in a.sections:
            from bench.partners import partners_report  # its own letters, SMTP server, worker

            partners_report(self)
        if "api" in a.sections:
            from bench.api import api_report  # its own letter of 100,000

            api_report(self)
        self.out(f"\nBench took {time.monotonic() - started:.0f} s.")
        self.finished = True
        return 0 if ok else 1

    def cosign_target(self, letter) -> load.Target | None:
        """The sign form if it is served: its own page, else the letter's page."""
        sign = f"/letters/{letter.slug}/sign/"
        answers = []
        for form_path in (sign, letter.get_absolute_url()):
            response = asyncio.run(self.get(form_path))
            if response.status == 200 and load.TOKEN_RE.search(response.body):
                break
            answers.append(f"GET {form_path}: {response.status}, no CSRF token")
        else:
            self.cosign_missing = "; ".join(answers)
            return None
        return load.Target(
            name="Cosign",
            form_path=form_path,
            post_path=sign,
            done_path=f"/letters/{letter.slug}/sign/done/",
            fields=signing_fields("Cosign", "probe"),
        )

    def signing_rounds(self, cosign: load.Target | None) -> dict:
        a = self.args
        baseline = load.Target(
            name="baseline",
            form_path="/bench/baseline/",
            post_path="/bench/baseline/",
            done_path="/bench/baseline/done/",
            fields=signing_fields("baseline", "probe"),
        )
        rounds = {"baseline": [], "Cosign": [], "open": None}
        plan = [baseline, cosign] if cosign else [baseline]
        common = {"warmup": a.warmup, "duration": a.duration}
        for n in range(1, a.rounds + 1):
            for target in plan:
                this = dataclasses.replace(target, fields=signing_fields(target.name, f"r{n}"))
                rounds[target.name].append(
                    self.measure_cpu(
                        lambda on_start, this=this: load.run_closed(
                            HOST, self.port, this, users=a.users, on_start=on_start, **common
                        )
                    )
                )
        if cosign:
            offered = dataclasses.replace(cosign, fields=signing_fields("Cosign", "open"))
            rounds["open"] = self.measure_cpu(
                lambda on_start: load.run_open(
                    HOST, self.port, offered, rate=TARGET_RATE, users=max(a.users, 64),
                    on_start=on_start, **common,
                )
            )  # fmt: skip
        return rounds

    def measure_cpu(self, make_round) -> load.RoundResult:
        """Run a round, `make_round(on_start)`, and add the CPU time gunicorn and PostgreSQL
        spent on it from its first POST."""
        before = {}

        def on_start():
            before["app"] = cpu.snapshot(cpu.process_tree(self.gunicorn.pid))
            before["db"] = cpu.snapshot(self.database_backends())

        result = asyncio.run(make_round(on_start))
        result.app_cpu = cpu.spent(before["app"], cpu.snapshot(list(before["app"])))
        after_db = cpu.snapshot([*before["db"], *self.database_backends()])
        result.db_cpu = cpu.spent(before["db"], after_db)
        return result

    def database_backends(self) -> list[int]:
        with self.admin_connection() as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.args.database]
            ).fetchall()
        return [pid for (pid,) in rows]

    def tasks_queued(self) -> int | None:
        """Messages waiting in the broker (no worker runs): the sign POSTs' wake-ups."""
        if self.redis is not None:
            return sum(
                self.redis.llen(k)
                for k in self.redis.scan_iter(match="celery*")
                if self.redis.type(k) == b"list"
            )
        queue = VAR / "app" / "celery" / "queue"
        return sum(1 for _ in queue.iterdir()) if queue.exists() else 0

    # --- the report ----------------------------------------------------------------------------

    def out(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def header(self, pg_version: str, seeding: float, letters) -> None:
        import django

        a = self.args
        kind = f"gthread, {a.threads} threads each" if a.threads > 1 else "sync"
        broker = (
            f"Redis {self.broker}, no worker: wake-ups wait in the queue, flushed afterwards; "
            "the rate limits' cache on the same database"
            if self.redis is not None
            else "kombu filesystem queue in var/bench (Redis did not answer), no worker; "
            "the rate limits' cache in each worker's memory"
        )
        self.out(f"Cosign bench, {datetime.datetime.now():%Y-%m-%d %H:%M}")
        # Anything else busy on the machine moves every figure; the ratios less so.
        load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.out(
            f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"Django {django.get_version()}, PostgreSQL {pg_version} (database {a.database}), "
            f"load average {load_avg} before the load"
        )
        self.out(
            f"Server: gunicorn on {HOST}:{self.port}, {a.workers} {kind} workers, DEBUG off, "
            "plain HTTP, SIGNING_RATE_LIMIT=1000000/h, "
            f"API_RATE_LIMIT={os.environ.get('API_RATE_LIMIT', '')}, DB_CONN_MAX_AGE=3600"
        )
        self.out(f"Celery broker: {broker}")
        self.out(
            f"Load: {a.users} virtual users per round, {a.warmup:g} s warm-up + {a.duration:g} s "
            "measured; one GET for the CSRF token per user, then POSTs with unique e-mails"
        )
        self.out(
            f"Seeded in {seeding:.0f} s: page letters with {letters.small_count:,} and "
            f"{letters.big_count:,} public signatures"
        )

    def round_trip_report(self, count: int = 2000) -> None:
        """CPU time of one round trip to Redis and to PostgreSQL on this machine, client and
        server, with nothing else running: what the sign POST's Redis command (its rate limit;
        and a wake-up for a worker, at most once a second per process), which the baseline does
        not make, costs here at the least."""
        import psycopg

        def timed(call, server_cpu) -> tuple[float, float]:
            call()
            server, client = server_cpu(), time.process_time()
            for _ in range(count):
                call()
            client = time.process_time() - client
            return client / count * 1000, (server_cpu() - server) / count * 1000

        self.out("\nOne round trip on this machine, idle, CPU ms (client + server), "
                 f"mean of {count:,}")  # fmt: skip
        if self.redis is not None:
            info = self.redis.info

            def redis_cpu() -> float:
                seconds = info("cpu")
                return seconds["used_cpu_user"] + seconds["used_cpu_sys"]

            client, server = timed(self.redis.ping, redis_cpu)
            self.out(f"  Redis PING:            {client:.3f} + {server:.3f}"
                     "   (a sign POST makes one Redis command, the baseline none)")  # fmt: skip
        url = self.environment()["DATABASE_URL"]
        with psycopg.connect(url, autocommit=True) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            client, server = timed(
                lambda: conn.execute("SELECT 1"), lambda: cpu.cpu_seconds(backend) or 0.0
            )
        self.out(f"  PostgreSQL SELECT 1:   {client:.3f} + {server:.3f}"
                 "   (both make two: Django's connection check and the INSERT)")  # fmt: skip

    def signing_report(self, rounds, cosign, letters, queued) -> bool:
        from bench.data import baseline_emails, signature_emails, signer_mail_counts

        self.out()
        self.out("Signing: POST, accepted = 302 to the done page")
        self.out(f"  {'round':<24}{'accepted/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                 f"{'errors':>8}{'CPU ms/POST':>13}  answers")  # fmt: skip
        for n in range(self.args.rounds):
            for name in ("baseline", "Cosign"):
                if len(rounds[name]) > n:
                    self.round_line(f"{name} #{n + 1}", rounds[name][n])
        if rounds["open"] is not None:
            self.round_line(f"Cosign at {TARGET_RATE}/s offered", rounds["open"])
        base = mean_rate(rounds["baseline"])
        self.out("  (CPU ms/POST: gunicorn + PostgreSQL, over the whole round)")
        self.out(f"  baseline, mean of rounds: {base:,.0f} signatures/s")
        for name, errors in self.error_samples(rounds):
            self.out(f"  first {name} answer that was not accepted: {errors}")
        if cosign is None:
            self.out(
                f"  Cosign: not measured, its sign view is not there yet ({self.cosign_missing})"
            )
            self.check_baseline_rows(rounds, baseline_emails())
            return True
        cos = mean_rate(rounds["Cosign"])
        self.out(
            f"  Cosign, mean of rounds:   {cos:,.0f} signatures/s = {cos / base:.2f} × baseline"
        )
        cpu_base, cpu_cos = mean_cpu(rounds["baseline"]), mean_cpu(rounds["Cosign"])
        if cpu_base and cpu_cos:
            self.out(
                f"  server CPU per POST: baseline {cpu_base:.1f} ms, Cosign {cpu_cos:.1f} ms, "
                f"so Cosign signs {cpu_base / cpu_cos:.2f} × as many per CPU second"
            )
        self.out()
        self.out("Checks")
        self.check_baseline_rows(rounds, baseline_emails())
        accepted = [e for r in [*rounds["Cosign"], rounds["open"]] for e in r.accepted_emails]
        stored = signature_emails(letters.signing)
        missing = set(accepted) - stored
        extra = stored - set(accepted)
        ok = not missing and len(accepted) == len(set(accepted))
        verdict = "yes" if ok else "NO: ACCEPTED SIGNATURES ARE MISSING FROM THE DATABASE"
        self.out(
            f"  every accepted Cosign signature is in the database: {verdict} ({len(accepted):,} "
            f"accepted, {len(stored):,} rows, {len(missing):,} missing, {len(extra):,} stored "
            "without an accepted answer)"
        )
        rows = signer_mail_counts(letters.signing)
        once = sum(rows.get(e, 0) == 1 for e in set(accepted))
        same = "yes" if once == len(set(accepted)) and sum(rows.values()) == len(stored) else "NO"
        self.out(
            f"  one confirmation mail row per accepted signature: {same} ({sum(rows.values()):,} "
            f"rows, {len(set(accepted)) - once:,} accepted signatures without exactly one)"
        )
        if queued is not None:
            # No worker runs, so every wake-up sent stays in the broker: at most one per gunicorn
            # worker per MAIL_KICK_SECONDS of load, whatever the number of signatures. The
            # baseline sends none; the in-process probes below run after this count.
            bound = self.kicks_bound([*rounds["Cosign"], rounds["open"]])
            few = "yes" if queued <= bound else "NO"
            self.out(
                f"  the broker holds only wake-ups, not a message per mail: {few} ({queued:,} "
                f"messages for {len(accepted):,} signatures; at most {bound:,} expected)"
            )
        return ok

    def kicks_bound(self, results: list[load.RoundResult | None]) -> int:
        """The most wake-ups the sign POSTs of these rounds may send: one per gunicorn worker
        per MAIL_KICK_SECONDS, and one more each at the start of a round."""
        from django.conf import settings

        bound = 0
        for r in results:
            if r is not None and r.samples:
                seconds = max(s.finished for s in r.samples) - min(s.started for s in r.samples)
                every = max(settings.MAIL_KICK_SECONDS, 1e-3)
                bound += self.args.workers * (math.ceil(seconds / every) + 1)
        return bound

    def check_baseline_rows(self, rounds, stored: set[str]) -> None:
        accepted = {e for r in rounds["baseline"] for e in r.accepted_emails}
        missing = accepted - stored
        self.out(
            f"  every accepted baseline row is in the database: {'no' if missing else 'yes'} "
            f"({len(accepted):,} accepted, {len(stored):,} rows)"
        )

    def round_line(self, label: str, r: load.RoundResult) -> None:
        answers = ", ".join(f"{k} {v:,}" for k, v in r.outcomes.most_common())
        app, db = r.cpu_ms_per_post(r.app_cpu), r.cpu_ms_per_post(r.db_cpu)
        cpu_text = f"{app:.1f} + {db:.1f}" if app is not None and db is not None else "?"
        self.out(
            f"  {label:<24}{r.accepted_per_second:>11,.0f}{pct(r.percentile(50)):>9}"
            f"{pct(r.percentile(95)):>9}{pct(r.percentile(99)):>9}{r.errors:>8,}"
            f"{cpu_text:>13}  {answers}"
        )

    def error_samples(self, rounds):
        """The first answer of each target that was not accepted, with the form's errors."""
        for name in ("baseline", "Cosign"):
            results = rounds[name] + ([rounds["open"]] if name == "Cosign" else [])
            bodies = [(o, b) for r in results if r for o, b in r.error_bodies.items()]
            if bodies:
                outcome, body = bodies[0]
                yield f"{name} ({outcome})", form_errors(body)

    def query_report(self, letters, cosign) -> None:
        """Queries of one view, counted in this process with Django's test client."""
        from bench.data import count_queries

        self.out()
        self.out("Queries per request (in-process, Django test client, a warm second request)")
        if cosign is not None:
            path = f"/letters/{letters.probe.slug}/sign/"
            fields = signing_fields("Cosign", "probe")
            queries, status = count_queries(lambda client, n: client.post(path, fields(1, n)))
            self.out(f"  sign POST ({status}): {describe_queries(queries)}")
        for count, letter in ((letters.small_count, letters.small),
                              (letters.big_count, letters.big)):  # fmt: skip
            url = letter.get_absolute_url()
            queries, status = count_queries(lambda client, n, url=url: client.get(url))
            self.out(f"  letter page at {count:,} signatures ({status}): "
                     f"{describe_queries(queries)}")  # fmt: skip

    def page_report(self, letters) -> float:
        a = self.args
        small, big = letters.small.get_absolute_url(), letters.big.get_absolute_url()
        asyncio.run(load.time_gets(HOST, self.port, [small, big], rounds=20))  # warm-up
        timings = asyncio.run(load.time_gets(HOST, self.port, [small, big], rounds=a.page_requests))
        t_small, t_big = timings[small], timings[big]
        ratio = t_big.median_ms / t_small.median_ms
        self.out()
        self.out(f"Public letter page: GET /letters/<slug>/, median of {a.page_requests}, "
                 "the two letters in turn, one connection")  # fmt: skip
        self.out(f"  at {letters.small_count:,} signatures: {t_small.median_ms:6.1f} ms, "
                 f"{t_small.size / 1024:,.0f} KiB")  # fmt: skip
        self.out(f"  at {letters.big_count:,} signatures: {t_big.median_ms:6.1f} ms, "
                 f"{t_big.size / 1024:,.0f} KiB")  # fmt: skip
        self.out(f"  ratio: {ratio:.2f}")
        return ratio

    def readers_report(self, letters) -> dict[str, float]:
        """Answers per second to anonymous readers, every reader busy, against a static file
        served by the same gunicorn (whitenoise); then what the list pages cost uncached, as a
        signed-in coordinator gets them, first and last page of the big list."""
        from django.contrib.staticfiles.storage import staticfiles_storage
        from django.test import Client

        from letters_app.views.public import PER_PAGE

        a = self.args
        small, big = letters.small.get_absolute_url(), letters.big.get_absolute_url()
        last = f"{big}?page={-(-letters.big_count // PER_PAGE)}"
        paths = {
            "static file": staticfiles_storage.url("css/cosign.css"),
            f"page at {letters.small_count:,}": small,
            f"page at {letters.big_count:,}": big,
            f"list page 1 of {letters.big_count:,}": f"{big}?page=1",
            f"list last page of {letters.big_count:,}": last,
        }
        rates = {name: [] for name in paths}
        sizes = {}
        for _round in range(2):  # in turn, twice: any drift of the machine falls on all alike
            for name, path in paths.items():
                result = asyncio.run(load.run_gets(
                    HOST, self.port, path, users=a.readers, warmup=1, duration=a.reader_duration
                ))  # fmt: skip
                others = {k: v for k, v in result.statuses.items() if k != "200"}
                if others:
                    raise BenchError(f"GET {path} answered {others}")
                rates[name].append(result.per_second)
                sizes[name] = result.size
        mean = {name: sum(r) / len(r) for name, r in rates.items()}
        static = mean["static file"]
        self.out()
        self.out(f"Readers: GETs by {a.readers} anonymous readers, every one busy, "
                 f"{a.reader_duration:g} s measured, two rounds in turn")  # fmt: skip
        for name, rate in mean.items():
            self.out(f"  {name:<28}{rate:>9,.0f}/s = {rate / static:5.2f} × static   "
                     f"{sizes[name] / 1024:,.0f} KiB  {paths[name]}")  # fmt: skip
        page_small, page_big = (mean[f"page at {n:,}"] for n in (letters.small_count,
                                                                   letters.big_count))  # fmt: skip
        list_first = mean[f"list page 1 of {letters.big_count:,}"]
        list_last = mean[f"list last page of {letters.big_count:,}"]
        self.out(f"  page cost at {letters.big_count:,} over at {letters.small_count:,}: "
                 f"{page_small / page_big:.2f}; list's last page over its first: "
                 f"{list_first / list_last:.2f}")  # fmt: skip

        client = Client()
        client.force_login(letters.big.created_by)
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        signed_in = [f"{big}?page=1", last]
        asyncio.run(load.time_gets(HOST, self.port, signed_in, rounds=10, cookies=cookies))
        timings = asyncio.run(
            load.time_gets(HOST, self.port, signed_in, rounds=a.page_requests // 2, cookies=cookies)
        )
        first_ms, last_ms = (timings[p].median_ms for p in signed_in)
        self.out(
            f"  signed in (not cached), median of {a.page_requests // 2}: list page 1 "
            f"{first_ms:.1f} ms, last page {last_ms:.1f} ms, ratio {last_ms / first_ms:.2f}"
        )
        self.plan_report(letters)
        return {
            "static": page_big / static,
            "sizes": page_small / page_big,
            "depth": last_ms / first_ms,
        }

    def plan_report(self, letters) -> None:
        """The plans of the big list's last page, whole and narrowed to a country, as the
        selector asks for them: each should be one range of an index on the number."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from letters_app import selectors
        from letters_app.views.public import PER_PAGE

        big = letters.big
        last = (big.signature_count - 1) // PER_PAGE * PER_PAGE
        for label, lookup in (("last page", {}), ("narrowed to FR, near the end",
                                                 {"country": "FR"})):  # fmt: skip
            with CaptureQueriesContext(connection) as captured:
                selectors.signature_list_public(big, after=last, limit=PER_PAGE + 1, **lookup)
            sql = captured.captured_queries[-1]["sql"]
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            self.out(f"  plan of the list's {label}:")
            for row in plan:
                self.out(f"    {row}")

    def targets_report(self, rounds, page_ratio: float | None, pdf_timing, readers) -> None:
        self.out()
        self.out("Targets (2-core machine)")

        def line(text, met: bool | None, value: str):
            mark = "n/a" if met is None else ("yes" if met else "NO")
            self.out(f"  {text:<46}{mark:<5}{value}")

        if rounds is not None and rounds["Cosign"]:
            base, cos = mean_rate(rounds["baseline"]), mean_rate(rounds["Cosign"])
            opened = rounds["open"]
            p95 = opened.percentile(95)
            line(f">= {TARGET_RATE} signatures/s (mean of rounds)", cos >= TARGET_RATE,
                 f"{cos:,.0f}/s")  # fmt: skip
            line(f"p95 < {TARGET_P95_MS} ms at {TARGET_RATE}/s offered",
                 p95 < TARGET_P95_MS and opened.accepted_per_second >= 0.95 * TARGET_RATE,
                 f"{p95:,.0f} ms, {opened.accepted_per_second:,.0f}/s accepted")  # fmt: skip
            line(f">= {TARGET_RATIO} × the bare baseline", cos >= TARGET_RATIO * base,
                 f"{cos / base:.2f}")  # fmt: skip
        else:
            why = "not measured" if rounds is None else "Cosign's sign view is not there yet"
            for text in (f">= {TARGET_RATE} signatures/s", f"p95 < {TARGET_P95_MS} ms",
                         f">= {TARGET_RATIO} × the bare baseline"):  # fmt: skip
                line(text, None, why)
        page = f"page at {self.args.page_signatures:,} <= {TARGET_PAGE_RATIO} × page at 100"
        if page_ratio is None:
            line(page, None, "not measured")
        else:
            line(page, page_ratio <= TARGET_PAGE_RATIO, f"{page_ratio:.2f}")
        big = f"{self.args.page_signatures:,}"
        for key, text in (
            ("static", f"page at {big} >= {TARGET_READER_STATIC} × static file"),
            ("sizes", f"page at {big} costs <= {TARGET_READER_SIZES} × at 100"),
            ("depth", f"last list page <= {TARGET_LIST_DEPTH} × first"),
        ):
            if readers is None:
                line(text, None, "not measured")
                continue
            value = readers[key]
            met = {"static": value >= TARGET_READER_STATIC, "sizes": value <= TARGET_READER_SIZES,
                   "depth": value <= TARGET_LIST_DEPTH}[key]  # fmt: skip
            line(text, met, f"{value:.2f}")
        pdf_text = f"PDF at {pdf.TARGET_SIGNATORIES:,} signatories < {pdf.TARGET_SECONDS:g} s"
        if pdf_timing is None:
            line(pdf_text, None, "not measured")
        else:
            line(pdf_text, pdf.target_met(pdf_timing), f"{pdf_timing.seconds:.1f} s")

    def write_report(self) -> None:
        if self.lines and not self.finished:
            self.out("\nThe bench stopped before the end: this report is incomplete.")
        if self.lines:
            (VAR / "latest.txt").write_text("\n".join(self.lines) + "\n")
            print(f"\nWritten to {(VAR / 'latest.txt').relative_to(ROOT)}")

    # --- cleaning up ---------------------------------------------------------------------------

    def cleanup(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            try:
                self.gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.gunicorn.pid, signal.SIGKILL)
                self.gunicorn.wait()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if self.database_created:
            with contextlib.suppress(BenchError), self.admin_connection() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.args.database} WITH (FORCE)")
        if self.redis is not None:
            self.redis.flushdb()
        shutil.rmtree(VAR / "app" / "celery", ignore_errors=True)


# Keys the bench leaves in its Redis database: Celery's queue, and the cache's (":1:…").
BENCH_KEY_PREFIXES = (b"celery", b"_kombu", b"unacked", b":1:")


def signing_fields(target: str, tag: str):
    """The form a signer fills in; a unique e-mail per request across the whole run."""

    def baseline(user: int, n: int) -> dict[str, str]:
        return {
            "name": f"Bench Organization {tag}-{user}-{n}",
            "email": f"bench-{tag}-{user}-{n}@example.org",
            "country": "FR",
        }

    def cosign(user: int, n: int) -> dict[str, str]:
        return {
            **baseline(user, n),
            "kind": "organization",
            "acronym": f"BO{user}",
            "organization_type": "ngo",
            "website": "https://example.org",
            "contact_name": "Alex Martin",
            "contact_role": "Director",
            "title": "",
            "affiliation": "",
            "party": "",
            "parliament": "",
            "consent_public": "on",
        }

    return baseline if target == "baseline" else cosign


def mean_rate(results: list[load.RoundResult]) -> float:
    return sum(r.accepted_per_second for r in results) / len(results) if results else 0.0


def mean_cpu(results: list[load.RoundResult]) -> float | None:
    """Server CPU ms (gunicorn and PostgreSQL) per POST over the rounds."""
    posts = sum(len(r.samples) for r in results)
    if not posts or any(r.app_cpu is None or r.db_cpu is None for r in results):
        return None
    return sum(r.app_cpu + r.db_cpu for r in results) / posts * 1000


def describe_queries(queries: list[str]) -> str:
    """`3 queries: SELECT letters_app_letter, …; 0 with COUNT(…)`."""
    names = []
    for sql in queries:
        verb = (sql.split(None, 1) or ["?"])[0].upper()
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)', sql, re.I)
        names.append(f"{verb} {table.group(1)}" if table and verb != "SAVEPOINT" else verb)
    counts = sum("COUNT(" in sql.upper() for sql in queries)
    return f"{len(queries)} queries: {', '.join(names) or 'none'}; {counts} with COUNT(...)"


def form_errors(body: str) -> str:
    """The form's error messages, when the answer is the form again; else the body's start."""
    found = re.findall(r'class="[^"]*(?:errorlist|invalid-feedback)[^"]*"[^>]*>(.*?)</', body, re.S)
    text = "; ".join(unescape(re.sub(r"<[^>]+>", " ", f)).strip() for f in found)
    return text[:300] if text else " ".join(body.split())[:300]


def run_alone(bench: "Bench", report, *, title: str, broker: str | None = None) -> int:
    """One section on its own: the bench's setup (database, broker, Django), `report(bench)`,
    then the cleanup, even when stopped. `broker` None chooses Redis or the filesystem queue."""

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        VAR.mkdir(parents=True, exist_ok=True)
        if broker is None:
            bench.choose_broker()
        else:
            bench.broker = broker
        os.environ.update(bench.environment())
        bench.create_database()
        bench.setup_django()
        bench.out(f"{title}: {os.cpu_count()} CPUs, broker {bench.broker}, "
                  f"database {bench.args.database}, "
                  f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
        ok = report(bench)
        bench.finished = True
        return 0 if ok else 1
    except BenchError as exc:
        print(f"\nThe bench could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        bench.cleanup()


def main(argv=None) -> int:
    args = parse_args(argv)

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    bench = Bench(args)
    try:
        return bench.run()
    except BenchError as exc:
        print(f"\nThe bench could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        bench.write_report()
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())
