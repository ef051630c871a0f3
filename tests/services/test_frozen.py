"""Frozen means read-only: once a letter is finalized (and after it is sent), every service that
could change its text, translations, recipients or signatories refuses with a reason, and the
snapshot, and the live rows it was made from, stay as they were."""

import pytest
from django.core.exceptions import ValidationError

from letters_app.models import Letter, LetterSnapshot, LetterTranslation, Signature
from letters_app.services import deliveries as delivery_services
from letters_app.services import imports as import_services
from letters_app.services import letters as letter_services
from letters_app.services import signatures as signature_services
from tests.factories import RecipientFactory
from tests.frozen import LATE_FRENCH, frozen_state
from tests.translations import KHMER

pytestmark = pytest.mark.django_db


def _signature(letter, status=Signature.Status.CONFIRMED):
    return Signature.objects.select_related("letter").filter(letter=letter, status=status).first()


def _signatures(letter):
    return Signature.objects.filter(letter=letter, status=Signature.Status.CONFIRMED)


def _translation(letter, language):
    return LetterTranslation.objects.select_related("letter").get(letter=letter, language=language)


# (what is tried, the words of its refusal); each takes the letter and the coordinator.
ATTEMPTS = {
    "edit the text": (
        lambda letter, who: letter_services.letter_update(
            letter=letter, data={"body": "Another body."}, actor=who, confirm_new_version=True
        ),
        "can no longer change",
    ),
    "change a setting": (
        lambda letter, who: letter_services.letter_update(
            letter=letter, data={"accepts_individuals": True}, actor=who
        ),
        "can no longer change",
    ),
    "choose other recipients": (
        lambda letter, who: letter_services.letter_set_recipients(
            letter=letter, recipients=[RecipientFactory()], actor=who
        ),
        "can no longer change",
    ),
    "add a new recipient": (
        lambda letter, who: letter_services.letter_add_new_recipient(
            letter=letter, actor=who, name="Late Minister", email="late@example.org"
        ),
        "can no longer change",
    ),
    "change a recipient's language": (
        lambda letter, who: letter_services.letter_set_recipient_languages(
            letter=letter, languages={letter.letter_recipients.first().recipient_id: "fr"},
            actor=who,
        ),
        "can no longer change",
    ),
    "write into a draft translation": (
        lambda letter, who: letter_services.translation_save(
            letter=letter, language="km", data=KHMER | {"title": "ថ្មី"}, actor=who
        ),
        "translations were frozen",
    ),
    "edit a frozen translation": (
        lambda letter, who: letter_services.translation_save(
            letter=letter, language="fr", data={"title": LATE_FRENCH}, actor=who
        ),
        "translations were frozen",
    ),
    "mark a draft translation ready": (
        lambda letter, who: letter_services.translation_mark_ready(
            translation=_translation(letter, "km"), actor=who
        ),
        "translations were frozen",
    ),
    "take a frozen translation back to draft": (
        lambda letter, who: letter_services.translation_mark_draft(
            translation=_translation(letter, "fr"), actor=who
        ),
        "translations were frozen",
    ),
    "delete a frozen translation": (
        lambda letter, who: letter_services.translation_delete(
            translation=_translation(letter, "fr"), actor=who
        ),
        "translations were frozen",
    ),
    "correct a signatory": (
        lambda letter, who: signature_services.signature_update_display(
            signature=_signature(letter), data={"name": "Renamed"}, actor=who
        ),
        "list of signatories can no longer change",
    ),
    "withdraw a signature": (
        lambda letter, who: signature_services.signature_withdraw(signature=_signature(letter)),
        "list of signatories can no longer change",
    ),
    "keep a signature on the text": (
        lambda letter, who: signature_services.signature_keep(signature=_signature(letter)),
        "list of signatories can no longer change",
    ),
    "reject signatures": (
        lambda letter, who: signature_services.signature_moderate(
            signatures=_signatures(letter), approve=False, actor=who
        ),
        "list of signatories can no longer change",
    ),
    "invalidate signatures": (
        lambda letter, who: signature_services.signature_invalidate(
            signatures=_signatures(letter), actor=who, reason="abuse"
        ),
        "list of signatories can no longer change",
    ),
    "confirm a late signature": (
        lambda letter, who: signature_services.signature_confirm(
            signature=_signature(letter, Signature.Status.PENDING)
        ),
        "link has expired",
    ),
    "sign": (
        lambda letter, who: signature_services.signature_add(
            letter=letter, kind="organization", email="late@example.org", name="Late",
            country="KH", consent_public=True,
        ),
        "Signing of this letter has ended",
    ),
    "import a list": (
        lambda letter, who: import_services.import_confirm(
            letter=letter,
            lines=import_services.import_parse({"text": "Late Coalition, Cambodia"}),
            actor=who,
        ),
        "list of signatories can no longer change",
    ),
    "reopen signing": (
        lambda letter, who: letter_services.letter_reopen(letter=letter, actor=who),
        "cannot become open for signing",
    ),
    "close signing": (
        lambda letter, who: letter_services.letter_close(letter=letter, actor=who),
        "cannot become signing closed",
    ),
    "finalize again": (
        lambda letter, who: delivery_services.letter_finalize(letter=letter, actor=who),
        "Only a letter whose signing is closed can be finalized",
    ),
}  # fmt: skip


@pytest.mark.parametrize("sent", [False, True], ids=["finalized", "sent"])
@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_nothing_frozen_changes_through_any_service(frozen_letter, coordinator, attempt, sent):
    if sent:
        Letter.objects.filter(pk=frozen_letter.pk).update(status=Letter.Status.SENT)
        frozen_letter.refresh_from_db()
    before = frozen_state(frozen_letter)
    assert before["recomputed"] == before["snapshot"][0]  # the live rows are what was frozen
    service, reason = ATTEMPTS[attempt]

    with pytest.raises(ValidationError) as refused:
        service(frozen_letter, coordinator)

    assert reason in " ".join(refused.value.messages)
    assert frozen_state(frozen_letter) == before


def test_the_snapshot_holds_only_the_translation_ready_when_it_was_finalized(frozen_letter):
    snapshot = LetterSnapshot.objects.get(letter=frozen_letter)
    assert set(snapshot.content["translations"]) == {"fr"}
    assert _translation(frozen_letter, "km").status == LetterTranslation.Status.DRAFT
