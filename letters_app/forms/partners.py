"""The forms of a letter's partners page: a list to add, chosen earlier signatories."""

from django import forms
from django.utils.translation import gettext_lazy as _

from letters_app.forms.author import ImportForm
from letters_app.models import Letter, Signature

PARTNERS_KIND = "partners"  # the kind a partners' preview is signed with


class PartnerImportForm(ImportForm):
    """A pasted list or an uploaded file of organizations to ask to sign, read as the
    signatories' import reads its lists."""

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, letter=letter, **kwargs)
        del self.fields["kind"]
        self.fields["text"].help_text = _(
            "One organization a line: “Name (ACRONYM), Country, contact@example.org, fr”. The "
            "language (en, fr or km) is optional: the letter’s is used. A paste from a "
            "spreadsheet works too."
        )
        self.fields["file"].help_text = _(
            "CSV (UTF-8) or XLSX, first sheet: one organization a row, in columns headed Name, "
            "Acronym, Country, E-mail, Language."
        )


class PartnerEarlierForm(forms.Form):
    """Some of the organizations that signed the person's earlier letters."""

    signatures = forms.TypedMultipleChoiceField(
        label=_("Organizations that signed your earlier letters"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates: list[Signature], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["signatures"]
        field.choices = [(s.pk, f"{s.display_line} — {s.email}") for s in candidates]  # type: ignore[attr-defined]


class PartnerDeclineForm(forms.Form):
    """A partner that cannot sign this time, and why if it says."""

    reason = forms.CharField(
        label=_("Why, if you wish to say (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PartnerInviteForm(forms.Form):
    """The partners to invite: those ticked, or every one not invited yet."""

    partners = forms.TypedMultipleChoiceField(coerce=int, required=False)
    everyone = forms.BooleanField(required=False)

    def __init__(self, *args, partner_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].choices = [(pk, pk) for pk in partner_ids]  # type: ignore[attr-defined]
