"""Exports through a token: started as the letter's background exports are, followed, and
fetched once a worker has made them."""

import csv
import io
import json

import pytest

from letters_app.models import ApiToken, AuditAction, AuditEvent, ExportJob
from letters_app.services.signatures import signature_add, signature_confirm
from tests.api.coordinator import BASE, call, conforms, token_for
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FORMULA = '=HYPERLINK("https://evil.example","Click")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signed(open_letter):
    for n, name in enumerate(["Association TEP NIMITH", KHMER, FORMULA]):
        signature, _created = signature_add(
            letter=open_letter, kind="organization", email=f"signer{n}@example.org", name=name,
            country="KH", consent_public=True,
        )  # fmt: skip
        signature_confirm(signature=signature)
    SignatureFactory(letter=open_letter, name="Pending Person", email="pending@example.org")
    return open_letter


@pytest.fixture
def secret(signed, co_coordinator):
    # Reading is enough: an export changes nothing.
    return token_for(signed, co_coordinator, ApiToken.Scope.READ)[1]


def start(letter, secret, captured, **body):
    with captured(execute=True):
        response = call("post", f"{BASE}/{letter.slug}/exports", secret, body)
    return response, conforms(response, "/letters/{slug}/exports", "post")


def test_an_export_is_started_followed_and_fetched(
    signed, secret, co_coordinator, django_capture_on_commit_callbacks, eager_tasks
):
    response, job = start(signed, secret, django_capture_on_commit_callbacks, format="csv")
    assert response.status_code == 202
    made = ExportJob.objects.get(pk=job["id"])
    assert made.letter == signed and made.requested_by == co_coordinator
    status = call("get", f"{BASE}/{signed.slug}/exports/{job['id']}", secret)
    followed = conforms(status, "/letters/{slug}/exports/{export_id}")
    assert followed["status"] == "done" and followed["percent"] == 100
    assert followed["file_url"] == f"http://testserver{BASE}/{signed.slug}/exports/{job['id']}/file"
    file = call("get", followed["file_url"].removeprefix("http://testserver"), secret)
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(file.streaming_content).decode("utf-8-sig"))))
    names = [row[rows[0].index("name")] for row in rows[1:]]
    assert names == ["Association TEP NIMITH", KHMER, "'" + FORMULA]  # the public list
    assert "signer0@example.org" not in str(rows)


def test_a_private_json_export_holds_the_addresses_and_is_recorded(
    signed, secret, co_coordinator, django_capture_on_commit_callbacks, eager_tasks
):
    _response, job = start(signed, secret, django_capture_on_commit_callbacks, format="json",
                           private=True, status=["pending"])  # fmt: skip
    file = call("get", f"{BASE}/{signed.slug}/exports/{job['id']}/file", secret)
    rows = json.loads(b"".join(file.streaming_content))
    assert [(row["name"], row["email"]) for row in rows] == [
        ("Pending Person", "pending@example.org")
    ]
    event = AuditEvent.objects.get(action=AuditAction.SIGNATURES_EXPORTED)
    assert event.actor == co_coordinator and event.detail["private"] is True


def test_a_file_is_not_served_before_it_is_made(signed, secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # no worker has run it
        response = call("post", f"{BASE}/{signed.slug}/exports", secret, {"format": "xlsx"})
    job = conforms(response, "/letters/{slug}/exports", "post")
    assert job["status"] == "queued" and job["file_url"] is None
    file = call("get", f"{BASE}/{signed.slug}/exports/{job['id']}/file", secret)
    assert file.status_code == 404
    assert conforms(file, "/letters/{slug}/exports/{export_id}/file") == {
        "detail": "The export is not ready."
    }


def test_a_wrong_format_or_filter_is_refused(signed, secret):
    for body in ({"format": "doc"}, {"status": ["lost"]}, {"country": ["XX"]}):
        response = call("post", f"{BASE}/{signed.slug}/exports", secret, body)
        assert response.status_code == 422, body
    assert not ExportJob.objects.exists()
