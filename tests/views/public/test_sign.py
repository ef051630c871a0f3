"""The sign form: a signer of each kind signs, and what they are told."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils.html import escape

from letters_app.models import Blocklist, Letter, Signature, SiteSwitch
from letters_app.services.letters import letter_close
from tests.views.public.signing import INDIVIDUAL, MP, ORGANIZATION, done_url, sign_url

pytestmark = pytest.mark.django_db


def post(client, letter, data, capture):
    with capture(execute=True):
        return client.post(sign_url(letter), data, REMOTE_ADDR="203.0.113.7")


def test_an_organization_only_letter_asks_for_an_organization(client, open_letter):
    response = client.get(sign_url(open_letter))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.signatory_kind == "organization"
    assert list(form.fields) == [
        "kind", "name", "acronym", "country", "organization_type", "website", "contact_name",
        "contact_role", "email", "consent_public", "homepage",
    ]  # fmt: skip
    content = response.content.decode()
    assert '<input type="hidden" name="kind" value="organization"' in content
    assert "Name of the organization" in content
    assert 'name="title"' not in content
    assert 'aria-label="Signing as"' not in content  # nothing to choose


def test_every_field_has_a_visible_label(client, all_kinds):
    for kind in ("organization", "individual", "mp"):
        response = client.get(sign_url(all_kinds), {"kind": kind})
        content = response.content.decode()
        for field in response.context["form"].visible_fields():
            if field.name == "kind":  # radio buttons, under a legend
                assert "Signing as</legend>" in content
                continue
            assert f'for="{field.id_for_label}"' in content, (kind, field.name)


def test_only_the_kinds_the_letter_accepts_are_offered(client, open_letter, capture):
    Letter.objects.filter(pk=open_letter.pk).update(
        accepts_organizations=False, accepts_individuals=True, accepts_mps=True
    )
    response = client.get(sign_url(open_letter), {"kind": "organization"})
    form = response.context["form"]
    assert form.signatory_kind == "individual"
    assert form.fields["kind"].choices == [
        ("individual", "Individual"), ("mp", "Member of parliament")
    ]  # fmt: skip
    content = response.content.decode()
    assert 'type="radio" name="kind" value="mp"' in content
    assert 'value="organization"' not in content

    response = post(client, open_letter, ORGANIZATION, capture)
    assert response.status_code == 200
    content = response.content.decode()
    assert "This letter does not take signatures of this kind." in content
    assert re.search(r'<input type="radio" name="kind" value="individual"[^>]* checked', content)
    assert Signature.objects.count() == 0


@pytest.fixture
def capture(django_capture_on_commit_callbacks, eager_tasks):
    return django_capture_on_commit_callbacks


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (ORGANIZATION, "Association TEP NIMITH (ATN), France"),
        (INDIVIDUAL, "Chea Sophal, Professor of Law, Université de Lyon, France"),
        (MP, "Jane Doe, Member of Parliament, House of Commons of Canada, Independent, Canada"),
    ],
)
def test_each_kind_signs_and_gets_a_confirmation_mail(client, all_kinds, capture, data, line):
    response = post(client, all_kinds, data, capture)
    assert response.status_code == 302
    assert response["Location"] == done_url(all_kinds)
    signature = Signature.objects.get()
    assert signature.letter == all_kinds
    assert signature.kind == data["kind"]
    assert signature.status == Signature.Status.PENDING
    assert signature.is_public is False
    assert signature.email == data["email"]
    assert signature.ip_address == "203.0.113.7"
    assert signature.consent_public is True
    assert signature.display_line == line
    for field in ("name", "title", "affiliation", "party", "parliament", "acronym"):
        assert getattr(signature, field) == data.get(field, "")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [data["email"]]
    assert f"/signatures/{signature.pk}/" in mail.outbox[0].body


def test_an_organization_keeps_its_private_details(client, open_letter, capture):
    post(client, open_letter, ORGANIZATION, capture)
    signature = Signature.objects.get()
    assert signature.organization_type == "association"
    assert signature.website == "https://atn.example.org"
    assert signature.contact_name == "Sok Dara"
    assert signature.contact_role == "President"


def test_the_done_page_says_check_your_mail_and_offers_a_resend(client, open_letter, capture):
    response = post(client, open_letter, ORGANIZATION, capture)
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Check your e-mail" in content
    assert f'action="/letters/{open_letter.slug}/sign/resend/"' in content
    assert ORGANIZATION["email"] not in content
    assert "1." not in content.split("<main", 1)[1]  # no place on the list is promised


def test_a_second_submission_gives_the_same_answer_and_one_row(client, open_letter, capture):
    first = post(client, open_letter, ORGANIZATION, capture)
    second = post(
        client, open_letter, {**ORGANIZATION, "email": "Contact@ATN.example.org"}, capture
    )
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == done_url(open_letter)
    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject != mail.outbox[1].subject  # the second says: already signed


def test_a_signer_is_sent_to_the_done_page_in_the_language_they_signed_in(
    client, open_letter, capture
):
    slug = open_letter.slug
    for prefix, email in (("/fr", "fr@example.org"), ("", "en@example.org"),
                          ("/km", "km@example.org"), ("/fr", "fr2@example.org")):  # fmt: skip
        with capture(execute=True):
            response = client.post(
                f"{prefix}/letters/{slug}/sign/", {**ORGANIZATION, "email": email}
            )
        assert response.status_code == 302
        assert response["Location"] == f"{prefix}/letters/{slug}/sign/done/"
    assert sorted(Signature.objects.values_list("language", flat=True)) == ["en", "fr", "fr", "km"]


def test_the_honeypot_answers_as_a_success_and_records_nothing(client, open_letter, capture):
    response = post(
        client, open_letter, {**ORGANIZATION, "homepage": "http://spam.example"}, capture
    )
    assert response.status_code == 302
    assert response["Location"] == done_url(open_letter)
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client, open_letter):
    content = client.get(sign_url(open_letter)).content.decode()
    assert 'id="div_id_homepage"' in content
    assert "Leave this empty" in content
    assert 'tabindex="-1"' in content
    assert 'autocomplete="off"' in content


def test_paused_signing_is_told_on_the_form_with_everything_kept(client, open_letter, capture):
    switch = SiteSwitch.get()
    switch.signing_paused = True
    switch.save()
    response = post(client, open_letter, ORGANIZATION, capture)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Signing is paused for a moment. Please try again later." in content
    for field in ("name", "acronym", "contact_name", "email"):
        assert f'value="{escape(ORGANIZATION[field])}"' in content
    assert Signature.objects.count() == 0


def test_a_blocked_domain_is_told_on_the_form(client, open_letter, capture):
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="atn.example.org")
    response = post(client, open_letter, ORGANIZATION, capture)
    assert response.status_code == 200
    assert "Signatures from this address are not accepted." in response.content.decode()
    assert Signature.objects.count() == 0


def test_signing_a_closed_letter_shows_the_letter_with_the_end_date(
    client, open_letter, coordinator, capture
):
    letter_close(letter=open_letter, actor=coordinator)
    open_letter.refresh_from_db()
    ended = open_letter.signing_closed_at.strftime("%-d %B %Y")
    for response in (
        client.get(sign_url(open_letter)),
        post(client, open_letter, ORGANIZATION, capture),
    ):
        assert response.status_code == 200
        content = response.content.decode()
        assert f"Signing of this letter has ended on {ended}." in content
        assert f"Signing ended on {ended}." in content
        assert 'name="consent_public"' not in content
    assert Signature.objects.count() == 0


def test_an_unknown_or_draft_letter_is_404(client, letter):
    for slug in ("no-such-letter", letter.slug):
        assert client.get(f"/letters/{slug}/sign/").status_code == 404
        assert client.post(f"/letters/{slug}/sign/", ORGANIZATION).status_code == 404
        assert client.get(f"/letters/{slug}/sign/done/").status_code == 404
        assert client.post(f"/letters/{slug}/sign/resend/", {"email": "a@b.org"}).status_code == 404
    assert Signature.objects.count() == 0


def test_resend_gives_one_answer_and_mails_only_a_pending_signer(client, open_letter, capture):
    post(client, open_letter, ORGANIZATION, capture)
    mail.outbox.clear()
    url = f"/letters/{open_letter.slug}/sign/resend/"
    with capture(execute=True):
        known = client.post(url, {"email": ORGANIZATION["email"]}, follow=True)
        unknown = client.post(url, {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(done_url(open_letter), 302)]
    said = "If this address signed and has not confirmed yet, the link is on its way again."
    assert said in known.content.decode()
    assert said in unknown.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ORGANIZATION["email"]]


def test_resend_with_a_bad_address_says_so(client, open_letter):
    response = client.post(f"/letters/{open_letter.slug}/sign/resend/", {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_a_one_kind_letter_needs_no_kind_in_the_post(client, open_letter, capture):
    data = {k: v for k, v in ORGANIZATION.items() if k != "kind"}
    assert post(client, open_letter, data, capture).status_code == 302
    assert Signature.objects.get().kind == "organization"


def test_a_letter_taking_no_kind_refuses_every_signature(client, open_letter, capture):
    Letter.objects.filter(pk=open_letter.pk).update(accepts_organizations=False)
    response = post(client, open_letter, ORGANIZATION, capture)
    assert response.status_code == 200
    assert "This letter does not take signatures of this kind." in response.content.decode()
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("prefix", "said"),
    [
        ("", "press the “Confirm my signature” button:"),
        ("/fr", "appuyez sur le bouton « Confirmer ma signature » :"),
        ("/km", "ហើយចុចប៊ូតុង «បញ្ជាក់ហត្ថលេខារបស់ខ្ញុំ»៖"),
    ],
)
def test_the_confirmation_mail_names_the_button_the_confirm_page_shows(
    client, open_letter, capture, prefix, said
):
    with capture(execute=True):
        client.post(f"{prefix}/letters/{open_letter.slug}/sign/", ORGANIZATION)

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert said in message.body
    assert said in html
    button = re.search(r"[“«]\s?([^”»]+?)\s?[”»]", said).group(1)
    confirm_url = re.search(r"https?://\S+/confirm/", message.body).group(0)
    page = client.get(urlsplit(confirm_url).path)
    assert f'<button type="submit" class="btn btn-primary">{button}</button>' in page.text
