"""A partner's personal link: looking changes nothing, the sign form comes filled in, signing
with the invited address counts at once, declining and one-click unsubscribing; a forged link
is not found; a closed letter says so; three languages."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from letters_app.models import Partner, Signature, SignerMail
from letters_app.services.letters import letter_close
from tests.partners import partners_add

pytestmark = pytest.mark.django_db
P = Partner.Status


@pytest.fixture
def partner(open_letter, coordinator):
    (partner,) = partners_add(
        open_letter,
        coordinator,
        "Association TEP NIMITH (ATN), France, contact@tep.example.org, fr",
    )
    return partner


def url(name, partner, language="en"):
    with translation.override(language):
        return reverse(f"public:partner-{name}", kwargs={"secret": partner.secret})


def sign_data(partner, **changes):
    return {
        "kind": "organization", "name": partner.name, "acronym": partner.acronym,
        "country": "FR", "email": partner.email, "consent_public": "on", **changes,
    }  # fmt: skip


def test_following_the_link_changes_nothing(client, partner):
    response = client.get(url("invitation", partner))
    assert response.status_code == 200
    assert "Association TEP NIMITH" in response.content.decode()
    client.get(url("unsubscribe", partner))
    partner.refresh_from_db()
    assert (partner.status, partner.opened_at, partner.unsubscribed_at) == (P.NEW, None, None)


def test_opening_shows_the_form_filled_in_and_marks_opened(client, partner):
    response = client.post(url("sign", partner), {"open": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["name"] == "Association TEP NIMITH"
    assert form.initial["acronym"] == "ATN"
    assert form.initial["country"] == "FR"
    assert form.initial["email"] == "contact@tep.example.org"
    assert url("sign", partner) in response.content.decode()
    partner.refresh_from_db()
    assert partner.status == P.OPENED and partner.opened_at is not None


def test_signing_with_the_invited_address_lists_it_once_without_a_mail(
    client, partner, open_letter
):
    client.post(url("sign", partner), {"open": "1"})
    response = Client().post(url("sign", partner), sign_data(partner))  # another browser
    assert response.status_code == 302
    assert response["Location"] == url("invitation", partner)
    signature = Signature.objects.get(letter=open_letter)
    assert signature.is_public
    assert not SignerMail.objects.exists()
    partner.refresh_from_db()
    assert partner.status == P.SIGNED
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: your organization signed the letter." in page
    # The same form sent again: still one signature, counted once.
    client.post(url("sign", partner), sign_data(partner))
    open_letter.refresh_from_db()
    assert Signature.objects.filter(letter=open_letter).count() == 1
    assert open_letter.count_organizations == 1
    assert not SignerMail.objects.exists()  # nor an "already signed" note


def test_signing_with_another_address_asks_for_confirmation(client, partner, open_letter):
    response = client.post(url("sign", partner), sign_data(partner, email="other@example.org"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/letters/{open_letter.slug}/sign/done/")
    signature = Signature.objects.get(letter=open_letter)
    assert signature.status == Signature.Status.PENDING
    assert SignerMail.objects.filter(signature=signature, kind="confirmation").count() == 1


def test_declining_with_a_reason(client, partner):
    client.post(url("decline", partner), {"reason": "Our board has not met."})
    partner.refresh_from_db()
    assert (partner.status, partner.decline_reason) == (P.DECLINED, "Our board has not met.")
    assert partner.declined_at is not None


def test_a_too_long_reason_is_refused_with_a_message(client, partner):
    response = client.post(url("decline", partner), {"reason": "x" * 2001})
    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"]
    partner.refresh_from_db()
    assert partner.status == P.NEW


def test_one_click_unsubscribe_works_without_a_csrf_token(partner):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url("unsubscribe", partner), "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200
    partner.refresh_from_db()
    assert partner.status == P.UNSUBSCRIBED


def test_the_other_actions_need_a_csrf_token(partner):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url("decline", partner), {"reason": ""}).status_code == 403
    assert client.post(url("sign", partner), {"open": "1"}).status_code == 403
    partner.refresh_from_db()
    assert partner.status == P.NEW


@pytest.mark.parametrize("name", ["invitation", "sign", "decline", "unsubscribe"])
def test_a_forged_link_is_not_found(client, partner, name):
    forged = reverse(f"public:partner-{name}", kwargs={"secret": partner.secret[:-2] + "xx"})
    assert client.get(forged).status_code in (404, 405)
    assert client.post(forged, {"open": "1"}).status_code == 404
    partner.refresh_from_db()
    assert partner.status == P.NEW


def test_a_closed_letter_says_so_and_links_to_its_page(client, partner, open_letter, coordinator):
    letter_close(letter=open_letter, actor=coordinator)
    page = client.get(url("invitation", partner)).content.decode()
    assert "Signing this letter has ended." in page
    assert open_letter.get_absolute_url() in page
    response = client.post(url("sign", partner), sign_data(partner))
    assert response.status_code == 200
    assert not Signature.objects.exists()


def test_a_finalized_letter_says_so(client, coordinator, finalized_letter):
    (partner,) = Partner.objects.bulk_create(
        [Partner(letter=finalized_letter, name="Late", email="late@example.org",
                 email_normalized="late@example.org", language="en", secret="s" * 32)]
    )  # fmt: skip
    page = client.get(url("invitation", partner)).content.decode()
    assert "This letter is finalized: it can no longer be signed." in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "We cannot sign this time"), ("fr", "Nous ne pouvons pas signer cette fois"),
     ("km", "យើងមិនអាចចុះហត្ថលេខាលើកនេះបានទេ")],
)  # fmt: skip
def test_the_page_speaks_each_language(client, partner, language, words):
    response = client.get(url("invitation", partner, language))
    assert words in response.content.decode()
