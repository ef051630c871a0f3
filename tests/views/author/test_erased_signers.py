"""Coordinators see which signers' addresses were erased, and are offered no mail to them."""

import pytest
from django.urls import reverse

from letters_app.models import Signature, SignerMail
from letters_app.services.privacy import signature_erase
from tests.factories import listed

pytestmark = pytest.mark.django_db


def tab(letter, name: str) -> str:
    return reverse("author:letter-signatures", kwargs={"pk": letter.pk}) + f"?tab={name}"


def test_an_erased_signer_shows_as_erased_not_as_imported_and_cannot_be_mailed(
    client_for, coordinator, open_letter
):
    signature = listed(open_letter, name="Ligue des droits", email="ada@example.org")
    SignerMail.objects.create(
        signature=signature, kind=SignerMail.Kind.CONFIRMATION, status=SignerMail.Status.FAILED,
        last_error="550 <ada@example.org>: no such user",
    )  # fmt: skip
    signature_erase(signature=signature)

    content = client_for(coordinator).get(tab(open_letter, "withdrawn")).content.decode()
    assert "Ligue des droits" in content
    assert "personal data erased" in content
    assert "imported" not in content
    assert "ada@example.org" not in content
    assert "Send the e-mail again" not in content


def test_an_address_removed_after_the_retention_period_says_so(
    client_for, coordinator, open_letter
):
    signature = listed(open_letter, name="Ligue des droits")
    Signature.objects.filter(pk=signature.pk).update(email="", email_normalized="erased:1")
    content = client_for(coordinator).get(tab(open_letter, "confirmed")).content.decode()
    assert "removed after the retention period" in content
    assert "imported" not in content
