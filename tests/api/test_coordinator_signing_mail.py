"""Signing from a partner's server, end to end on the real parts: the API, a Celery worker, an
SMTP server. The signer gets the confirmation mail, and the signature counts once they follow
its link, as with Cosign's own form."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from letters_app.models import ApiToken, Signature
from tests.api.coordinator import BASE, call, token_for
from tests.workers import smtp_env

pytestmark = pytest.mark.integration

KHMER_NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server)


def test_a_signature_sent_by_a_server_is_confirmed_by_its_signer(
    open_letter, coordinator, smtp_server, celery_worker_process
):
    _token, secret = token_for(open_letter, coordinator, ApiToken.Scope.READ_WRITE)
    body = {"kind": "organization", "name": KHMER_NAME, "acronym": "SKSM", "country": "KH",
            "email": "dara@example.org", "consent_public": True, "language": "km",
            "signer_ip": "203.0.113.9"}  # fmt: skip
    response = call("post", f"{BASE}/{open_letter.slug}/signatures", secret, body)
    assert response.status_code == 202
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING

    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) == 1)
    recipients, message = smtp_server.inbox.messages[0]
    assert recipients == ["dara@example.org"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    confirm = urlsplit(re.search(rf"https?://\S+/signatures/{signature.pk}/\S+", text).group(0))
    client = Client()
    client.post(confirm.path)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert f"{KHMER_NAME} (SKSM)" in client.get(open_letter.get_absolute_url()).text
    listed = call("get", f"{BASE}/{open_letter.slug}/signatures?status=confirmed", secret).json()
    assert [(s["email"], s["is_public"]) for s in listed["items"]] == [("dara@example.org", True)]
