"""Exports made by a worker: requested here, written by `export_job_run` (from
`export_job_run_task`), offered for download until `export_jobs_clean` removes them."""

import datetime
import logging
import tempfile
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from letters_app.celery import queue_on_commit
from letters_app.exports import signatures as exports
from letters_app.models import AuditAction, ExportJob, Letter, Signature
from letters_app.services.audit import Actor, actor_user, audit_record

logger = logging.getLogger(__name__)

EXPORT_KEEP = datetime.timedelta(days=2)  # a finished export's file is kept this long
# A job "running" this long lost its worker (the task's time limit is 30 minutes).
EXPORT_STUCK = datetime.timedelta(hours=1)
EXPORT_FOLDER = ExportJob.FOLDER
LARGE_LIST_ROWS = 20_000  # from here on the export page suggests the background
# A PDF of more names than this is made in the background, never in the request: WeasyPrint
# lays out about 500 lines a second here, and a request must not hold a web worker for long.
LARGE_PDF_ROWS = 500


class ExportJobError(Exception):
    """The export cannot be made as asked."""


@transaction.atomic
def export_job_request(
    *,
    letter: Letter | None,
    fmt: str,
    filters: dict[str, Any],
    private: bool,
    bom: bool = False,
    actor: Actor,
) -> ExportJob:
    """Queue an export for a worker (`export_job_run_task`, on commit); an export with private
    columns is recorded in the audit trail, as a direct one is. `filters` as
    `SignatureExportForm.filters()` (forms/staff.py) gives them, with `letters` (ids) across
    letters."""
    job = ExportJob(letter=letter, format=fmt, filters=filters, private=private, bom=bom,
                    requested_by=actor_user(actor))  # fmt: skip
    job.full_clean()
    job.save()
    if private:
        audit_record(letter=letter, actor=actor, action=AuditAction.SIGNATURES_EXPORTED, format=fmt,
                     private=True, filters=filters, background=True)  # fmt: skip
    queue_on_commit("export_job_run_task", export_job_id=job.pk)
    return job


def export_job_queryset(job: ExportJob) -> QuerySet[Signature]:
    """The signatures the job names: its filters were checked by the export form when it was
    requested, and are read as a direct export's are."""
    letters: list[Letter] | None = [job.letter] if job.letter else None
    if job.letter_id is None and job.filters.get("letters"):
        letters = list(Letter.objects.filter(pk__in=job.filters["letters"]))
    return exports.signature_filtered(job.filters, letters=letters, private=job.private)


def export_job_run(*, export_job_id: int) -> str | None:
    """Claim a queued job, write its file with progress every CHUNK_ROWS rows, store it; a
    failure is kept on the job. Returns the status reached, None if another worker has it."""
    jobs = ExportJob.objects.filter(pk=export_job_id)
    if (
        jobs.filter(status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.RUNNING, started_at=timezone.now()
        )
        != 1
    ):
        return None
    job = jobs.select_related("letter").get()
    try:
        queryset = export_job_queryset(job)
        total = queryset.count()
        jobs.update(rows_total=total)
        if job.format == "pdf" and total > exports.PDF_MAX_ROWS:
            raise ExportJobError(f"A PDF holds at most {exports.PDF_MAX_ROWS:,} names.")
        title = job.letter.title if job.letter else "Signatures"

        def progress(rows_done: int) -> None:
            jobs.update(rows_done=rows_done)

        with tempfile.TemporaryFile() as out:
            exports.export_write(
                queryset, out, fmt=job.format, private=job.private, bom=job.bom,
                across_letters=job.letter_id is None, title=title,
                progress=progress,
            )  # fmt: skip
            out.seek(0)
            job.file.save(export_job_filename(job), File(out), save=False)
    except Exception as exc:
        logger.exception("Export %s failed", job.pk)
        # The coordinator is shown our own reasons; anything else (database errors, paths) is
        # for the log only.
        error = str(exc) if isinstance(exc, ExportJobError) else "The export could not be made."
        jobs.update(status=ExportJob.Status.FAILED, error=error[:2000],
                    finished_at=timezone.now())  # fmt: skip
        return ExportJob.Status.FAILED
    jobs.update(status=ExportJob.Status.DONE, file=job.file.name, rows_done=total,
                finished_at=timezone.now())  # fmt: skip
    return ExportJob.Status.DONE


def export_job_filename(job: ExportJob) -> str:
    stem = f"{job.letter.slug}-signatures" if job.letter else "signatures"
    suffix = "-private" if job.private else ""
    return f"{stem}{suffix}-{job.created_at:%Y-%m-%d}.{exports.FORMATS[job.format][1]}"


def export_jobs_clean(*, now: datetime.datetime | None = None) -> int:
    """Periodic: delete exports finished more than EXPORT_KEEP ago, with their files; a job
    running past EXPORT_STUCK lost its worker and is marked failed. Returns how many went."""
    now = now or timezone.now()
    ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, started_at__lt=now - EXPORT_STUCK
    ).update(status=ExportJob.Status.FAILED, error="The worker stopped.", finished_at=now)
    old = ExportJob.objects.filter(finished_at__lt=now - EXPORT_KEEP)
    removed = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    _orphans_delete(before=now - EXPORT_KEEP)
    return removed


def _orphans_delete(*, before: datetime.datetime) -> None:
    """Delete export files no job names any more (their jobs went with their letter) once they
    are as old as a kept export: they hold signers' addresses."""
    storage = ExportJob._meta.get_field("file").storage
    try:
        _folders, names = storage.listdir(EXPORT_FOLDER)
    except FileNotFoundError:
        return
    named = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in names:
        path = f"{EXPORT_FOLDER}{name}"
        if path not in named and storage.get_modified_time(path) < before:
            storage.delete(path)
            logger.info("Export file %s deleted: no job names it.", path)


def signatures_export_record(
    *, letter: Letter | None, actor: Actor, fmt: str, **detail: Any
) -> None:
    """Record in the audit trail that `actor` exported signatures with private columns, the
    `letter`'s or (None) across letters."""
    audit_record(letter=letter, actor=actor, action=AuditAction.SIGNATURES_EXPORTED, format=fmt,
                 private=True, **detail)  # fmt: skip
