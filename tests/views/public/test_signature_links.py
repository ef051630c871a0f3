"""The private links a signer gets by e-mail: confirm, then correct, keep or withdraw."""

import datetime

import pytest
from django.utils import timezone

from letters_app.models import Letter, Signature
from tests.factories import SignatureFactory, listed
from tests.views.public.signing import confirm_url, manage_url

pytestmark = pytest.mark.django_db
S = Signature.Status


@pytest.fixture
def pending(open_letter):
    return SignatureFactory(
        letter=open_letter, name="Association TEP NIMITH", acronym="ATN", version=1
    )


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def test_the_confirm_page_shows_what_will_be_confirmed_and_changes_nothing(client, pending):
    response = client.get(confirm_url(pending))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Association TEP NIMITH (ATN), France" in content
    assert pending.letter.title in content
    assert 'method="post"' in content
    assert "Confirm my signature" in content
    assert refreshed(pending).status == S.PENDING
    assert refreshed(pending.letter).count_organizations == 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_confirming_lists_the_name_numbered_on_the_letter_page(client, pending):
    response = client.post(confirm_url(pending))
    assert response.status_code == 302
    assert response["Location"] == confirm_url(pending)
    assert refreshed(pending).status == S.CONFIRMED
    assert pending.is_public is True
    assert refreshed(pending.letter).count_organizations == 1
    thanks = client.get(confirm_url(pending)).content.decode()
    assert "Thank you, you are listed" in thanks
    assert manage_url(pending) in thanks
    letter_page = client.get(pending.letter.get_absolute_url()).content.decode()
    assert (
        '<span class="signatory-number">1.</span> '
        '<span class="signatory-line">Association TEP NIMITH (ATN), France'
    ) in (letter_page)
    assert "1 signature" in letter_page


def test_confirming_twice_is_harmless(client, pending):
    client.post(confirm_url(pending))
    response = client.post(confirm_url(pending))
    assert response.status_code == 302
    assert refreshed(pending.letter).count_organizations == 1
    assert Signature.objects.filter(is_public=True).count() == 1


def test_a_letter_that_needs_approval_says_so(client, pending):
    Letter.objects.filter(pk=pending.letter_id).update(requires_approval=True)
    content = client.post(confirm_url(pending), follow=True).content.decode()
    assert "awaiting the coordinators' approval" in content
    assert refreshed(pending).status == S.CONFIRMED
    assert pending.is_public is False
    assert (
        "Association TEP NIMITH"
        not in client.get(pending.letter.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    "url",
    [
        lambda s: f"/signatures/{s.pk}/{'0' * 64}/confirm/",
        lambda s: f"/signatures/{s.pk + 1000}/{s.token('confirm')}/confirm/",
        lambda s: f"/signatures/{s.pk}/{s.token('manage')}/confirm/",
        lambda s: f"/signatures/{s.pk}/{s.token('confirm')}/",
        lambda s: f"/signatures/{s.pk}/{s.token('confirm')}/withdraw/",
    ],
)
def test_a_bad_or_forged_token_is_404(client, pending, url):
    assert client.get(url(pending)).status_code in (404, 405)
    assert client.post(url(pending)).status_code == 404
    assert refreshed(pending).status == S.PENDING


def test_another_signatures_token_does_not_open_this_one(client, pending):
    other = SignatureFactory(letter=pending.letter)
    url = f"/signatures/{pending.pk}/{other.token('confirm')}/confirm/"
    assert client.post(url).status_code == 404
    assert refreshed(pending).status == S.PENDING


def test_an_expired_link_says_so_and_confirms_nothing(client, pending):
    ended = timezone.now() - datetime.timedelta(days=30)
    Letter.objects.filter(pk=pending.letter_id).update(
        status=Letter.Status.CLOSED, signing_closed_at=ended
    )
    for response in (client.get(confirm_url(pending)), client.post(confirm_url(pending))):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    assert refreshed(pending).status == S.PENDING


def test_a_link_still_works_in_the_grace_period_after_closing(client, pending):
    Letter.objects.filter(pk=pending.letter_id).update(
        status=Letter.Status.CLOSED, signing_closed_at=timezone.now()
    )
    assert client.post(confirm_url(pending)).status_code == 302
    assert refreshed(pending).is_public is True


def test_the_manage_page_shows_the_entry_and_a_correction_form(client, open_letter):
    signature = listed(open_letter, name="Association TEP NIMITH", acronym="ATN")
    response = client.get(manage_url(signature))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Association TEP NIMITH (ATN), France" in content
    assert "Listed on the public list of signatories." in content
    assert response.context["form"].initial["acronym"] == "ATN"
    assert 'name="email"' not in content
    assert 'name="kind"' not in content
    assert signature.email not in content
    assert "Withdraw my signature" in content
    assert "Keep my signature" not in content


def test_a_correction_shows_on_the_list_and_leaves_email_and_kind(client, open_letter):
    signature = listed(open_letter, name="Asociation TEP NIMTIH", acronym="ATN")
    response = client.post(manage_url(signature), {
        "name": "Association TEP NIMITH", "acronym": "A.T.N.", "country": "KH",
        "kind": "mp", "email": "hijack@example.org",
    })  # fmt: skip
    assert response.status_code == 302
    refreshed(signature)
    assert signature.name == "Association TEP NIMITH"
    assert signature.country == "KH"
    assert signature.kind == "organization"
    assert signature.email.startswith("signer")
    content = client.get(open_letter.get_absolute_url()).content.decode()
    assert (
        '1.</span> <span class="signatory-line">Association TEP NIMITH (A.T.N.), Cambodia'
    ) in content
    assert "NIMTIH" not in content


def test_a_bad_correction_is_refused_on_the_form(client, open_letter):
    signature = listed(open_letter, name="Association TEP NIMITH")
    response = client.post(manage_url(signature), {"name": "buy.example", "country": "FR"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Write the name only, not a web address."]
    assert refreshed(signature).name == "Association TEP NIMITH"


def test_withdrawing_takes_the_name_off_the_list_at_once(client, open_letter):
    signature = listed(open_letter, name="Association TEP NIMITH")
    assert "Association TEP NIMITH" in client.get(open_letter.get_absolute_url()).content.decode()
    response = client.post(f"{manage_url(signature)}withdraw/", follow=True)
    assert response.redirect_chain == [(manage_url(signature), 302)]
    assert "Your signature is withdrawn" in response.content.decode()
    assert "Withdraw my signature" not in response.content.decode()
    assert refreshed(signature).status == S.WITHDRAWN
    assert refreshed(open_letter).count_organizations == 0
    assert (
        "Association TEP NIMITH" not in client.get(open_letter.get_absolute_url()).content.decode()
    )


def test_withdrawing_asks_once_and_only_a_post_withdraws(client, signer):
    manage = client.get(manage_url(signer)).content.decode()
    assert f'href="{manage_url(signer)}withdraw/">Withdraw my signature</a>' in manage
    response = client.get(f"{manage_url(signer)}withdraw/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Withdraw your signature?" in content
    assert f'<form method="post" action="{manage_url(signer)}withdraw/"' in content
    assert f'href="{manage_url(signer)}">No, keep my signature</a>' in content
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.get(f"{manage_url(signer)}keep/").status_code == 405
    assert refreshed(signer).status == S.CONFIRMED
    assert refreshed(signer).is_public is True


def test_after_a_new_text_the_signer_may_keep_their_signature(client, open_letter, signer):
    Letter.objects.filter(pk=open_letter.pk).update(version=2)
    content = client.get(manage_url(signer)).content.decode()
    assert "Keep my signature on the new text (version 2)" in content
    assert "Withdraw my signature" in content
    response = client.post(f"{manage_url(signer)}keep/", follow=True)
    assert "your signature stays on the new text" in response.content.decode()
    assert refreshed(signer).version == 2
    assert signer.is_public is True
    assert "Keep my signature" not in response.content.decode()


def test_after_finalization_the_list_cannot_change(client, open_letter):
    signature = listed(open_letter, name="Association TEP NIMITH")
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.FINALIZED)
    page = client.get(manage_url(signature)).content.decode()
    assert "The letter is finalized: its list of signatories can no longer change." in page
    assert "Withdraw my signature" not in page
    response = client.post(f"{manage_url(signature)}withdraw/", follow=True)
    assert "The letter is finalized" in response.content.decode()
    assert refreshed(signature).status == S.CONFIRMED
    assert signature.is_public is True
    client.post(manage_url(signature), {"name": "Changed", "country": "FR"})
    assert refreshed(signature).name == "Association TEP NIMITH"


def test_a_withdrawn_signature_cannot_be_edited(client, open_letter):
    signature = listed(open_letter, name="Association TEP NIMITH")
    client.post(f"{manage_url(signature)}withdraw/")
    response = client.post(manage_url(signature), {"name": "Back again", "country": "FR"})
    assert response.status_code == 200
    assert "You have withdrawn this signature" in response.content.decode()
    assert refreshed(signature).name == "Association TEP NIMITH"
