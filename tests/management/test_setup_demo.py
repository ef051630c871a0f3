import io
import re

import pytest
from django.core.management import call_command

from letters_app.fixtures_data import demo_letter
from letters_app.fixtures_data.recipients import RECIPIENTS
from letters_app.models import (
    TEXT_FIELDS,
    AuditEvent,
    Letter,
    LetterKind,
    LetterTemplate,
    Recipient,
)
from letters_app.services.letters import find_placeholders

pytestmark = pytest.mark.django_db

TEMPLATE_KEYS = {
    "un-secretary-general": LetterKind.UN_SECRETARY_GENERAL,
    "parliaments": LetterKind.PARLIAMENTS,
    "special-rapporteur": LetterKind.SPECIAL_RAPPORTEUR,
    "head-of-government": LetterKind.HEAD_OF_GOVERNMENT,
    "press-release": LetterKind.PRESS_RELEASE,
}
PASSWORD_LINE = re.compile(r"^\|\s+(coordinator|admin)\s+(\S+)\s*\|$", re.MULTILINE)
ALREADY = (
    "Demo accounts already exist; reset a password with "
    "`python manage.py changepassword coordinator`."
)


def run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_load_letter_templates_twice_keeps_five_templates():
    first = run("load_letter_templates")
    second = run("load_letter_templates")

    assert first == "Letter templates: 5 created, 0 updated, 0 unchanged.\n"
    assert second == "Letter templates: 0 created, 0 updated, 5 unchanged.\n"
    assert dict(LetterTemplate.objects.values_list("key", "kind")) == TEMPLATE_KEYS


def test_load_letter_templates_restores_edited_text_but_keeps_is_active():
    run("load_letter_templates")
    LetterTemplate.objects.filter(key="parliaments").update(salutation="Hello", is_active=False)

    out = run("load_letter_templates")

    assert out == "Letter templates: 0 created, 1 updated, 4 unchanged.\n"
    template = LetterTemplate.objects.get(key="parliaments")
    assert template.salutation == "Your Honors,"
    assert template.is_active is False
    assert LetterTemplate.objects.count() == 5


def test_load_recipients_twice_adds_no_duplicates():
    first = run("load_recipients")
    count = Recipient.objects.count()
    second = run("load_recipients")

    assert count == len(RECIPIENTS)
    assert first == f"Recipients: {count} created, 0 updated, 0 unchanged.\n"
    assert second == f"Recipients: 0 created, 0 updated, {count} unchanged.\n"
    assert Recipient.objects.count() == count
    identities = set(Recipient.objects.values_list("institution", "name", "title"))
    assert len(identities) == count


def test_load_recipients_restores_details_but_keeps_a_verified_email():
    run("load_recipients")
    rapporteur = Recipient.objects.get(name="Vitit Muntarbhorn")
    rapporteur.salutation = "Hi,"
    rapporteur.email = "verified-by-an-admin@example.org"
    rapporteur.save()

    out = run("load_recipients")

    rapporteur.refresh_from_db()
    assert out.startswith("Recipients: 0 created, 1 updated, ")
    assert rapporteur.salutation == "Dear Professor Muntarbhorn,"
    assert rapporteur.email == "verified-by-an-admin@example.org"


def test_every_recipient_email_is_a_reserved_example_address():
    run("load_recipients")

    emails = list(Recipient.objects.values_list("email", flat=True))
    assert len(emails) == len(RECIPIENTS)
    assert all(email.endswith("@example.org") for email in emails), emails
    assert len(set(emails)) == len(emails)
    assert not Recipient.objects.filter(is_curated=False).exists()


def test_directory_has_the_special_rapporteur_the_un_and_six_parliaments():
    run("load_recipients")

    rapporteur = Recipient.objects.get(name="Vitit Muntarbhorn")
    assert rapporteur.honorific == "Professor"
    assert rapporteur.kind == Recipient.Kind.UN
    assert rapporteur.salutation == "Dear Professor Muntarbhorn,"
    assert rapporteur.address_lines == [
        "Professor Vitit Muntarbhorn",
        "Special Rapporteur on the situation of human rights in Cambodia",
        "United Nations Human Rights Council",
        "c/o Office of the UN High Commissioner for Human Rights",
        "Palais des Nations",
        "8-14 Avenue de la Paix",
        "CH-1211 Geneva 10",
        "Switzerland",
    ]
    secretary_general = Recipient.objects.get(title="Secretary-General of the United Nations")
    assert "New York, NY 10017" in secretary_general.address_lines
    assert secretary_general.country == "US"
    assert Recipient.objects.filter(title__contains="High Commissioner for Human Rights").exists()
    parliaments = Recipient.objects.filter(kind=Recipient.Kind.PARLIAMENT)
    assert {str(c) for c in parliaments.values_list("country", flat=True)} == {
        "BE", "US", "CA", "AU", "GB", "NZ"
    }  # fmt: skip
    assert Recipient.objects.filter(kind=Recipient.Kind.GOVERNMENT, country="KH").exists()
    assert all(r.salutation for r in Recipient.objects.all())


def test_loaders_write_the_audit_trail_only_when_something_changed():
    for _ in range(2):
        run("load_letter_templates")
        run("load_recipients")

    assert AuditEvent.objects.filter(action="templates.loaded").count() == 1
    assert AuditEvent.objects.filter(action="recipients.loaded").count() == 1


def test_setup_demo_creates_the_accounts_and_shows_passwords_only_once(django_user_model):
    first = run("setup_demo")

    assert "Demo accounts — shown once" in first
    passwords = dict(PASSWORD_LINE.findall(first))
    assert set(passwords) == {"coordinator", "admin"}
    coordinator = django_user_model.objects.get(username="coordinator")
    admin = django_user_model.objects.get(username="admin")
    assert coordinator.check_password(passwords["coordinator"])
    assert admin.check_password(passwords["admin"])
    assert passwords["coordinator"] != passwords["admin"]
    assert all(len(password) >= 20 for password in passwords.values())
    assert admin.is_superuser
    assert admin.is_staff
    assert not coordinator.is_staff
    assert not coordinator.is_superuser

    second = run("setup_demo")

    assert "shown once" not in second
    assert not PASSWORD_LINE.search(second)
    assert all(password not in second for password in passwords.values())
    assert ALREADY in second
    assert django_user_model.objects.count() == 2


def test_setup_demo_publishes_the_demo_letter(client):
    out = run("setup_demo")

    letter = Letter.objects.get(slug=demo_letter.SLUG)
    assert f"Demo letter published: http://localhost:8000/letters/{demo_letter.SLUG}/" in out
    assert letter.status == Letter.Status.OPEN
    assert letter.version == 1
    assert letter.template.key == "special-rapporteur"
    assert letter.created_by.username == "coordinator"
    assert [r.name for r in letter.recipients.all()] == ["Vitit Muntarbhorn"]
    assert {name: find_placeholders(getattr(letter, name)) for name in TEXT_FIELDS} == {
        name: [] for name in TEXT_FIELDS
    }
    assert letter.salutation == "Dear Professor Muntarbhorn,"
    # Every step went through the services, which wrote the audit trail.
    actions = list(letter.audit_events.order_by("id").values_list("action", flat=True))
    assert actions == ["letter.created", "letter.edited", "letter.recipients", "letter.open"]

    response = client.get(letter.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dear Professor Muntarbhorn," in page
    assert "Palais des Nations" in page


def test_setup_demo_run_again_changes_nothing():
    run("setup_demo")
    audit_rows = AuditEvent.objects.count()
    letter = Letter.objects.get()

    out = run("setup_demo")

    assert out.splitlines() == [
        "Letter templates: 0 created, 0 updated, 5 unchanged.",
        f"Recipients: 0 created, 0 updated, {len(RECIPIENTS)} unchanged.",
        ALREADY,
        f"Demo letter already exists: http://localhost:8000/letters/{demo_letter.SLUG}/",
        "Nothing to do: the demo is already set up.",
    ]
    assert AuditEvent.objects.count() == audit_rows
    assert Letter.objects.get().updated_at == letter.updated_at


def test_setup_demo_keeps_an_existing_coordinator_and_creates_only_the_admin(coordinator):
    out = run("setup_demo")

    assert dict(PASSWORD_LINE.findall(out)).keys() == {"admin"}
    coordinator.refresh_from_db()
    assert coordinator.check_password("correct horse battery staple")
    assert Letter.objects.get(slug=demo_letter.SLUG).created_by == coordinator
