"""Signers' personal data: erased on request, and e-mail and IP addresses removed a set time
after the letter is sent, the signatory list left as it was delivered."""

import datetime

import pytest
from django.db.models import Q

from letters_app import tasks
from letters_app.celery import app as celery_app
from letters_app.models import (
    AuditEvent,
    Delivery,
    Letter,
    LetterSnapshot,
    Signature,
    SignerMail,
    SignerNotice,
)
from letters_app.services.deliveries import (
    NoticeOutbox,
    letter_mark_sent_if_done,
    signer_follow_ups_create,
)
from letters_app.services.letters import letter_open
from letters_app.services.privacy import signature_erase, signer_data_purge
from letters_app.services.signatures import signature_add, signature_get_by_token
from tests.factories import LetterFactory, RecipientFactory, listed
from tests.mails import send_due

pytestmark = pytest.mark.django_db
S = Signature.Status
N = SignerNotice.Status


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def listed_line(letter):
    return list(
        Signature.objects.filter(letter=letter, is_public=True)
        .order_by("number")
        .values_list("number", "name")
    )


@pytest.fixture
def three(open_letter):
    """Three listed signers of the open letter, the second signed for by a contact person."""
    first = listed(open_letter, name="First Association", ip_address="203.0.113.1")
    second = listed(
        open_letter, name="Second Association", email="dara@atn.example.org",
        email_normalized="dara@atn.example.org", email_domain="atn.example.org",
        ip_address="203.0.113.2", contact_name="Sok Dara", contact_role="President",
    )  # fmt: skip
    third = listed(open_letter, name="Third Association", ip_address="2001:db8::3")
    return first, second, third


def test_erasing_removes_the_private_data_and_unlists_the_line_as_withdrawal_does(
    three, open_letter
):
    first, second, third = three
    manage_token = second.token("manage")
    SignerMail.objects.create(signature=second, kind=SignerMail.Kind.NEW_VERSION)  # not sent yet

    signature_erase(signature=second, actor=None)

    second.refresh_from_db()
    assert (second.email, second.email_domain, second.ip_address) == ("", "", None)
    assert (second.contact_name, second.contact_role) == ("", "")
    assert "dara" not in second.email_normalized and "@" not in second.email_normalized
    assert second.erased_at is not None
    assert second.name == "Second Association"  # the line itself is what the list showed
    assert (second.status, second.is_public, second.number) == (S.WITHDRAWN, False, None)
    # Counted and numbered as after a withdrawal: the later line moves up.
    assert refreshed(open_letter).count_organizations == 2
    assert listed_line(open_letter) == [(1, "First Association"), (2, "Third Association")]
    # The links mailed to the signer no longer open anything; no mail waits for them.
    assert signature_get_by_token(pk=second.pk, token=manage_token, purpose="manage") is None
    assert not SignerMail.objects.filter(signature=second).exists()
    # The audit trail says who and which, never the data.
    event = AuditEvent.objects.get(action="signature.erased")
    assert event.detail == {"signature": second.pk, "frozen": False}
    trail = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "dara" not in trail and "203.0.113.2" not in trail
    assert refreshed(first).email and refreshed(third).ip_address == "2001:db8::3"


def test_erasing_twice_changes_and_records_nothing_more(three, open_letter, admin):
    second = three[1]
    signature_erase(signature=second, actor=admin)
    erased_at = refreshed(second).erased_at
    signature_erase(signature=second, actor=admin)
    assert refreshed(second).erased_at == erased_at
    assert AuditEvent.objects.filter(action="signature.erased").count() == 1
    assert AuditEvent.objects.get(action="signature.erased").actor == admin
    assert refreshed(open_letter).count_organizations == 2


def test_erased_rows_do_not_collide_and_the_same_address_may_sign_again(three, open_letter):
    first, second, _third = three
    signature_erase(signature=first)
    signature_erase(signature=second)
    again, created = signature_add(
        letter=open_letter, kind=Signature.Kind.ORGANIZATION, email="dara@atn.example.org",
        name="Second Association", consent_public=True,
    )  # fmt: skip
    assert created is True
    assert again.pk != second.pk and again.status == S.PENDING


def test_a_pending_signature_erased_is_withdrawn_and_its_confirmation_dropped(open_letter):
    pending, _created = signature_add(
        letter=open_letter, kind=Signature.Kind.ORGANIZATION, email="new@example.org",
        name="Not Yet", consent_public=True, ip_address="198.51.100.7",
    )  # fmt: skip
    assert SignerMail.objects.filter(signature=pending).count() == 1
    signature_erase(signature=pending)
    pending.refresh_from_db()
    assert (pending.status, pending.email, pending.ip_address) == (S.WITHDRAWN, "", None)
    assert not SignerMail.objects.filter(signature=pending).exists()
    assert refreshed(open_letter).count_organizations == 0


def test_on_a_frozen_letter_the_delivered_list_keeps_the_line(frozen_letter):
    snapshot = LetterSnapshot.objects.get(letter=frozen_letter)
    before = (snapshot.sha256, snapshot.content, listed_line(frozen_letter))
    counts = frozen_letter.signature_count
    signature = Signature.objects.filter(letter=frozen_letter, is_public=True).first()

    signature_erase(signature=signature)

    signature.refresh_from_db()
    assert (signature.email, signature.ip_address, signature.erased_at is None) == ("", None, False)
    assert (signature.status, signature.is_public) == (S.CONFIRMED, True)
    snapshot.refresh_from_db()
    assert (snapshot.sha256, snapshot.content, listed_line(frozen_letter)) == before
    assert refreshed(frozen_letter).signature_count == counts
    assert AuditEvent.objects.get(action="signature.erased").detail["frozen"] is True
    assert not AuditEvent.objects.filter(action="signature.withdrawn").exists()


# --- the retention period ------------------------------------------------------------------------


def _send(letter: Letter) -> datetime.datetime:
    """Every e-mailed copy reached its recipient: the letter is sent, its signers are told.
    Returns when it was recorded as sent."""
    Delivery.objects.filter(letter=letter).exclude(status=Delivery.Status.POSTAL).update(
        status=Delivery.Status.SENT
    )
    assert letter_mark_sent_if_done(letter_id=letter.pk) is True
    assert send_due(NoticeOutbox) == 4
    return AuditEvent.objects.get(letter=letter, action="letter.sent").created_at


@pytest.fixture
def sent(finalized_letter):
    Signature.objects.filter(letter=finalized_letter).update(ip_address="192.0.2.10")
    return finalized_letter, _send(finalized_letter)


def holding(letter) -> int:
    return Signature.objects.filter(
        Q(letter=letter) & (~Q(email="") | Q(ip_address__isnull=False))
    ).count()


def test_nothing_is_removed_before_the_retention_period_is_over(sent, time_machine, settings):
    letter, sent_at = sent
    settings.SIGNER_DATA_RETENTION_DAYS = 90
    time_machine.move_to(sent_at + datetime.timedelta(days=90) - datetime.timedelta(minutes=1))
    assert signer_data_purge() == 0
    assert holding(letter) == 4  # its four listed signers
    assert not AuditEvent.objects.filter(action="signers.purged").exists()


def test_addresses_go_after_the_retention_period_and_the_list_stays(
    sent, time_machine, settings, coordinator
):
    letter, sent_at = sent
    still_open = letter_open(
        letter=LetterFactory(created_by=coordinator, recipients=[RecipientFactory()]),
        actor=coordinator,
    )
    other = listed(still_open, name="Still Signing", ip_address="192.0.2.99")
    settings.SIGNER_DATA_RETENTION_DAYS = 30
    snapshot = LetterSnapshot.objects.get(letter=letter)
    names = listed_line(letter)
    assert len(names) == 4

    time_machine.move_to(sent_at + datetime.timedelta(days=30))
    assert signer_data_purge() == 4

    assert holding(letter) == 0
    assert Signature.objects.filter(letter=letter, email_normalized__contains="@").count() == 0
    assert listed_line(letter) == names
    assert refreshed(snapshot).content == snapshot.content
    # Its signers' notices stay counted as sent; nothing is left to send to an erased address.
    notices = SignerNotice.objects.filter(signature__letter=letter)
    assert list(notices.values_list("status", flat=True)) == [N.SENT] * 4
    assert not SignerMail.objects.filter(signature__letter=letter).exists()
    event = AuditEvent.objects.get(action="signers.purged")
    assert (event.letter, event.actor, event.detail) == (letter, None, {"purged": 4, "days": 30})
    assert "4 signers" in event.describe()
    other.refresh_from_db()
    assert (other.email != "", other.ip_address) == (True, "192.0.2.99")


def test_purging_again_finds_nothing_and_records_nothing(sent, time_machine):
    letter, sent_at = sent
    time_machine.move_to(sent_at + datetime.timedelta(days=91))
    assert signer_data_purge() == 4
    assert signer_data_purge() == 0
    assert AuditEvent.objects.filter(action="signers.purged").count() == 1


def test_the_beat_task_run_twice_purges_once(sent, time_machine):
    letter, sent_at = sent
    time_machine.move_to(sent_at + datetime.timedelta(days=120))
    assert tasks.signer_data_purge_task.apply().get() == 4
    assert tasks.signer_data_purge_task.apply().get() == 0
    assert AuditEvent.objects.filter(letter=letter, action="signers.purged").count() == 1
    assert holding(letter) == 0


def test_beat_runs_the_purge_every_hour(settings):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
                if e["task"] == "letters_app.tasks.signer_data_purge_task"]  # fmt: skip
    assert celery_app.tasks[entry["task"]].name == tasks.signer_data_purge_task.name
    assert entry["schedule"] == 3600.0


def test_an_erased_signer_gets_no_follow_up_and_cannot_be_sent_one_again(sent):
    letter, _sent_at = sent
    notices = SignerNotice.objects.filter(signature__letter=letter)
    # Told the letter had not reached everyone yet; one of them then erases their data.
    notices.update(outcome="partly")
    told = notices.select_related("signature").first()
    SignerNotice.objects.filter(pk=told.pk).update(follow_up=N.FAILED, last_error="550 <x@y>")
    signature_erase(signature=told.signature)

    told.refresh_from_db()
    assert (told.status, told.follow_up, told.last_error, told.response) == (N.SENT, "", "", "")
    assert signer_follow_ups_create(letter_id=letter.pk) == 3  # the others only
    assert refreshed(told).follow_up == ""
