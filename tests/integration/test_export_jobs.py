"""An export prepared in the background by a real Celery worker, on the configured broker and
the test database: the job moves through its states with progress on the way, and the file
it stores is the export a direct download gives."""

import pytest
from openpyxl import load_workbook

from letters_app.exports import signatures as exports
from letters_app.models import ExportJob
from letters_app.services.exports import export_job_request
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory, signatures_bulk_create
from tests.waiting import wait_until

pytestmark = pytest.mark.integration

ROWS = 30_000


@pytest.fixture
def worker_env(tmp_path):
    # Only the stored files move: the worker keeps the broker's and the database's settings.
    return {"MEDIA_ROOT": str(tmp_path / "media")}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # where the worker stores its files


def test_a_worker_prepares_a_large_export_with_progress(celery_worker_process, media):
    coordinator = UserFactory()
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    signatures_bulk_create(letter, ROWS)

    job = export_job_request(letter=letter, fmt="xlsx", filters={}, private=False,
                             actor=coordinator)  # fmt: skip

    seen = set()

    def ended() -> bool:
        current = ExportJob.objects.get(pk=job.pk)
        seen.add((current.status, current.rows_done))
        return current.status in ExportJob.ENDED

    # Asked often, to see the job part-way as a coordinator's page does.
    assert wait_until(ended, timeout=120, interval=0.05)
    current = ExportJob.objects.get(pk=job.pk)
    assert current.status == ExportJob.Status.DONE, current.error
    assert (current.rows_done, current.rows_total) == (ROWS, ROWS)
    partial = {done for status, done in seen if status == ExportJob.Status.RUNNING}
    assert any(0 < done < ROWS for done in partial), seen
    assert current.file.name.startswith("exports/")
    with current.file.open("rb") as f:
        rows = list(load_workbook(f, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == ROWS + 1
    assert rows[-1][0] == ROWS and rows[-1][2] == f"Civic Space Organization {ROWS - 1}"


def test_a_worker_prepares_the_same_csv_as_the_direct_download(celery_worker_process, media):
    coordinator = UserFactory()
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    signatures_bulk_create(letter, 500)

    job = export_job_request(letter=letter, fmt="csv", filters={"country": ["KH", "FR"]},
                             private=True, bom=True, actor=coordinator)  # fmt: skip

    assert wait_until(lambda: ExportJob.objects.get(pk=job.pk).status in ExportJob.ENDED)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    queryset = exports.signature_queryset(letters=[letter], private=True, country=["KH", "FR"])
    columns = exports.export_columns(private=True)
    expected = b"".join(exports.csv_stream(queryset, columns, bom=True))
    with job.file.open("rb") as f:
        assert f.read() == expected
    assert 0 < job.rows_total < 500
