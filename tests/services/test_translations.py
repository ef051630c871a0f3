"""Translations of a letter: drafted, marked ready (never with a part missing), outdated by a new
text version of the original, chosen per recipient and frozen on finalizing."""

import pytest
from django.core.exceptions import ValidationError

from letters_app.models import AuditEvent, LetterRecipient, LetterTranslation
from letters_app.rendering import snapshot_view
from letters_app.services.deliveries import letter_finalize, letter_finalize_problems
from letters_app.services.letters import (
    letter_close,
    letter_open,
    letter_set_recipient_languages,
    letter_set_recipients,
    letter_update,
    translation_delete,
    translation_mark_draft,
    translation_mark_ready,
    translation_save,
)
from letters_app.services.signatures import signature_confirm
from tests.factories import RecipientFactory, SignatureFactory
from tests.translations import FRENCH, KHMER, translate

pytestmark = pytest.mark.django_db
T = LetterTranslation.Status


def actions(letter) -> list[str]:
    return list(letter.audit_events.order_by("id").values_list("action", flat=True))


def test_a_new_translation_is_a_draft_made_from_the_present_text_version(open_letter, coordinator):
    translation = translation_save(
        letter=open_letter, language="fr", data=FRENCH, actor=coordinator
    )

    translation.refresh_from_db()
    assert translation.status == T.DRAFT
    assert translation.source_version == 1
    assert translation.title == FRENCH["title"]
    assert translation.updated_by == coordinator
    assert not translation.is_outdated
    assert actions(open_letter)[-1] == "translation.created"
    event = open_letter.audit_events.get(action="translation.created")
    assert event.detail["language"] == "fr"
    assert event.actor == coordinator


def test_saving_the_same_language_again_changes_the_one_translation(open_letter, coordinator):
    translation_save(letter=open_letter, language="fr", data=FRENCH, actor=coordinator)
    translation_save(
        letter=open_letter, language="fr", data={"title": "Nouveau titre"}, actor=coordinator
    )

    assert LetterTranslation.objects.filter(letter=open_letter).count() == 1
    assert open_letter.translations.get().title == "Nouveau titre"
    assert open_letter.translations.get().body == FRENCH["body"]
    assert actions(open_letter)[-1] == "translation.edited"


def test_the_original_language_is_not_a_translation(open_letter, coordinator):
    with pytest.raises(ValidationError) as caught:
        translation_save(letter=open_letter, language="en", data=FRENCH, actor=coordinator)

    assert "original language" in caught.value.message_dict["language"][0]
    assert not LetterTranslation.objects.exists()


def test_a_translation_missing_a_part_cannot_be_ready_with_a_reason_per_part(
    open_letter, coordinator
):
    translation = translation_save(
        letter=open_letter, language="fr", data={"title": FRENCH["title"]}, actor=coordinator
    )

    with pytest.raises(ValidationError) as caught:
        translation_mark_ready(translation=translation, actor=coordinator)

    errors = caught.value.message_dict
    assert set(errors) == {"salutation", "body", "closing", "signatory_heading"}
    assert errors["closing"] == [
        "Closing is missing: the original has one, so the translation needs it too."
    ]
    translation.refresh_from_db()
    assert translation.status == T.DRAFT
    assert "translation.ready" not in actions(open_letter)


def test_a_part_the_original_lacks_is_not_required(open_letter, coordinator):
    open_letter.closing = ""
    open_letter.save()
    data = {**FRENCH, "closing": ""}

    translation = translate(open_letter, "fr", data, coordinator)

    assert translation.status == T.READY


def test_a_placeholder_left_in_a_translation_keeps_it_from_being_ready(open_letter, coordinator):
    data = {**FRENCH, "body": "Nous demandons [la demande]."}
    translation = translation_save(letter=open_letter, language="fr", data=data, actor=coordinator)

    with pytest.raises(ValidationError) as caught:
        translation_mark_ready(translation=translation, actor=coordinator)

    assert "[la demande]" in caught.value.message_dict["body"][0]


def test_a_ready_translation_cannot_lose_a_required_part(open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator)

    with pytest.raises(ValidationError) as caught:
        translation_save(letter=open_letter, language="fr", data={"body": ""}, actor=coordinator)

    assert set(caught.value.message_dict) == {"body"}
    assert open_letter.translations.get().body == FRENCH["body"]


def test_a_new_text_version_outdates_the_translation_until_it_is_marked_ready_again(
    open_letter, coordinator
):
    translation = translate(open_letter, "fr", FRENCH, coordinator)
    assert translation.is_current

    letter = letter_update(letter=open_letter, data={"body": "A new body."}, actor=coordinator)
    translation.refresh_from_db()
    assert letter.version == 2
    assert translation.is_outdated
    assert translation.status == T.READY  # still offered, with a notice

    translation_save(
        letter=letter, language="fr", data={"body": "Un corps neuf."}, actor=coordinator
    )
    translation.refresh_from_db()
    assert translation.is_outdated  # saving alone does not say it follows the new text

    translation_mark_ready(translation=translation, actor=coordinator)
    translation.refresh_from_db()
    assert translation.source_version == 2
    assert not translation.is_outdated
    assert actions(letter).count("translation.ready") == 2


def test_translations_made_from_the_draft_follow_it_when_it_is_published(letter, coordinator):
    translation = translate(letter, "fr", FRENCH, coordinator)
    assert translation.source_version == 0

    letter_open(letter=letter, actor=coordinator)

    translation.refresh_from_db()
    assert translation.source_version == 1
    assert translation.is_current


def test_a_translation_goes_back_to_draft_and_is_deleted_each_audited(open_letter, coordinator):
    translation = translate(open_letter, "km", KHMER, coordinator)

    translation_mark_draft(translation=translation, actor=coordinator)
    translation.refresh_from_db()
    assert translation.status == T.DRAFT

    translation_delete(translation=translation, actor=coordinator)
    assert not LetterTranslation.objects.exists()
    assert actions(open_letter)[-2:] == ["translation.draft", "translation.deleted"]
    assert AuditEvent.objects.filter(action="translation.deleted", detail__language="km").exists()


def test_the_original_cannot_move_to_a_language_it_is_translated_into(open_letter, coordinator):
    translation_save(letter=open_letter, language="fr", data=FRENCH, actor=coordinator)

    with pytest.raises(ValidationError) as caught:
        letter_update(letter=open_letter, data={"language": "fr"}, actor=coordinator)

    assert "language" in caught.value.message_dict
    open_letter.refresh_from_db()
    assert open_letter.language == "en"


# Recipients' languages ------------------------------------------------------------------------


def test_each_recipient_gets_a_language_kept_when_the_recipients_change(
    open_letter, coordinator, recipient
):
    translation_save(letter=open_letter, language="fr", data=FRENCH, actor=coordinator)
    other = RecipientFactory()

    letter_set_recipient_languages(
        letter=open_letter, languages={recipient.pk: "fr"}, actor=coordinator
    )
    letter_set_recipients(letter=open_letter, recipients=[other, recipient], actor=coordinator)

    languages = dict(LetterRecipient.objects.values_list("recipient_id", "language"))
    assert languages == {recipient.pk: "fr", other.pk: ""}
    assert "letter.recipient_languages" in actions(open_letter)


def test_a_language_without_a_translation_is_refused(open_letter, coordinator, recipient):
    with pytest.raises(ValidationError) as caught:
        letter_set_recipient_languages(
            letter=open_letter, languages={recipient.pk: "km"}, actor=coordinator
        )

    assert caught.value.messages == ["The letter has no translation into Khmer."]
    assert LetterRecipient.objects.get().language == ""


# Finalizing ---------------------------------------------------------------------------------------


@pytest.fixture
def signed_letter(open_letter):
    signature_confirm(signature=SignatureFactory(letter=open_letter, version=1))
    return open_letter


@pytest.mark.parametrize("state", ["draft", "outdated"])
def test_finalizing_is_refused_while_a_recipients_translation_is_not_ready(
    signed_letter, coordinator, recipient, state
):
    translate(signed_letter, "fr", FRENCH, coordinator, ready=state == "outdated")
    letter_set_recipient_languages(
        letter=signed_letter, languages={recipient.pk: "fr"}, actor=coordinator
    )
    if state == "outdated":
        letter_update(letter=signed_letter, data={"body": "New."}, actor=coordinator,
                      confirm_new_version=True)  # fmt: skip
    letter = letter_close(letter=signed_letter, actor=coordinator)

    problems = letter_finalize_problems(letter)
    with pytest.raises(ValidationError):
        letter_finalize(letter=letter, actor=coordinator)

    assert problems == [
        f"{recipient} is to receive the French translation, which is not ready for the present "
        "text: mark it ready, or choose another language for them."
    ]


def test_the_snapshot_freezes_the_ready_translations_and_each_recipients_language(
    signed_letter, coordinator, recipient, django_capture_on_commit_callbacks
):
    translate(signed_letter, "fr", FRENCH, coordinator)
    translate(signed_letter, "km", KHMER, coordinator, ready=False)  # a draft is not frozen
    letter_set_recipient_languages(
        letter=signed_letter, languages={recipient.pk: "fr"}, actor=coordinator
    )
    letter = letter_close(letter=signed_letter, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        snapshot = letter_finalize(letter=letter, actor=coordinator)

    assert set(snapshot.content["translations"]) == {"fr"}
    assert snapshot.content["recipients"][0]["language"] == "fr"
    assert snapshot.content["letter"]["language"] == "en"
    # A later edit of the translation is refused, and nothing frozen changes.
    with pytest.raises(ValidationError, match="translations were frozen"):
        translation_save(
            letter=letter, language="fr", data={"title": "Autre titre"}, actor=coordinator
        )
    snapshot.refresh_from_db()
    lv = snapshot_view(snapshot, language="fr")
    assert lv.title == FRENCH["title"]
    assert lv.language == "fr"
    assert lv.place == letter.place  # not translated: the original's
    assert snapshot_view(snapshot).title == letter.title
