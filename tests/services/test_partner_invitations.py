"""Inviting partners: one mail each, in its language, spread over time, exactly once; a failed
mail shows on the partner with the server's answer; what the partner does with its link."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from letters_app.models import AuditAction, AuditEvent, Partner, PartnerMail, Signature, SignerMail
from letters_app.services import partners as partner_services
from letters_app.services.partners import PartnerMailOutbox
from letters_app.services.signatures import signature_confirm
from tests.mails import make_due, send_due
from tests.partners import partners_add

pytestmark = pytest.mark.django_db
P = Partner.Status
THREE = """\
Association TEP NIMITH (ATN), France, contact@tep.example.org, fr
Khmer Youth (KY), Cambodia, office@khmer.example.org, km
Green Network, Australia, hello@green.example.org, en
"""


@pytest.fixture
def three(open_letter, coordinator):
    return partners_add(open_letter, coordinator, THREE)


def test_inviting_everyone_queues_one_mail_each_spread_over_time(
    open_letter, coordinator, three, settings
):
    settings.PARTNER_MAILS_PER_MINUTE = 2
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert partner_services.partners_invite(letter=open_letter, actor=coordinator) == 3
    rows = PartnerMail.objects.order_by("due_at")
    assert [r.due_at - now for r in rows] == [datetime.timedelta(seconds=s) for s in (0, 30, 60)]
    assert set(Partner.objects.values_list("status", flat=True)) == {P.INVITED}
    event = AuditEvent.objects.get(action=AuditAction.PARTNERS_INVITED)
    assert event.detail["invited"] == 3
    # Asked again: nobody is left to invite, nothing is queued twice.
    assert partner_services.partners_invite(letter=open_letter, actor=coordinator) == 0
    assert PartnerMail.objects.count() == 3


def test_a_second_batch_comes_after_the_first(open_letter, coordinator, three, settings):
    settings.PARTNER_MAILS_PER_MINUTE = 60
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        partner_services.partners_invite(letter=open_letter, actor=coordinator,
                                         partner_ids=[three[0].pk])  # fmt: skip
        partner_services.partners_invite(letter=open_letter, actor=coordinator)
    dues = sorted(PartnerMail.objects.values_list("due_at", flat=True))
    assert [d - now for d in dues] == [datetime.timedelta(seconds=s) for s in (0, 1, 2)]


def test_each_partner_gets_its_mail_once_in_its_language(open_letter, coordinator, three):
    partner_services.partners_invite(letter=open_letter, actor=coordinator)
    make_due(PartnerMail.objects.all())
    assert send_due(PartnerMailOutbox) == 3
    assert send_due(PartnerMailOutbox) == 0
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    french = by_address["contact@tep.example.org"]
    assert french.subject.startswith("Accepteriez-vous de signer")
    khmer = by_address["office@khmer.example.org"]
    assert khmer.extra_headers["Content-Language"] == "km"
    assert "យើងសូមអញ្ជើញអង្គការរបស់អ្នក" in khmer.body
    assert "Will you sign" in by_address["hello@green.example.org"].subject
    partner = three[0]
    assert f"/invitations/{partner.secret}/" in french.body
    unsubscribe = french.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://") or unsubscribe.startswith("<http")
    assert unsubscribe.endswith(f"/invitations/{partner.secret}/unsubscribe/>")
    assert french.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert PartnerMail.objects.filter(status="sent").count() == 3


def test_a_refused_address_shows_the_servers_answer(open_letter, coordinator, three, flaky):
    refused = smtplib.SMTPRecipientsRefused(
        {"contact@tep.example.org": (550, b"5.1.1 No such user")}
    )
    temporary = smtplib.SMTPRecipientsRefused(
        {"office@khmer.example.org": (451, b"4.7.1 Try again later")}
    )
    flaky.reset([refused, temporary, None])
    partner_services.partners_invite(letter=open_letter, actor=coordinator)
    make_due(PartnerMail.objects.all())
    send_due(PartnerMailOutbox)
    first, second, third = Partner.objects.order_by("pk")
    assert first.status == P.MAIL_FAILED
    assert "550" in first.mail_error and "No such user" in first.mail_error
    assert second.status == P.INVITED  # tried again later
    assert PartnerMail.objects.get(partner=second).status == "retry"
    assert third.status == P.INVITED

    # Invited again once the address is corrected elsewhere: its mail is tried from the start.
    assert partner_services.partners_invite(letter=open_letter, actor=coordinator,
                                            partner_ids=[first.pk]) == 1  # fmt: skip
    row = PartnerMail.objects.get(partner=first)
    assert (row.status, row.attempts) == ("queued", 0)


def test_invitations_wait_for_the_letter_to_open(letter, coordinator):
    partners_add(letter, coordinator, "Org, France, org@example.org")
    with pytest.raises(ValidationError):
        partner_services.partners_invite(letter=letter, actor=coordinator)
    assert not PartnerMail.objects.exists()


def test_signing_with_the_invited_address_counts_at_once_without_mail(
    open_letter, coordinator, three
):
    partner = three[0]
    mail.outbox.clear()
    signature = partner_services.partner_sign(
        partner=partner, kind="organization", email="Contact@tep.example.org",
        name=partner.name, acronym=partner.acronym, country="FR", consent_public=True,
    )  # fmt: skip
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.is_public
    assert not SignerMail.objects.filter(signature=signature).exists()
    partner.refresh_from_db()
    assert (partner.status, partner.signature) == (P.SIGNED, signature)
    assert partner.opened_at is not None and partner.signed_at is not None
    open_letter.refresh_from_db()
    assert open_letter.count_organizations == 1


def test_signing_with_another_address_is_confirmed_by_mail_first(open_letter, coordinator, three):
    partner = three[1]
    signature = partner_services.partner_sign(
        partner=partner, kind="organization", email="someone.else@example.org",
        name=partner.name, country="KH", consent_public=True,
    )  # fmt: skip
    assert signature.status == Signature.Status.PENDING
    assert SignerMail.objects.filter(signature=signature, kind="confirmation").count() == 1
    partner.refresh_from_db()
    assert partner.status == P.OPENED
    signature_confirm(signature=signature)
    partner.refresh_from_db()
    assert partner.status == P.SIGNED


def test_declining_and_unsubscribing(open_letter, coordinator, three):
    first, second, _third = three
    assert partner_services.partner_decline(partner=first, reason=" Board says no ")
    first.refresh_from_db()
    assert (first.status, first.decline_reason) == (P.DECLINED, "Board says no")
    assert partner_services.partner_unsubscribe(partner=second)
    assert not partner_services.partner_unsubscribe(partner=second)  # once
    second.refresh_from_db()
    assert second.status == P.UNSUBSCRIBED


def test_a_partner_that_signed_stays_signed(open_letter, coordinator, three):
    partner = three[2]
    partner_services.partner_sign(
        partner=partner, kind="organization", email=partner.email, name=partner.name,
        country="AU", consent_public=True,
    )  # fmt: skip
    assert not partner_services.partner_decline(partner=partner)
    partner_services.partner_unsubscribe(partner=partner)
    partner.refresh_from_db()
    assert partner.status == P.SIGNED
    assert partner.unsubscribed_at is not None
