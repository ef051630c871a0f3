"""Every change made in the admin goes through a service and leaves its row in the audit trail,
as the same change made on the coordinators' pages does."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from letters_app.models import AuditAction, AuditEvent, Blocklist, Letter, PressRelease, Recipient
from letters_app.services.press import press_release_draft
from tests.factories import LetterFactory, LetterTemplateFactory, RecipientFactory

pytestmark = pytest.mark.django_db

A = AuditAction


def letter_add_data(**overrides):
    data = {
        "title": "Free the journalists", "slug": "free-the-journalists",
        "kind": "head_of_government", "place": "Phnom Penh", "language": "fr",
        "body": "We ask.\r\n", "_save": "Save",
        "letter_recipients-TOTAL_FORMS": "0", "letter_recipients-INITIAL_FORMS": "0",
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
    }  # fmt: skip
    return data | overrides


def test_a_letter_added_in_the_admin_is_created_by_the_service(
    client_for, admin, coordinator, co_coordinator, recipient
):
    template = LetterTemplateFactory()
    data = letter_add_data(
        template=template.pk, created_by=coordinator.pk, co_coordinators=[co_coordinator.pk],
        **{"letter_recipients-TOTAL_FORMS": "1", "letter_recipients-0-recipient": recipient.pk,
           "letter_recipients-0-position": "0"},
    )  # fmt: skip
    response = client_for(admin).post(reverse("admin:letters_app_letter_add"), data)

    assert response.status_code == 302
    letter = Letter.objects.get()
    assert response.url == reverse("admin:letters_app_letter_changelist")
    assert (letter.title, letter.slug, letter.language) == (
        "Free the journalists", "free-the-journalists", "fr",
    )  # fmt: skip
    assert letter.body == "We ask."  # normalized as every letter's text is
    assert letter.created_by == coordinator and letter.template == template
    assert list(letter.co_coordinators.all()) == [co_coordinator]
    assert list(letter.recipients.all()) == [recipient]
    event = AuditEvent.objects.get(letter=letter)
    assert (event.action, event.actor, event.detail) == (
        A.LETTER_CREATED, admin, {"template": template.key},
    )  # fmt: skip


def test_a_letter_added_in_the_admin_without_a_template_is_audited_too(
    client_for, admin, coordinator
):
    data = letter_add_data(created_by=coordinator.pk, slug="free-them")
    assert client_for(admin).post(reverse("admin:letters_app_letter_add"), data).status_code == 302
    letter = Letter.objects.get(slug="free-them")
    assert letter.template is None
    event = AuditEvent.objects.get(letter=letter)
    assert (event.action, event.actor, event.detail) == (A.LETTER_CREATED, admin, {})


def test_marking_recipients_curated_audits_each_one_that_was_not(client_for, admin):
    new, checked = RecipientFactory(is_curated=False), RecipientFactory(is_curated=True)
    response = client_for(admin).post(
        reverse("admin:letters_app_recipient_changelist"),
        {"action": "mark_curated", ACTION_CHECKBOX_NAME: [new.pk, checked.pk]},
    )

    assert response.status_code == 302
    assert set(Recipient.objects.values_list("is_curated", flat=True)) == {True}
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.letter, event.detail) == (
        A.RECIPIENT_CURATED, admin, None, {"recipient": new.pk},
    )  # fmt: skip


def press_data(press, **overrides):
    fields = ("headline", "dateline", "lead", "quote", "quote_by", "body", "distribution")
    return {name: getattr(press, name) for name in fields} | overrides


def test_a_press_release_edited_in_the_admin_is_audited(
    client_for, admin, coordinator, finalized_letter
):
    press = press_release_draft(letter=finalized_letter, actor=coordinator)
    url = reverse("admin:letters_app_pressrelease_change", args=[press.pk])
    data = press_data(press, headline="Sixty organizations sign", quote="Together.")

    assert client_for(admin).post(url, data).status_code == 302

    press.refresh_from_db()
    assert (press.headline, press.quote) == ("Sixty organizations sign", "Together.")
    event = AuditEvent.objects.get(action=A.PRESS_EDITED)
    assert (event.letter, event.actor) == (finalized_letter, admin)
    assert event.detail == {"fields": ["headline", "quote"]}


def test_a_press_release_added_in_the_admin_is_drafted_then_edited(
    client_for, admin, coordinator, finalized_letter
):
    LetterFactory(created_by=coordinator)
    client = client_for(admin)
    form = client.get(reverse("admin:letters_app_pressrelease_add"))
    choices = form.context["adminform"].form.fields["letter"].queryset
    assert list(choices) == [finalized_letter]  # a draft has no press release

    data = {"letter": finalized_letter.pk, "headline": "Signed", "lead": "A lead.", "body": ""}
    response = client.post(reverse("admin:letters_app_pressrelease_add"), data)

    assert response.status_code == 302
    press = PressRelease.objects.get(letter=finalized_letter)
    assert response.url == reverse("admin:letters_app_pressrelease_changelist")
    assert (press.headline, press.lead, press.body) == ("Signed", "A lead.", "")
    actions = AuditEvent.objects.filter(letter=finalized_letter, actor=admin)
    assert sorted(actions.values_list("action", flat=True)) == [A.PRESS_DRAFTED, A.PRESS_EDITED]


def test_blocklist_entries_deleted_in_the_admin_are_audited(client_for, admin):
    one = Blocklist.objects.create(kind="domain", value="spam.example")
    two = Blocklist.objects.create(kind="ip", value="203.0.113.0/24")
    client = client_for(admin)
    url = reverse("admin:letters_app_blocklist_delete", args=[one.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    response = client.post(
        reverse("admin:letters_app_blocklist_changelist"),
        {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [two.pk]},
    )

    assert response.status_code == 302
    assert not Blocklist.objects.exists()
    events = AuditEvent.objects.filter(action=A.BLOCKLIST_DELETED, actor=admin)
    assert sorted(e.detail["entry"] for e in events) == [
        "E-mail domain: spam.example", "IP address or network: 203.0.113.0/24",
    ]  # fmt: skip


def test_the_history_names_each_kind_of_change_and_describes_its_detail(coordinator, letter):
    edited = AuditEvent(
        letter=letter, action=A.LETTER_EDITED, detail={"fields": ["title", "body"], "version": 2}
    )
    assert (edited.label, edited.describe()) == (
        "Edited the letter", "title, body; text version 2",
    )  # fmt: skip
    moderated = AuditEvent(
        action=A.SIGNATURE_EDITED, detail={"signature": 7, "fields": ["name", "title"]}
    )
    assert moderated.describe() == "signature #7; name, title or role"
    unknown = AuditEvent(action="letter.archived", detail={})
    assert (unknown.label, unknown.describe()) == ("letter.archived", "")
