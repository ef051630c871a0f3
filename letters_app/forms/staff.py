"""The forms of the pages both signed-in roles share: the signatory list's export; and the
admins' list of every letter."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from letters_app.exports.signatures import FORMAT_CHOICES, signature_filtered
from letters_app.forms.base import CountryChoicesMixin
from letters_app.models import Letter, Signature


class CountriesField(CountryChoicesMixin, forms.MultipleChoiceField):
    """Any number of countries, by code."""


class SignatureExportForm(forms.Form):
    """Format and filters of an export, from a query string (the page, the download link) or
    from the command's options. `private` exists only for those who may have it."""

    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="csv")
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Signature.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A public export holds only the public list: confirmed or approved."),
    )
    kind = forms.MultipleChoiceField(
        label=_("Signing as"),
        choices=Signature.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    country = CountriesField(label=_("Country"), required=False)
    signed_from = forms.DateField(
        label=_("Signed on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    signed_to = forms.DateField(
        label=_("Signed on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(
        label=_("Text version signed"), min_value=0, max_value=100_000, required=False
    )
    bom = forms.BooleanField(
        label=_("Start the CSV with a byte order mark"),
        required=False,
        help_text=_("Lets older versions of Excel read accents and Khmer script right."),
    )
    private = forms.BooleanField(
        label=_("Include private columns"),
        required=False,
        help_text=_(
            "E-mail addresses, signing persons, IP addresses and status. Each such export is "
            "recorded in the letter's history."
        ),
    )

    def __init__(
        self, data=None, *, allow_private: bool, formats=None, across_letters=False, **kwargs
    ):
        super().__init__(data, **kwargs)
        if across_letters:
            self.fields["letters"] = forms.ModelMultipleChoiceField(
                label=_("Letters"),
                queryset=Letter.objects.order_by("-created_at"),
                required=False,
                help_text=_("None chosen: every letter."),
            )
            self.order_fields(["format", "letters"])
        if not allow_private:
            del self.fields["private"]
        if formats is not None:
            format_field = cast(forms.ChoiceField, self.fields["format"])
            format_field.choices = [c for c in FORMAT_CHOICES if c[0] in formats]

    def clean(self):
        # Form.clean returns the cleaned data.
        cleaned = cast(dict[str, Any], super().clean())
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and start > end:
            self.add_error("signed_to", _("The last day comes before the first."))
        return cleaned

    @property
    def wants_private(self) -> bool:
        return bool(self.cleaned_data.get("private"))

    def queryset(self, letters: Iterable[Letter] | None) -> QuerySet[Signature]:
        return signature_filtered(self.filters(), letters=letters, private=self.wants_private)

    def filters(self) -> dict:
        """The filters chosen, for the audit trail and the file's name: JSON as it is."""
        data = self.cleaned_data
        chosen = {
            "status": data["status"], "kind": data["kind"], "country": data["country"],
            "signed_from": data["signed_from"].isoformat() if data["signed_from"] else None,
            "signed_to": data["signed_to"].isoformat() if data["signed_to"] else None,
            "version": data.get("version"),
        }  # fmt: skip
        return {k: v for k, v in chosen.items() if v not in (None, [])}


class LetterSearchForm(forms.Form):
    """The filters of the admins' list of every letter, from its query string."""

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Words of the title, the web address, or the creator's name or e-mail."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Letter.Status.choices],
        required=False,
    )
