"""Exports prepared in the background: asked for on the export page, made by the task, listed
with progress, downloaded by the person who asked, the letter's coordinators and admins only."""

import csv
import datetime
import io
import json
import os
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from letters_app.exports import signatures as exports
from letters_app.models import AuditEvent, ExportJob, Signature
from letters_app.services import exports as export_services
from letters_app.services.signatures import signature_add, signature_confirm
from letters_app.tasks import export_job_run_task, export_jobs_clean_task
from tests.exports.pdf_reading import pypdf_text, reads_exactly
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FORMULA = '=HYPERLINK("https://evil.example","Click")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signed(open_letter):
    for n, (name, country) in enumerate([("Association TEP NIMITH", "FR"), (KHMER, "KH"),
                                         (FORMULA, "FR"), ("Élise Dumont", "FR")]):  # fmt: skip
        signature, _created = signature_add(
            letter=open_letter, kind=Signature.Kind.ORGANIZATION, email=f"signer{n}@example.org",
            name=name, country=country, consent_public=True,
        )  # fmt: skip
        signature_confirm(signature=signature)
    SignatureFactory(letter=open_letter, name="Pending Person", email="pending@example.org")
    return open_letter


def ask(client, letter, captured, **data):
    """Ask for an export of `letter` in the background; run the task queued on commit."""
    data = {"format": "csv", **data}
    with captured(execute=False) as callbacks:
        response = client.post(reverse("staff:letter-export-job-new", args=[letter.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("staff:export-jobs")
    for callback in callbacks:
        callback()
    return ExportJob.objects.latest("id")


@pytest.fixture
def run_tasks(settings):
    from letters_app.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def download(client, job):
    return client.get(reverse("staff:export-job-download", args=[job.pk]))


def test_a_coordinator_asks_for_a_private_csv_and_downloads_it_when_ready(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, run_tasks
):
    client = client_for(coordinator)
    form = client.get(reverse("staff:letter-export-job-new", args=[signed.pk]),
                      {"format": "csv", "private": "on", "country": "FR"})  # fmt: skip
    assert form.status_code == 200
    assert 'value="FR" selected' in form.content.decode()

    job = ask(client, signed, django_capture_on_commit_callbacks, private="on", country="FR",
              status=["pending", "confirmed"])  # fmt: skip

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert (job.rows_done, job.rows_total) == (4, 4)
    assert job.requested_by == coordinator and job.letter == signed
    [event] = AuditEvent.objects.filter(action="signatures.exported")
    assert (event.letter, event.actor) == (signed, coordinator)
    filters = {"status": ["pending", "confirmed"], "country": ["FR"]}
    assert event.detail == {
        "format": "csv",
        "private": True,
        "background": True,
        "filters": filters,
    }
    response = download(client, job)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{signed.slug}-signatures-private-'
    )
    raw = b"".join(response.streaming_content)
    # The same bytes as the direct download with the same choices.
    direct = client.get(reverse("staff:letter-export-download", args=[signed.pk]),
                        {"format": "csv", "private": "on", "country": "FR",
                         "status": ["pending", "confirmed"]})  # fmt: skip
    assert raw == b"".join(direct.streaming_content)
    rows = list(csv.DictReader(io.StringIO(raw.decode(), newline="")))
    assert [r["name"] for r in rows] == ["Association TEP NIMITH", "'" + FORMULA, "Élise Dumont",
                                         "Pending Person"]  # fmt: skip
    assert rows[3]["email"] == "pending@example.org"


def test_the_list_shows_progress_and_the_status_endpoint_reports_it(
    client_for, coordinator, signed, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    job = ask(client, signed, django_capture_on_commit_callbacks, format="xlsx")  # not run

    page = client.get(reverse("staff:export-jobs")).content.decode()
    assert "Waiting for a worker" in page
    assert reverse("staff:export-job-status", args=[job.pk]) in page
    assert "js/export-progress.js" in page
    status = client.get(reverse("staff:export-job-status", args=[job.pk])).json()
    assert status == {"status": "queued", "label": "Waiting for a worker", "percent": 0,
                      "rows_done": 0, "rows_total": None, "ended": False,
                      "download_url": None}  # fmt: skip
    assert download(client, job).status_code == 404  # nothing to download yet

    assert export_job_run_task.apply(kwargs={"export_job_id": job.pk}).get() == "done"
    assert export_job_run_task.apply(kwargs={"export_job_id": job.pk}).get() is None  # claimed

    status = client.get(reverse("staff:export-job-status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["ended"]
    assert status["download_url"] == reverse("staff:export-job-download", args=[job.pk])
    sheet = load_workbook(io.BytesIO(b"".join(download(client, job).streaming_content))).active
    names = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["Association TEP NIMITH", KHMER, "'" + FORMULA, "Élise Dumont"]


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "admin"])
def test_the_letters_coordinators_and_admins_may_download_strangers_get_404(
    request, client, client_for, stranger, coordinator, signed, persona,
    django_capture_on_commit_callbacks, run_tasks,
):  # fmt: skip
    job = ask(client_for(coordinator), signed, django_capture_on_commit_callbacks, private="on")

    assert download(client_for(request.getfixturevalue(persona)), job).status_code == 200
    client.logout()
    for url in ("staff:export-job-download", "staff:export-job-status"):
        assert client.get(reverse(url, args=[job.pk])).status_code == 404
        assert client_for(stranger).get(reverse(url, args=[job.pk])).status_code == 404
        client.logout()
    their_list = client_for(stranger).get(reverse("staff:export-jobs")).content.decode()
    assert reverse("staff:export-job-status", args=[job.pk]) not in their_list


def test_a_coordinator_removed_from_the_letter_loses_even_their_own_export(
    client_for, co_coordinator, signed, django_capture_on_commit_callbacks, run_tasks
):
    client = client_for(co_coordinator)
    job = ask(client, signed, django_capture_on_commit_callbacks, private="on")
    assert download(client, job).status_code == 200

    signed.co_coordinators.remove(co_coordinator)
    assert download(client, job).status_code == 404
    assert client.get(reverse("staff:export-job-status", args=[job.pk])).status_code == 404


def test_another_coordinators_download_of_a_private_export_is_recorded(
    client_for, coordinator, co_coordinator, signed, django_capture_on_commit_callbacks,
    run_tasks,
):  # fmt: skip
    job = ask(client_for(coordinator), signed, django_capture_on_commit_callbacks, private="on")
    assert download(client_for(coordinator), job).status_code == 200
    assert download(client_for(co_coordinator), job).status_code == 200

    events = AuditEvent.objects.filter(action="signatures.exported").order_by("pk")
    assert [e.actor for e in events] == [coordinator, co_coordinator]  # asked, then fetched
    assert events.last().detail == {"format": "csv", "private": True, "export_job": job.pk}


def test_strangers_cannot_ask_for_a_letters_export(client, client_for, stranger, signed):
    url = reverse("staff:letter-export-job-new", args=[signed.pk])
    assert client_for(stranger).post(url, {"format": "csv"}).status_code == 404
    assert client_for(stranger).post(reverse("staff:signatures-export-job-new"),
                                     {"format": "csv"}).status_code == 404  # fmt: skip
    assert not ExportJob.objects.exists()


def test_asking_needs_the_csrf_token(coordinator, signed):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    url = reverse("staff:letter-export-job-new", args=[signed.pk])
    assert client.post(url, {"format": "csv"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_an_admin_prepares_chosen_letters_as_json(
    client_for, admin, signed, django_capture_on_commit_callbacks, run_tasks
):
    other = LetterFactory()
    SignatureFactory(letter=other, name="Elsewhere", status="confirmed", is_public=True)
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:signatures-export-job-new"),
                               {"format": "json", "letters": [signed.pk]})  # fmt: skip
    assert response.status_code == 302

    job = ExportJob.objects.get()
    assert job.letter is None and job.filters == {"letters": [signed.pk]}
    assert job.status == ExportJob.Status.DONE
    data = json.loads(b"".join(download(client, job).streaming_content))
    assert {d["letter"] for d in data} == {signed.slug}
    assert [d["name"] for d in data][:2] == ["Association TEP NIMITH", KHMER]


def test_a_pdf_too_long_is_refused_on_the_form_in_the_readers_language(
    client_for, coordinator, signed, monkeypatch
):
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 2)
    with translation.override("fr"):
        url = reverse("staff:letter-export-job-new", args=[signed.pk])
    response = client_for(coordinator).post(url, {"format": "pdf"})

    assert response.status_code == 400
    assert "Un PDF contient au maximum 2 noms" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_pdf_grown_too_long_in_the_queue_fails_with_its_reason(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, monkeypatch, run_tasks
):
    with django_capture_on_commit_callbacks() as queued:
        job = export_services.export_job_request(
            letter=signed, fmt="pdf", filters={}, private=False, actor=coordinator
        )
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 2)  # the list grew before a worker took it
    [run] = queued
    run()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "at most 2 names" in job.error
    page = client_for(coordinator).get(reverse("staff:export-jobs")).content.decode()
    assert "at most 2 names" in page


def test_an_unexpected_failure_is_told_without_its_internals(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, monkeypatch, run_tasks
):
    def broken(*args, **kwargs):
        raise OSError("[Errno 28] No space left on device: '/srv/cosign/media/exports/x'")

    monkeypatch.setattr(exports, "export_write", broken)
    job = ask(client_for(coordinator), signed, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "The export could not be made.")
    page = client_for(coordinator).get(reverse("staff:export-jobs")).content.decode()
    assert "The export could not be made." in page and "/srv/cosign" not in page


def test_progress_is_reported_every_chunk_of_rows(signed, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    queryset = exports.signature_queryset(letters=[signed], private=True)
    for fmt in ("csv", "json", "txt", "xlsx"):
        seen = []
        exports.export_write(queryset, io.BytesIO(), fmt=fmt, private=True, progress=seen.append)
        assert seen == [2, 4], fmt  # 5 rows


def test_old_exports_and_their_files_are_removed_stuck_ones_fail(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, run_tasks
):
    client = client_for(coordinator)
    old = ask(client, signed, django_capture_on_commit_callbacks)
    recent = ask(client, signed, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    path = old.file.path
    long_ago = timezone.now() - export_services.EXPORT_KEEP - datetime.timedelta(minutes=1)
    ExportJob.objects.filter(pk=old.pk).update(finished_at=long_ago)
    stuck = ExportJob.objects.create(
        requested_by=coordinator, letter=signed, format="csv",
        status=ExportJob.Status.RUNNING, started_at=long_ago,
    )  # fmt: skip

    assert export_jobs_clean_task.apply().get() == 1

    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(path)
    assert ExportJob.objects.get(pk=recent.pk).status == ExportJob.Status.DONE
    assert ExportJob.objects.get(pk=stuck.pk).status == ExportJob.Status.FAILED


def test_files_of_jobs_gone_with_their_letter_are_removed_once_old(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, run_tasks
):
    client = client_for(coordinator)
    orphan, fresh_orphan, kept = (ask(client, signed, django_capture_on_commit_callbacks)
                                  for _ in range(3))  # fmt: skip
    for job in (orphan, fresh_orphan, kept):
        job.refresh_from_db()
    long_ago = timezone.now() - export_services.EXPORT_KEEP - datetime.timedelta(minutes=1)
    for job in (orphan, kept):
        os.utime(job.file.path, (long_ago.timestamp(), long_ago.timestamp()))
    ExportJob.objects.filter(pk__in=[orphan.pk, fresh_orphan.pk]).delete()  # as a cascade does

    assert export_jobs_clean_task.apply().get() == 0

    assert not os.path.exists(orphan.file.path)
    assert os.path.exists(fresh_orphan.file.path)  # perhaps a job being written
    assert os.path.exists(kept.file.path)  # its job, finished just now, still offers it


def test_the_export_page_offers_the_background_and_suggests_it_for_long_lists(
    client_for, coordinator, signed, monkeypatch
):
    url = reverse("staff:letter-export", args=[signed.pk])
    content = client_for(coordinator).get(url).content.decode()
    assert reverse("staff:letter-export-job-new", args=[signed.pk]) in content
    assert "This list is long" not in content

    monkeypatch.setattr(export_services, "LARGE_LIST_ROWS", 4)
    assert "This list is long" in client_for(coordinator).get(url).content.decode()


def test_a_long_list_asked_as_xlsx_is_offered_to_the_background_prefilled(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, monkeypatch, run_tasks
):
    monkeypatch.setattr(export_services, "LARGE_LIST_ROWS", 5)
    client = client_for(coordinator)
    url = reverse("staff:letter-export-download", args=[signed.pk])
    choices = {"format": "xlsx", "private": "on", "status": ["pending", "confirmed"]}

    response = client.get(url, choices)

    # No file made in the request, nothing recorded yet: the background form, as it was filled.
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "have its workbook prepared in the background" in page
    assert f'action="{reverse("staff:letter-export-job-new", args=[signed.pk])}"' in page
    assert '<option value="xlsx" selected>' in page
    assert re.search(r'<input type="checkbox"[^>]*name="status" value="pending"[^>]*checked>', page)
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.exported").exists()

    job = ask(client, signed, django_capture_on_commit_callbacks, **choices)
    job.refresh_from_db()
    assert (job.status, job.format, job.private, job.rows_total) == ("done", "xlsx", True, 5)
    sheet = load_workbook(io.BytesIO(b"".join(download(client, job).streaming_content))).active
    assert KHMER in [cell.value for row in sheet.iter_rows() for cell in row]

    # A shorter list, or another format, still comes at once.
    shorter = client.get(url, {**choices, "status": ["confirmed"]})
    assert shorter["Content-Type"] == exports.FORMATS["xlsx"][0]
    assert client.get(url, {**choices, "format": "csv"}).status_code == 200
    assert ExportJob.objects.count() == 1


def test_a_pdf_of_a_long_list_is_made_in_the_background_never_in_the_request(
    client_for, coordinator, signed, django_capture_on_commit_callbacks, monkeypatch, run_tasks
):
    monkeypatch.setattr(export_services, "LARGE_PDF_ROWS", 4)
    client = client_for(coordinator)
    url = reverse("staff:letter-export-download", args=[signed.pk])

    with translation.override("fr"):
        french = reverse("staff:letter-export-download", args=[signed.pk])
    response = client.get(french, {"format": "pdf"})

    # The background form, filled in as asked; no PDF was laid out in the request.
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "faites préparer son PDF en arrière-plan" in page
    assert '<option value="pdf" selected>' in page
    assert not ExportJob.objects.exists()

    job = ask(client, signed, django_capture_on_commit_callbacks, format="pdf")
    job.refresh_from_db()
    assert (job.status, job.format, job.rows_total) == ("done", "pdf", 4)
    pdf = b"".join(download(client, job).streaming_content)
    assert reads_exactly(pypdf_text(pdf), KHMER)

    # A list shorter than that still comes at once.
    monkeypatch.setattr(export_services, "LARGE_PDF_ROWS", 5)
    assert client.get(url, {"format": "pdf"})["Content-Type"] == exports.FORMATS["pdf"][0]
