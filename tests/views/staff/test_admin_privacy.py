"""An admin erases signers' personal data from the signatures' list, through the signer's own
service: asked once, then done and audited."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from letters_app.models import AuditEvent, Signature
from tests.factories import listed

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:letters_app_signature_changelist"


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_admin_erases_the_selection_after_confirming(client_for, admin, open_letter):
    gone = [listed(open_letter, email=f"gone{i}@example.org", ip_address="192.0.2.1")
            for i in range(2)]  # fmt: skip
    kept = listed(open_letter, email="kept@example.org")
    client = client_for(admin)
    selection = {"action": "erase_personal_data", "_selected_action": [s.pk for s in gone]}

    response = client.post(reverse(CHANGELIST), selection)
    assert response.status_code == 200
    content = response.content.decode()
    assert "contact persons of 2 signatures will be erased" in content
    assert "gone0@example.org" in content
    assert Signature.objects.filter(erased_at__isnull=False).count() == 0

    response = client.post(reverse(CHANGELIST), {**selection, "erase_confirmed": "1"})
    assert response.status_code == 302
    assert flash(response) == ["The personal data of 2 signers is erased."]
    for signature in gone:
        signature.refresh_from_db()
        assert (signature.email, signature.ip_address, signature.is_public) == ("", None, False)
    kept.refresh_from_db()
    assert (kept.email, kept.is_public) == ("kept@example.org", True)
    open_letter.refresh_from_db()
    assert open_letter.count_organizations == 1
    events = AuditEvent.objects.filter(action="signature.erased")
    assert {(e.actor, e.detail["signature"]) for e in events} == {(admin, s.pk) for s in gone}

    # Again: nothing is left to erase, and nothing more is recorded.
    response = client.post(reverse(CHANGELIST), {**selection, "erase_confirmed": "1"})
    assert flash(response)[-1] == "The personal data of 0 signers is erased."
    assert events.count() == 2


def test_a_coordinator_cannot_erase_through_the_admin(client_for, coordinator, open_letter):
    signature = listed(open_letter)
    response = client_for(coordinator).post(
        reverse(CHANGELIST),
        {"action": "erase_personal_data", "_selected_action": [signature.pk],
         "erase_confirmed": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    signature.refresh_from_db()
    assert signature.erased_at is None
