"""The sign form keeps its letter in the process for a second: every change a coordinator makes
to what signing depends on applies to the very next signature, and one made by another process
within that second."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters_app import cache as letter_cache
from letters_app.models import Letter, Signature, SignerMail
from letters_app.services.letters import letter_close, letter_update
from tests.views.public.signing import INDIVIDUAL, ORGANIZATION, sign_url

pytestmark = pytest.mark.django_db


def post(client, letter, data, n=0):
    return client.post(sign_url(letter), {**data, "email": f"signer{n}@example.org"})


@pytest.fixture
def warm(client, open_letter, django_capture_on_commit_callbacks):
    """The open letter, its form read and one signature taken, so the cache holds it."""
    assert client.get(sign_url(open_letter)).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        assert post(client, open_letter, ORGANIZATION).status_code == 302
    return open_letter


def test_a_sign_post_reads_no_letter_and_inserts_the_signature_with_its_mail(
    client, warm, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(letter_cache, "SIGNING_LETTER_TTL", 60.0)  # however slow the machine
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as captured,
    ):
        assert post(client, warm, ORGANIZATION, n=1).status_code == 302
    # Under the test's transaction the statement sits in a savepoint; in production it is alone.
    sql = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 1  # one statement writes the signature and its mail
    assert 'INSERT INTO "letters_app_signature"' in sql[0]
    assert 'INSERT INTO "letters_app_signermail"' in sql[0]
    assert len(callbacks) == 1  # a worker woken, at most once a second per process
    signature = Signature.objects.get(email="signer1@example.org")
    assert signature.mails.get().kind == SignerMail.Kind.CONFIRMATION


def test_a_letter_closed_after_its_form_was_read_takes_no_more(client, warm, coordinator):
    letter_close(letter=warm, actor=coordinator)
    response = post(client, warm, ORGANIZATION, n=1)
    assert response.status_code == 200
    assert "Signing of this letter has ended on" in response.content.decode()
    assert Signature.objects.filter(letter=warm).count() == 1


def test_a_kind_accepted_after_the_form_was_read_can_sign(client, warm, coordinator):
    letter_update(letter=warm, data={"accepts_individuals": True}, actor=coordinator)
    assert post(client, warm, INDIVIDUAL, n=1).status_code == 302
    assert Signature.objects.get(email="signer1@example.org").kind == Signature.Kind.INDIVIDUAL


def test_pausing_the_letter_applies_to_the_next_signature(client, warm, coordinator):
    letter_update(letter=warm, data={"signing_paused": True}, actor=coordinator)
    response = post(client, warm, ORGANIZATION, n=1)
    assert response.status_code == 200
    assert "Signing is paused for a moment." in response.content.decode()
    assert Signature.objects.filter(letter=warm).count() == 1


def test_a_renamed_letter_is_not_signed_at_its_old_address(client, warm, coordinator):
    old = sign_url(warm)
    letter_update(letter=warm, data={"slug": "renamed-letter"}, actor=coordinator)
    response = client.post(old, {**ORGANIZATION, "email": "signer1@example.org"})
    assert response.status_code == 404
    assert Signature.objects.filter(letter=warm).count() == 1


def test_a_change_made_by_another_process_applies_once_the_letter_is_stale(
    client, warm, monkeypatch
):
    # Another web process closed it: this one was not told, and reads the row again in time.
    Letter.objects.filter(pk=warm.pk).update(
        status=Letter.Status.CLOSED, signing_closed_at=timezone.now()
    )
    monkeypatch.setattr(letter_cache, "SIGNING_LETTER_TTL", 0.0)
    response = post(client, warm, ORGANIZATION, n=1)
    assert response.status_code == 200
    assert "Signing of this letter has ended on" in response.content.decode()
    assert Signature.objects.filter(letter=warm).count() == 1
