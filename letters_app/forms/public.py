"""Forms for signers and readers: they validate and tidy what was typed; services act on it."""

import copy
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from letters_app.forms.base import CountryChoicesMixin, ServiceErrorsMixin
from letters_app.models import Signature
from letters_app.services.signatures import ACCEPTS, LINE_BREAKING, line_clean

Kind = Signature.Kind

# A scheme, "www." or a domain ending. Kept linear: a name may be a megabyte long.
URL_LIKE = re.compile(r"(?i)(?:://|\bwww\.|[\w-]\.[a-z]{2,24}\b)")

# The fields each kind of signatory fills in, in order, and those it must fill in.
KIND_FIELDS = {
    Kind.ORGANIZATION: [
        "name", "acronym", "country", "organization_type", "website", "contact_name",
        "contact_role",
    ],
    Kind.INDIVIDUAL: ["name", "title", "affiliation", "country"],
    Kind.MP: ["name", "parliament", "country", "party"],
}  # fmt: skip
REQUIRED = {"name", "country"}
NAME_LABELS = {
    Kind.ORGANIZATION: _("Name of the organization"),
    Kind.INDIVIDUAL: _("Full name"),
    Kind.MP: _("Full name"),
}


def accepted_kinds(letter) -> list[str]:
    """The kinds of signatory this letter takes, in the order the form offers them."""
    return [kind for kind in Kind.values if getattr(letter, ACCEPTS[kind])]


def _max_length(name: str) -> int:
    return Signature._meta.get_field(name).max_length


class LineField(forms.CharField):
    """One line of text, as it will be printed (see line_clean): kept as typed, less the bidi
    controls it leaves open, with single spaces. Line breaks and control characters are refused,
    not dropped, so nothing changes without notice."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if LINE_BREAKING.search(value):
            raise ValidationError(
                _("Write this on one line, without line breaks or control characters."),
                code="control_character",
            )
        return line_clean(value)


class ChoiceField(forms.ChoiceField):
    """Copied for each form without a deep copy of its choices, which are replaced, never changed
    in place: that copy was a third of the sign form's cost."""

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)


def _shallow_copy(obj):
    new = object.__new__(type(obj))
    new.__dict__ = obj.__dict__.copy()
    return new


class _Fields(dict):
    """A form's fields, each copied for a new form as Django's Field.__deepcopy__ and
    Widget.__deepcopy__ copy it (the field, its widget and its widget's attrs, error messages and
    validators), without the bookkeeping of copy.deepcopy: that was a fifth of a sign POST's form.
    A field or widget that copies itself otherwise is deep-copied as usual."""

    def __deepcopy__(self, memo):
        return {name: _field_copy(field, memo) for name, field in self.items()}


_PLAIN_FIELD_COPY = {forms.Field.__deepcopy__, ChoiceField.__deepcopy__}
_PLAIN_WIDGET_COPY = {forms.Widget.__deepcopy__, forms.widgets.ChoiceWidget.__deepcopy__}


def _field_copy(field: forms.Field, memo) -> forms.Field:
    if (
        type(field).__deepcopy__ not in _PLAIN_FIELD_COPY
        or type(field.widget).__deepcopy__ not in _PLAIN_WIDGET_COPY
    ):
        return copy.deepcopy(field, memo)
    new = _shallow_copy(field)
    # A select's choices are shared, as ChoiceField's are: both are replaced, never changed.
    new.widget = _shallow_copy(field.widget)
    new.widget.attrs = field.widget.attrs.copy()
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    return new


class CountryChoiceField(CountryChoicesMixin, ChoiceField):
    """One country, or the empty choice first in the list."""

    def __init__(self, *, empty_label="---------", **kwargs):
        super().__init__(empty_label=empty_label, **kwargs)


class NameField(LineField):
    """A name as it appears on the list: not a web address, which would turn it into an ad."""

    def validate(self, value):
        super().validate(value)
        if URL_LIKE.search(value):
            raise ValidationError(_("Write the name only, not a web address."), code="url_in_name")


class SignatoryForm(ServiceErrorsMixin, forms.Form):
    """What the public list shows of one signatory; only the fields of its kind are kept."""

    name = NameField(label=_("Name"), max_length=_max_length("name"))
    acronym = NameField(
        label=_("Acronym"),
        max_length=_max_length("acronym"),
        help_text=_("For example: LICADHO. Without brackets."),
    )
    title = LineField(label=_("Title or role"), max_length=_max_length("title"))
    affiliation = LineField(
        label=_("Organization or institution"), max_length=_max_length("affiliation")
    )
    parliament = LineField(
        label=_("Parliament"),
        max_length=_max_length("parliament"),
        help_text=_("For example: House of Commons of Canada."),
    )
    party = LineField(label=_("Party or group"), max_length=_max_length("party"))
    country = CountryChoiceField(label=_("Country"))
    organization_type = ChoiceField(
        label=_("Type of organization"),
        choices=[("", "---------"), *Signature.OrganizationType.choices],
        required=False,
    )
    website = forms.URLField(
        label=_("Website"), max_length=_max_length("website"), required=False,
        assume_scheme="https", help_text=_("Not shown on the list."),
    )  # fmt: skip
    contact_name = NameField(
        label=_("Your name"),
        max_length=_max_length("contact_name"),
        help_text=_("The person signing for the organization. Not shown on the list."),
    )
    contact_role = LineField(
        label=_("Your role in the organization"),
        max_length=_max_length("contact_role"),
        help_text=_("Not shown on the list."),
    )

    def __init__(self, *args, kind: str, **kwargs):
        # Only this kind's fields are copied for the form (copying them all is most of its cost).
        others = set(SignatoryForm.base_fields) - set(KIND_FIELDS[kind])
        self.base_fields = _Fields(
            (n, f) for n, f in type(self).base_fields.items() if n not in others
        )
        super().__init__(*args, **kwargs)
        self.signatory_kind = kind
        for name in REQUIRED:
            self.fields[name].required = True
        self.fields["name"].label = NAME_LABELS[kind]

    @property
    def display_data(self) -> dict:
        """The cleaned display fields, for signature_add and signature_update_display."""
        return {name: self.cleaned_data[name] for name in KIND_FIELDS[self.signatory_kind]}


class SignForm(SignatoryForm):
    """Signing a letter. The kind comes from the page the signer chose; a letter that takes one
    kind only has nothing to choose."""

    kind = ChoiceField(label=_("Signing as"), widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=_max_length("email"),
        help_text=_("We send you a link to confirm. Never shown, never shared."),
    )
    consent_public = forms.BooleanField(
        label=_("Show my name on the public list"),
        error_messages={"required": _("Signatures are public: tick this box to sign.")},
    )
    # A trap for robots, hidden from people (see cosign.css); filled in, nothing is recorded.
    homepage = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, data=None, *, letter, kind: str | None = None, initial=None, **kwargs):
        kinds = accepted_kinds(letter)
        wanted = data.get("kind") if data is not None else kind
        kind = wanted if wanted in kinds else (kinds[0] if kinds else Kind.ORGANIZATION)
        # A kind the letter does not take is refused on top of the form, which is drawn for a
        # kind it takes, so that sending it again can succeed.
        self.kind_refused = data is not None and bool(wanted) and wanted != kind
        if data is not None and wanted != kind:
            data = data.copy()
            data["kind"] = kind
        initial = {**(initial or {}), "kind": kind, "homepage": ""}
        super().__init__(data, kind=kind, initial=initial, **kwargs)
        self.letter = letter
        self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
        self.order_fields(["kind", *KIND_FIELDS[kind], "email", "consent_public"])

    def clean(self):
        # The kind is a hidden field, whose errors a page would not show: say them on top.
        if "kind" in self._errors:
            self._errors.pop("kind")
            self.kind_refused = True
        if self.kind_refused:
            self.add_error(None, _("This letter does not take signatures of this kind."))
        return super().clean()

    def is_robot(self) -> bool:
        return bool(self.data.get("homepage", "").strip())

    @property
    def signature_data(self) -> dict:
        """Keyword arguments for signature_add, less the letter and the client's address."""
        return {
            "kind": self.cleaned_data["kind"],
            "email": self.cleaned_data["email"],
            "consent_public": self.cleaned_data["consent_public"],
            **self.display_data,
        }


class SignatureEditForm(SignatoryForm):
    """The signer corrects their entry: the display fields of its kind, not e-mail or kind."""

    def __init__(self, data=None, *, signature: Signature, **kwargs):
        initial = {name: getattr(signature, name) for name in KIND_FIELDS[signature.kind]}
        initial["country"] = signature.country.code
        super().__init__(data, kind=signature.kind, initial=initial, **kwargs)


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=_max_length("email"),
        help_text=_("The address you signed with."),
    )


class SignatoryFilterForm(forms.Form):
    """Narrowing the public list; a value that is not a choice is ignored, not an error page."""

    country = CountryChoiceField(
        label=_("Country"),
        required=False,
        empty_label=_("All countries"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Signing as"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    # A narrowed list pages by the numbers of the signatures it shows: after the last one shown
    # (next) or before the first (previous).
    after = forms.IntegerField(min_value=0, max_value=100_000_000, required=False)
    before = forms.IntegerField(min_value=1, max_value=100_000_000, required=False)

    def __init__(self, data=None, *, letter, **kwargs):
        super().__init__(data, **kwargs)
        kinds = accepted_kinds(letter)
        self.fields["kind"].choices = [("", _("All")), *[(k, Kind(k).label) for k in kinds]]

    def value(self, name: str):
        """The cleaned value, or its empty value when it was missing or bad."""
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None
