"""Each sign form gets its own copy of the fields: what one form changes for its kind (labels,
required fields, choices, widget attributes, messages, validators) never reaches the next."""

import pytest
from django.core.validators import MinLengthValidator

from letters_app.forms.public import SignForm

pytestmark = pytest.mark.django_db


def test_a_form_drawn_for_one_kind_leaves_the_next_forms_fields_as_they_were(all_kinds):
    organization = SignForm(letter=all_kinds, kind="organization")
    name = organization.fields["name"]
    name.label, name.required = "Changed", False
    name.widget.attrs["class"] = "changed"
    name.error_messages["required"] = "changed"
    name.validators.append(MinLengthValidator(50))
    organization.fields["kind"].choices = [("mp", "Member of Parliament")]

    individual = SignForm(letter=all_kinds, kind="individual")
    again = SignForm(letter=all_kinds, kind="organization")

    # Each kind's label is in the page, the form's own shown.
    assert '<span data-kinds="individual mp">Full name' in individual.fields["name"].label
    assert '<span data-kinds="organization">Name of the organization' in again.fields["name"].label
    for form in (individual, again):
        name = form.fields["name"]
        assert name.required and "class" not in name.widget.attrs
        assert name.error_messages["required"] == "This field is required."
        assert not any(isinstance(v, MinLengthValidator) for v in name.validators)
        assert [k for k, _label in form.fields["kind"].choices] == [
            "organization", "individual", "mp",
        ]  # fmt: skip
    assert "class" not in SignForm.base_fields["name"].widget.attrs


def test_a_copied_form_still_validates_and_refuses_as_before(all_kinds):
    data = {"kind": "individual", "name": "Ana Lopez", "country": "KH", "email": "ana@example.org",
            "consent_public": "on"}  # fmt: skip
    assert SignForm(data, letter=all_kinds).is_valid()
    refused = SignForm({**data, "name": "www.example.org"}, letter=all_kinds)
    assert not refused.is_valid()
    assert refused.errors["name"] == ["Write the name only, not a web address."]
