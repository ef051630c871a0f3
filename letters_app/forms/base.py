"""Pieces every audience's forms share."""

from typing import Any, Protocol

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries


class _Form(Protocol):
    """What ServiceErrorsMixin needs of the form it is mixed into."""

    fields: dict[str, forms.Field]

    def add_error(self, field: str | None, error: Any) -> None: ...


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form, by field where the field is shown."""

    def add_service_errors(self: _Form, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, exc.messages)


class CountryChoicesMixin(forms.ChoiceField):
    """For a choice field of countries by code, in the reader's language: the list of names is
    built only when the form is drawn, and a value is checked by its code (building and
    searching the whole list on every POST is most of a form's cost)."""

    def __init__(self, *, empty_label: str | None = None, **kwargs):
        first = [] if empty_label is None else [("", empty_label)]
        super().__init__(choices=lambda: [*first, *countries], **kwargs)

    def valid_value(self, value) -> bool:
        return bool(value) and countries.alpha2(value) == value
