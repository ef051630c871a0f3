"""Each kind of token on each letter, against every endpoint of the coordinators' API: a read
token reads its letter and changes nothing; a read and write token does both; a token never
reaches another letter (404, as if it did not exist); a revoked, garbled or missing token is
refused (401). Every answer is checked against the served OpenAPI schema."""

import pytest
from django.core.files.base import ContentFile

from letters_app.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    ExportJob,
    Partner,
    Signature,
)
from letters_app.services.api_tokens import api_token_revoke
from letters_app.services.letters import letter_open
from tests.api.coordinator import BASE, call, conforms, token_for
from tests.factories import LetterFactory, RecipientFactory, UserFactory, listed

pytestmark = pytest.mark.django_db

R = ApiToken.Scope.READ
RW = ApiToken.Scope.READ_WRITE


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signed(open_letter):
    """The open letter, with one listed signature."""
    listed(open_letter, email="signer@example.org", name="Licadho")
    return open_letter


@pytest.fixture
def done_export(signed, coordinator):
    job = ExportJob.objects.create(letter=signed, format="csv", requested_by=coordinator,
                                   status=ExportJob.Status.DONE)  # fmt: skip
    job.file.save("ready.csv", ContentFile(b"name\nLicadho\n"))
    return job


@pytest.fixture
def other_letter(db):
    owner = UserFactory(username="other-coordinator")
    letter = LetterFactory(created_by=owner, recipients=[RecipientFactory()], slug="another")
    return letter_open(letter=letter, actor=owner)


def endpoints(letter, job):
    """(method, path template, path, body, writes) for every endpoint."""
    s = letter.slug
    sign = {"kind": "organization", "email": "new@example.org", "consent_public": True,
            "name": "Adhoc", "country": "KH"}  # fmt: skip
    signature = letter.signatures.first()
    return [
        ("get", "/letters/{slug}/signatures", f"{BASE}/{s}/signatures", None, False),
        ("post", "/letters/{slug}/signatures", f"{BASE}/{s}/signatures", sign, True),
        ("post", "/letters/{slug}/signatures/moderate", f"{BASE}/{s}/signatures/moderate",
         {"ids": [signature.pk if signature else 1], "action": "invalidate"}, True),
        ("post", "/letters/{slug}/exports", f"{BASE}/{s}/exports", {"format": "csv"}, False),
        ("get", "/letters/{slug}/exports/{export_id}", f"{BASE}/{s}/exports/{job.pk}", None,
         False),
        ("get", "/letters/{slug}/exports/{export_id}/file", f"{BASE}/{s}/exports/{job.pk}/file",
         None, False),
        ("get", "/letters/{slug}/partners", f"{BASE}/{s}/partners", None, False),
        ("post", "/letters/{slug}/partners", f"{BASE}/{s}/partners",
         {"partners": [{"name": "STT", "country": "KH", "email": "stt@example.org"}]}, True),
        ("post", "/letters/{slug}/partners/invite", f"{BASE}/{s}/partners/invite", {"ids": None},
         True),
    ]  # fmt: skip


def _json_conforms(response, template, method):
    if template.endswith("/file") and response.status_code == 200:
        assert response["Content-Disposition"].startswith("attachment")
        return
    conforms(response, template, method)


def _unchanged(letter) -> tuple:
    return (
        list(letter.signatures.order_by("pk").values_list("pk", "status")),
        Partner.objects.filter(letter=letter).count(),
    )


def test_a_read_token_reads_its_letter_and_changes_nothing(signed, done_export, coordinator):
    _token, secret = token_for(signed, coordinator, R)
    before = _unchanged(signed)
    for method, template, path, body, writes in endpoints(signed, done_export):
        response = call(method, path, secret, body)
        if writes:
            assert response.status_code == 403, (method, path)
            assert "only read" in response.json()["detail"]
        else:
            assert response.status_code in (200, 202), (method, path, response.content)
        _json_conforms(response, template, method)
    assert _unchanged(signed) == before


def test_a_read_write_token_reads_and_changes_its_letter(signed, done_export, coordinator):
    _token, secret = token_for(signed, coordinator, RW)
    for method, template, path, body, _writes in endpoints(signed, done_export):
        response = call(method, path, secret, body)
        assert response.status_code in (200, 202), (method, path, response.content)
        _json_conforms(response, template, method)
    signature = signed.signatures.get(email="signer@example.org")
    assert signature.status == Signature.Status.REJECTED  # invalidated
    assert signed.signatures.filter(email="new@example.org").exists()
    assert Partner.objects.get(letter=signed).status == Partner.Status.INVITED


@pytest.mark.parametrize("scope", [R, RW])
def test_a_token_never_reaches_another_letter(
    signed, done_export, coordinator, other_letter, scope
):
    """Both ways: this letter's token on the other letter, the other letter's token here."""
    other_owner = other_letter.created_by
    listed(other_letter, email="elsewhere@example.org")
    other_job = ExportJob.objects.create(letter=other_letter, format="csv",
                                         requested_by=other_owner)  # fmt: skip
    _mine, my_secret = token_for(signed, coordinator, scope)
    _theirs, their_secret = token_for(other_letter, other_owner, scope)
    before = (_unchanged(signed), _unchanged(other_letter))
    for secret, letter, job in [(my_secret, other_letter, other_job),
                                (their_secret, signed, done_export)]:  # fmt: skip
        for method, template, path, body, _writes in endpoints(letter, job):
            response = call(method, path, secret, body)
            assert response.status_code == 404, (method, path, response.content)
            assert conforms(response, template, method) == {"detail": "Not found."}
    assert (_unchanged(signed), _unchanged(other_letter)) == before
    # Nor a letter that does not exist, nor this letter's export under another letter's path.
    assert call("get", f"{BASE}/no-such-letter/signatures", my_secret).status_code == 404
    foreign = f"{BASE}/{signed.slug}/exports/{other_job.pk}"
    assert call("get", foreign, my_secret).status_code == 404


def test_a_revoked_token_is_refused_everywhere(signed, done_export, coordinator):
    token, secret = token_for(signed, coordinator, RW)
    assert call("get", f"{BASE}/{signed.slug}/signatures", secret).status_code == 200
    api_token_revoke(token=token, actor=coordinator)
    before = _unchanged(signed)
    for method, template, path, body, _writes in endpoints(signed, done_export):
        response = call(method, path, secret, body)
        assert response.status_code == 401, (method, path)
        assert conforms(response, template, method) == {"detail": "Unauthorized"}
    assert _unchanged(signed) == before


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer nonsense",
        "Bearer cosign_00000000_" + "x" * 43,
        "Basic Y29vcmRpbmF0b3I6cGFzc3dvcmQ=",
        "SECRET",  # the secret without "Bearer": filled in below
        "Bearer SECRET-and-more",
        "Bearer " + "cosign_" + "x" * 5000,
    ],
)
def test_no_token_or_a_garbled_one_is_refused(signed, done_export, coordinator, authorization):
    _token, secret = token_for(signed, coordinator, RW)
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.replace("SECRET", secret)
    events = AuditEvent.objects.count()
    for method, template, path, body, _writes in endpoints(signed, done_export):
        response = call(method, path, None, body, **headers)
        assert response.status_code == 401, (method, path, authorization)
        assert response["WWW-Authenticate"] == 'Bearer realm="Cosign"'
        conforms(response, template, method)
    assert AuditEvent.objects.count() == events  # nobody to record


def test_a_token_stops_working_when_its_maker_no_longer_runs_the_letter(
    signed, coordinator, co_coordinator
):
    _token, secret = token_for(signed, co_coordinator, R)
    path = f"{BASE}/{signed.slug}/signatures"
    assert call("get", path, secret).status_code == 200
    signed.co_coordinators.remove(co_coordinator)
    assert call("get", path, secret).status_code == 401
    signed.co_coordinators.add(co_coordinator)
    co_coordinator.is_active = False
    co_coordinator.save()
    assert call("get", path, secret).status_code == 401


def test_every_call_is_recorded_with_its_answer(signed, coordinator):
    token, secret = token_for(signed, coordinator, R, name="Spreadsheet")
    call("get", f"{BASE}/{signed.slug}/signatures?status=confirmed", secret)
    call("post", f"{BASE}/{signed.slug}/partners/invite", secret, {"ids": None})
    rows = AuditEvent.objects.filter(action=AuditAction.API_CALL).order_by("pk")
    assert [(r.detail["method"], r.detail["path"], r.detail["status"]) for r in rows] == [
        ("GET", f"{BASE}/{signed.slug}/signatures", 200),
        ("POST", f"{BASE}/{signed.slug}/partners/invite", 403),
    ]
    for row in rows:
        assert row.letter == signed
        assert row.actor == coordinator
        assert row.detail["api_token"] == "Spreadsheet"
        assert row.detail["prefix"] == token.prefix
        assert row.detail["scope"] == R
        assert secret not in str(row.detail)
        assert token.prefix in row.describe() and "→ " in row.describe()


def test_a_call_costs_the_token_the_answer_and_its_record(
    signed, coordinator, django_assert_num_queries
):
    """Three queries a call, whatever the page size: the token (with its letter and maker), the
    rows asked for, the audit row; the last use is written at most once a minute."""
    _token, secret = token_for(signed, coordinator, R)
    path = f"{BASE}/{signed.slug}/signatures?limit=500"
    call("get", path, secret)  # dates the token's first use
    with django_assert_num_queries(3):
        assert call("get", path, secret).status_code == 200
