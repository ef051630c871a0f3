"""The letter's signatures through a token: listed with their e-mails and statuses, paged by id;
moderated, which the public list shows; and signed from a partner's own server, under the sign
form's rules, rate limit and blocklist, the signer getting the confirmation mail."""

import pytest
from django.core import mail

from letters_app.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    Blocklist,
    Letter,
    Signature,
    SignerMail,
)
from letters_app.services.signatures import signing_rules_reload
from tests.api.coordinator import BASE, call, conforms, token_for
from tests.clock import MIDDAY
from tests.factories import SignatureFactory, listed

pytestmark = pytest.mark.django_db

SIGN = {
    "kind": "organization", "email": "contact@atn.example.org", "consent_public": True,
    "name": "Association TEP NIMITH", "acronym": "ATN", "country": "France",
    "organization_type": "association", "website": "atn.example.org", "contact_name": "Sok Dara",
    "contact_role": "President",
}  # fmt: skip
TEMPLATE = "/letters/{slug}/signatures"


@pytest.fixture
def capture(django_capture_on_commit_callbacks, eager_tasks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def secret(open_letter, coordinator):
    return token_for(open_letter, coordinator, ApiToken.Scope.READ_WRITE)[1]


def sign(letter, secret, capture, **changes):
    with capture(execute=True):
        response = call("post", f"{BASE}/{letter.slug}/signatures", secret, {**SIGN, **changes},
                        REMOTE_ADDR="198.51.100.20")  # fmt: skip
    conforms(response, TEMPLATE, "post")
    return response


# --- reading ------------------------------------------------------------------------------------


def test_the_list_holds_every_signature_with_its_e_mail_and_status(open_letter, secret):
    shown = listed(open_letter, email="shown@example.org", name="Licadho")
    pending = SignatureFactory(letter=open_letter, email="pending@example.org", name="Adhoc")
    response = call("get", f"{BASE}/{open_letter.slug}/signatures", secret)
    body = conforms(response, TEMPLATE)
    assert [(s["id"], s["email"], s["status"], s["is_public"]) for s in body["items"]] == [
        (shown.pk, "shown@example.org", "confirmed", True),
        (pending.pk, "pending@example.org", "pending", False),
    ]
    assert body["items"][0]["number"] == 1 and body["items"][0]["country"] == "FR"
    assert body["next_after"] is None
    only = call("get", f"{BASE}/{open_letter.slug}/signatures?status=pending", secret)
    assert [s["id"] for s in conforms(only, TEMPLATE)["items"]] == [pending.pk]
    wrong = call("get", f"{BASE}/{open_letter.slug}/signatures?status=lost", secret)
    assert wrong.status_code == 422


def test_the_list_pages_by_id_to_the_end(open_letter, secret):
    ids = [SignatureFactory(letter=open_letter, email=f"s{n}@example.org").pk for n in range(7)]
    seen, after, pages = [], 0, 0
    while after is not None:
        response = call("get", f"{BASE}/{open_letter.slug}/signatures?limit=3&after={after}",
                        secret)  # fmt: skip
        body = conforms(response, TEMPLATE)
        seen += [s["id"] for s in body["items"]]
        after, pages = body["next_after"], pages + 1
    assert seen == ids
    assert pages == 3
    too_many = call("get", f"{BASE}/{open_letter.slug}/signatures?limit=501", secret)
    assert too_many.status_code == 422


# --- moderating ---------------------------------------------------------------------------------


def test_approving_and_rejecting_change_the_public_list(client, open_letter, coordinator, secret):
    Letter.objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()
    kept = listed(open_letter, email="kept@example.org", name="Kept Organization")
    refused = listed(open_letter, email="refused@example.org", name="Refused Organization")
    assert kept.status == Signature.Status.CONFIRMED and not kept.is_public
    page = client.get(open_letter.get_absolute_url()).content.decode()
    assert "Kept Organization" not in page

    path, template = f"{BASE}/{open_letter.slug}/signatures/moderate", TEMPLATE + "/moderate"
    body = {"ids": [kept.pk, refused.pk], "action": "approve"}
    assert conforms(call("post", path, secret, body), template, "post") == {
        "action": "approve", "requested": 2, "changed": 2,
    }  # fmt: skip
    body = {"ids": [refused.pk, refused.pk, 999_999], "action": "reject"}
    assert conforms(call("post", path, secret, body), template, "post") == {
        "action": "reject", "requested": 2, "changed": 1,
    }  # fmt: skip
    page = client.get(open_letter.get_absolute_url()).content.decode()
    assert "Kept Organization" in page
    assert "Refused Organization" not in page
    kept.refresh_from_db()
    assert kept.status == Signature.Status.APPROVED
    moderated = AuditEvent.objects.filter(action__in=[AuditAction.SIGNATURE_APPROVED,
                                                      AuditAction.SIGNATURE_REJECTED])  # fmt: skip
    assert {e.actor for e in moderated} == {coordinator}
    assert moderated.count() == 3


def test_a_frozen_letter_refuses_moderation_with_a_409(frozen_letter, coordinator):
    _token, secret = token_for(frozen_letter, coordinator, ApiToken.Scope.READ_WRITE)
    signature = frozen_letter.signatures.filter(is_public=True).first()
    response = call("post", f"{BASE}/{frozen_letter.slug}/signatures/moderate", secret,
                    {"ids": [signature.pk], "action": "reject"})  # fmt: skip
    assert response.status_code == 409
    assert conforms(response, TEMPLATE + "/moderate", "post")["detail"]
    signature.refresh_from_db()
    assert signature.is_public


# --- signing from a partner's server --------------------------------------------------------------


def test_signing_from_a_server_mails_the_signer_their_confirmation(open_letter, secret, capture):
    response = sign(open_letter, secret, capture, signer_ip="203.0.113.9", language="fr")
    assert response.status_code == 202
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and not signature.is_public
    assert (signature.name, signature.acronym, signature.country.code) == (
        "Association TEP NIMITH",
        "ATN",
        "FR",
    )
    assert signature.website == "https://atn.example.org"  # as the form takes it
    assert signature.ip_address == "203.0.113.9"
    assert signature.language == "fr"
    assert SignerMail.objects.get().kind == SignerMail.Kind.CONFIRMATION
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["contact@atn.example.org"]
    assert f"/signatures/{signature.pk}/" in mail.outbox[0].body


def test_the_answer_does_not_tell_whether_the_address_had_signed(open_letter, secret, capture):
    first = sign(open_letter, secret, capture)
    again = sign(open_letter, secret, capture, email="Contact@ATN.example.org")
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json()
    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 2  # the second says: already signed
    assert mail.outbox[0].subject != mail.outbox[1].subject


def test_the_sign_form_s_rules_apply(open_letter, secret, capture):
    response = sign(open_letter, secret, capture, name="www.spam.example", consent_public=False,
                    country="Atlantis")  # fmt: skip
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert set(errors) == {"name", "consent_public", "country"}
    response = sign(open_letter, secret, capture, kind="mp")  # the letter takes organizations
    assert response.status_code == 422
    assert response.json()["detail"]["__all__"]
    assert not Signature.objects.exists()
    assert mail.outbox == []


def test_the_blocklist_applies_to_the_address_and_the_signer_s_ip(open_letter, secret, capture):
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="atn.example.org")
    Blocklist.objects.create(kind=Blocklist.Kind.IP, value="203.0.113.0/24")
    signing_rules_reload()
    response = sign(open_letter, secret, capture)
    assert response.status_code == 422
    assert "not accepted" in str(response.json()["detail"])
    response = sign(open_letter, secret, capture, email="other@example.org",
                    signer_ip="203.0.113.50")  # fmt: skip
    assert response.status_code == 422
    assert not Signature.objects.exists()
    assert mail.outbox == []


@pytest.mark.time_machine(MIDDAY, tick=False)
def test_the_rate_limit_counts_per_token_and_signer(open_letter, secret, settings, capture):
    settings.SIGNING_RATE_LIMIT = "2/h"
    for n in range(2):
        assert sign(open_letter, secret, capture, email=f"s{n}@example.org",
                    name=f"Org {n}").status_code == 202  # fmt: skip
    response = sign(open_letter, secret, capture, email="s3@example.org", name="Org 3")
    assert response.status_code == 429
    assert Signature.objects.count() == 2
    # Another signer behind the same server has their own count, as on Cosign's form.
    response = sign(open_letter, secret, capture, email="s4@example.org", name="Org 4",
                    signer_ip="192.0.2.44")  # fmt: skip
    assert response.status_code == 202
    assert Signature.objects.count() == 3


def test_signing_a_closed_letter_is_refused_with_a_409(closed_letter, coordinator, capture):
    _token, secret = token_for(closed_letter, coordinator, ApiToken.Scope.READ_WRITE)
    signatures = Signature.objects.count()
    response = sign(closed_letter, secret, capture, email="late@example.org")
    assert response.status_code == 409
    assert Signature.objects.count() == signatures
