import pytest
from django.core.cache import cache
from django.utils import translation

from letters_app.cache import letter_signing_forget
from letters_app.celery import app
from letters_app.services.signatures import signing_rules_reload
from tests.factories import LetterFactory, RecipientFactory, UserFactory, listed
from tests.tasks.backends import FlakyBackend


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
    from letters_app.services.letters import letter_open

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
