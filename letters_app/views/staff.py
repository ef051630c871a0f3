"""Exports of signatory lists: one letter's, for anyone who may see its list (public columns)
and for its coordinators and admins (private columns too, each such export audited); every
letter's, for admins."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from letters_app import selectors
from letters_app.exports import signatures as exports
from letters_app.models import Letter
from letters_app.services.audit import audit_record


@login_required
def letter_export(request, pk):
    """The export page: format, filters, private columns, and the list as text to copy."""
    letter = selectors.letter_get_for_coordinator(request.user, pk)
    form = exports.SignatureExportForm(allow_private=True)
    public = exports.signature_queryset(letters=[letter], private=False)
    text, more = exports.text_preview(public)
    context = {"letter": letter, "form": form, "text": text, "text_more": more}
    return render(request, "staff/letter_export.html", context)


def letter_export_download(request, pk):
    """The file itself, from the page's query string. Public columns of a published letter's
    public list for anyone, in the streamed formats; everything to its coordinators."""
    letter = Letter.objects.filter(pk=pk).first()
    coordinates = letter is not None and selectors.user_can_coordinate(request.user, letter)
    if letter is None or not (coordinates or letter.is_public):
        raise Http404
    if not coordinates and request.GET.get("private"):
        raise PermissionDenied  # the list is public; its private columns are not
    form = exports.SignatureExportForm(
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
def signatures_export(request):
    """Every letter's signatures, or some letters', for admins: the page, then the file."""
    if not request.user.is_staff:
        raise Http404
    form = exports.SignatureExportForm(request.GET or None, allow_private=True, across_letters=True)
    if not request.GET or not form.is_valid():
        status = 400 if request.GET else 200
        return render(request, "staff/signatures_export.html", {"form": form}, status=status)
    letters = form.cleaned_data["letters"] or None
    return _export(request, form, letters=letters, letter=None, stem="signatures")


def _export(request, form, *, letters, letter, stem):
    """Check the size a PDF may have, record a private export, then answer with the file."""
    fmt, private = form.cleaned_data["format"], form.wants_private
    queryset = form.queryset(letters)
    if fmt == "pdf" and queryset.count() > exports.PDF_MAX_ROWS:
        message = _("A PDF holds at most %(n)s names: choose CSV or XLSX, or narrow the list.")
        form.add_error(
            "format", message % {"n": number_format(exports.PDF_MAX_ROWS, force_grouping=True)}
        )
        template = "staff/letter_export.html" if letter else "staff/signatures_export.html"
        return render(request, template, {"letter": letter, "form": form}, status=400)
    if private:
        chosen = [lt.pk for lt in letters] if letter is None and letters else None
        audit_record(
            letter=letter, actor=request.user, action="signatures.exported", format=fmt,
            private=True, filters=form.filters(), **({"letters": chosen} if chosen else {}),
        )  # fmt: skip
    suffix = "-private" if private else ""
    filename = f"{stem}{suffix}-{timezone.now():%Y-%m-%d}.{exports.FORMATS[fmt][1]}"
    return _file_response(queryset, form, letter=letter, filename=filename)


def _file_response(queryset, form, *, letter, filename):
    fmt, private = form.cleaned_data["format"], form.wants_private
    content_type = exports.FORMATS[fmt][0]
    columns = exports.export_columns(private=private, across_letters=letter is None)
    if fmt in ("csv", "json", "txt"):
        response = StreamingHttpResponse(
            exports.export_stream(queryset, fmt=fmt, columns=columns, bom=form.cleaned_data["bom"]),
            content_type=content_type,
        )
        disposition = "inline" if fmt == "txt" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    title = letter.title if letter else _("Signatures")
    if fmt == "xlsx":
        out = exports.spooled_file()
        exports.xlsx_write(queryset, columns, out, title=title)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)
    response = HttpResponse(exports.pdf_bytes(queryset, title=title), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
