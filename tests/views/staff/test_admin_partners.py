"""Admins read every partner of every letter, the mails sent to partners and to coordinators,
why one failed, and send failed ones again through the services, audited."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from letters_app.models import AuditEvent, CoordinatorMail, Partner, PartnerMail
from tests.partners import partners_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

PARTNERS = "admin:letters_app_partner_changelist"
PARTNER_MAILS = "admin:letters_app_partnermail_changelist"
COORDINATOR_MAILS = "admin:letters_app_coordinatormail_changelist"
THREE = """\
Association TEP NIMITH (ATN), France, contact@tep.example.org, fr
សមាគមយុវជនខ្មែរ (SYK), Cambodia, office@khmer.example.org, km
Green Network, Australia, hello@green.example.org, en
"""
REFUSED = "550 5.1.1 No such user here"


def _failed(**fields) -> dict:
    return {"status": "failed", "attempts": 1, "error_kind": "recipient", "last_error": REFUSED,
            **fields}  # fmt: skip


def test_admins_list_partners_with_their_letter_and_status_filtered_and_searched(
    client_for, admin, open_letter, coordinator
):
    french, khmer, green = partners_add(open_letter, coordinator, THREE)
    Partner.objects.filter(pk=khmer.pk).update(status=Partner.Status.SIGNED)
    client = client_for(admin)

    page = client.get(reverse(PARTNERS)).content.decode()
    assert all(name in page for name in ("Association TEP NIMITH", "សមាគមយុវជនខ្មែរ", "Green"))
    assert open_letter.title in page

    signed = client.get(reverse(PARTNERS), {"status__exact": "signed"})
    assert list(signed.context["cl"].result_list) == [khmer]
    found = client.get(reverse(PARTNERS), {"q": "tep.example"})
    assert list(found.context["cl"].result_list) == [french]
    by_letter = client.get(reverse(PARTNERS), {"letter__id__exact": open_letter.pk})
    assert by_letter.context["cl"].result_count == 3

    detail = client.get(reverse("admin:letters_app_partner_change", args=[green.pk]))
    assert detail.status_code == 200
    assert "it cannot be changed here" in detail.content.decode()
    assert green.secret not in detail.content.decode()  # the personal link stays private


def test_admins_invite_the_partners_whose_invitation_failed_again(
    client_for, admin, open_letter, coordinator, django_capture_on_commit_callbacks
):
    french, khmer, _green = partners_add(open_letter, coordinator, THREE)
    Partner.objects.filter(pk=french.pk).update(status=Partner.Status.MAIL_FAILED)
    Partner.objects.filter(pk=khmer.pk).update(status=Partner.Status.INVITED)
    failed = PartnerMail.objects.create(partner=french, kind="invitation", **_failed())
    sent = PartnerMail.objects.create(partner=khmer, kind="invitation", status="sent")
    client = client_for(admin)
    page = client.get(reverse(PARTNER_MAILS), {"status__exact": "failed"})
    assert list(page.context["cl"].result_list) == [failed]
    assert REFUSED in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(PARTNER_MAILS), {"action": "resend", "_selected_action": [failed.pk, sent.pk]}
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == PartnerMail.Status.SENT
    assert Partner.objects.get(pk=french.pk).status == Partner.Status.INVITED
    assert [m.to for m in mail.outbox] == [["contact@tep.example.org"]]
    event = AuditEvent.objects.get(action="partners.invited")
    assert (event.actor, event.letter, event.detail["invited"]) == (admin, open_letter, 1)


def test_no_partner_is_invited_again_once_its_letter_is_closed(
    client_for, admin, open_letter, coordinator
):
    french, *_others = partners_add(open_letter, coordinator, THREE)
    Partner.objects.filter(pk=french.pk).update(status=Partner.Status.MAIL_FAILED)
    failed = PartnerMail.objects.create(partner=french, kind="invitation", **_failed())
    open_letter.__class__.objects.filter(pk=open_letter.pk).update(status="closed")

    response = client_for(admin).post(
        reverse(PARTNER_MAILS), {"action": "resend", "_selected_action": [failed.pk]}, follow=True
    )
    assert "Partners are invited while the letter is open for signing." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == PartnerMail.Status.FAILED
    assert not AuditEvent.objects.filter(action="partners.invited").exists()


def test_admins_send_a_failed_mail_to_a_coordinator_again_and_only_that_one(
    client_for, admin, open_letter, coordinator, django_capture_on_commit_callbacks
):
    day = datetime.date(2026, 12, 6)
    fields = {"letter": open_letter, "user": coordinator, "kind": "digest", "language": "en"}
    failed = CoordinatorMail.objects.create(to="amara@example.org", day=day, **fields, **_failed())
    sent = CoordinatorMail.objects.create(
        to="amara@example.org", day=day - datetime.timedelta(days=1), status="sent", **fields
    )
    client = client_for(admin)
    page = client.get(reverse(COORDINATOR_MAILS))
    assert set(page.context["cl"].result_list) == {failed, sent}
    assert REFUSED in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(COORDINATOR_MAILS),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == CoordinatorMail.Status.SENT
    assert [m.to for m in mail.outbox] == [["amara@example.org"]]
    event = AuditEvent.objects.get(action="coordinator.mail_resent")
    assert (event.actor, event.letter) == (admin, open_letter)


@pytest.mark.parametrize("changelist", [PARTNERS, PARTNER_MAILS, COORDINATOR_MAILS])
def test_coordinators_cannot_reach_the_partners_or_the_mails(changelist, client_for, coordinator):
    response = client_for(coordinator).get(reverse(changelist))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("changelist", [PARTNERS, PARTNER_MAILS, COORDINATOR_MAILS])
def test_nobody_adds_a_partner_or_a_mail_in_the_admin(changelist, client_for, admin):
    add = changelist.replace("_changelist", "_add")
    assert client_for(admin).get(reverse(add)).status_code == 403
