"""Reminders to a letter's partners who have not answered: scheduled on the partners page, or
sent at once after a preview of who gets them."""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from letters_app.forms.reminders import BEFORE, PartnerReminderForm, PartnerRemindNowForm
from letters_app.models import Letter
from letters_app.services import reminders as reminder_services
from letters_app.services.partners import REMINDED
from letters_app.views import coordinated_letter, found


def reminders_context(letter: Letter, form: PartnerReminderForm | None = None) -> dict[str, Any]:
    """What the partners page's reminders section shows."""
    return {
        "reminders": reminder_services.reminder_list(letter),
        "reminder_form": form or PartnerReminderForm(),
        "reminder_refusal": reminder_services.reminder_refusal(letter),
    }


def _back(letter: Letter) -> HttpResponseRedirect:
    return redirect(reverse("author:letter-partners", kwargs={"pk": letter.pk}) + "#reminders")


@login_required
def letter_partner_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    """The reminders; a reminder posted here is scheduled, or shown again with what is wrong."""
    letter = coordinated_letter(request, pk)
    form = PartnerReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        when = (
            {"days_before": data["days_before"]} if data["when"] == BEFORE else {"at": data["at"]}
        )
        try:
            reminder_services.reminder_schedule(letter=letter, actor=request.user, **when)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Reminder scheduled."))
            return _back(letter)
    context = {"letter": letter, **reminders_context(letter, form)}
    return render(request, "author/letter_partner_reminders.html", context)


@login_required
@require_POST
def letter_partner_reminder_cancel(request: HttpRequest, pk: int, reminder_pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    reminder = found(reminder_services.reminder_get(letter, reminder_pk))
    if reminder_services.reminder_cancel(reminder=reminder, actor=request.user):
        messages.success(request, _("Reminder cancelled."))
    else:
        messages.info(request, _("This reminder was sent already."))
    return _back(letter)


@login_required
def letter_partners_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: who a reminder sent now would go to (of the statuses chosen), and how many; POST:
    send it."""
    letter = coordinated_letter(request, pk)
    if request.method == "POST":
        form = PartnerRemindNowForm(request.POST)
        if form.is_valid():
            try:
                reminder = reminder_services.reminder_send_now(
                    letter=letter, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                n = reminder.mails
                text = ngettext(
                    "%(n)s reminder is on its way.", "%(n)s reminders are on their way.", n
                )
                messages.success(request, text % {"n": n})
                return _back(letter)
        statuses = request.POST.getlist("statuses")
    else:
        statuses = request.GET.getlist("statuses") or list(REMINDED)
        form = PartnerRemindNowForm(initial={"key": secrets.token_urlsafe(24)})
    partners = reminder_services.reminder_recipients(letter, statuses)
    context = {
        "letter": letter,
        "form": form,
        "statuses": statuses,
        "choices": form.fields["statuses"].choices,  # type: ignore[attr-defined]
        "partners": partners,
        "count": partners.count(),
        "refusal": reminder_services.reminder_refusal(letter),
    }
    return render(request, "author/letter_partners_remind.html", context)
