import contextlib

import pytest
from django.core.cache import cache
from django.utils import translation

from letters_app import tasks
from letters_app.cache import letter_pages_held_clear, letter_signing_forget
from letters_app.celery import app
from letters_app.models import Letter
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close, letter_open
from letters_app.services.mails import SEND_TASK
from letters_app.services.signatures import signing_rules_reload
from tests.factories import (
    LetterFactory,
    RecipientFactory,
    SignatureFactory,
    UserFactory,
    listed,
)
from tests.finalized import ABOUT, SIGNERS, sign
from tests.tasks.backends import FlakyBackend
from tests.translations import FRENCH, KHMER, translate
from tests.workers import beat_launch, smtp_start, worker_env_for, worker_launch, worker_stop


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The personas' passwords are made-up; hashing them with production's work factor would
    # cost most of each test's setup.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_signing_rules():
    # The pause switch and blocklist, and the letters being signed, are kept per process for a
    # few seconds, and readers' pages in the cache; each test's database starts afresh.
    signing_rules_reload()
    letter_signing_forget()
    letter_pages_held_clear()
    cache.clear()


@pytest.fixture(autouse=True)
def _wake_a_worker_after_every_change(settings):
    # In production a process wakes a worker at most once a second and the beat's tick sends
    # the rest; a test sends what it queued at once, as eager tasks run.
    settings.MAIL_KICK_SECONDS = 0


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # A request under /fr/ or /km/ leaves its language active in the thread (as Django does):
    # the next test would reverse URLs into it.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic; the manifest storage would refuse unknown files, and
    # whitenoise warns about a missing STATIC_ROOT.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator")


@pytest.fixture
def co_coordinator(db):
    return UserFactory(username="co_coordinator")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def recipient(db):
    return RecipientFactory()


@pytest.fixture
def letter(coordinator, co_coordinator, recipient):
    """A draft with everything needed to publish, run by coordinator and co_coordinator."""
    letter = LetterFactory(created_by=coordinator, recipients=[recipient])
    letter.co_coordinators.add(co_coordinator)
    return letter


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def open_letter(letter, coordinator):
    """The letter, published and open for signing (version 1)."""
    return letter_open(letter=letter, actor=coordinator)


@pytest.fixture
def signer(open_letter):
    """Signer of the open letter, confirmed by e-mail hence listed: signer@example.org."""
    return listed(open_letter, email="signer@example.org")


@pytest.fixture
def eager_tasks():
    """Celery tasks run at once, in the test's process and database transaction, their errors
    raised: mails queued on commit land in mail.outbox."""
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def flaky(settings):
    """Mail goes through FlakyBackend (tests/tasks/backends.py), which fails as a test tells it."""
    settings.MAILERS = {"default": {"BACKEND": "tests.tasks.backends.FlakyBackend"}}
    FlakyBackend.reset()
    yield FlakyBackend
    FlakyBackend.reset()


# Letters closed, finalized and frozen, as people bring them there through the services.


@pytest.fixture
def queued(monkeypatch):
    """The tasks queued, as (task name, kwargs), instead of a broker: the letter's PDF, and a
    worker woken to send the mail rows just written ("mails_send_task", {})."""
    calls = []
    monkeypatch.setattr(
        tasks.letter_pdf_task,
        "apply_async",
        lambda *a, **kw: calls.append(("letter_pdf_task", kw["kwargs"])),
    )
    monkeypatch.setattr(
        app.tasks[SEND_TASK], "apply_async", lambda *a, **kw: calls.append(("mails_send_task", {}))
    )
    return calls


@pytest.fixture
def postal_recipient(db):
    return RecipientFactory(name="Sok Dara", email="", kind="parliament")


@pytest.fixture
def closed_letter(letter, coordinator, postal_recipient):
    """The letter, with a second recipient who has no e-mail, published, signed by SIGNERS and
    closed."""
    Letter.objects.filter(pk=letter.pk).update(accepts_mps=True, about_sender=ABOUT)
    letter.refresh_from_db()
    letter.letter_recipients.create(recipient=postal_recipient, position=1)
    open_letter = letter_open(letter=letter, actor=coordinator)
    for n, fields in enumerate(SIGNERS):
        sign(open_letter, n, **fields)
    return letter_close(letter=open_letter, actor=coordinator)


@pytest.fixture
def finalized_letter(closed_letter, coordinator, queued, django_capture_on_commit_callbacks):
    """The closed letter, finalized: snapshot made, deliveries waiting for the PDF, which is
    still being made."""
    return _finalize(closed_letter, coordinator, queued, django_capture_on_commit_callbacks)


@pytest.fixture
def frozen_letter(closed_letter, coordinator, queued, django_capture_on_commit_callbacks):
    """The closed letter with a ready French translation and a Khmer draft, finalized; one
    signer who never confirmed is left pending."""
    translate(closed_letter, "fr", FRENCH, coordinator)
    translate(closed_letter, "km", KHMER, coordinator, ready=False)
    SignatureFactory(
        letter=closed_letter, name="Never confirmed", email="pending@example.org", version=1
    )
    return _finalize(closed_letter, coordinator, queued, django_capture_on_commit_callbacks)


def _finalize(letter: Letter, coordinator, queued: list, capture_on_commit) -> Letter:
    """Finalize, run what it queues on commit, and forget the tasks it queued."""
    with capture_on_commit(execute=True):
        letter_finalize(letter=letter, actor=coordinator)
    queued.clear()
    letter.refresh_from_db()
    return letter


# The real SMTP server and Celery processes of the integration and browser tests.


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 for one test (see smtp_start)."""
    controller = smtp_start()
    yield controller
    with contextlib.suppress(AssertionError, RuntimeError):  # a test stopped it: an outage
        controller.stop()


@pytest.fixture
def worker_env():
    """Extra environment for the worker process; tests add to it before the worker starts."""
    return {}


@pytest.fixture
def start_worker(transactional_db, tmp_path, worker_env):
    """Start real Celery workers, each in its own process, on the configured broker and the test
    database: `start_worker(pool="prefork", concurrency=2)` returns the process once it is
    ready, its log at `.log_path`. Every worker still running is stopped at the end."""
    env = worker_env_for(worker_env)
    # Tasks queued by earlier tests that had no worker would otherwise reach this one and may
    # name rows of this test's database that happen to have the same ids.
    app.control.purge()
    started = []

    def start(*, pool: str = "solo", concurrency: int = 1):
        n = len(started) + 1
        worker = worker_launch(
            env, tmp_path / f"worker-{n}.log", name=f"worker{n}", pool=pool,
            concurrency=concurrency,
        )  # fmt: skip
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker_stop(worker)


@pytest.fixture
def celery_beat_process(transactional_db, tmp_path, worker_env):
    """Celery beat in its own process, ticking every half second: it wakes the workers for the
    mails that are due again after a failure, as in production."""
    env = worker_env_for({"MAIL_TICK_SECONDS": "0.5", **worker_env})
    beat = beat_launch(env, tmp_path)
    yield beat
    worker_stop(beat)


@pytest.fixture
def celery_worker_process(start_worker):
    """A real Celery worker (solo pool) in its own process."""
    return start_worker()
