import pytest
from django.urls import reverse

from letters_app.models import AuditEvent, Letter, LetterVersion
from letters_app.services.letters import letter_open

pytestmark = pytest.mark.django_db

MODELS = ["letter", "lettertemplate", "recipient", "auditevent"]


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_searches_every_model(client_for, admin, letter, model):
    client = client_for(admin)
    response = client.get(reverse(f"admin:letters_app_{model}_changelist"), {"q": "Cambodia"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_coordinators_cannot_use_the_admin(client_for, coordinator, model):
    response = client_for(coordinator).get(reverse(f"admin:letters_app_{model}_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def _change_form_data(letter, **overrides):
    data = {
        "title": letter.title, "slug": letter.slug, "kind": letter.kind, "place": letter.place,
        "salutation": letter.salutation, "body": letter.body, "closing": letter.closing,
        "sender_line": letter.sender_line, "signatory_heading": letter.signatory_heading,
        "created_by": letter.created_by_id, "accepts_organizations": "on",
        "letter_recipients-TOTAL_FORMS": "0", "letter_recipients-INITIAL_FORMS": "0",
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
    }  # fmt: skip
    return {**data, **overrides}


def test_admin_cannot_change_status_by_editing(client_for, admin, letter):
    url = reverse("admin:letters_app_letter_change", args=[letter.pk])
    response = client_for(admin).post(url, _change_form_data(letter, status="sent"))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_admin_edit_of_an_open_letter_makes_a_new_version(client_for, admin, letter):
    letter_open(letter=letter, actor=letter.created_by)
    letter.refresh_from_db()
    url = reverse("admin:letters_app_letter_change", args=[letter.pk])
    response = client_for(admin).post(url, _change_form_data(letter, body="A corrected body."))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.version == 2
    assert LetterVersion.objects.get(letter=letter, number=2).body == "A corrected body."
    assert LetterVersion.objects.get(letter=letter, number=1).body != "A corrected body."


def test_admin_publish_action_goes_through_the_lifecycle(client_for, admin, letter):
    client = client_for(admin)
    url = reverse("admin:letters_app_letter_changelist")
    letter.body = "Dear [Your name], we ask."
    letter.save()
    client.post(url, {"action": "letter_open", "_selected_action": [letter.pk]})
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT

    letter.body = "We ask."
    letter.save()
    client.post(url, {"action": "letter_open", "_selected_action": [letter.pk]})
    letter.refresh_from_db()
    assert letter.status == Letter.Status.OPEN
    assert AuditEvent.objects.filter(letter=letter, action="letter.open", actor=admin).exists()


def test_audit_trail_is_read_only_in_admin(client_for, admin, letter):
    letter_open(letter=letter, actor=letter.created_by)
    event = AuditEvent.objects.get(letter=letter, action="letter.open")
    client = client_for(admin)
    assert client.get(reverse("admin:letters_app_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:letters_app_auditevent_delete", args=[event.pk]))
    assert response.status_code == 403
