"""The coordinators' forms."""

from letters_app.forms.author import LetterForm
from letters_app.models import TEXT_FIELDS, Letter
from letters_app.services.letters import EDITABLE_FIELDS


def test_the_letter_form_has_the_fields_the_service_takes_in_the_order_of_the_page():
    fields = list(LetterForm(instance=Letter()).fields)
    assert sorted(fields) == sorted(EDITABLE_FIELDS)
    assert set(TEXT_FIELDS) <= set(fields)
    assert fields == [
        "title", "slug", "language", "place", "letter_date", "from_block", "salutation", "body",
        "closing", "sender_line", "signatory_heading", "about_sender", "signing_deadline",
        "accepts_organizations", "accepts_individuals", "accepts_mps", "requires_approval",
        "signing_paused",
    ]  # fmt: skip
