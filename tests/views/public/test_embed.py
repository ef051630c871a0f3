"""The embed page: a letter's sign form in a frame on the sites its coordinators list, signed
without Cosign's cookies, with every protection of the main sign form."""

import datetime
import re

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from letters_app.models import Blocklist, Signature
from letters_app.services.embed import embed_token_make, letter_set_embed_origins
from letters_app.services.letters import letter_close, letter_open
from tests.factories import LetterFactory, RecipientFactory, listed
from tests.views.public.signing import ORGANIZATION, sign_url

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example.org"
OWN = "http://testserver"  # the test client's own site


@pytest.fixture
def capture(django_capture_on_commit_callbacks, eager_tasks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def embedded(open_letter, coordinator):
    """The open letter, which the partner's site may frame."""
    return letter_set_embed_origins(letter=open_letter, text=PARTNER, actor=coordinator)


def embed_url(letter, language: str = "") -> str:
    prefix = f"/{language}" if language else ""
    return f"{prefix}/letters/{letter.slug}/embed/"


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1)


def token_of(response) -> str:
    return re.search(r'name="embed_token" value="([^"]+)"', response.content.decode()).group(1)


def sign(client, letter, data=ORGANIZATION, *, token=None, origin=OWN, capture=None, **extra):
    """The embed form sent as a browser sends it from the frame: with the page's token, and its
    Origin (Cosign's own, the frame's document being Cosign's page)."""
    if token is None:
        token = token_of(client.get(embed_url(letter)))
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    body = {**data, "embed_token": token}
    if capture is None:
        return client.post(embed_url(letter), body, REMOTE_ADDR="203.0.113.7", **headers, **extra)
    with capture(execute=True):
        return client.post(embed_url(letter), body, REMOTE_ADDR="203.0.113.7", **headers, **extra)


# --- who may frame it -------------------------------------------------------------------------


def test_the_listed_sites_and_cosign_may_frame_the_embed_page(client, embedded):
    response = client.get(embed_url(embedded))
    assert response.status_code == 200
    assert frame_ancestors(response) == f"'self' {PARTNER}"
    assert "X-Frame-Options" not in response


def test_without_listed_sites_only_cosign_may_frame_it(client, open_letter):
    response = client.get(embed_url(open_letter))
    assert frame_ancestors(response) == "'self'"
    assert "X-Frame-Options" not in response


def test_a_new_list_of_sites_applies_at_once(client, embedded, coordinator):
    assert frame_ancestors(client.get(embed_url(embedded))) == f"'self' {PARTNER}"
    letter_set_embed_origins(
        letter=embedded, text="https://other.example.net\nhttp://localhost:8001", actor=coordinator
    )
    response = client.get(embed_url(embedded))
    assert frame_ancestors(response) == "'self' https://other.example.net http://localhost:8001"


def test_each_letter_is_framed_by_its_own_sites_only(client, embedded, coordinator):
    other = letter_open(
        letter=LetterFactory(created_by=coordinator, recipients=[RecipientFactory()]),
        actor=coordinator,
    )
    assert frame_ancestors(client.get(embed_url(other))) == "'self'"


@pytest.mark.parametrize(
    "url",
    [
        lambda letter: "/",
        lambda letter: letter.get_absolute_url(),
        lambda letter: sign_url(letter),
        lambda letter: reverse("public:letter-sign-done", kwargs={"slug": letter.slug}),
        lambda letter: reverse("public:letter-badge", kwargs={"slug": letter.slug}),
        lambda letter: "/privacy/",
    ],
    ids=["home", "letter", "sign", "sign-done", "badge", "privacy"],
)
def test_every_other_page_may_be_framed_by_nobody(client, embedded, url):
    response = client.get(url(embedded))
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_a_draft_or_unknown_letter_has_no_embed_page(client, letter):
    assert client.get(embed_url(letter)).status_code == 404
    assert client.get("/letters/no-such-letter/embed/").status_code == 404
    assert client.post(embed_url(letter), {}).status_code == 404


# --- the page ---------------------------------------------------------------------------------


def test_the_page_holds_the_title_a_link_the_count_and_a_compact_form(client, embedded):
    for n in range(3):
        listed(embedded, email=f"s{n}@example.org")
    response = client.get(embed_url(embedded))
    content = response.content.decode()
    assert f">{escape(embedded.title)}</h1>" in content
    assert (
        f'<a href="{embedded.get_absolute_url()}" target="_blank" rel="noopener">Read the full '
        "letter" in content
    )
    assert '<strong class="embed-count-number">3</strong> signatures' in content
    assert f'data-counts-url="/api/v1/letters/{embedded.slug}/counts"' in content
    assert 'name="embed_token"' in content
    assert "csrfmiddlewaretoken" not in content  # nothing that needs Cosign's cookie
    assert 'class="navbar' not in content and "<footer" not in content  # no site header
    assert '<script src="/static/js/embed-count.js" defer></script>' in content


@pytest.mark.parametrize(
    ("language", "sign_the_letter"),
    [("fr", "Signer la lettre"), ("km", "ចុះហត្ថលេខាលើលិខិត")],
)
def test_the_page_speaks_the_language_of_its_address(client, embedded, language, sign_the_letter):
    response = client.get(embed_url(embedded, language))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert sign_the_letter in content
    assert f'action="/{language}/letters/{embedded.slug}/embed/"' in content


def test_a_closed_letter_shows_its_count_and_no_form(client, embedded, coordinator, capture):
    letter_close(letter=embedded, actor=coordinator)
    response = client.get(embed_url(embedded))
    content = response.content.decode()
    assert "Signing of this letter has ended" in content
    assert "<form" not in content
    token = embed_token_make(embedded)
    response = sign(client, embedded, token=token, capture=capture)
    assert response.status_code == 200
    assert Signature.objects.count() == 0


# --- signing in the frame ---------------------------------------------------------------------


def test_a_signer_signs_in_the_frame_without_any_cookie(embedded, capture):
    client = Client(enforce_csrf_checks=True)  # as a browser that keeps a frame's cookies out
    response = sign(client, embedded, capture=capture)
    assert response.status_code == 302
    assert response["Location"] == f"/letters/{embedded.slug}/embed/done/"
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert signature.name == ORGANIZATION["name"]
    assert signature.ip_address == "203.0.113.7"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ORGANIZATION["email"]]
    assert f"/signatures/{signature.pk}/" in mail.outbox[0].body


def test_a_signer_on_the_french_page_gets_french_mail_and_the_french_done_step(embedded, capture):
    client = Client(enforce_csrf_checks=True)
    token = token_of(client.get(embed_url(embedded, "fr")))
    with capture(execute=True):
        response = client.post(
            embed_url(embedded, "fr"), {**ORGANIZATION, "embed_token": token}, HTTP_ORIGIN=OWN
        )
    assert response["Location"] == f"/fr/letters/{embedded.slug}/embed/done/"
    assert Signature.objects.get().language == "fr"


def test_without_an_origin_header_the_token_suffices(client, embedded, capture):
    assert sign(client, embedded, origin=None, capture=capture).status_code == 302
    assert Signature.objects.count() == 1


def test_the_normal_sign_form_still_needs_its_csrf_token(embedded):
    client = Client(enforce_csrf_checks=True)
    response = client.post(sign_url(embedded), ORGANIZATION)
    assert response.status_code == 403
    assert Signature.objects.count() == 0


def test_a_post_from_another_site_is_refused_with_what_was_typed(client, embedded, capture):
    response = sign(client, embedded, origin=PARTNER, capture=capture)
    assert response.status_code == 403
    content = response.content.decode()
    assert "This form can only be sent from its own page." in content
    assert f'value="{escape(ORGANIZATION["name"])}"' in content
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_an_expired_form_is_refused_with_what_was_typed_and_a_new_token(client, embedded, capture):
    token = token_of(client.get(embed_url(embedded)))
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=7)
    with time_machine.travel(later):
        response = sign(client, embedded, token=token, capture=capture)
    assert response.status_code == 403
    content = response.content.decode()
    assert "This form was open too long and has expired." in content
    for field in ("name", "acronym", "contact_name", "email"):
        assert f'value="{escape(ORGANIZATION[field])}"' in content
    assert Signature.objects.count() == 0
    # Sent again with the page's new token, it signs.
    with time_machine.travel(later):
        response = sign(client, embedded, token=token_of(response), capture=capture)
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def _signed_otherwise(token: str) -> str:
    """The token with its signature changed."""
    value, _, signature = token.rpartition(":")
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def _other_letter_claimed(token: str) -> str:
    """The token naming another letter, its signature kept."""
    payload, _, rest = token.partition(":")
    return f"{signing.b64_encode(b'999999').decode()}:{rest}"


@pytest.mark.parametrize(
    "forge",
    [lambda token: "", lambda token: "not-a-token", _signed_otherwise, _other_letter_claimed],
    ids=["missing", "garbage", "signature-changed", "letter-changed"],
)
def test_a_missing_or_forged_token_is_refused(client, embedded, capture, forge):
    token = forge(embed_token_make(embedded))
    response = sign(client, embedded, token=token, capture=capture)
    assert response.status_code == 403
    content = response.content.decode()
    assert "This form could not be checked." in content
    assert f'value="{escape(ORGANIZATION["email"])}"' in content
    assert Signature.objects.count() == 0


def test_a_token_of_another_letter_is_refused(client, embedded, coordinator, capture):
    other = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    response = sign(client, embedded, token=embed_token_make(other), capture=capture)
    assert response.status_code == 403
    assert "This form could not be checked." in response.content.decode()
    assert Signature.objects.count() == 0


def test_a_token_made_for_another_purpose_is_refused(client, embedded, capture):
    from_elsewhere = listed(embedded, email="someone@example.org").token("confirm")
    response = sign(client, embedded, token=from_elsewhere, capture=capture)
    assert response.status_code == 403
    assert Signature.objects.count() == 1  # the one listed above only


def test_the_honeypot_answers_as_a_success_and_records_nothing(client, embedded, capture):
    data = {**ORGANIZATION, "homepage": "http://spam.example"}
    response = sign(client, embedded, data, capture=capture)
    assert response.status_code == 302
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_the_rate_limit_of_the_sign_form_applies_with_what_was_typed(
    client, embedded, capture, settings
):
    settings.SIGNING_RATE_LIMIT = "1/h"
    assert sign(client, embedded, capture=capture).status_code == 302
    data = {**ORGANIZATION, "email": "second@example.org", "name": "Second Association"}
    response = sign(client, embedded, data, capture=capture)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many attempts from your network" in content
    assert 'value="Second Association"' in content
    assert Signature.objects.count() == 1


def test_the_embed_form_and_the_main_form_share_one_rate_limit(client, embedded, capture, settings):
    settings.SIGNING_RATE_LIMIT = "1/h"
    with capture(execute=True):
        client.post(sign_url(embedded), ORGANIZATION, REMOTE_ADDR="203.0.113.7")
    data = {**ORGANIZATION, "email": "second@example.org"}
    assert sign(client, embedded, data, capture=capture).status_code == 429


def test_a_blocked_address_is_told_on_the_form(client, embedded, capture):
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="atn.example.org")
    response = sign(client, embedded, capture=capture)
    assert response.status_code == 200
    assert "Signatures from this address are not accepted." in response.content.decode()
    assert Signature.objects.count() == 0


def test_mistakes_are_shown_in_the_frame_with_what_was_typed(client, embedded, capture):
    response = sign(client, embedded, {**ORGANIZATION, "country": "Atlantis"}, capture=capture)
    assert response.status_code == 200
    content = response.content.decode()
    assert "is-invalid" in content
    assert f'value="{escape(ORGANIZATION["name"])}"' in content
    assert frame_ancestors(response) == f"'self' {PARTNER}"
    assert "X-Frame-Options" not in response


def test_a_name_with_markup_is_escaped_when_shown_again(client, embedded, capture):
    data = {**ORGANIZATION, "name": '<script>alert("x")</script>', "country": "Atlantis"}
    content = sign(client, embedded, data, capture=capture).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content


# --- the done step ----------------------------------------------------------------------------


def test_the_done_step_says_check_your_mail_and_offers_the_share_links(client, embedded):
    response = client.get(f"/letters/{embedded.slug}/embed/done/")
    assert response.status_code == 200
    assert frame_ancestors(response) == f"'self' {PARTNER}"
    assert "X-Frame-Options" not in response
    content = response.content.decode()
    assert "Check your e-mail" in content
    assert "Ask others to sign" in content
    assert f'value="http://localhost:8000/letters/{embedded.slug}/"' in content
    assert 'href="mailto:?subject=' in content
    assert "&lt;iframe src=&quot;http://localhost:8000/letters/" in content
