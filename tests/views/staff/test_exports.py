"""The export pages and downloads, tried by each persona: strangers learn nothing of a draft,
nobody but coordinators and admins gets private columns, and every private export is audited."""

import csv
import io
import json

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from letters_app.exports import signatures as exports
from letters_app.models import AuditEvent, Signature
from letters_app.services.signatures import signature_add, signature_confirm
from tests.exports.pdf_reading import SIGNATORY_NAMES, unreadable
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
FORMULA = '=HYPERLINK("https://evil.example","Click")'


@pytest.fixture
def signed(open_letter):
    for n, (name, country) in enumerate([("Association TEP NIMITH", "FR"), (KHMER, "KH"),
                                         (FORMULA, "FR")]):  # fmt: skip
        signature, _created = signature_add(
            letter=open_letter, kind=Signature.Kind.ORGANIZATION, email=f"signer{n}@example.org",
            name=name, acronym="ATN" if n == 0 else "", country=country, consent_public=True,
        )  # fmt: skip
        signature_confirm(signature=signature)
    SignatureFactory(letter=open_letter, name="Pending Person", email="pending@example.org")
    return open_letter


def page(letter):
    return reverse("staff:letter-export", args=[letter.pk])


def download(letter):
    return reverse("staff:letter-export-download", args=[letter.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def exported(action="signatures.exported"):
    return list(AuditEvent.objects.filter(action=action))


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "admin"])
def test_coordinators_and_admins_get_the_page_with_the_text_to_copy(request, client_for, signed,
                                                                    persona):  # fmt: skip
    response = client_for(request.getfixturevalue(persona)).get(page(signed))

    assert response.status_code == 200
    content = response.content.decode()
    assert "1. Association TEP NIMITH (ATN), France" in content
    assert f"2. {KHMER}, Cambodia" in content
    assert 'name="private"' in content
    assert "Pending Person" not in content


def test_strangers_get_404_and_the_public_a_login(client, client_for, stranger, signed):
    assert client.get(page(signed)).status_code == 302
    assert client_for(stranger).get(page(signed)).status_code == 404


def test_the_public_gets_the_public_columns_of_a_published_letter(client, signed):
    response = client.get(download(signed), {"format": "csv"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{signed.slug}-')
    rows = list(csv.reader(io.StringIO(body(response).decode(), newline="")))
    assert rows[0] == [c.key for c in exports.PUBLIC_COLUMNS]
    assert [r[2] for r in rows[1:]] == ["Association TEP NIMITH", KHMER, "'" + FORMULA]
    assert b"@example.org" not in body(response)
    assert exported() == []  # public exports are not audited


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_private_columns_are_refused_to_strangers_and_the_public(client, client_for, stranger,
                                                                 signed, who):  # fmt: skip
    client = client_for(stranger) if who == "stranger" else client
    response = client.get(download(signed), {"format": "csv", "private": "on"})

    assert response.status_code == 403
    assert exported() == []


def test_a_draft_letter_is_not_found_by_strangers(client, client_for, stranger, letter):
    SignatureFactory(letter=letter)
    assert client.get(download(letter), {"format": "csv"}).status_code == 404
    assert client_for(stranger).get(download(letter), {"format": "csv"}).status_code == 404


def test_the_public_gets_only_the_streamed_formats(client, signed):
    response = client.get(download(signed), {"format": "xlsx"})

    assert response.status_code == 400
    assert b"format" in response.content


def test_a_coordinator_exports_private_columns_and_it_is_audited(client_for, coordinator, signed):
    response = client_for(coordinator).get(
        download(signed),
        {
            "format": "csv",
            "private": "on",
            "status": ["pending", "confirmed"],
            "bom": "on",
        },  # fmt: skip
    )

    assert response.status_code == 200
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {r["email"] for r in rows} == {"signer0@example.org", "signer1@example.org",
                                          "signer2@example.org", "pending@example.org"}  # fmt: skip
    assert "-private-" in response["Content-Disposition"]
    [event] = exported()
    assert (event.letter, event.actor) == (signed, coordinator)
    assert event.detail == {"format": "csv", "private": True,
                            "filters": {"status": ["pending", "confirmed"]}}  # fmt: skip


def test_a_coordinators_public_export_is_not_audited(client_for, co_coordinator, signed):
    response = client_for(co_coordinator).get(download(signed), {"format": "json"})

    assert response.status_code == 200
    data = json.loads(body(response))
    assert [d["name"] for d in data] == ["Association TEP NIMITH", KHMER, FORMULA]
    assert "email" not in data[0]
    assert exported() == []


def test_xlsx_download_for_a_coordinator(client_for, coordinator, signed):
    response = client_for(coordinator).get(download(signed), {"format": "xlsx", "kind": "mp"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body(response))).active
    assert sheet.max_row == 1  # the header: no MP signed


def test_pdf_and_text_downloads(client_for, coordinator, signed):
    client = client_for(coordinator)
    pdf = client.get(download(signed), {"format": "pdf"})
    text = client.get(download(signed), {"format": "txt", "country": "KH"})

    assert pdf.status_code == 200 and body(pdf).startswith(b"%PDF")
    assert body(text).decode() == f"1. {KHMER}, Cambodia\n"
    assert text["Content-Type"] == "text/plain; charset=utf-8"


def test_a_pdf_too_long_for_a_request_is_refused_with_a_reason(client_for, coordinator, signed,
                                                               monkeypatch):  # fmt: skip
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 2)
    response = client_for(coordinator).get(download(signed), {"format": "pdf"})

    assert response.status_code == 400
    assert "A PDF holds at most 2 names" in response.content.decode()


@pytest.mark.parametrize("query", [
    {"format": "doc"},
    {"format": "csv", "country": "XX"},
    {"format": "csv", "kind": "robot"},
    {"format": "csv", "status": "lost"},
    {"format": "csv", "signed_from": "yesterday"},
    {"format": "csv", "signed_from": "2026-05-02", "signed_to": "2026-05-01"},
    {"format": "csv", "version": "one"},
    {"format": "csv", "version": "-1"},
])  # fmt: skip
def test_bad_filters_get_a_clear_400_never_a_500(client, client_for, coordinator, signed, query):
    assert client_for(coordinator).get(download(signed), query).status_code == 400
    client.logout()
    assert client.get(download(signed), query).status_code == 400


def test_admins_export_across_letters_others_do_not(client, client_for, admin, coordinator,
                                                    signed):  # fmt: skip
    url = reverse("staff:signatures-export")
    assert client.get(url).status_code == 302
    assert client_for(coordinator).get(url).status_code == 404
    client = client_for(admin)
    assert client.get(url).status_code == 200

    response = client.get(url, {"format": "csv", "private": "on", "letters": [signed.pk]})

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body(response).decode(), newline="")))
    assert {r["letter"] for r in rows} == {signed.slug}
    assert len(rows) == 4
    [event] = exported()
    assert event.letter is None and event.detail["letters"] == [signed.pk]


def test_admin_action_exports_the_selection_with_private_columns(client_for, admin, signed):
    chosen = list(Signature.objects.filter(letter=signed, status="confirmed")[:2])
    response = client_for(admin).post(
        reverse("admin:letters_app_signature_changelist"),
        {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [s.pk for s in chosen]},
    )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body(response).decode(), newline="")))
    assert sorted(r["email"] for r in rows) == sorted(s.email for s in chosen)
    assert rows[0]["letter"] == signed.slug
    [event] = exported()
    assert event.letter == signed and event.detail["via"] == "admin"


@pytest.mark.parametrize("action", ["export_xlsx", "export_json"])
def test_admin_actions_in_the_other_formats(client_for, admin, signed, action):
    ids = list(Signature.objects.filter(letter=signed).values_list("pk", flat=True))
    response = client_for(admin).post(
        reverse("admin:letters_app_signature_changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: ids},
    )

    assert response.status_code == 200
    content = body(response)
    if action == "export_json":
        assert len(json.loads(content)) == 4
    else:
        assert load_workbook(io.BytesIO(content)).active.max_row == 5


@pytest.mark.parametrize("language", ["en", "fr", "km"])
def test_the_pdf_from_each_interface_reads_back_as_the_text_list(client_for, coordinator,
                                                                open_letter, language):  # fmt: skip
    for n, name in enumerate(SIGNATORY_NAMES):
        signature, _created = signature_add(
            letter=open_letter, kind=Signature.Kind.ORGANIZATION, email=f"signer{n}@example.org",
            name=name, country="KH", consent_public=True,
        )  # fmt: skip
        signature_confirm(signature=signature)
    client = client_for(coordinator)
    with translation.override(language):
        url = download(open_letter)  # /km/exports/…
    assert url.startswith("/exports/" if language == "en" else f"/{language}/exports/")

    pdf = body(client.get(url, {"format": "pdf"}))
    lines = body(client.get(url, {"format": "txt"})).decode().splitlines()

    assert len(lines) == len(SIGNATORY_NAMES)
    assert unreadable(pdf, lines) == []  # pypdf: exactly; pdftotext: spaces added at most
