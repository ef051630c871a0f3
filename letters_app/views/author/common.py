"""Pieces the coordinators' pages share."""

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from letters_app.models import Letter

DIRECTORY_PAGE_SIZE = 50


def paste_limits() -> dict[str, Any]:
    """What an import form shows of the largest list it takes pasted: the bytes the page's
    script checks before sending (`paste_limit`, leaving room for the other fields), and the
    megabytes it tells, as the page's language writes them (`paste_limit_mb`: "2.5", "2,5")."""
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {"paste_limit": size - 64 * 1024, "paste_limit_mb": floatformat(size / 1024**2, -1)}


def moment_shown(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def delivery_count_labels(counts: dict[str, int]) -> dict[str, str]:
    """Each count of the delivery summary with its words, in the singular or the plural as the
    language wants it ("1 envoyé", "0 envoyé", "2 envoyés"); the page shows them, and
    static/js/delivery-progress.js puts in the new ones as the poll brings them."""
    words = {
        "sent": ngettext("%(n)s sent", "%(n)s sent", counts["sent"]),
        "waiting": ngettext("%(n)s waiting", "%(n)s waiting", counts["waiting"]),
        "failed": ngettext("%(n)s failed", "%(n)s failed", counts["failed"]),
        "postal": ngettext("%(n)s postal only", "%(n)s postal only", counts["postal"]),
    }
    return {key: text % {"n": counts[key]} for key, text in words.items()}


def status_change(
    request: HttpRequest,
    letter: Letter,
    *,
    service: Callable[..., object],
    allowed: bool,
    template: str,
    success: str,
    then: str = "author:letter-edit",
    **context: Any,
) -> HttpResponse:
    """Confirm on GET; on POST run the service, then redirect, or show why it refused."""
    errors = []
    if request.method == "POST":
        try:
            service(letter=letter, actor=request.user)
        except ValidationError as exc:
            shown = {message for message, _url in context.get("problems", [])}
            errors = [message for message in exc.messages if message not in shown]
        else:
            messages.success(request, success)
            return redirect(then, pk=letter.pk)
    context |= {"letter": letter, "allowed": allowed, "errors": errors}
    return render(request, template, context)
