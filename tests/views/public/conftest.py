import pytest
from django.core.cache import cache

from letters_app.celery import app
from letters_app.models import Letter


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limits count in the cache: each test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_tasks():
    """Run queued tasks in the process, so that mails land in mail.outbox."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def all_kinds(open_letter):
    """The open letter, taking organizations, individuals and members of parliament."""
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True, accepts_mps=True)
    open_letter.refresh_from_db()
    return open_letter
