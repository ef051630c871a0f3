"""The form that adds a webhook to a letter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from letters_app.models.webhooks import SUBSCRIBABLE
from letters_app.services.webhooks import url_refusal


class WebhookForm(forms.Form):
    """An address, checked to be public (see services/webhooks.py), and the events it gets."""

    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Cosign POSTs each event there as JSON, signed with the webhook's secret."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(t.value, t.label) for t in SUBSCRIBABLE],
        initial=[t.value for t in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url
