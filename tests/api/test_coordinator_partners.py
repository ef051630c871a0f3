"""Partners through a token: listed with where each stands, added under the checks of a list
pasted on the Partners page, and invited."""

import pytest

from letters_app.models import ApiToken, AuditAction, AuditEvent, Partner, PartnerMail
from tests.api.coordinator import BASE, call, conforms, token_for
from tests.factories import listed
from tests.partners import partners_add

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"


@pytest.fixture
def secret(open_letter, coordinator):
    return token_for(open_letter, coordinator, ApiToken.Scope.READ_WRITE)[1]


def test_partners_are_listed_with_their_statuses_and_counts(open_letter, coordinator, secret):
    partners_add(open_letter, coordinator, "Licadho, Cambodia, office@licadho.example.org, km\n"
                 "Adhoc, Cambodia, adhoc@example.org")  # fmt: skip
    Partner.objects.filter(email="adhoc@example.org").update(status=Partner.Status.DECLINED)
    response = call("get", f"{BASE}/{open_letter.slug}/partners", secret)
    body = conforms(response, "/letters/{slug}/partners")
    assert [(p["name"], p["email"], p["status"], p["language"], p["country"])
            for p in body["items"]] == [
        ("Licadho", "office@licadho.example.org", "new", "km", "KH"),
        ("Adhoc", "adhoc@example.org", "declined", open_letter.language, "KH"),
    ]  # fmt: skip
    assert body["counts"]["new"] == 1 and body["counts"]["declined"] == 1
    declined = call("get", f"{BASE}/{open_letter.slug}/partners?status=declined", secret)
    assert [p["name"] for p in conforms(declined, "/letters/{slug}/partners")["items"]] == ["Adhoc"]


def test_partners_are_added_as_the_partners_page_adds_them(open_letter, coordinator, secret):
    listed(open_letter, email="signed@example.org", name="Already Signed")
    sent = [
        {"name": KHMER, "acronym": "KHR", "country": "Cambodia", "email": "khr@example.org",
         "language": "km"},
        {"name": "Twice", "country": "FR", "email": "KHR@example.org"},
        {"name": "Signed before", "country": "FR", "email": "signed@example.org"},
        {"name": "No address", "country": "FR", "email": "not an address"},
    ]  # fmt: skip
    response = call("post", f"{BASE}/{open_letter.slug}/partners", secret, {"partners": sent})
    body = conforms(response, "/letters/{slug}/partners", "post")
    assert body["added"] == 1
    assert [(s["position"], s["name"]) for s in body["skipped"]] == [
        (2, "Twice"), (3, "Signed before"), (4, "No address"),
    ]  # fmt: skip
    assert all(s["problems"] for s in body["skipped"])
    partner = Partner.objects.get(letter=open_letter)
    assert (partner.name, partner.acronym, partner.country.code, partner.language) == (
        KHMER, "KHR", "KH", "km",
    )  # fmt: skip
    assert partner.added_by == coordinator
    event = AuditEvent.objects.get(action=AuditAction.PARTNERS_ADDED)
    assert event.detail["imported"] == 1 and event.detail["skipped"] == 3


def test_partners_are_invited_one_mail_each(open_letter, coordinator, secret):
    added = partners_add(open_letter, coordinator, "Licadho, Cambodia, office@licadho.example.org\n"
                         "Adhoc, Cambodia, adhoc@example.org")  # fmt: skip
    path = f"{BASE}/{open_letter.slug}/partners/invite"
    response = call("post", path, secret, {"ids": [added[0].pk]})
    assert conforms(response, "/letters/{slug}/partners/invite", "post") == {"invited": 1}
    assert call("post", path, secret, {"ids": None}).json() == {"invited": 1}
    assert call("post", path, secret, {}).json() == {"invited": 0}  # none left to invite
    assert PartnerMail.objects.filter(kind=PartnerMail.Kind.INVITATION).count() == 2
    assert set(Partner.objects.values_list("status", flat=True)) == {Partner.Status.INVITED}


def test_a_closed_letter_invites_no_one_and_a_frozen_one_takes_no_partner(
    closed_letter, frozen_letter, coordinator
):
    _token, secret = token_for(frozen_letter, coordinator, ApiToken.Scope.READ_WRITE)
    invite = call("post", f"{BASE}/{frozen_letter.slug}/partners/invite", secret, {"ids": None})
    assert invite.status_code == 409
    late = {"partners": [{"name": "Late", "country": "FR", "email": "late@example.org"}]}
    add = call("post", f"{BASE}/{frozen_letter.slug}/partners", secret, late)
    assert add.status_code == 409
    assert "finalized" in conforms(add, "/letters/{slug}/partners", "post")["detail"]
    assert not Partner.objects.exists()
