"""Pieces every audience's forms share."""

from django.core.exceptions import ValidationError


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form, by field where the field is shown."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, exc.messages)
