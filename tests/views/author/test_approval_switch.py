"""Switching approval on while a letter is signed: those already listed stay listed, and
approval applies to the signatures confirmed from then on."""

import pytest

from letters_app.models import AuditEvent, Signature
from letters_app.services.signatures import signature_add, signature_confirm
from tests.views.author.editing import form_data, url
from tests.views.author.test_signatures import queue_url
from tests.views.public.signing import manage_url

pytestmark = pytest.mark.django_db
S = Signature.Status


def confirmed(letter, email, name):
    signature, _created = signature_add(
        letter=letter, kind="organization", email=email, name=name, country="FR",
        consent_public=True,
    )  # fmt: skip
    signature_confirm(signature=signature)
    signature.refresh_from_db()
    return signature


def test_switching_approval_on_leaves_the_listed_signatures_listed_and_approved(
    client_for, client, coordinator, open_letter
):
    listed = confirmed(open_letter, "early@example.org", "Early Association")
    assert (listed.status, listed.is_public, listed.number) == (S.CONFIRMED, True, 1)
    coordinating = client_for(coordinator)

    response = coordinating.post(
        url("letter-edit", open_letter), form_data(open_letter, requires_approval="on")
    )
    assert response.status_code == 302
    open_letter.refresh_from_db()
    assert open_letter.requires_approval
    listed.refresh_from_db()
    assert (listed.status, listed.is_public, listed.number) == (S.APPROVED, True, 1)
    event = AuditEvent.objects.get(letter=open_letter, action="letter.edited")
    assert event.detail["approved"] == 1
    assert "1 signature approved" in event.describe()

    # The coordinator finds it approved, not among those awaiting approval.
    waiting = coordinating.get(queue_url(open_letter)).content.decode()
    assert "Early Association" not in waiting
    approved = coordinating.get(queue_url(open_letter, tab="approved")).content.decode()
    assert "Early Association" in approved
    # The signer's page does not say it waits; the public list still shows it.
    manage = client.get(manage_url(listed)).content.decode()
    assert "awaiting the coordinators' approval" not in manage
    public = client.get(open_letter.get_absolute_url()).content.decode()
    assert "Early Association, France" in public

    # One confirmed from now on waits for approval.
    late = confirmed(open_letter, "late@example.org", "Late Association")
    assert (late.status, late.is_public) == (S.CONFIRMED, False)
    assert "Late Association" in coordinating.get(queue_url(open_letter)).content.decode()
    assert "awaiting the coordinators' approval" in client.get(manage_url(late)).content.decode()
