"""The form that makes an API token on a letter's Connect › API tokens page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from letters_app.models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What it is for, to recognise it later: “Our website’s sign form”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read: the signatures with their e-mails, the partners, exports. Read and write "
            "also: moderate signatures, add and invite partners, sign for people from your site."
        ),
    )
