"""Frozen means read-only in the admin: a finalized or sent letter, its signatures, snapshot,
translations and deliveries are shown read-only with the reason; a save, a delete or an action
that would change them is answered with that reason, never a server error, and changes nothing."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from letters_app.models import Delivery, Letter, LetterSnapshot, LetterTranslation, Signature
from tests.factories import LetterFactory
from tests.frozen import LATE_FRENCH, frozen_state
from tests.translations import FRENCH, translate

pytestmark = pytest.mark.django_db

LETTER_REASON = "its text, recipients and signatories were frozen and sent as they are"
SIGNATORIES = "The letter is finalized: its list of signatories can no longer change."


def change_url(model, pk):
    return reverse(f"admin:letters_app_{model}_change", args=[pk])


def changelist(model):
    return reverse(f"admin:letters_app_{model}_changelist")


def letter_post(letter, **overrides):
    """The letter's change form as the browser posts it: a new body, and its first recipient
    ticked for deletion in the inline."""
    lrs = list(letter.letter_recipients.all())
    data = {
        "title": letter.title, "slug": letter.slug, "kind": letter.kind, "place": letter.place,
        "language": letter.language, "salutation": letter.salutation,
        "body": "A body written after delivery.", "closing": letter.closing,
        "sender_line": letter.sender_line, "signatory_heading": letter.signatory_heading,
        "created_by": letter.created_by_id, "accepts_organizations": "on",
        "confirm_new_version": "on", "_save": "Save",
        "letter_recipients-TOTAL_FORMS": str(len(lrs)),
        "letter_recipients-INITIAL_FORMS": str(len(lrs)),
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
    }  # fmt: skip
    for i, lr in enumerate(lrs):
        data |= {f"letter_recipients-{i}-id": lr.pk, f"letter_recipients-{i}-letter": letter.pk,
                 f"letter_recipients-{i}-recipient": lr.recipient_id,
                 f"letter_recipients-{i}-position": lr.position}  # fmt: skip
    data["letter_recipients-0-DELETE"] = "on"
    return data | overrides


# A sent letter is badged by how its delivery went: the admin names it so too, never "sent".
SENT_AS = {
    "sent": {"emailed_count": 1, "postal_count": 1},
    "partly_delivered": {"emailed_count": 1, "undelivered_count": 1, "postal_count": 1},
    "to_post": {"emailed_count": 0, "postal_count": 2},
}
SHOWN = {"finalized": "Finalized", "sent": "Sent", "partly_delivered": "Partly delivered",
         "to_post": "To be posted"}  # fmt: skip


@pytest.fixture(params=["finalized", *SENT_AS])
def frozen(request, frozen_letter):
    if request.param in SENT_AS:
        Letter.objects.filter(pk=frozen_letter.pk).update(
            status=Letter.Status.SENT, **SENT_AS[request.param]
        )
        frozen_letter.refresh_from_db()
    assert frozen_letter.shown_status == request.param
    return frozen_letter


def test_a_frozen_letter_is_shown_read_only_with_the_reason(client_for, admin, frozen):
    page = client_for(admin).get(change_url("letter", frozen.pk))

    assert page.status_code == 200
    assert f"This letter is {SHOWN[frozen.shown_status].lower()}: {LETTER_REASON}" in page.text
    statuses = re.findall(
        r'<label>Status:</label>\s*<div class="readonly">([^<]*)</div>', page.text
    )
    assert statuses == [SHOWN[frozen.shown_status]]
    assert 'name="_save"' not in page.text
    assert 'name="body"' not in page.text
    assert 'name="letter_recipients-0-recipient"' not in page.text  # the inline is read-only
    assert 'name="letter_recipients-0-DELETE"' not in page.text
    assert "deletelink" not in page.text


def test_saving_a_frozen_letter_says_why_and_changes_nothing(client_for, admin, frozen):
    before = frozen_state(frozen)

    response = client_for(admin).post(
        change_url("letter", frozen.pk), letter_post(frozen), follow=True
    )

    assert response.status_code == 200
    assert LETTER_REASON in response.text
    assert "was changed successfully" not in response.text
    assert frozen_state(frozen) == before


def test_deleting_a_frozen_letter_says_why_and_keeps_it(client_for, admin, frozen):
    client = client_for(admin)
    delete = reverse("admin:letters_app_letter_delete", args=[frozen.pk])

    asked = client.get(delete, follow=True)
    posted = client.post(delete, {"post": "yes"}, follow=True)

    assert LETTER_REASON in asked.text
    assert LETTER_REASON in posted.text
    assert Letter.objects.filter(pk=frozen.pk).exists()
    assert LetterSnapshot.objects.filter(letter=frozen).exists()


def test_the_delete_selected_action_says_why_and_deletes_nothing(client_for, admin, frozen):
    """Not Django's page of objects one may not delete: the list again, with the reason; and
    a draft chosen with the frozen letter is kept too, as the action was refused whole."""
    chosen = [frozen.pk, LetterFactory(created_by=admin).pk]

    response = client_for(admin).post(
        changelist("letter"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: chosen},
        follow=True,
    )

    assert response.redirect_chain == [(changelist("letter"), 302)]
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1
    assert errors[0].startswith(f"{frozen}: This letter is {SHOWN[frozen.shown_status].lower()}:")
    assert LETTER_REASON in errors[0]
    assert "permission to delete" not in response.text
    assert Letter.objects.filter(pk__in=chosen).count() == 2
    assert LetterSnapshot.objects.filter(letter=frozen).exists()


def test_delete_selected_still_deletes_letters_that_are_not_frozen(client_for, admin):
    letter = LetterFactory(created_by=admin)
    client = client_for(admin)
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [letter.pk]}

    asked = client.post(changelist("letter"), data)
    client.post(changelist("letter"), data | {"post": "yes"})

    assert 'value="yes"' in asked.text  # Django's confirmation, as for any row
    assert not Letter.objects.filter(pk=letter.pk).exists()


def test_a_frozen_letters_page_labels_its_fields_and_asks_no_confirmation(
    client_for, admin, frozen
):
    page = client_for(admin).get(change_url("letter", frozen.pk))

    labels = re.findall(r"<label>([^<]*):</label>", page.text)
    assert "Co-coordinators" in labels
    assert "Co coordinators" not in labels
    assert "E-mail the signers the new text" not in page.text
    assert "Confirm new version" not in page.text


@pytest.mark.parametrize(
    ("action", "refusal"),
    [
        ("letter_open", "cannot become open for signing"),
        ("letter_close", "cannot become signing closed"),
        ("letter_reopen", "cannot become open for signing"),
    ],
)
def test_the_letter_actions_on_a_frozen_letter_say_why(client_for, admin, frozen, action, refusal):
    before = frozen_state(frozen)

    response = client_for(admin).post(
        changelist("letter"), {"action": action, ACTION_CHECKBOX_NAME: [frozen.pk]}, follow=True
    )

    assert response.status_code == 200
    assert refusal in response.text
    assert frozen_state(frozen) == before


def test_a_frozen_letters_signature_is_read_only_and_a_save_says_why(client_for, admin, frozen):
    client = client_for(admin)
    signature = Signature.objects.filter(letter=frozen, is_public=True).first()
    before = frozen_state(frozen)

    page = client.get(change_url("signature", signature.pk))
    saved = client.post(
        change_url("signature", signature.pk),
        {"name": "Renamed after delivery", "country": "KH", "_save": "Save"},
        follow=True,
    )

    assert SIGNATORIES in page.text
    assert 'name="_save"' not in page.text
    assert SIGNATORIES in saved.text
    assert "was changed successfully" not in saved.text
    assert frozen_state(frozen) == before


@pytest.mark.parametrize("action", ["approve", "reject", "invalidate"])
def test_moderating_a_frozen_letters_signatures_says_why(client_for, admin, frozen, action):
    chosen = list(Signature.objects.filter(letter=frozen).values_list("pk", flat=True))
    before = frozen_state(frozen)

    response = client_for(admin).post(
        changelist("signature") + f"?letter__id__exact={frozen.pk}",
        {"action": action, ACTION_CHECKBOX_NAME: chosen, "reason": "one person, many addresses"},
        follow=True,
    )

    assert response.status_code == 200
    assert SIGNATORIES in response.text
    assert frozen_state(frozen) == before


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("lettersnapshot", "A snapshot is the letter exactly as it was finalized"),
        ("lettertranslation", LETTER_REASON),
        ("delivery", "A delivery records what was sent to one recipient"),
    ],
)
def test_the_records_of_a_frozen_letter_are_read_only_with_the_reason(
    client_for, admin, frozen, model, reason
):
    obj = {
        "lettersnapshot": LetterSnapshot.objects.filter(letter=frozen),
        "lettertranslation": LetterTranslation.objects.filter(letter=frozen, language="fr"),
        "delivery": Delivery.objects.filter(letter=frozen),
    }[model].first()
    client = client_for(admin)
    before = frozen_state(frozen)

    page = client.get(change_url(model, obj.pk))
    saved = client.post(change_url(model, obj.pk), {"title": LATE_FRENCH}, follow=True)

    assert page.status_code == 200
    assert reason in page.text
    assert 'name="_save"' not in page.text
    assert saved.status_code == 200
    assert reason in saved.text
    assert frozen_state(frozen) == before


def test_a_save_the_service_refuses_is_a_message_not_a_server_error(
    client_for, admin, open_letter, coordinator
):
    translate(open_letter, "fr", FRENCH, coordinator)
    open_letter.refresh_from_db()

    response = client_for(admin).post(
        change_url("letter", open_letter.pk),
        letter_post(open_letter, body=open_letter.body, language="fr")
        | {"letter_recipients-0-DELETE": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert "The letter has a translation into this language: delete it first." in response.text
    open_letter.refresh_from_db()
    assert open_letter.language == "en"
    assert open_letter.letter_recipients.count() == 1
