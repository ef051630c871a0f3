"""Exports of signatory lists: one letter's, for anyone who may see its list (public columns)
and for its coordinators and admins (private columns too, each such export audited); every
letter's, for admins. Any of them can be prepared by a worker and downloaded when ready."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from letters_app import selectors
from letters_app.exports import signatures as exports
from letters_app.forms.staff import SignatureExportForm
from letters_app.models import ExportJob, Letter, Signature
from letters_app.ratelimit import rate_limited
from letters_app.services import exports as export_services
from letters_app.views import AuthenticatedHttpRequest, coordinated_letter

# Downloads of a public list by people not logged in, per client address (as signing counts).
PUBLIC_DOWNLOAD_RATE = "30/h"


def _public_download_rate(request: HttpRequest) -> str | None:
    """None: no limit for the logged in, who are few and known."""
    return None if request.user.is_authenticated else PUBLIC_DOWNLOAD_RATE


@login_required
def letter_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The export page: format, filters, private columns, and the list as text to copy."""
    letter = coordinated_letter(request, pk)
    form = SignatureExportForm(allow_private=True)
    public = exports.signature_queryset(letters=[letter], private=False)
    text, more = exports.text_preview(public)
    large = letter.signature_count >= export_services.LARGE_LIST_ROWS
    context = {"letter": letter, "form": form, "text": text, "text_more": more, "large": large}
    return render(request, "staff/letter_export.html", context)


@rate_limited("export-download", rate=_public_download_rate, methods=("GET", "HEAD"))
def letter_export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file itself, from the page's query string. Public columns of a published letter's
    public list for anyone, in the streamed formats (so many an hour per address); everything
    to its coordinators."""
    if getattr(request, "limited", False):
        return render(request, "staff/export_limited.html", status=429)
    letter = Letter.objects.filter(pk=pk).first()
    coordinates = letter is not None and selectors.user_can_coordinate(request.user, letter)
    if letter is None or not (coordinates or letter.is_public):
        raise Http404
    if not coordinates and request.GET.get("private"):
        raise PermissionDenied("private columns asked for by someone not coordinating")
    form = SignatureExportForm(
        request.GET,
        allow_private=coordinates,
        formats=None if coordinates else exports.OPEN_FORMATS,
    )
    if not form.is_valid():
        context = {"letter": letter, "form": form}
        template = "staff/letter_export.html" if coordinates else "staff/export_invalid.html"
        return render(request, template, context, status=400)
    return _export(request, form, letters=[letter], letter=letter, stem=f"{letter.slug}-signatures")


@login_required
def signatures_export(request: HttpRequest) -> HttpResponseBase:
    """Every letter's signatures, or some letters', for admins: the page, then the file."""
    if not request.user.is_staff:
        raise Http404
    form = SignatureExportForm(request.GET or None, allow_private=True, across_letters=True)
    if not request.GET or not form.is_valid():
        status = 400 if request.GET else 200
        return render(request, "staff/signatures_export.html", {"form": form}, status=status)
    letters = form.cleaned_data["letters"] or None
    return _export(request, form, letters=letters, letter=None, stem="signatures")


def _export(
    request: HttpRequest,
    form: SignatureExportForm,
    *,
    letters: list[Letter] | None,
    letter: Letter | None,
    stem: str,
) -> HttpResponseBase:
    """Check the size a PDF may have, offer the background for a long workbook or PDF, record a
    private export, then answer with the file."""
    fmt, private = form.cleaned_data["format"], form.wants_private
    queryset = form.queryset(letters)
    if _pdf_refused(form, queryset):
        template = "staff/letter_export.html" if letter else "staff/signatures_export.html"
        return render(request, template, {"letter": letter, "form": form}, status=400)
    if _background_only(fmt, queryset):
        messages.info(request, BACKGROUND_MESSAGES[fmt])
        return render(request, "staff/export_job_new.html", {"letter": letter, "form": form})
    if private:
        chosen = [lt.pk for lt in letters] if letter is None and letters else None
        export_services.signatures_export_record(
            letter=letter, actor=request.user, fmt=fmt, filters=form.filters(),
            **({"letters": chosen} if chosen else {}),
        )  # fmt: skip
    suffix = "-private" if private else ""
    filename = f"{stem}{suffix}-{timezone.now():%Y-%m-%d}.{exports.FORMATS[fmt][1]}"
    return _file_response(queryset, form, letter=letter, filename=filename)


# What the page says when a file is too long to be made in the request.
BACKGROUND_MESSAGES = {
    "xlsx": gettext_lazy(
        "This list is long: have its workbook prepared in the background, then download it "
        "from your prepared exports."
    ),
    "pdf": gettext_lazy(
        "This list is long: have its PDF prepared in the background, then download it from "
        "your prepared exports."
    ),
}


def _background_only(fmt: str, queryset: QuerySet[Signature]) -> bool:
    """Whether the file is too long to be made in the request: a worker makes it, on a POST."""
    rows = {"xlsx": export_services.LARGE_LIST_ROWS, "pdf": export_services.LARGE_PDF_ROWS}
    return fmt in rows and queryset.count() >= rows[fmt]


def _pdf_refused(form: SignatureExportForm, queryset: QuerySet[Signature]) -> bool:
    """A PDF of more names than it may hold is refused on the form, before any work."""
    if form.cleaned_data["format"] != "pdf" or queryset.count() <= exports.PDF_MAX_ROWS:
        return False
    message = _("A PDF holds at most %(n)s names: choose CSV or XLSX, or narrow the list.")
    form.add_error(
        "format", message % {"n": number_format(exports.PDF_MAX_ROWS, force_grouping=True)}
    )
    return True


def _file_response(
    queryset: QuerySet[Signature],
    form: SignatureExportForm,
    *,
    letter: Letter | None,
    filename: str,
) -> HttpResponseBase:
    fmt, private = form.cleaned_data["format"], form.wants_private
    content_type = exports.FORMATS[fmt][0]
    columns = exports.export_columns(private=private, across_letters=letter is None)
    if fmt in ("csv", "json", "txt"):
        stream = StreamingHttpResponse(
            exports.export_stream(queryset, fmt=fmt, columns=columns, bom=form.cleaned_data["bom"]),
            content_type=content_type,
        )
        disposition = "inline" if fmt == "txt" else "attachment"
        stream["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        stream["X-Content-Type-Options"] = "nosniff"
        return stream
    title = letter.title if letter else _("Signatures")
    if fmt == "xlsx":
        out = exports.spooled_file()
        exports.xlsx_write(queryset, columns, out, title=title)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)
    response = HttpResponse(exports.pdf_bytes(queryset, title=title), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- exports made by a worker -----------------------------------------------------------------


@login_required
def export_job_new(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The export form again, to be prepared in the background: one letter's for its
    coordinators, across letters for admins."""
    letter = coordinated_letter(request, pk) if pk is not None else None
    if letter is None and not request.user.is_staff:
        raise Http404
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SignatureExportForm(data, allow_private=True, across_letters=letter is None)
    if request.method == "POST" and form.is_valid():
        letters = [letter] if letter else (form.cleaned_data["letters"] or None)
        if _pdf_refused(form, form.queryset(letters)):
            context = {"letter": letter, "form": form}
            return render(request, "staff/export_job_new.html", context, status=400)
        filters = form.filters()
        if letter is None and letters:
            filters["letters"] = [lt.pk for lt in letters]
        export_services.export_job_request(
            letter=letter, fmt=form.cleaned_data["format"], filters=filters,
            private=form.wants_private, bom=form.cleaned_data["bom"], actor=request.user,
        )  # fmt: skip
        messages.success(request, _("The export is being prepared. It will be ready here."))
        return redirect("staff:export-jobs")
    return render(request, "staff/export_job_new.html", {"letter": letter, "form": form})


@login_required
def export_jobs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The exports this person asked for, with their progress."""
    jobs = ExportJob.objects.filter(requested_by=request.user).select_related("letter")[:50]
    return render(request, "staff/export_jobs.html", {"jobs": jobs})


def _get_job(request: HttpRequest, pk: int) -> ExportJob:
    """The job, for those who may export its signatures now: the letter's coordinators and
    admins (admins alone for an export across letters), the requester included only while they
    still may; 404 for anyone else."""
    job = ExportJob.objects.select_related("letter").filter(pk=pk).first()
    user = request.user
    if job is None or not user.is_authenticated:
        raise Http404
    if job.letter is None and user.is_staff:
        return job
    if job.letter is not None and selectors.user_can_coordinate(user, job.letter):
        return job
    raise Http404


def export_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    ready = job.status == ExportJob.Status.DONE and job.file
    return JsonResponse({
        "status": job.status, "label": str(job.get_status_display()), "percent": job.percent,
        "rows_done": job.rows_done, "rows_total": job.rows_total,
        "ended": job.status in ExportJob.ENDED,
        "download_url": reverse("staff:export-job-download", args=[job.pk]) if ready else None,
    })  # fmt: skip


def export_job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _get_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    if job.private and job.requested_by_id != request.user.pk:  # the request was recorded
        export_services.signatures_export_record(
            letter=job.letter, actor=request.user, fmt=job.format, export_job=job.pk
        )
    return FileResponse(
        job.file.open("rb"), as_attachment=True,
        filename=export_services.export_job_filename(job),
        content_type=exports.FORMATS[job.format][0],
    )  # fmt: skip
