"""The partners bench: inviting a letter's partners, and the coordinator's partners page.

1. Invitations: 2,000 partners invited at once (`partners_invite`, as the coordinator's "Invite
   every partner not invited yet" calls it) and sent by a real Celery worker (prefork, two
   processes, and beat) to an aiosmtpd server in this process, against 2,000 confirmation mails
   committed at once and sent the same way (bench/mail.py's backlog), the two in turn, twice.
   PARTNER_MAILS_PER_MINUTE is set out of the way for these rounds (BENCH_RATE), so that the
   throttle does not set the figure; then 2,000 more are invited at the setting's value (60 a
   minute unless set): how their invitations are spread, and what arrives in OBSERVE_SECONDS.
2. The funnel: a signed-in coordinator's GET of the partners page of a letter with 50 partners
   and of one with 5,000 (every status, with its times), in turn on one connection, the median
   of --page-requests each. Target: at 5,000, at most 1.2 × its time at 50.

Run as a section of `make bench` (bench/run.py calls `partners_report`), or alone:
`.venv/bin/python bench/partners.py`, which uses its own database, `cosign_bench_partners`.
"""

import asyncio
import datetime
import itertools
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

from bench import cpu, load, mail, run  # noqa: E402

HOST = "127.0.0.1"
INVITED = 2_000  # partners invited at once, and confirmation mails beside them
ROUNDS = 2  # confirmation backlog and invitations in turn
WARMUP_INVITATIONS = 200
BENCH_RATE = 1_000_000  # PARTNER_MAILS_PER_MINUTE for the timed invitations: no throttle
OBSERVE_SECONDS = 10.0  # how long the invitations at the default throttle are watched arriving
FUNNEL_SIZES = (50, 5_000)
TARGET_FUNNEL_RATIO = 1.2  # the page at 5,000 partners over the page at 50
LANGUAGES = ("en", "fr", "km")
# Where the funnel's partners stand, one in twenty each share (the page shows every step).
SPREAD = ["invited"] * 7 + ["opened"] * 4 + ["signed"] * 3 + ["declined"] * 2 + [
    "mail_failed", "unsubscribed", "new", "new"
]  # fmt: skip


def partners_seed(letter, count: int, *, tag: str, spread: bool = False) -> list[str]:
    """`count` partners of `letter`, in three languages, as a list adds them: all new, or with
    `spread` at every status with the times of their steps. Returns their addresses."""
    from django.utils import timezone

    from letters_app.models import Partner

    now = timezone.now()
    addresses = [f"partner-{tag}-{i}@example.org" for i in range(count)]
    partners = []
    for i, (address, status) in enumerate(
        zip(addresses, itertools.cycle(SPREAD if spread else ["new"]), strict=False)
    ):
        partner = Partner(
            letter=letter, name=f"Partner Organization {tag} {i}", acronym=f"PO{i}",
            country=("FR", "KH", "AU", "")[i % 4], email=address, email_normalized=address,
            language=LANGUAGES[i % 3], status=status, secret=secrets.token_urlsafe(24),
        )  # fmt: skip
        step = datetime.timedelta(minutes=i % 600)
        if status != "new":
            partner.invited_at = now - 3 * step
        if status == "mail_failed":
            partner.mail_failed_at = now - 2 * step
            partner.mail_error = "550 5.1.1 <" + address + ">: Recipient address rejected"
        if status in ("opened", "signed", "declined"):
            partner.opened_at = now - 2 * step
        if status == "signed":
            partner.signed_at = now - step
        if status == "declined":
            partner.declined_at = now - step
            partner.decline_reason = "Our board meets next month; we cannot sign before."
        if status == "unsubscribed":
            partner.unsubscribed_at = now - step
        partners.append(partner)
    Partner.objects.bulk_create(partners, batch_size=1000)
    return addresses


class PartnersBench:
    def __init__(self, bench):
        self.bench, self.args = bench, bench.args
        self.tag = secrets.token_hex(3)
        self.targets: list[tuple[str, bool | None, str]] = []
        self.coordinator = None

    def out(self, line: str = "") -> None:
        self.bench.out(line)

    def letter(self, name: str):
        from django.contrib.auth import get_user_model

        from bench.data import letter_open_for_signing

        if self.coordinator is None:
            self.coordinator = get_user_model().objects.create_user(f"bench-partners-{self.tag}")
        return letter_open_for_signing(
            slug=f"bench-partners-{name}-{self.tag}", coordinator=self.coordinator
        )

    def signed_in(self, client, n: int):
        if n == 1:  # before the queries are counted
            client.force_login(self.coordinator)
        return client

    # --- the funnel ----------------------------------------------------------------------------

    def funnel(self) -> None:
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from bench.data import count_queries
        from letters_app.models import Partner

        a = self.args
        small, big = FUNNEL_SIZES
        letters = {}
        for size in FUNNEL_SIZES:
            letters[size] = self.letter(f"funnel-{size}")
            partners_seed(letters[size], size, tag=f"funnel-{size}-{self.tag}", spread=True)
        with connection.cursor() as cursor:  # what autovacuum would have done by then
            cursor.execute(f"VACUUM ANALYZE {Partner._meta.db_table}")
        client = Client()
        client.force_login(self.coordinator)
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        urls = {size: reverse("author:letter-partners", kwargs={"pk": letters[size].pk})
                for size in FUNNEL_SIZES}  # fmt: skip
        paths = list(urls.values())
        asyncio.run(load.time_gets(HOST, self.bench.port, paths, rounds=20, cookies=cookies))
        timings = asyncio.run(
            load.time_gets(HOST, self.bench.port, paths, rounds=a.page_requests, cookies=cookies)
        )
        self.out(f"  Funnel: a signed-in coordinator's GET of the partners page, median of "
                 f"{a.page_requests}, the two letters in turn, one connection")  # fmt: skip
        for size, path in urls.items():
            queries, status = count_queries(lambda c, n, path=path: self.signed_in(c, n).get(path))
            t = timings[path]
            self.out(f"    at {size:>5,} partners: {t.median_ms:6.1f} ms, p90 "
                     f"{statistics.quantiles(t.latencies, n=10)[-1] * 1000:6.1f} ms, "
                     f"{t.size / 1024:,.0f} KiB; {run.describe_queries(queries)}")  # fmt: skip
        ratio = timings[urls[big]].median_ms / timings[urls[small]].median_ms
        self.out(f"    ratio: {ratio:.2f}")
        self.targets.append((f"partners page at {big:,} <= {TARGET_FUNNEL_RATIO} × at {small}",
                             ratio <= TARGET_FUNNEL_RATIO, f"{ratio:.2f}"))  # fmt: skip

    # --- the invitations ----------------------------------------------------------------------

    def invite(self, m: "mail.MailBench", name: str) -> tuple[float, float, float, float] | None:
        """INVITED partners invited at once, no throttle: (seconds of the invitation's service,
        seconds from its return to the last arrival, from its call to the last arrival, worker
        CPU seconds), or None when not every invitation arrived."""
        from django.test import override_settings

        from letters_app.services.partners import partners_invite

        letter = self.letter(name)
        addresses = partners_seed(letter, INVITED, tag=f"{name}-{self.tag}")
        m.addresses += addresses
        tree = cpu.process_tree(m.workers.worker.pid)
        before = cpu.snapshot(tree)
        with override_settings(PARTNER_MAILS_PER_MINUTE=BENCH_RATE):
            called = time.perf_counter()
            partners_invite(letter=letter, actor=self.coordinator)
            committed = time.perf_counter()
        ok = m.inbox.wait(addresses, timeout=60 + INVITED / 10, check=m.workers.check)
        worker_cpu = cpu.spent(before, cpu.snapshot(tree))
        last = m.inbox.last_arrival(addresses)
        if not ok or last is None:
            return None
        return committed - called, last - committed, last - called, worker_cpu

    def invitations(self, m: "mail.MailBench") -> None:
        m.start()
        m.warmup()
        self.invite(m, "warmup")  # the invitation's templates, in each worker process
        self.out(f"  Invitations: {INVITED:,} partners (English, French, Khmer) invited at once, "
                 f"PARTNER_MAILS_PER_MINUTE={BENCH_RATE:,} for these rounds (no throttle), "
                 f"beside {INVITED:,} confirmation mails committed at once; in turn, "
                 f"{ROUNDS} rounds")  # fmt: skip
        confirmation, invitation = [], []
        for n in range(1, ROUNDS + 1):
            tree = cpu.process_tree(m.workers.worker.pid)
            before = cpu.snapshot(tree)
            _letter, _addresses, seconds = m.backlog(INVITED, f"confirm-{n}-{self.tag}")
            spent = cpu.spent(before, cpu.snapshot(tree))
            if seconds is None:
                raise run.BenchError("the confirmation mails did not all arrive")
            confirmation.append(INVITED / seconds)
            self.out(f"    confirmation #{n}: {INVITED:,} in {seconds:5.1f} s = "
                     f"{INVITED / seconds:5,.0f} mails/s; worker CPU "
                     f"{spent / INVITED * 1000:.1f} ms/mail")  # fmt: skip
            timing = self.invite(m, f"invite-{n}")
            if timing is None:
                raise run.BenchError("the invitations did not all arrive")
            service, seconds, total, spent = timing
            invitation.append(INVITED / seconds)
            self.out(f"    invitation   #{n}: {INVITED:,} in {seconds:5.1f} s = "
                     f"{INVITED / seconds:5,.0f} mails/s; worker CPU "
                     f"{spent / INVITED * 1000:.1f} ms/mail; with the invitation itself "
                     f"({service:.2f} s) {total:.1f} s")  # fmt: skip
        rate_c, rate_i = statistics.mean(confirmation), statistics.mean(invitation)
        self.out(f"    mean: invitations {rate_i:,.0f} mails/s, confirmations {rate_c:,.0f} "
                 f"mails/s: ratio {rate_i / rate_c:.2f}")  # fmt: skip
        self.targets.append(
            (
                "invitations' rate over confirmations' (no target)",
                None,
                f"{rate_i / rate_c:.2f} = {rate_i:,.0f}/s over {rate_c:,.0f}/s",
            )
        )
        self.throttled(m)

    def throttled(self, m: "mail.MailBench") -> None:
        """INVITED more at PARTNER_MAILS_PER_MINUTE as set (the default unless the environment
        says otherwise): the spread of their due times, and what arrives meanwhile."""
        from django.conf import settings
        from django.db.models import Max, Min

        from letters_app.models import PartnerMail
        from letters_app.services.partners import partners_invite

        letter = self.letter("throttled")
        addresses = partners_seed(letter, INVITED, tag=f"throttled-{self.tag}")
        rows = PartnerMail.objects.filter(partner__letter=letter)
        called = time.perf_counter()
        partners_invite(letter=letter, actor=self.coordinator)
        span = rows.aggregate(first=Min("due_at"), last=Max("due_at"))
        spread = (span["last"] - span["first"]).total_seconds()
        time.sleep(max(0.0, OBSERVE_SECONDS - (time.perf_counter() - called)))
        arrived = m.inbox.arrived(addresses)
        watched = time.perf_counter() - called
        # The rest would trickle in for half an hour: set aside, so nothing else waits on them.
        rows.filter(status__in=PartnerMail.CLAIMABLE).update(
            due_at=span["last"] + datetime.timedelta(days=365)
        )
        per_minute = settings.PARTNER_MAILS_PER_MINUTE
        self.out(
            f"    at PARTNER_MAILS_PER_MINUTE={per_minute:,} (the setting as configured; "
            f"60 by default): {INVITED:,} invitations due over "
            f"{datetime.timedelta(seconds=round(spread))} = "
            f"{(INVITED - 1) / spread if spread else float('inf'):,.2f} mails/s; "
            f"{arrived} arrived in the first {watched:.1f} s = {arrived / watched:.2f}/s"
        )
        self.targets.append(
            (
                f"{INVITED:,} invitations at {per_minute}/minute take (no target)",
                None,
                f"{datetime.timedelta(seconds=round(spread))}",
            )
        )

    def report(self) -> None:
        self.out("  Targets (partners)")
        for text, met, value in self.targets:
            mark = "n/a" if met is None else ("yes" if met else "NO")
            self.out(f"    {text:<52}{mark:<5}{value}")


def partners_report(bench) -> bool:
    """The "Partners" section of `make bench`: measures, prints through `bench.out`, and says
    whether every invitation arrived exactly once (a slow run is reported, not an error)."""
    bench.out()
    bench.out(f"Partners: the partners page at {FUNNEL_SIZES[0]:,} and {FUNNEL_SIZES[1]:,} "
              f"partners, and {INVITED:,} invitations through aiosmtpd on {HOST} by one Celery "
              f"worker with {mail.delivery.WORKER_PROCESSES} prefork processes and beat; load "
              f"average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    p = PartnersBench(bench)
    m = mail.MailBench(bench)
    m.tag = p.tag
    ok = True
    try:
        from letters_app.fixtures_data import demo_letter
        from letters_app.models import LetterTemplate
        from letters_app.services.directory import recipients_load, templates_load

        if not LetterTemplate.objects.filter(key=demo_letter.TEMPLATE_KEY).exists():
            templates_load()
            recipients_load()
        if bench.gunicorn is None:
            bench.start_gunicorn()
        p.funnel()
        p.invitations(m)
        time.sleep(2)  # a duplicate sent late would still be counted
        counts = m.inbox.counts(m.addresses)
        ok = set(counts) == {1}
        p.targets.append(
            (
                "every mail arrived exactly once",
                ok,
                f"{counts.get(0, 0):,} missing, "
                f"{sum(n - 1 for n in counts.elements() if n > 1):,} duplicates",
            )
        )
    except Exception as exc:  # the section failed; the rest of the report stands
        bench.out(f"  could not run: {type(exc).__name__}: {exc}")
        return False
    finally:
        m.stop()
    p.report()
    return ok


def main(argv=None) -> int:
    """Alone: the bench's own setup (database, broker, Django, gunicorn), this section only."""
    run.DB_NAME = "cosign_bench_partners"
    bench = run.Bench(run.parse_args(argv))
    try:
        return run.run_alone(bench, partners_report, title="Cosign partners bench")
    finally:
        if bench.lines:
            (run.VAR / "partners.txt").write_text("\n".join(bench.lines) + "\n")
            print(f"\nWritten to {(run.VAR / 'partners.txt').relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
