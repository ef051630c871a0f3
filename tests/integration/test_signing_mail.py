"""Signing end to end on the real parts: the sign form, a Celery worker, an SMTP server."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from letters_app.models import Signature
from tests.workers import smtp_env

pytestmark = pytest.mark.integration

KHMER_NAME = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server)


def _link(message, label: str) -> str:
    """The path of the first link in the plain-text body that follows `label`."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    after = body.split(label, 1)[1]
    return urlsplit(re.search(r"https?://\S+", after).group(0)).path


def test_confirmation_mail_arrives_and_its_link_lists_the_signer(
    open_letter, smtp_server, celery_worker_process
):
    client = Client()
    response = client.post(
        f"/letters/{open_letter.slug}/sign/",
        {
            "kind": "organization",
            "name": KHMER_NAME,
            "acronym": "SKSM",
            "country": "KH",
            "organization_type": "association",
            "contact_name": "Sok Dara",
            "contact_role": "President",
            "email": "dara@example.org",
            "consent_public": "on",
        },
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING

    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) == 1)
    recipients, message = smtp_server.inbox.messages[0]
    assert recipients == ["dara@example.org"]
    assert open_letter.title in message["Subject"]

    confirm_path = _link(message, "press the “Confirm my signature” button:")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert KHMER_NAME in page.text
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING  # a GET (a mail scanner) changes nothing

    client.post(confirm_path)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    letter_page = client.get(open_letter.get_absolute_url())
    assert f"{KHMER_NAME} (SKSM), Cambodia" in letter_page.text
    assert "dara@example.org" not in letter_page.text
