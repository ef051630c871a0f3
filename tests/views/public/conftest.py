import pytest
from django.core.cache import cache

from letters_app.models import Letter


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limits count in the cache: each test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def all_kinds(open_letter):
    """The open letter, taking organizations, individuals and members of parliament."""
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True, accepts_mps=True)
    open_letter.refresh_from_db()
    return open_letter
