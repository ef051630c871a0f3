"""The forms of the partners' reminders: one to schedule, one to send at once."""

from django import forms
from django.utils.translation import gettext_lazy as _

from letters_app.models import Partner

BEFORE, ON = "before", "on"


class PartnerReminderForm(forms.Form):
    """A reminder some days before the signing deadline, or on a date."""

    when = forms.ChoiceField(
        label=_("When"),
        choices=[(BEFORE, _("Days before the signing deadline")), (ON, _("On a date"))],
        initial=BEFORE,
        widget=forms.RadioSelect,
    )
    days_before = forms.IntegerField(
        label=_("Days before the deadline"), min_value=1, max_value=365, required=False
    )
    at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean() or {}
        when = data.get("when")
        if when == BEFORE and data.get("days_before") is None and "days_before" not in self.errors:
            self.add_error("days_before", _("Give a number of days."))
        if when == ON and data.get("at") is None and "at" not in self.errors:
            self.add_error("at", _("Give a date and time."))
        return data


class PartnerRemindNowForm(forms.Form):
    """The partners to remind at once, by status; `key` makes a form sent twice send once."""

    statuses = forms.MultipleChoiceField(
        label=_("Remind the partners who are"),
        choices=[(s.value, s.label) for s in (Partner.Status.INVITED, Partner.Status.OPENED)],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the partners to remind: invited, opened, or both.")},
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
