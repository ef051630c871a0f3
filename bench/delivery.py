"""The delivery bench: a letter finalized for 200 recipients, its PDF made and a mail sent to each
through an SMTP server on loopback (aiosmtpd, in this process) by real Celery workers, timed from
finalize to the last delivery ended. The server counts what it accepted by Message-ID, so that a
duplicate shows. Target: under 10 s, no duplicate.

Run as a section of `make bench` (bench/run.py calls `delivery_report`), or alone:
`.venv/bin/python bench/delivery.py`, which uses the same PostgreSQL server and Redis database as
`make bench` but its own database, `cosign_bench_delivery`, so that it can run beside it.
"""

import collections
import email.parser
import email.policy
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script, Python put bench/ first on the path: the root it is
    sys.path[:1] = [str(ROOT)]

HOST = "127.0.0.1"
RECIPIENTS = 200
SIGNERS = 50
WORKER_PROCESSES = 2  # one prefork worker, two child processes
TARGET_SECONDS = 10.0
TIMEOUT_SECONDS = 120.0


class _Counter:
    """An aiosmtpd handler that keeps, per Message-ID, the addresses it accepted a mail for; it
    parses headers only, so that the server is not what is measured."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_message_id: dict[str, list[str]] = collections.defaultdict(list)
        self.pdf_bytes = 0
        self._parser = email.parser.BytesHeaderParser(policy=email.policy.default)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        headers = self._parser.parsebytes(envelope.content)
        with self.lock:
            self.by_message_id[str(headers["Message-ID"])].extend(envelope.rcpt_tos)
            self.pdf_bytes = max(self.pdf_bytes, len(envelope.content))
        return "250 OK"

    def letter_mails(self, letter_id: int) -> dict[str, list[str]]:
        with self.lock:
            return {
                mid: list(to)
                for mid, to in self.by_message_id.items()
                if mid.startswith(f"<letter-{letter_id}-")
            }


@dataclass
class DeliveryResult:
    recipients: int
    seconds: float = 0.0  # finalize to the last delivery ended
    pdf_seconds: float = 0.0  # finalize to the PDF stored
    statuses: collections.Counter = field(default_factory=collections.Counter)
    received: int = 0  # letter mails the server accepted
    distinct: int = 0  # distinct Message-IDs among them
    missing: int = 0  # recipients with an e-mail the server got nothing for
    notices_seconds: float | None = None  # until every signer's notice was sent
    largest_mail: int = 0
    error: str = ""

    @property
    def duplicates(self) -> int:
        return self.received - self.distinct

    @property
    def complete(self) -> bool:
        return not self.error and self.missing == 0 and self.statuses.get("sent") == self.recipients


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def letter_for_delivery(recipients: int = RECIPIENTS, signers: int = SIGNERS):
    """A closed letter (the demo letter's text) to `recipients` offices, each with its own
    address and salutation, signed by `signers`: ready to be finalized."""
    from django.contrib.auth import get_user_model

    from letters_app.fixtures_data import demo_letter
    from letters_app.models import LetterTemplate, Recipient
    from letters_app.services.directory import templates_load
    from letters_app.services.letters import (
        letter_close,
        letter_create,
        letter_open,
        letter_set_recipients,
        letter_update,
    )
    from tests.factories import signatures_bulk_create

    if not LetterTemplate.objects.filter(key=demo_letter.TEMPLATE_KEY).exists():
        templates_load()
    tag = secrets.token_hex(3)
    coordinator = get_user_model().objects.create_user(
        f"bench-delivery-{tag}", email=f"coordinator-{tag}@example.org"
    )
    offices = Recipient.objects.bulk_create(
        Recipient(
            honorific="Ms",
            name=f"Officer {i}",
            title="Head of Office",
            institution=f"Bench Ministry {tag}-{i}",
            country="FR",
            kind=Recipient.Kind.GOVERNMENT,
            email=f"office-{i}@bench.example.org",
            salutation=f"Dear Officer {i},",
        )
        for i in range(recipients)
    )
    template = LetterTemplate.objects.get(key=demo_letter.TEMPLATE_KEY)
    letter = letter_create(template=template, actor=coordinator)
    letter = letter_update(
        letter=letter, data={**demo_letter.TEXT, "slug": f"bench-delivery-{tag}"},
        actor=coordinator,
    )  # fmt: skip
    letter_set_recipients(letter=letter, recipients=offices, actor=coordinator)
    letter = letter_open(letter=letter, actor=coordinator)
    signatures_bulk_create(letter, signers)
    return letter_close(letter=letter, actor=coordinator), coordinator


def start_workers(
    env: dict[str, str], log_path: Path, *, name: str = "bench-delivery"
) -> subprocess.Popen:
    """One prefork worker with WORKER_PROCESSES children, ready to take tasks."""
    log = log_path.open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "letters_app", "worker", "--pool=prefork",
         f"--concurrency={WORKER_PROCESSES}", f"--hostname={name}-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_workers(worker)
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
            raise RuntimeError(f"the Celery worker did not start:\n{tail}")
        time.sleep(0.1)
    return worker


def stop_workers(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def measure(var_dir: Path, recipients: int = RECIPIENTS) -> DeliveryResult:
    """Finalize a letter to `recipients` and time its delivery. Django must be set up on a
    migrated database, with CELERY_BROKER_URL in the environment; what the signing bench left
    for a worker (its wake-ups in the broker, its signers' mails) is set aside first."""
    from aiosmtpd.controller import Controller

    from bench.data import signer_mails_set_aside
    from letters_app.celery import app as celery_app
    from letters_app.models import Delivery, LetterSnapshot, SignerNotice
    from letters_app.services.deliveries import letter_finalize

    result = DeliveryResult(recipients=recipients)
    letter, coordinator = letter_for_delivery(recipients)
    counter = _Counter()
    smtp = Controller(counter, hostname=HOST, port=_free_port())
    smtp.start()
    env = {
        **os.environ,
        "SMTP_HOST": HOST,
        "SMTP_PORT": str(smtp.port),
        "SMTP_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
    }
    celery_app.control.purge()
    signer_mails_set_aside()  # the signing section's, else sent first by these workers
    worker = None
    snapshot = None
    try:
        worker = start_workers(env, var_dir / "delivery-worker.log")
        deliveries = Delivery.objects.filter(letter=letter)
        started = time.monotonic()
        letter_finalize(letter=letter, actor=coordinator)  # autocommit: queued at once
        deadline = started + TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if (
                not result.pdf_seconds
                and LetterSnapshot.objects.filter(
                    letter=letter, pdf_status=LetterSnapshot.PdfStatus.READY
                ).exists()
            ):
                result.pdf_seconds = time.monotonic() - started
            if not deliveries.exclude(status__in=Delivery.ENDED).exists():
                result.seconds = time.monotonic() - started
                break
            if LetterSnapshot.objects.filter(
                letter=letter, pdf_status=LetterSnapshot.PdfStatus.FAILED
            ).exists():
                result.error = (
                    "the PDF could not be made: "
                    + LetterSnapshot.objects.get(letter=letter).pdf_error.splitlines()[0][:200]
                )
                break
            time.sleep(0.05)
        else:
            result.error = f"not every delivery ended within {TIMEOUT_SECONDS:.0f} s"
        notices = SignerNotice.objects.filter(signature__letter=letter)
        while not result.error and time.monotonic() < deadline:
            if notices.exists() and not notices.exclude(status=SignerNotice.Status.SENT).exists():
                result.notices_seconds = time.monotonic() - started
                break
            time.sleep(0.05)
        time.sleep(0.5)  # a duplicate sent late would still be counted
        result.statuses = collections.Counter(deliveries.values_list("status", flat=True))
        mails = counter.letter_mails(letter.pk)
        result.received = sum(len(to) for to in mails.values())
        result.distinct = len(mails)
        accepted = {address for to in mails.values() for address in to}
        wanted = set(deliveries.exclude(email="").values_list("email", flat=True))
        result.missing = len(wanted - accepted)
        result.largest_mail = counter.pdf_bytes
        snapshot = LetterSnapshot.objects.filter(letter=letter).first()
    finally:
        if worker is not None:
            stop_workers(worker)
        smtp.stop()
        if snapshot is not None and snapshot.pdf:
            snapshot.pdf.delete(save=False)
    return result


def delivery_report(bench) -> bool:
    """The "Delivery" section of `make bench`: measures, prints through `bench.out`, and says
    whether every recipient got the letter (a slow run is reported, not an error)."""
    bench.out()
    bench.out(
        f"Delivery: a letter to {RECIPIENTS} recipients (and {SIGNERS} signers told afterwards), "
        f"finalize -> PDF -> one mail each through aiosmtpd on {HOST}, {WORKER_PROCESSES} "
        "worker processes (prefork)"
    )
    try:
        r = measure(_var_dir())
    except Exception as exc:  # the section failed; the rest of the report stands
        bench.out(f"  could not run: {type(exc).__name__}: {exc}")
        return False
    for line in report_lines(r):
        bench.out(line)
    return r.complete


def report_lines(r: DeliveryResult) -> list[str]:
    lines = []
    if r.error:
        lines.append(f"  stopped: {r.error}")
    statuses = ", ".join(f"{k} {v}" for k, v in r.statuses.most_common()) or "none"
    if r.seconds:
        sending = r.seconds - r.pdf_seconds
        lines.append(
            f"  finalize to every delivery ended: {r.seconds:.2f} s (PDF stored after "
            f"{r.pdf_seconds:.2f} s, then {sending:.2f} s of sending = "
            f"{r.recipients / sending:,.0f} mails/s)"
        )
    if r.notices_seconds:
        lines.append(f"  every signer notice sent after {r.notices_seconds:.2f} s")
    lines.append(f"  deliveries: {statuses}; largest mail {r.largest_mail / 1024:,.0f} KiB")
    lines.append(
        f"  the SMTP server accepted {r.received} letter mails, {r.distinct} distinct "
        f"Message-IDs: {r.duplicates} duplicates, {r.missing} recipients without the letter"
    )
    met = r.complete and r.seconds < TARGET_SECONDS and r.duplicates == 0
    lines.append(
        f"  target < {TARGET_SECONDS:.0f} s with zero duplicates: {'yes' if met else 'NO'}"
        + (f" ({r.seconds:.2f} s, {r.duplicates} duplicates)" if r.seconds else "")
    )
    return lines


def _var_dir() -> Path:
    path = ROOT / "var" / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def main(argv=None) -> int:
    """Alone: the bench's own setup (database, broker, Django), this section only."""
    from bench import run

    run.DB_NAME = "cosign_bench_delivery"
    args = run.parse_args(argv)
    bench = run.Bench(args)

    return run.run_alone(bench, delivery_report, title="Cosign delivery bench")


if __name__ == "__main__":
    sys.exit(main())
