"""`eager_tasks`: Celery tasks run at once, in the test's process and database transaction.

Import it into a test module (or a conftest) that needs it."""

import pytest


@pytest.fixture
def eager_tasks():
    from letters_app.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
