"""The privacy page, and a signer erasing their personal data from their private link."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from letters_app.models import AuditEvent, Signature
from tests.factories import SignatureFactory, listed
from tests.views.public.signing import manage_url, sign_url

pytestmark = pytest.mark.django_db
S = Signature.Status

NAME = "Association TEP NIMITH"
# The confirmation page's words and button, and the page after, in each language.
WORDS = {
    "en": ("Erase your personal data", "Erase my personal data", "Your personal data is erased"),
    "fr": ("Effacer vos données personnelles", "Effacer mes données personnelles",
           "Vos données personnelles sont effacées"),
    "km": ("លុបទិន្នន័យផ្ទាល់ខ្លួនរបស់អ្នក", "លុបទិន្នន័យផ្ទាល់ខ្លួនរបស់ខ្ញុំ",
           "ទិន្នន័យផ្ទាល់ខ្លួនរបស់អ្នកត្រូវបានលុប"),
}  # fmt: skip
DELIVERED = "the letter its recipients received still carries your name"


def in_language(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def erase_url(signature, language: str = "en") -> str:
    return in_language(
        language, "public:signature-erase", pk=signature.pk, token=signature.token("manage")
    )


@pytest.fixture
def signature(open_letter):
    return listed(
        open_letter, name=NAME, email="dara@atn.example.org", ip_address="203.0.113.9",
        contact_name="Sok Dara",
    )  # fmt: skip


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "Your e-mail address and IP address are removed 30 days after the letter is sent."),
        ("fr", "supprimées 30 jours après l'envoi de la lettre."),
        ("km", "ត្រូវបានលុប 30 ថ្ងៃក្រោយពេលលិខិតត្រូវបានផ្ញើ"),
    ],
)
def test_the_privacy_page_states_the_retention_setting_in_each_language(
    client, settings, language, says
):
    settings.SIGNER_DATA_RETENTION_DAYS = 30
    content = page(client, in_language(language, "public:privacy"))
    assert says in content
    assert f'<html lang="{language}">' in content


def test_one_day_reads_in_the_singular(client, settings):
    settings.SIGNER_DATA_RETENTION_DAYS = 1
    assert "removed 1 day after the letter is sent" in page(client, reverse("public:privacy"))


def test_every_page_links_to_it_and_the_sign_form_does_near_the_address(client, open_letter):
    privacy = reverse("public:privacy")
    assert (
        f'<footer class="border-top py-3">\n  <div class="container small"><a href="{privacy}">'
        in (page(client, reverse("public:home")))
    )
    form = page(client, sign_url(open_letter))
    consent = form.index('name="consent_public"')
    assert form.index(f'href="{privacy}"', consent) < form.index("Sign the letter</button>")
    french = page(client, in_language("fr", "public:letter-sign", slug=open_letter.slug))
    assert f'href="{in_language("fr", "public:privacy")}"' in french


def test_the_manage_page_offers_erasure_on_a_page_of_its_own(client, signature):
    content = page(client, manage_url(signature))
    assert f'href="{erase_url(signature)}"' in content


@pytest.mark.parametrize("language", ["en", "fr", "km"])
def test_erasing_asks_once_then_erases_and_the_name_leaves_the_list(
    client, signature, open_letter, language
):
    heading, button, done = WORDS[language]
    url = erase_url(signature, language)
    assert NAME in page(client, open_letter.get_absolute_url())  # and readers' cache holds it
    manage = manage_url(signature)
    content = page(client, url)
    assert heading in content and button in content and 'method="post"' in content
    assert DELIVERED not in content
    signature.refresh_from_db()
    assert (signature.email, signature.is_public) == ("dara@atn.example.org", True)  # only asked

    response = client.post(url)

    erased_url = in_language(language, "public:signature-erased", slug=open_letter.slug)
    assert (response.status_code, response["Location"]) == (302, erased_url)
    assert done in page(client, erased_url)
    signature.refresh_from_db()
    assert (signature.email, signature.ip_address, signature.contact_name) == ("", None, "")
    assert (signature.status, signature.is_public) == (S.WITHDRAWN, False)
    assert NAME not in page(client, open_letter.get_absolute_url())
    # The link no longer reveals anything: neither the entry nor the erasure.
    assert client.get(manage).status_code == 404
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert AuditEvent.objects.filter(action="signature.erased").count() == 1


def test_on_a_delivered_letter_the_page_says_the_letter_still_carries_the_name(
    client, frozen_letter
):
    signature = Signature.objects.filter(letter=frozen_letter, is_public=True).first()
    assert DELIVERED in page(client, erase_url(signature))
    response = client.post(erase_url(signature), follow=True)
    content = response.content.decode()
    assert "Your personal data is erased" in content and DELIVERED in content
    signature.refresh_from_db()
    assert (signature.email, signature.is_public) == ("", True)


def test_a_post_without_the_forms_csrf_token_erases_nothing(signature):
    client = Client(enforce_csrf_checks=True)
    assert client.post(erase_url(signature)).status_code == 403
    signature.refresh_from_db()
    assert signature.erased_at is None


@pytest.mark.parametrize(
    "url",
    [
        lambda s: f"/signatures/{s.pk}/{'0' * 64}/erase/",
        lambda s: f"/signatures/{s.pk}/{s.token('confirm')}/erase/",  # another purpose's token
        lambda s: f"/signatures/{s.pk + 1000}/{s.token('manage')}/erase/",
    ],
)
def test_a_stranger_with_a_bad_token_erases_nothing(client_for, stranger, signature, url):
    client = client_for(stranger)
    assert client.get(url(signature)).status_code == 404
    assert client.post(url(signature)).status_code == 404
    signature.refresh_from_db()
    assert (signature.email, signature.is_public, signature.erased_at) == (
        "dara@atn.example.org", True, None,
    )  # fmt: skip


def test_another_signatures_token_does_not_erase_this_one(client, signature):
    other = SignatureFactory(letter=signature.letter)
    assert client.post(
        f"/signatures/{signature.pk}/{other.token('manage')}/erase/"
    ).status_code == (404)
    signature.refresh_from_db()
    assert signature.erased_at is None
