"""The frozen letter's JSON, published for anyone to check its SHA-256."""

import hashlib

import pytest

from letters_app.models import LetterSnapshot
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

KHMER_NAME = "សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា"


@pytest.fixture
def finalized_letter(open_letter, coordinator, django_capture_on_commit_callbacks):
    SignatureFactory(letter=open_letter, name=KHMER_NAME, status="confirmed", is_public=True)
    letter_close(letter=open_letter, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):  # no PDF needed here
        letter_finalize(letter=open_letter, actor=coordinator)
    return open_letter


def json_url(letter, prefix: str = "") -> str:
    return f"{prefix}/letters/{letter.slug}/letter.json"


def test_the_json_is_the_bytes_its_sha256_was_taken_of_at_one_address(
    client, finalized_letter, recipient, settings
):
    sha256 = LetterSnapshot.objects.get(letter=finalized_letter).sha256
    response = client.get(json_url(finalized_letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert hashlib.sha256(response.content).hexdigest() == sha256
    assert KHMER_NAME.encode() in response.content  # as UTF-8, not \u escapes
    assert recipient.email.encode() not in response.content
    for prefix in ("/fr", "/km"):
        assert client.get(json_url(finalized_letter, prefix)).content == response.content
    page = client.get(f"/km/letters/{finalized_letter.slug}/").text
    assert f"curl -s {settings.SITE_URL}{json_url(finalized_letter)} | sha256sum" in page


def test_no_json_before_the_letter_is_finalized(client, open_letter, coordinator):
    assert client.get(json_url(open_letter)).status_code == 404
    letter_close(letter=open_letter, actor=coordinator)
    assert client.get(json_url(open_letter)).status_code == 404
    assert "How to verify" not in client.get(open_letter.get_absolute_url()).text


def test_a_draft_has_no_json(client, letter):
    assert client.get(json_url(letter)).status_code == 404


def test_a_snapshot_holding_recipients_addresses_is_not_published(client, finalized_letter):
    """Made before the addresses were left out: publishing it would make them public."""
    snapshot = LetterSnapshot.objects.get(letter=finalized_letter)
    content = snapshot.content
    content["recipients"][0]["email"] = "private-office@example.org"
    LetterSnapshot.objects.filter(pk=snapshot.pk).update(content=content)
    assert client.get(json_url(finalized_letter)).status_code == 404
    page = client.get(finalized_letter.get_absolute_url()).text
    assert "How to verify" not in page
    assert "private-office@example.org" not in page
