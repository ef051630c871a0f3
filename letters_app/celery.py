import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "letters_app.settings")

app = Celery("letters_app")
# Django's CELERY_* settings, read once when Celery first needs them (see __getattr__ below).
app.config_from_object("letters_app.celery:django_settings")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_queue_folders(sender, **kwargs):
    # kombu's filesystem transport does not create its folders.
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


def queue_on_commit(task: str, /, **kwargs) -> None:
    """Run `task`, a function of letters_app/tasks.py, in a worker once the current transaction
    commits (at once outside one), with these keyword arguments. The one way services hand work
    to a worker, by the task's name: tasks import the services, never the other way round. (Mail
    is not queued this way: it is a row, written in the transaction; see services/mails.py.)"""
    app.tasks[f"letters_app.tasks.{task}"].apply_async_on_commit(kwargs=kwargs)


def __getattr__(name: str):
    """`django_settings`: the CELERY_* settings as a dict, under Celery's own names
    (CELERY_BROKER_URL is broker_url). Celery looks up several names on every task it sends: on
    Django's settings object each name that is not set raised and caught an exception, and under
    a namespace each lookup tried a dozen spellings, which together cost a fifth of sending."""
    if name != "django_settings":
        raise AttributeError(name)
    from django.conf import settings

    return {
        key.removeprefix("CELERY_").lower(): getattr(settings, key)
        for key in dir(settings)
        if key.startswith("CELERY_")
    }
