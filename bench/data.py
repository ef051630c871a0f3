"""The bench's letters and signatures, made in its own database with Cosign's services, and the
reads that check them afterwards."""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.views import TABLE
from letters_app.fixtures_data import demo_letter
from letters_app.models import Letter, LetterTemplate, Recipient, Signature, SignerMail
from letters_app.services.directory import recipients_load, templates_load
from letters_app.services.letters import (
    letter_create,
    letter_open,
    letter_set_recipients,
    letter_update,
)
from tests.factories import signatures_bulk_create


@dataclass
class Letters:
    signing: Letter  # takes the load's signatures
    probe: Letter  # takes the in-process probes, so they stay out of the load's count
    small: Letter
    big: Letter
    small_count: int
    big_count: int


def letters_create(*, page_signatures: int, small_signatures: int = 100) -> Letters:
    """Four open letters made as a coordinator makes them (the demo letter's text), and public
    signatures on the two whose page is timed."""
    templates_load()
    recipients_load()
    coordinator = get_user_model().objects.create_user("bench-coordinator")

    def make(slug: str) -> Letter:
        return letter_open_for_signing(slug=slug, coordinator=coordinator)

    letters = Letters(
        signing=make("bench-signing"),
        probe=make("bench-probe"),
        small=make("bench-page-small"),
        big=make("bench-page-big"),
        small_count=small_signatures,
        big_count=page_signatures,
    )
    signatures_bulk_create(letters.small, small_signatures)
    signatures_bulk_create(letters.big, page_signatures)
    with connection.cursor() as cursor:
        # What autovacuum would have done by the time a letter has that many signatures.
        cursor.execute(f"VACUUM ANALYZE {Signature._meta.db_table}")
    for letter in (letters.small, letters.big):
        letter.refresh_from_db()
    return letters


def letter_open_for_signing(*, slug: str, coordinator=None) -> Letter:
    """An open letter (the demo letter's text, to the demo recipient) that takes every kind of
    signature, made as a coordinator makes it. The directory must be loaded."""
    if coordinator is None:
        coordinator = get_user_model().objects.create_user(f"bench-coordinator-{slug}")
    template = LetterTemplate.objects.get(key=demo_letter.TEMPLATE_KEY)
    rapporteur = Recipient.objects.get(**demo_letter.RECIPIENT)
    letter = letter_create(template=template, actor=coordinator)
    letter = letter_update(
        letter=letter,
        data={**demo_letter.TEXT, "slug": slug, "accepts_individuals": True, "accepts_mps": True},
        actor=coordinator,
    )
    letter_set_recipients(letter=letter, recipients=[rapporteur], actor=coordinator)
    return letter_open(letter=letter, actor=coordinator)


def signature_emails(letter: Letter) -> set[str]:
    return set(Signature.objects.filter(letter=letter).values_list("email", flat=True))


def signer_mail_counts(letter: Letter) -> Counter[str]:
    """Confirmation mail rows per signer address on this letter."""
    rows = SignerMail.objects.filter(
        signature__letter=letter, kind=SignerMail.Kind.CONFIRMATION
    ).values_list("signature__email", flat=True)
    return Counter(rows)


def signer_mails_set_aside() -> int:
    """Mails queued by earlier sections, which no worker was meant to send, made due in a year:
    a section that starts workers then sends its own mails only. The rows stay."""
    later = timezone.now() + datetime.timedelta(days=365)
    return SignerMail.objects.filter(status__in=SignerMail.CLAIMABLE).update(due_at=later)


def baseline_emails() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT email FROM {TABLE}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def count_queries(request: Callable[[Client, int], object]) -> tuple[list[str], str]:
    """The SQL of one request, made in this process with the test client: the second of two,
    so that a worker's warm state is what is counted. `request(client, n)` makes request n."""
    client = Client(HTTP_HOST="127.0.0.1")
    try:
        request(client, 1)
        with CaptureQueriesContext(connection) as captured:
            response = request(client, 2)
    except Exception as exc:  # a probe, not the measure: say what broke and go on
        return [], f"failed: {type(exc).__name__}: {exc}"
    return [q["sql"] for q in captured.captured_queries], str(response.status_code)
