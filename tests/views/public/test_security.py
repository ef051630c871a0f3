"""Forged requests, scripts in names, and private addresses on public pages."""

import pytest
from django.test import Client
from django.utils.html import escape

from letters_app.models import Signature
from tests.factories import SignatureFactory, listed
from tests.views.public.signing import ORGANIZATION, confirm_url, manage_url, sign_url

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def test_every_public_form_refuses_a_post_without_its_csrf_token(open_letter):
    signature = listed(open_letter, name="Association TEP NIMITH")
    pending = SignatureFactory(letter=open_letter)
    browser = Client(enforce_csrf_checks=True)
    urls = [
        sign_url(open_letter),
        f"/letters/{open_letter.slug}/sign/resend/",
        confirm_url(pending),
        manage_url(signature),
        f"{manage_url(signature)}withdraw/",
        f"{manage_url(signature)}keep/",
    ]
    data = {**ORGANIZATION, "email": "other@example.org"}
    for url in urls:
        assert browser.post(url, data).status_code == 403, url
    assert Signature.objects.count() == 2
    assert Signature.objects.get(pk=pending.pk).status == Signature.Status.PENDING
    assert Signature.objects.get(pk=signature.pk).name == "Association TEP NIMITH"


def test_the_sign_form_works_with_its_csrf_token(open_letter, django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True)
    browser.get(sign_url(open_letter))
    token = browser.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=False):
        response = browser.post(
            sign_url(open_letter), {**ORGANIZATION, "csrfmiddlewaretoken": token}
        )
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_script_as_a_name_is_shown_escaped_everywhere(client, open_letter):
    signature = listed(open_letter, name=SCRIPT, acronym='"><b>')
    pages = [
        client.get(open_letter.get_absolute_url()),
        client.get(confirm_url(signature)),
        client.get(manage_url(signature)),
    ]
    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        assert SCRIPT not in content
        assert escape(SCRIPT) in content
        assert '"><b>' not in content


def test_a_script_typed_into_the_sign_form_comes_back_escaped(client, open_letter):
    response = client.post(sign_url(open_letter), {**ORGANIZATION, "name": SCRIPT, "email": "x"})
    content = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in content
    assert escape(SCRIPT) in content


def test_no_email_address_on_the_public_and_link_pages(client, open_letter):
    signature = listed(open_letter, email="secret.person@private.example")
    pending = SignatureFactory(letter=open_letter, email="waiting@private.example")
    pages = [
        open_letter.get_absolute_url(),
        f"/letters/{open_letter.slug}/sign/done/",
        sign_url(open_letter),
        confirm_url(pending),
        confirm_url(signature),
        manage_url(signature),
        "/",
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "private.example" not in content, url
