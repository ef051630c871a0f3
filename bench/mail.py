"""The mail bench: the confirmation mail a signer waits for, on the stack production runs.

gunicorn (the bench's, 4 sync workers), one Celery worker with two prefork processes and Celery
beat as subprocesses, Redis as the broker and the rate limits' cache, and an SMTP server
(aiosmtpd, in a thread of this process) that notes when each address got its mail and how many
times. Measured, each beside a baseline of the same run:

1. throughput: a backlog of --mail-count confirmation mails committed at once, sent by the
   worker, against the same rendered messages sent by two plain smtplib processes over one kept
   connection each (the SMTP server's and this machine's ceiling);
2. latency: sign POSTs at 50/s for --mail-seconds, from each POST's start to its mail's arrival;
3. drain: 150/s for as long, the largest backlog and how long after the load the last mail came;
4. memory: the worker processes' RSS after each phase, per 1,000 mails;
5. exactly once: every signature got one mail, no more;
6. with --outage SECONDS: the SMTP server stopped that long while people sign (10/s for the
   first minute), then back on the same port: every mail once, and how soon after.

Run as a section of `make bench` (bench/run.py calls `mail_report`), or alone:
`.venv/bin/python bench/mail.py [--outage 600]`, which uses its own database, `cosign_benchmail`.
"""

import asyncio
import dataclasses
import email.policy
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

from bench import cpu, delivery, load, run  # noqa: E402

HOST = "127.0.0.1"
WARMUP_MAILS = 1000
LATENCY_RATE = 50  # signatures/s offered
DRAIN_RATE = 150
OUTAGE_RATE = 10
OUTAGE_SIGNING_SECONDS = 60
# The targets.
TARGET_MAILS_PER_SECOND = 100
TARGET_P95_SECONDS = 5.0
TARGET_DRAIN_SECONDS = 60.0
TARGET_RSS_GROWTH_MIB = 1.0  # per 1,000 mails, all worker processes together: noise, not growth

# Two of these send the baseline: the messages the worker sends, already rendered, over one
# connection each, nothing else.
BASELINE_SENDER = """
import json, smtplib, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path) as f:
    messages = json.load(f)
smtp = smtplib.SMTP(host, port)
print("ready", flush=True)
sys.stdin.readline()
started = time.process_time()
for sender, recipients, body in messages:
    smtp.sendmail(sender, recipients, body.encode("latin-1"))
smtp.quit()
print(time.process_time() - started, flush=True)
"""


class Inbox:
    """An aiosmtpd handler that keeps, per recipient address, when its first mail arrived
    (time.perf_counter, the load generator's clock) and how many came. It reads nothing else,
    so that the server is not what is measured."""

    def __init__(self):
        self.lock = threading.Lock()
        self.first: dict[str, float] = {}
        self.count: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        now = time.perf_counter()
        with self.lock:
            for address in envelope.rcpt_tos:
                self.count[address] += 1
                self.first.setdefault(address, now)
        return "250 OK"

    def arrived(self, addresses) -> int:
        with self.lock:
            return sum(1 for a in addresses if a in self.first)

    def last_arrival(self, addresses) -> float | None:
        with self.lock:
            times = [self.first[a] for a in addresses if a in self.first]
        return max(times) if times else None

    def counts(self, addresses) -> Counter[int]:
        """How many addresses got 0, 1, 2… mails."""
        with self.lock:
            return Counter(self.count.get(a, 0) for a in addresses)

    def wait(self, addresses, *, timeout: float, check=None, poll: float = 0.05) -> bool:
        """Until every address got its mail, or `timeout` seconds: whether they all did.
        `check()`, called now and then, raises when waiting longer is pointless."""
        addresses = list(addresses)
        deadline = time.monotonic() + timeout
        checked = time.monotonic()
        while self.arrived(addresses) < len(addresses):
            now = time.monotonic()
            if now > deadline:
                return False
            if check is not None and now - checked > 1:
                check()
                checked = now
            time.sleep(poll)
        return True


class SmtpServer:
    """aiosmtpd on a fixed port of 127.0.0.1, which can be stopped and started again."""

    def __init__(self, inbox: Inbox):
        self.inbox, self.port, self.controller = inbox, run.free_port(), None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Workers:
    """The Celery worker (prefork, two processes) and beat, sending to the bench's SMTP server."""

    def __init__(self, env: dict[str, str], var: Path):
        self.env, self.var = env, var
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None

    def start(self) -> None:
        self.worker = delivery.start_workers(self.env, self.var / "mail-worker.log", name="mail")
        log = (self.var / "mail-beat.log").open("w")
        self.beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "letters_app", "beat", "--loglevel=WARNING",
             f"--schedule={self.var / 'mail-beat-schedule'}"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()

    def children(self) -> list[int]:
        return [p for p in cpu.process_tree(self.worker.pid) if p != self.worker.pid]

    def rss_mib(self) -> dict[int, float]:
        """VmRSS of each worker process (the pool's children), MiB."""
        sizes = {}
        for pid in self.children():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1]) / 1024
        return sizes

    def check(self) -> None:
        """Raises if the worker or beat has stopped (something else ended them)."""
        for name, process in (("worker", self.worker), ("beat", self.beat)):
            if process is None or process.poll() is not None:
                raise run.BenchError(
                    f"the Celery {name} stopped during the bench (exit code "
                    f"{process.returncode if process else None}); see var/bench/mail-*.log"
                )

    def stop(self) -> None:
        for process in (self.beat, self.worker):
            if process is not None:
                delivery.stop_workers(process)


@dataclasses.dataclass
class Phase:
    name: str
    mails: int = 0
    rss_after: dict[int, float] = dataclasses.field(default_factory=dict)


class Backlog(threading.Thread):
    """Counts a letter's signer mails not yet sent, once a second, in its own connection."""

    def __init__(self, letter):
        super().__init__(daemon=True)
        self.letter, self.samples, self.done = letter, [], threading.Event()

    def run(self) -> None:
        from django.db import connection

        from letters_app.models import SignerMail

        rows = SignerMail.objects.filter(signature__letter=self.letter)
        try:
            while not self.done.wait(1.0):
                self.samples.append(rows.exclude(status=SignerMail.Status.SENT).count())
        finally:
            connection.close()

    def stop(self) -> int:
        self.done.set()
        self.join()
        return max(self.samples, default=0)


def pending_signatures_create(letter, emails: list[str]) -> list:
    """Pending signatures and their confirmation mail rows, in the caller's transaction: what
    that many sign POSTs write."""
    from letters_app.models import Signature, SignerMail

    signatures = Signature.objects.bulk_create(
        Signature(
            letter=letter, kind=Signature.Kind.ORGANIZATION, email=email, email_normalized=email,
            email_domain=email.rpartition("@")[2], name=f"Bench Organization {i}",
            name_normalized=f"bench organization {i}", country="FR", consent_public=True,
            secret=secrets.token_hex(16), mails_sent=1, version=letter.version, language="en",
        )
        for i, email in enumerate(emails)
    )  # fmt: skip
    SignerMail.objects.bulk_create(
        SignerMail(signature=s, kind=SignerMail.Kind.CONFIRMATION) for s in signatures
    )
    return signatures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


class MailBench:
    def __init__(self, bench):
        self.bench, self.args = bench, bench.args
        self.var = run.VAR
        self.tag = secrets.token_hex(3)
        self.inbox = Inbox()
        self.smtp = SmtpServer(self.inbox)
        self.workers: Workers | None = None
        self.phases: list[Phase] = []
        self.addresses: list[str] = []  # every signer of the section
        self.targets: list[tuple[str, bool | None, str]] = []

    def out(self, line: str = "") -> None:
        self.bench.out(line)

    def target(self, text: str, met: bool | None, value: str) -> None:
        self.targets.append((text, met, value))

    # --- setting up ----------------------------------------------------------------------------

    def start(self) -> None:
        from bench.data import signer_mails_set_aside
        from letters_app.celery import app as celery_app
        from letters_app.fixtures_data import demo_letter
        from letters_app.models import LetterTemplate, Recipient
        from letters_app.services.directory import recipients_load, templates_load

        if self.bench.redis is None:
            raise run.BenchError("the mail section needs Redis (BENCH_REDIS_URL) for its broker")
        if not LetterTemplate.objects.filter(key=demo_letter.TEMPLATE_KEY).exists():
            templates_load()
        if not Recipient.objects.filter(**demo_letter.RECIPIENT).exists():
            recipients_load()
        if self.bench.gunicorn is None:
            self.bench.start_gunicorn()
        celery_app.control.purge()  # the signing section's wake-ups
        signer_mails_set_aside()  # and its mails, which no worker was meant to send
        self.smtp.start()
        env = {
            **os.environ,
            "SMTP_HOST": HOST,
            "SMTP_PORT": str(self.smtp.port),
            "SMTP_USE_TLS": "false",
            "LOG_LEVEL": "WARNING",
        }
        self.workers = Workers(env, self.var)
        self.workers.start()

    def stop(self) -> None:
        if self.workers is not None:
            self.workers.stop()
        self.smtp.stop()

    def letter(self, name: str):
        from bench.data import letter_open_for_signing

        return letter_open_for_signing(slug=f"bench-mail-{name}-{self.tag}")

    def phase_end(self, name: str, mails: int) -> None:
        self.phases.append(Phase(name, mails, self.workers.rss_mib()))

    # --- the phases ----------------------------------------------------------------------------

    def backlog(self, count: int, name: str):
        """`count` confirmation mails committed at once, the worker woken as a sign POST wakes
        it; returns (letter, addresses, seconds from the commit to the last arrival)."""
        from django.db import transaction

        from letters_app.services import mails

        letter = self.letter(name)
        addresses = [f"{name}-{i}@example.org" for i in range(count)]
        with transaction.atomic():
            pending_signatures_create(letter, addresses)
        committed = time.perf_counter()
        mails.mails_kick()
        self.addresses += addresses
        ok = self.inbox.wait(addresses, timeout=60 + count / 10, check=self.workers.check)
        last = self.inbox.last_arrival(addresses)
        return letter, addresses, (last - committed if ok and last else None)

    def warmup(self) -> None:
        _letter, _addresses, seconds = self.backlog(WARMUP_MAILS, "warmup")
        if seconds is None:
            raise run.BenchError("the warm-up mails did not all arrive; see var/bench/mail-*.log")
        self.phase_end("warm-up", WARMUP_MAILS)
        self.out(f"  warm-up: {WARMUP_MAILS} mails in {seconds:.1f} s")

    def throughput(self) -> None:
        n = self.args.mail_count
        tree = cpu.process_tree(self.workers.worker.pid)
        before = cpu.snapshot(tree)
        letter, addresses, seconds = self.backlog(n, "backlog")
        worker_cpu = cpu.spent(before, cpu.snapshot(tree))
        self.phase_end("throughput", n)
        self.out(f"  Throughput: {n:,} confirmation mails committed at once, the worker woken")
        if seconds is None:
            got = self.inbox.arrived(addresses)
            self.out(f"    Cosign's worker: only {got:,} of {n:,} arrived; stopped waiting")
            self.target(f">= {TARGET_MAILS_PER_SECOND} mails/s from 2 processes", False,
                        f"{got:,} of {n:,} arrived")  # fmt: skip
            return
        rate = n / seconds
        self.out(
            f"    Cosign's worker, 2 processes: {n:,} in {seconds:.1f} s = {rate:,.0f} mails/s; "
            f"worker CPU per mail {worker_cpu / n * 1000:.1f} ms (its PostgreSQL backends, "
            "closed by Celery after each task, are not counted)"
        )
        base = self.baseline(letter)
        if base is None:
            self.target(f">= {TARGET_MAILS_PER_SECOND} mails/s from 2 processes",
                        rate >= TARGET_MAILS_PER_SECOND, f"{rate:,.0f}/s, no baseline")  # fmt: skip
            return
        base_seconds, base_cpu, render_ms = base
        base_rate = n / base_seconds
        self.out(
            f"    smtplib, 2 plain processes:   {n:,} in {base_seconds:.1f} s = {base_rate:,.0f} "
            f"mails/s; client CPU per mail {base_cpu / n * 1000:.1f} ms (the same messages, "
            f"rendered beforehand: {render_ms:.1f} ms CPU each in this process)"
        )
        self.out(f"    ratio: Cosign sends {rate / base_rate:.2f} × as fast as the baseline")
        self.target(
            f">= {TARGET_MAILS_PER_SECOND} mails/s from 2 processes",
            rate >= TARGET_MAILS_PER_SECOND,
            f"{rate:,.0f}/s = {rate / base_rate:.2f} × smtplib's {base_rate:,.0f}/s",
        )

    def baseline(self, letter) -> tuple[float, float, float] | None:
        """The letter's confirmation mails, rendered here as the worker renders them, sent by
        two plain processes over one kept connection each, each to an envelope address of its
        own: (seconds from the go to the last arrival, their CPU seconds, render CPU ms)."""
        from letters_app import emails
        from letters_app.models import SignerMail

        rows = SignerMail.objects.filter(signature__letter=letter).select_related(
            "signature__letter"
        )
        started = time.process_time()
        messages = []
        for i, row in enumerate(rows.order_by("pk").iterator(chunk_size=1000)):
            message = emails.BUILDERS[row.kind](row.signature)
            # As Django's SMTP backend makes it: CRLF, lines folded for SMTP.
            body = message.message(policy=email.policy.SMTP).as_bytes().decode("latin-1")
            messages.append((message.from_email, [f"baseline-{self.tag}-{i}@example.org"], body))
        render_ms = (time.process_time() - started) / max(len(messages), 1) * 1000
        addresses = [to for _sender, (to,), _body in messages]
        halves = [messages[0::2], messages[1::2]]
        senders = []
        with tempfile.TemporaryDirectory(dir=self.var) as folder:
            for n, half in enumerate(halves):
                path = Path(folder) / f"half-{n}.json"
                path.write_text(json.dumps(half))
                command = [sys.executable, "-c", BASELINE_SENDER, HOST, str(self.smtp.port), path]
                senders.append(
                    subprocess.Popen(
                        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                    )
                )
            for sender in senders:
                if sender.stdout.readline().strip() != "ready":
                    raise run.BenchError("a baseline sender could not connect")
            go = time.perf_counter()
            for sender in senders:
                sender.stdin.write("go\n")
                sender.stdin.flush()
            ok = self.inbox.wait(addresses, timeout=300)
            spent = sum(float(s.communicate(timeout=60)[0] or 0) for s in senders)
        if not ok:
            self.out("    smtplib baseline: not every message arrived")
            return None
        return self.inbox.last_arrival(addresses) - go, spent, render_ms

    def signing(self, rate: float, seconds: float, name: str, *, users: int = 64):
        """Sign POSTs at `rate` for `seconds` on a letter of their own, the backlog counted each
        second; returns (the round, its accepted addresses, the largest backlog)."""
        letter = self.letter(name)
        target = self.bench.cosign_target(letter)
        if target is None:
            raise run.BenchError(f"the sign form is not served: {self.bench.cosign_missing}")
        target = dataclasses.replace(target, fields=run.signing_fields("Cosign", f"{name}-{rate}"))
        backlog = Backlog(letter)
        backlog.start()
        try:
            result = asyncio.run(
                load.run_open(
                    HOST, self.bench.port, target, rate=rate, users=users, warmup=0,
                    duration=seconds,
                )
            )  # fmt: skip
            accepted = result.accepted_emails
            self.addresses += accepted
            self.inbox.wait(accepted, timeout=max(300, seconds * 2), check=self.workers.check)
        finally:
            largest = backlog.stop()
        return result, accepted, largest

    def arrival_seconds(self, result) -> list[float]:
        """Per accepted signer, from the POST's start to the mail's arrival; missing left out."""
        with self.inbox.lock:
            return [
                self.inbox.first[s.email] - s.started
                for s in result.samples
                if s.outcome == "accepted" and s.email in self.inbox.first
            ]

    def post_line(self, result, accepted) -> str:
        return (
            f"{len(accepted):,} accepted of {len(result.samples):,} POSTs, POST p50 "
            f"{result.percentile(50):,.0f} ms, p95 {result.percentile(95):,.0f} ms"
        )

    def latency(self) -> None:
        seconds = self.args.mail_seconds
        result, accepted, largest = self.signing(LATENCY_RATE, seconds, "latency", users=32)
        self.phase_end("latency", len(accepted))
        waits = self.arrival_seconds(result)
        self.out(f"  Latency: {LATENCY_RATE} signatures/s offered for {seconds:g} s: "
                 f"{self.post_line(result, accepted)}")  # fmt: skip
        if not waits:
            self.target(f"p95 POST -> mail <= {TARGET_P95_SECONDS:g} s at {LATENCY_RATE}/s",
                        False, "no mail arrived")  # fmt: skip
            return
        p95 = percentile(waits, 95)
        self.out(
            f"    POST to mail at the SMTP server: median {statistics.median(waits):.2f} s, "
            f"p95 {p95:.2f} s, max {max(waits):.2f} s; {len(accepted) - len(waits)} never "
            f"arrived; largest backlog {largest:,}"
        )
        met = p95 <= TARGET_P95_SECONDS and len(waits) == len(accepted)
        self.target(f"p95 POST -> mail <= {TARGET_P95_SECONDS:g} s at {LATENCY_RATE}/s", met,
                    f"{p95:.2f} s = {p95 / TARGET_P95_SECONDS:.2f} × the target")  # fmt: skip

    def drain(self) -> None:
        seconds = self.args.mail_seconds
        result, accepted, largest = self.signing(DRAIN_RATE, seconds, "drain")
        self.phase_end("drain", len(accepted))
        waits = self.arrival_seconds(result)
        last = self.inbox.last_arrival(accepted)
        self.out(f"  Drain: {DRAIN_RATE} signatures/s offered for {seconds:g} s: "
                 f"{self.post_line(result, accepted)}")  # fmt: skip
        if not accepted or last is None:
            self.target(f"backlog drained <= {TARGET_DRAIN_SECONDS:g} s after {DRAIN_RATE}/s",
                        False, "no mail arrived")  # fmt: skip
            return
        load_end = max(s.finished for s in result.samples)
        drained = last - load_end
        missing = len(accepted) - len(waits)
        self.out(
            f"    largest backlog {largest:,} mails; the last mail arrived {drained:.1f} s after "
            f"the last POST ({missing} never arrived); POST to mail: median "
            f"{statistics.median(waits):.2f} s, p95 {percentile(waits, 95):.2f} s"
        )
        self.target(f"backlog drained <= {TARGET_DRAIN_SECONDS:g} s after {DRAIN_RATE}/s",
                    drained <= TARGET_DRAIN_SECONDS and not missing,
                    f"{drained:.1f} s, largest backlog {largest:,}")  # fmt: skip

    def outage(self, seconds: float) -> None:
        from django.conf import settings
        from django.db.models import Max

        from letters_app.models import SignerMail

        signing_for = min(OUTAGE_SIGNING_SECONDS, seconds)
        self.out(
            f"  Outage: the SMTP server stopped for {seconds:g} s, {OUTAGE_RATE} signatures/s "
            f"for the first {signing_for:g} s (MAIL_RETRY_BASE_SECONDS "
            f"{settings.MAIL_RETRY_BASE_SECONDS}, MAIL_RETRY_CAP_SECONDS "
            f"{settings.MAIL_RETRY_CAP_SECONDS}, MAIL_RETRY_FOR_SECONDS "
            f"{settings.MAIL_RETRY_FOR_SECONDS}: the defaults unless set)"
        )
        self.smtp.stop()
        down = time.monotonic()
        letter = self.letter("outage")
        target = self.bench.cosign_target(letter)
        if target is None:
            raise run.BenchError(f"the sign form is not served: {self.bench.cosign_missing}")
        target = dataclasses.replace(target, fields=run.signing_fields("Cosign", "outage"))
        result = asyncio.run(
            load.run_open(HOST, self.bench.port, target, rate=OUTAGE_RATE, users=16, warmup=0,
                          duration=signing_for)
        )  # fmt: skip
        accepted = result.accepted_emails
        self.addresses += accepted
        while (left := down + seconds - time.monotonic()) > 0:
            self.workers.check()
            time.sleep(min(left, 5))
        rows = SignerMail.objects.filter(signature__letter=letter)
        waiting = rows.exclude(status=SignerMail.Status.SENT).count()
        self.smtp.start()
        back = time.perf_counter()
        arrived_during = self.inbox.arrived(accepted)
        ok = self.inbox.wait(
            accepted, timeout=settings.MAIL_RETRY_CAP_SECONDS + 180, check=self.workers.check
        )
        time.sleep(2)  # a duplicate sent late would still be counted
        last = self.inbox.last_arrival(accepted)
        self.phase_end("outage", len(accepted))
        counts = self.inbox.counts(accepted)
        statuses = Counter(rows.values_list("status", flat=True))
        tries = rows.aggregate(most=Max("attempts"))["most"]
        after = f"{last - back:.1f} s" if ok and last else "never"
        self.out(
            f"    {len(accepted):,} accepted ({self.post_line(result, accepted)}); {waiting:,} "
            f"mails waiting when the server came back, {arrived_during} had arrived before"
        )
        self.out(
            f"    backlog gone {after} after the server came back; mails per signer: "
            f"{dict(sorted(counts.items()))}; rows: {dict(statuses)}; at most {tries} tries"
        )
        once = ok and set(counts) == {1}
        self.target(f"after a {seconds:g} s outage, every mail once", once,
                    f"gone {after} after the server came back")  # fmt: skip

    # --- the report ----------------------------------------------------------------------------

    def memory(self) -> None:
        """RSS after each phase. A process grows while it warms (imports, templates, the first
        large batches), then should stay flat: growth is judged from the end of the throughput
        phase, once both processes have sent thousands, and shown from the warm-up too."""
        self.out("  Memory: worker processes' RSS (VmRSS, MiB) after each phase")
        for phase in self.phases:
            sizes = ", ".join(f"{v:.1f}" for _pid, v in sorted(phase.rss_after.items()))
            self.out(f"    after {phase.name:<11} ({phase.mails:>6,} mails): {sizes}")
        judged = None
        for n, start in enumerate(self.phases[:2]):
            later = self.phases[n + 1 :]
            if not later:
                continue
            mails = sum(p.mails for p in later)
            last = later[-1].rss_after
            same = set(last) == set(start.rss_after)
            growth = sum(last.values()) - sum(start.rss_after.values())
            judged = growth / mails * 1000 if mails and same else None
            self.out(
                f"    growth after the {start.name}: {growth:+.1f} MiB over {mails:,} mails = "
                + (f"{judged:+.2f} MiB per 1,000 mails, all processes together" if same
                   else "? (a worker process was replaced meanwhile)")
            )  # fmt: skip
        self.target("worker RSS does not grow with the mails",
                    judged is not None and judged <= TARGET_RSS_GROWTH_MIB,
                    "?" if judged is None else f"{judged:+.2f} MiB per 1,000 mails after the "
                    "throughput phase")  # fmt: skip

    def exactly_once(self) -> None:
        from letters_app.models import SignerMail

        time.sleep(2)  # a duplicate sent late would still be counted
        counts = self.inbox.counts(self.addresses)
        mine = SignerMail.objects.filter(signature__letter__slug__endswith=f"-{self.tag}")
        statuses = Counter(mine.values_list("status", flat=True))
        once = counts.get(1, 0)
        extra = sum(n - 1 for n in counts.elements() if n > 1)
        self.out(
            f"  Exactly once: {len(self.addresses):,} signers, {once:,} got one mail, "
            f"{counts.get(0, 0):,} none, {extra:,} duplicates; their rows: "
            f"{', '.join(f'{k} {v:,}' for k, v in statuses.most_common())}"
        )
        self.target("every signer got exactly one mail", once == len(self.addresses),
                    f"{counts.get(0, 0):,} missing, {extra:,} duplicates")  # fmt: skip

    def targets_report(self) -> None:
        self.out("  Targets (mail)")
        for text, met, value in self.targets:
            mark = "n/a" if met is None else ("yes" if met else "NO")
            self.out(f"    {text:<48}{mark:<5}{value}")


def mail_report(bench) -> bool:
    """The "Mail" section of `make bench`: measures, prints through `bench.out`, and says whether
    every signer got exactly one mail (a slow run is reported, not an error)."""
    bench.out()
    bench.out(
        f"Mail: confirmation mails through aiosmtpd on {HOST} (in the bench's process), one "
        f"Celery worker with {delivery.WORKER_PROCESSES} prefork processes and beat, gunicorn "
        f"with {bench.args.workers} workers, broker and cache {bench.broker}; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    m = MailBench(bench)
    try:
        m.start()
        m.warmup()
        m.throughput()
        m.latency()
        m.drain()
        if bench.args.outage:
            m.outage(bench.args.outage)
        m.memory()
        m.exactly_once()
    except Exception as exc:  # the section failed; the rest of the report stands
        bench.out(f"  could not run: {type(exc).__name__}: {exc}")
        return False
    finally:
        m.stop()
    m.targets_report()
    return all(met for text, met, _value in m.targets if text.startswith(("every", "after")))


def main(argv=None) -> int:
    """Alone: the bench's own setup (database, broker, Django, gunicorn), this section only."""
    run.DB_NAME = "cosign_benchmail"
    bench = run.Bench(run.parse_args(argv))
    try:
        return run.run_alone(bench, mail_report, title="Cosign mail bench")
    finally:
        if bench.lines:
            (run.VAR / "mail.txt").write_text("\n".join(bench.lines) + "\n")
            print(f"\nWritten to {(run.VAR / 'mail.txt').relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
