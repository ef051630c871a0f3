"""What a signer may type: tidied where harmless, refused with a clear message otherwise."""

import pytest
from django.test import Client

from letters_app.models import Letter, Signature
from letters_app.services.signatures import signature_confirm
from tests.factories import LetterFactory
from tests.views.public.signing import INDIVIDUAL, ORGANIZATION, sign_url

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FRENCH = "Ligue Cambodgienne des Droits de l'Homme et du Citoyen"


@pytest.fixture
def sign(client, open_letter, django_capture_on_commit_callbacks, eager_tasks):
    def post(**changes):
        data = {k: v for k, v in {**ORGANIZATION, **changes}.items() if v is not None}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(sign_url(open_letter), data)

    return post


def errors(response, field):
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize("name", [KHMER, FRENCH, "Association des Bouddhistes Khmers d'Alsace"])
def test_names_survive_byte_for_byte_from_the_form_to_the_list(client, open_letter, sign, name):
    assert sign(name=name, acronym="").status_code == 302
    signature = Signature.objects.get()
    assert signature.name.encode() == name.encode()
    signature_confirm(signature=signature)
    content = client.get(open_letter.get_absolute_url()).content.decode()
    escaped = name.replace("'", "&#x27;")
    assert (
        f'<span class="signatory-number">1.</span> <span class="signatory-line">{escaped}, France'
        in content
    )


def test_a_khmer_individual_survives_too(client, open_letter, django_capture_on_commit_callbacks):
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True)
    data = {**INDIVIDUAL, "name": "ហេង សុខា", "affiliation": KHMER, "country": "KH"}
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(sign_url(open_letter), data).status_code == 302
    signature = Signature.objects.get()
    assert (signature.name, signature.affiliation) == ("ហេង សុខា", KHMER)


def test_an_over_long_name_is_refused_with_a_clear_message(sign):
    response = sign(name="A" * 201)
    assert response.status_code == 200
    assert errors(response, "name") == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert Signature.objects.count() == 0


def test_a_megabyte_of_text_is_refused_not_a_crash(sign):
    response = sign(name="x" * 1_000_000)
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in errors(response, "name")[0]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "country", "email", "consent_public"])
def test_required_fields_are_asked_for(sign, field):
    response = sign(**{field: None})
    assert response.status_code == 200
    assert len(errors(response, field)) == 1
    assert Signature.objects.count() == 0


def test_an_empty_or_blank_name_is_refused(sign):
    for name in ("", "   ", "\u200b\u200b"):
        response = sign(name=name)
        assert errors(response, "name") == ["This field is required."]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "x@example.org\r\nBcc: y@example.org"])
def test_an_invalid_email_is_refused(sign, email):
    response = sign(email=email)
    assert errors(response, "email") == ["Enter a valid email address."]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "value", ["Line\r\nBreak", "Line\nBreak", "Bell\x07", "Esc\x1b[31m", "a\u2028b"]
)
def test_line_breaks_and_control_characters_are_refused(sign, value):
    response = sign(name=value, contact_role=value)
    message = ["Write this on one line, without line breaks or control characters."]
    assert errors(response, "name") == message
    assert errors(response, "contact_role") == message
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "field",
    ["kind", "name", "acronym", "country", "organization_type", "website", "contact_name",
     "contact_role", "email"],
)  # fmt: skip
def test_a_nul_byte_in_any_field_is_a_form_error_not_a_crash(sign, field):
    response = sign(**{field: ORGANIZATION[field][:3] + "\x00" + ORGANIZATION[field][3:]})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("__all__" if field == "kind" else field)
    assert Signature.objects.count() == 0


def test_a_nul_byte_in_a_field_of_another_kind_is_ignored(sign):
    assert sign(party="Nul\x00Party", title="\x00").status_code == 302
    signature = Signature.objects.get()
    assert (signature.party, signature.title) == ("", "")


def test_a_nul_byte_in_the_resend_form_is_a_form_error(client, open_letter):
    response = client.post(f"/letters/{open_letter.slug}/sign/resend/", {"email": "a\x00@b.org"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_bidi_controls_left_open_are_removed_joiners_are_kept(sign):
    name = "\u202eLigue\u200b des\u2066 droits\u2069\ufeff\u2060"
    assert sign(name=name, contact_name="Sok\u200d Dara\u202c").status_code == 302
    signature = Signature.objects.get()
    assert signature.name == "Ligue\u200b des\u2066 droits\u2069"
    assert signature.contact_name == "Sok\u200d Dara"


def test_spaces_are_collapsed_and_text_is_nfc(sign):
    decomposed = "Ligue Cambodgienne des Droits de l'Homme, Cre\u0301teil"
    assert sign(name=f"  {decomposed}\t\u00a0 ", acronym=" L  C ").status_code == 302
    signature = Signature.objects.get()
    assert signature.name == "Ligue Cambodgienne des Droits de l'Homme, Cr\u00e9teil"
    assert signature.acronym == "L C"


@pytest.mark.parametrize(
    "name", ["http://cheap.example", "HTTPS://x.y/z", "www.spam-shop", "cheap-pills.com",
             "Visit us at bit.ly now"],
)  # fmt: skip
def test_a_web_address_as_a_name_is_refused(sign, name):
    response = sign(name=name)
    assert errors(response, "name") == ["Write the name only, not a web address."]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["=SUM(A1:A2)", "+855 Collective", "-Minus Group", "@Home Network"]
)
def test_names_starting_with_formula_characters_are_accepted(sign, name):
    assert sign(name=name).status_code == 302
    assert Signature.objects.get().name == name


def test_a_javascript_website_is_refused(sign):
    response = sign(website="javascript:alert(1)")
    assert errors(response, "website") == ["Enter a valid URL."]
    assert Signature.objects.count() == 0


def test_extra_fields_in_the_post_are_ignored(sign, open_letter, coordinator):
    other = LetterFactory(created_by=coordinator)
    response = sign(
        status="confirmed", is_public="true", letter=str(other.pk), version="9",
        email_normalized="someone@else.org", secret="0" * 32, title="Ignored title",
    )  # fmt: skip
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.letter_id == open_letter.pk
    assert signature.status == Signature.Status.PENDING
    assert signature.is_public is False
    assert signature.version == open_letter.version
    assert signature.email_normalized == ORGANIZATION["email"]
    assert signature.secret != "0" * 32
    assert signature.title == ""


def test_khmer_and_french_survive_a_raw_utf8_post(open_letter):
    body = "&".join(
        f"{k}={v}"
        for k, v in {**ORGANIZATION, "name": KHMER, "acronym": "", "contact_name": FRENCH}.items()
    )
    from urllib.parse import quote

    encoded = "&".join(f"{k}={quote(v)}" for k, v in (p.split("=", 1) for p in body.split("&")))
    response = Client().post(
        sign_url(open_letter), encoded, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.name, signature.contact_name) == (KHMER, FRENCH)
