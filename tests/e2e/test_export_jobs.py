"""A coordinator has a long list prepared in the background by a real Celery worker, in Debian's
Chromium: asks for it from the export page, watches the list of prepared exports fill in
without reloading it, and downloads the file."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters_app.models import ExportJob
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory, UserFactory, signatures_bulk_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
ROWS = 20_000


@pytest.fixture
def worker_env(tmp_path, settings):
    # The worker stores the file where the live server serves it from.
    settings.MEDIA_ROOT = tmp_path / "media"
    return {"MEDIA_ROOT": str(tmp_path / "media")}


def test_coordinator_has_a_long_list_prepared_and_downloads_it(
    live_server, celery_worker_process, page, artifacts_dir
):
    coordinator = UserFactory(username="vanna", password=PASSWORD)
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    signatures_bulk_create(letter, ROWS)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("vanna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{reverse('staff:letter-export', kwargs={'pk': letter.pk})}")
    expect(page.get_by_text("This list is long")).to_be_visible()
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Prepare in the background").click()
    page.get_by_role("button", name="Prepare", exact=True).click()

    expect(page.get_by_role("heading", name="Prepared exports")).to_be_visible()
    row = page.locator("tr[data-export-job]")
    expect(row).to_have_count(1)
    download_link = row.get_by_role("link", name="Download")
    # The page was drawn before the worker finished; the poller shows the link when it has.
    expect(download_link).to_be_visible(timeout=60_000)
    expect(row).to_contain_text(f"{ROWS} / {ROWS}")
    assert ExportJob.objects.get().status == ExportJob.Status.DONE
    page.screenshot(path=artifacts_dir / "export-jobs.png", full_page=True)

    with page.expect_download() as download:
        download_link.click()
    path = artifacts_dir / "export-job.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == ROWS + 1
    assert rows[-1][0] == str(ROWS)
