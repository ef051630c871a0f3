"""The signer's private page after the text changed: what changed since they signed."""

import pytest
from django.utils.html import escape

from letters_app.services.letters import letter_update
from tests.views.public.signing import manage_url

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("pwned")</script>'


@pytest.mark.parametrize(
    ("prefix", "heading", "added"),
    [("", "What changed since you signed", "Added:"), ("/fr", "Ce qui a changé", "Ajouté :")],
)
def test_the_manage_page_shows_what_changed_since_signing(
    client, coordinator, open_letter, signer, prefix, heading, added
):
    body = open_letter.body.replace("2. Second", f"2. Second\n\nA new demand {SCRIPT}.")
    letter_update(
        letter=open_letter, data={"body": body}, actor=coordinator, confirm_new_version=True
    )

    content = client.get(prefix + manage_url(signer)).content.decode()
    assert heading in content
    assert f"<strong>{added}</strong>" in content
    assert f"A new demand {escape(SCRIPT)}.</ins>" in content
    assert SCRIPT not in content
    assert "First demand" not in content  # not the whole text again


def test_a_signer_of_the_present_text_sees_no_changes(client, signer):
    content = client.get(manage_url(signer)).content.decode()
    assert "What changed" not in content
