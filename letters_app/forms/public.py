"""Forms for signers and readers: they validate and tidy what was typed; services act on it."""

import copy
import functools
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from letters_app.countries import country_resolve_typed
from letters_app.forms.base import CountryChoicesMixin, ServiceErrorsMixin
from letters_app.models import Signature
from letters_app.services.signatures import ACCEPTS, LINE_BREAKING, line_clean

Kind = Signature.Kind

# A scheme, "www." or a domain ending. Kept linear: a name may be a megabyte long.
URL_LIKE = re.compile(r"(?i)(?:://|\bwww\.|[\w-]\.[a-z]{2,24}\b)")

# The fields each kind of signatory fills in, in order, and those it must fill in.
KIND_FIELDS: dict[str, list[str]] = {
    Kind.ORGANIZATION: [
        "name", "acronym", "country", "organization_type", "website", "contact_name",
        "contact_role",
    ],
    Kind.INDIVIDUAL: ["name", "title", "affiliation", "country"],
    Kind.MP: ["name", "title", "parliament", "party", "country"],
}  # fmt: skip
REQUIRED = {"name", "country"}
# The order of a page that holds several kinds' fields: each kind's, in its own order.
PAGE_ORDER = [
    "name", "acronym", "title", "affiliation", "parliament", "party", "country",
    "organization_type", "website", "contact_name", "contact_role",
]  # fmt: skip
# What a field is called, and the help it gets, for each kind where it differs from the field's.
KIND_LABELS: dict[str, dict[str, Promise]] = {
    "name": {
        Kind.ORGANIZATION: _("Name of the organization"),
        Kind.INDIVIDUAL: _("Full name"),
        Kind.MP: _("Full name"),
    },
    "title": {Kind.MP: _("Your title")},
}
KIND_HELP: dict[str, dict[str, Promise]] = {
    "name": {Kind.MP: _("As the list should show it, with any honorific: Hon. Jane Doe.")},
    "title": {
        Kind.MP: _(
            "As the list should show it: for example, Member of the National Assembly, or "
            "Senator. Left empty, the list says Member of Parliament."
        )
    },
    "consent_public": {
        Kind.ORGANIZATION: _(
            "Signing means being listed publicly under the letter: the list shows the "
            "organization's name, acronym and country as typed above. Your name, your website "
            "and your e-mail address are never shown."
        ),
        Kind.INDIVIDUAL: _(
            "Signing means being listed publicly under the letter: the list shows your full "
            "name, title, organization and country as typed above. Your e-mail address is "
            "never shown."
        ),
        Kind.MP: _(
            "Signing means being listed publicly under the letter: the list shows your name, "
            "title, parliament, party and country as typed above. Your e-mail address is never "
            "shown."
        ),
    },
}


def accepted_kinds(letter) -> list[str]:
    """The kinds of signatory this letter takes, in the order the form offers them."""
    return [kind for kind in Kind.values if getattr(letter, ACCEPTS[kind])]


def _max_length(name: str) -> int | None:
    return cast(models.Field, Signature._meta.get_field(name)).max_length


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


def _country_datalist() -> SafeString:
    """Every country's name in the active language, for the country field to offer as one
    types (django-countries keeps the list per language)."""
    options = format_html_join("", '<option value="{}"></option>', ((n,) for _c, n in countries))
    return format_html('<datalist id="country-names">{}</datalist>', options)


class CountryInput(forms.TextInput):
    """A text box that offers the countries' names as one types (a datalist: no JavaScript),
    showing a country by its name in the page's language."""

    def __init__(self, attrs=None):
        defaults = {"list": "country-names", "autocomplete": "country-name", "spellcheck": "false"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if value and len(value) == 2 and countries.alpha2(value) == value:
            return str(countries.name(value))
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "placeholder": _("Type to choose a country")}
        html = super().render(name, value, attrs, renderer)
        return format_html("{}{}", html, _country_datalist())


class CountryNameField(forms.CharField):
    """One country, typed or picked by its name in the page's language (or in English or
    French, or by its code): cleaned to its ISO code, refused when it names none."""

    widget = CountryInput
    default_error_messages = {"invalid": _("Choose a country from the list.")}

    def __init__(self, **kwargs):
        super().__init__(max_length=100, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        code = country_resolve_typed(value)
        if not code:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return code

    def widget_attrs(self, widget):
        return {}  # no maxlength on the box: a country name is picked, never cut


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
    country = CountryNameField(label=_("Country"))
    organization_type = ChoiceField(
        label=_("Type of organization"),
        choices=[("", "---------"), *Signature.OrganizationType.choices],
        required=False,
    )
    # A text box, not type="url": "example.org" is taken (as https://), and the browser never
    # stops the form for a box of another kind of signatory, out of sight.
    website = forms.URLField(
        label=_("Website"), max_length=_max_length("website"), required=False,
        assume_scheme="https", help_text=_("Not shown on the list."),
        widget=forms.TextInput(attrs={"inputmode": "url"}),
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

    def __init__(self, *args, kind: str, kinds: list[str] | None = None, **kwargs):
        # Only the fields of this kind (and of `kinds`, which the page can switch to) are copied
        # for the form: copying them all is most of its cost.
        shown = {name for k in {kind, *(kinds or ())} for name in KIND_FIELDS[k]}
        others = set(SignatoryForm.base_fields) - shown
        self.base_fields = _Fields(  # type: ignore[misc]  # this form's own, for its kinds
            (n, f) for n, f in type(self).base_fields.items() if n not in others
        )
        super().__init__(*args, **kwargs)
        self.signatory_kind = kind
        self.kinds = kinds or [kind]
        for name in REQUIRED:
            self.fields[name].required = True
        for name in dict.fromkeys([*KIND_LABELS, *KIND_HELP]):
            if name in self.fields:
                self._kind_texts(name)

    def _kind_texts(self, name: str) -> None:
        """The field's label and help for each kind the page can show (see `_kind_text`)."""
        field = self.fields[name]
        for attr in ("label", "help_text"):
            text = _kind_text(
                type(self), name, attr, tuple(self.kinds), self.signatory_kind, get_language()
            )
            setattr(field, attr, text)

    def kind_rows(self) -> list[tuple[forms.BoundField, str, bool]]:
        """Each visible field, the kinds it belongs to when not all the page's kinds ("" when
        all), and whether it is shown for this form's kind."""
        rows = []
        for field in self.visible_fields():
            kinds = [k for k in self.kinds if field.name in KIND_FIELDS[k]]
            if field.name not in SignatoryForm.base_fields or len(kinds) == len(self.kinds):
                rows.append((field, "", True))
            else:
                rows.append((field, " ".join(kinds), self.signatory_kind in kinds))
        return rows

    @property
    def display_data(self) -> dict:
        """The cleaned display fields, for signature_add and signature_update_display."""
        return {name: self.cleaned_data[name] for name in KIND_FIELDS[self.signatory_kind]}


@functools.lru_cache(maxsize=512)
def _kind_text(
    form_class: type[forms.Form],
    name: str,
    attr: str,
    kinds: tuple[str, ...],
    kind: str,
    language: str,
) -> str:
    """A field's label or help for each of `kinds`, each in a span marked with its kinds, those
    of other kinds than `kind` hidden: switching kind on the page shows the others'
    (static/js/sign-form.js). The same for every form of a class, kind and language, so made
    once: a sign POST does not translate and join them again."""
    field = form_class.base_fields[name]
    texts = {"label": KIND_LABELS, "help_text": KIND_HELP}[attr]
    by_text: dict[str, list[str]] = {}
    for each in kinds:
        if name in KIND_FIELDS.get(each, [name]) or name == "consent_public":
            text = str(texts.get(name, {}).get(each, getattr(field, attr) or ""))
            by_text.setdefault(text, []).append(each)
    if len(by_text) <= 1:
        return str(texts.get(name, {}).get(kind, getattr(field, attr)) or "")
    return format_html_join(
        "", '<span data-kinds="{}"{}>{}</span>',
        ((" ".join(k), "" if kind in k else " hidden", text)
         for text, k in by_text.items() if text),
    )  # fmt: skip


class SignForm(SignatoryForm):
    """Signing a letter. The kind comes from the page the signer chose; a letter that takes one
    kind only has nothing to choose."""

    kind = ChoiceField(label=_("Signing as"), widget=forms.HiddenInput)
    # Listed publicly is what signing is: a box ticked by the signer is their consent, kept with
    # the signature; the browser asks for it before the form is sent (required), and its help
    # says what the list will show.
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=_max_length("email"),
        help_text=_("We send you a link to confirm. Never shown, never shared."),
    )
    consent_public = forms.BooleanField(
        label=_("I agree to be listed publicly under this letter"),
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
        super().__init__(data, kind=kind, kinds=kinds or [kind], initial=initial, **kwargs)
        self.letter = letter
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        if len(kinds) > 1:  # chosen on the page, in a fieldset of its own (letter_sign.html)
            kind_field.widget = forms.RadioSelect(attrs={"class": "form-check-input"})
        kind_field.choices = [(k, Kind(k).label) for k in kinds]
        self.order_fields(["kind", *PAGE_ORDER, "email", "consent_public"])

    def full_clean(self):
        """The fields of the other kinds the page holds are sent too, and shown again with the
        form, but never checked nor kept."""
        super().full_clean()
        if not self.is_bound:
            return
        for name in set(self.fields) - set(KIND_FIELDS[self.signatory_kind]):
            if name in SignatoryForm.base_fields:
                self.errors.pop(name, None)
                self.cleaned_data.pop(name, None)

    def clean(self):
        # The kind is a hidden field, whose errors a page would not show: say them on top.
        if "kind" in self.errors:
            self.errors.pop("kind")
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
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = [("", _("All")), *[(k, Kind(k).label) for k in kinds]]

    def value(self, name: str):
        """The cleaned value, or its empty value when it was missing or bad."""
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None
