"""`manage.py export_signatures LETTER --format … [--private] -o FILE`, for scripts."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from letters_app.exports.signatures import formula_restore
from letters_app.models import AuditEvent, Signature
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

NAMES = ["សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស", "Ligue des droits de l'Homme, Fédération",
         '"Quoted" Friends', "=1+1", "@SUM(A1)"]  # fmt: skip


@pytest.fixture
def signed(open_letter):
    for n, name in enumerate(NAMES):
        signature, _created = signature_add(
            letter=open_letter, kind=Signature.Kind.ORGANIZATION, email=f"signer{n}@example.org",
            name=name, country="KH", consent_public=True,
        )  # fmt: skip
        signature_confirm(signature=signature)
    SignatureFactory(letter=open_letter, name="Pending Person", email="pending@example.org")
    return open_letter


def test_csv_to_a_file_reads_back_byte_for_byte(signed, tmp_path):
    out = tmp_path / "list.csv"
    call_command("export_signatures", signed.slug, "--format", "csv", "-o", str(out))

    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"), newline="")))
    assert [formula_restore(r["name"]) for r in rows] == NAMES
    assert "email" not in rows[0]
    assert not AuditEvent.objects.filter(action="signatures.exported").exists()


def test_private_json_by_id_to_standard_output_is_audited(signed, capsysbinary):
    call_command("export_signatures", str(signed.pk), "--format", "json", "--private",
                 "--status", "pending")  # fmt: skip

    data = json.loads(capsysbinary.readouterr().out)
    assert [(d["name"], d["email"]) for d in data] == [("Pending Person", "pending@example.org")]
    event = AuditEvent.objects.get(action="signatures.exported")
    assert event.letter == signed and event.actor is None
    assert event.detail["via"] == "command" and event.detail["filters"] == {"status": ["pending"]}


def test_xlsx_and_text(signed, tmp_path):
    xlsx, txt = tmp_path / "list.xlsx", tmp_path / "list.txt"
    call_command("export_signatures", signed.slug, "--format", "xlsx", "-o", str(xlsx))
    call_command("export_signatures", signed.slug, "--format", "txt", "-o", str(txt),
                 "--country", "KH", "--text-version", "1")  # fmt: skip

    sheet = load_workbook(xlsx).active
    assert [formula_restore(row[2].value) for row in sheet.iter_rows(min_row=2)] == NAMES
    assert txt.read_text("utf-8").splitlines()[0] == f"1. {NAMES[0]}, Cambodia"


def test_bad_arguments_are_errors_not_tracebacks(signed):
    with pytest.raises(CommandError, match="No letter"):
        call_command("export_signatures", "no-such-letter")
    with pytest.raises(CommandError, match="country"):
        call_command("export_signatures", signed.slug, "--country", "XX")
    with pytest.raises(CommandError, match="signed_to"):
        call_command("export_signatures", signed.slug, "--from", "2026-05-02", "--to", "2026-05-01")
