"""Withdrawing, undoing it, and signing again: withdrawing asks once and mails a link that puts
the signature back as it was while the letter takes signatures; a withdrawn signer who signs
again is listed again once they confirm by the link mailed to them, as they typed it then."""

import re

import pytest
from django.conf import settings
from django.core import mail

from letters_app.models import AuditAction, AuditEvent, Letter, Signature, SignerMail
from letters_app.services.signatures import signature_moderate
from tests.views.public.signing import ORGANIZATION, done_url, manage_url, sign_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
S = Signature.Status


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Do what a signer's click does, with what it queues (the mails) run after its commit."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def link(message, ending: str) -> str:
    """The path of the link in `message` that ends in `ending` ("confirm/", "restore/")."""
    url = re.search(rf"https?://\S+/{ending}", message.body).group(0)
    return url.removeprefix(settings.SITE_URL)


def listed_names(client, letter) -> list[str]:
    page = client.get(letter.get_absolute_url()).content.decode()
    number = r'<span class="signatory-number">\d+\.</span> '
    return re.findall(number + r'<span class="signatory-line">([^<]*)', page)


@pytest.fixture
def approval_letter(open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()
    return open_letter


@pytest.fixture
def withdrawn(client, open_letter, run):
    """Signed with the form, confirmed by its link, then withdrawn from the manage page."""
    run(client.post, sign_url(open_letter), {**ORGANIZATION, "name": "Ligue des droits"})
    run(client.post, link(mail.outbox[-1], "confirm/"))
    signature = Signature.objects.get()
    assert signature.is_public is True
    response = run(client.post, f"{manage_url(signature)}withdraw/", follow=True)
    assert "Your signature is withdrawn" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == S.WITHDRAWN
    return signature


def test_the_withdrawal_is_mailed_with_a_link_to_undo_it(withdrawn):
    message = mail.outbox[-1]
    assert message.subject == f"Your signature is withdrawn: {withdrawn.letter.title}"
    assert message.to == [ORGANIZATION["email"]]
    assert "Ligue des droits (ATN), France" in message.body
    assert link(message, "restore/") == (
        f"/signatures/{withdrawn.pk}/{withdrawn.token('restore')}/restore/"
    )
    html = message.alternatives[0].content
    assert (
        f'href="{settings.SITE_URL}{link(message, "restore/")}">Put my signature back</a>' in html
    )
    assert SignerMail.objects.filter(kind=SignerMail.Kind.WITHDRAWN).count() == 1


def test_the_undo_link_asks_then_puts_the_signature_back_as_it_was(client, withdrawn):
    restore = link(mail.outbox[-1], "restore/")
    page = client.get(restore)
    assert page.status_code == 200
    assert "Put your signature back?" in page.content.decode()
    assert "Ligue des droits (ATN), France" in page.content.decode()
    assert Signature.objects.get().status == S.WITHDRAWN  # a mail scanner's GET changes nothing

    response = client.post(restore, follow=True)
    assert "Your signature is back as it was." in response.content.decode()
    assert "Your signature is not withdrawn" in response.content.decode()
    signature = Signature.objects.get()
    assert (signature.status, signature.is_public, signature.withdrawn_at) == (S.CONFIRMED, True,
                                                                               None)  # fmt: skip
    assert listed_names(client, withdrawn.letter) == ["Ligue des droits (ATN), France"]
    assert Letter.objects.get().count_organizations == 1
    event = AuditEvent.objects.get(action=AuditAction.SIGNATURE_RESTORED)
    assert (event.from_status, event.to_status) == (S.WITHDRAWN, S.CONFIRMED)

    client.post(restore)  # a second press changes nothing
    assert Letter.objects.get().count_organizations == 1
    assert AuditEvent.objects.filter(action=AuditAction.SIGNATURE_RESTORED).count() == 1


def test_an_approved_signature_comes_back_approved(client, approval_letter, run):
    run(client.post, sign_url(approval_letter), ORGANIZATION)
    run(client.post, link(mail.outbox[-1], "confirm/"))
    signature = Signature.objects.get()
    signature_moderate(signatures=Signature.objects.all(), approve=True, actor=None)
    run(client.post, f"{manage_url(signature)}withdraw/")
    client.post(link(mail.outbox[-1], "restore/"))
    signature.refresh_from_db()
    assert (signature.status, signature.is_public) == (S.APPROVED, True)


@pytest.mark.parametrize(
    ("status", "message"),
    [(Letter.Status.CLOSED, "Signing of this letter has ended."),
     (Letter.Status.FINALIZED, "The letter is finalized: its list of signatories can no longer "
                               "change.")],
)  # fmt: skip
def test_once_signing_has_ended_the_undo_link_explains_and_changes_nothing(
    client, withdrawn, status, message
):
    Letter.objects.update(status=status)
    restore = link(mail.outbox[-1], "restore/")
    page = client.get(restore).content.decode()
    assert "Your signature stays withdrawn" in page
    assert message in page
    assert "Put my signature back</button>" not in page
    response = client.post(restore, follow=True)
    assert message in response.content.decode()
    assert Signature.objects.get().status == S.WITHDRAWN


def test_the_undo_link_is_its_own(client, withdrawn):
    wrong = f"/signatures/{withdrawn.pk}/{withdrawn.token('manage')}/restore/"
    assert client.get(wrong).status_code == 404
    assert client.post(wrong).status_code == 404
    assert Signature.objects.get().status == S.WITHDRAWN


def test_signing_again_after_withdrawing_lists_the_new_entry_once_confirmed(client, withdrawn, run):
    letter = withdrawn.letter
    again = {**ORGANIZATION, "name": "Ligue des droits humains", "acronym": "LDH",
             "email": "Contact@ATN.example.org", "country": "KH"}  # fmt: skip
    response = run(client.post, sign_url(letter), again)
    assert response.status_code == 302
    assert response.url == done_url(letter)  # the same answer as to anyone

    message = mail.outbox[-1]
    assert message.subject == f"Confirm your signature: {letter.title}"
    assert "Ligue des droits humains (LDH), Cambodia" in message.body
    # Nothing changes before the mailbox's owner confirms.
    signature = Signature.objects.get()
    assert (signature.status, signature.is_public) == (S.WITHDRAWN, False)
    assert signature.name == "Ligue des droits"
    assert listed_names(client, letter) == []

    confirm = link(message, "confirm/")
    page = client.get(confirm).content.decode()
    assert "Ligue des droits humains (LDH), Cambodia" in page
    assert "Confirm my signature</button>" in page
    client.post(confirm)

    signature.refresh_from_db()
    assert (signature.status, signature.is_public, signature.number) == (S.CONFIRMED, True, 1)
    assert (signature.name, signature.acronym, signature.country) == (
        "Ligue des droits humains", "LDH", "KH"
    )  # fmt: skip
    assert signature.resign_data is None and signature.withdrawn_at is None
    assert listed_names(client, letter) == ["Ligue des droits humains (LDH), Cambodia"]
    assert Letter.objects.get().count_organizations == 1
    event = AuditEvent.objects.get(action=AuditAction.SIGNATURE_RESIGNED)
    assert (event.from_status, event.to_status) == (S.WITHDRAWN, S.CONFIRMED)
    assert sorted(event.detail["fields"]) == ["acronym", "country", "name"]
    assert "Thank you, you are listed" in client.get(confirm).content.decode()


def test_signing_again_on_a_letter_that_needs_approval_waits_for_it(client, approval_letter, run):
    run(client.post, sign_url(approval_letter), ORGANIZATION)
    run(client.post, link(mail.outbox[-1], "confirm/"))
    signature = Signature.objects.get()
    run(client.post, f"{manage_url(signature)}withdraw/")
    run(client.post, sign_url(approval_letter), {**ORGANIZATION, "name": "Ligue"})
    client.post(link(mail.outbox[-1], "confirm/"))
    signature.refresh_from_db()
    assert (signature.status, signature.is_public, signature.name) == (S.CONFIRMED, False, "Ligue")


def test_the_confirmation_of_signing_again_can_be_sent_again(client, withdrawn, run):
    run(client.post, sign_url(withdrawn.letter), ORGANIZATION)
    sent = len(mail.outbox)
    resend = f"/letters/{withdrawn.letter.slug}/sign/resend/"
    run(client.post, resend, {"email": ORGANIZATION["email"]})
    assert len(mail.outbox) == sent + 1
    assert mail.outbox[-1].subject.startswith("Confirm your signature")


def test_undoing_the_withdrawal_drops_a_new_signing_not_confirmed(client, withdrawn, run):
    restore = link(mail.outbox[-1], "restore/")
    run(client.post, sign_url(withdrawn.letter), {**ORGANIZATION, "name": "Someone else"})
    confirm = link(mail.outbox[-1], "confirm/")
    client.post(restore)
    client.post(confirm)
    signature = Signature.objects.get()
    assert (signature.name, signature.status) == ("Ligue des droits", S.CONFIRMED)
    assert signature.resign_data is None


def test_a_signature_not_withdrawn_still_gets_the_already_signed_mail(client, open_letter, run):
    run(client.post, sign_url(open_letter), ORGANIZATION)
    run(client.post, link(mail.outbox[-1], "confirm/"))
    run(client.post, sign_url(open_letter), {**ORGANIZATION, "name": "Another name"})
    assert mail.outbox[-1].subject.startswith("You have already signed")
    signature = Signature.objects.get()
    assert (signature.name, signature.resign_data) == ("Association TEP NIMITH", None)


def test_once_signing_has_ended_a_new_signing_cannot_be_confirmed(client, withdrawn, run):
    run(client.post, sign_url(withdrawn.letter), ORGANIZATION)
    confirm = link(mail.outbox[-1], "confirm/")
    Letter.objects.update(status=Letter.Status.FINALIZED)
    assert client.post(confirm).status_code == 410
    assert Signature.objects.get().status == S.WITHDRAWN


def test_the_withdrawals_mail_is_sent_whatever_the_cap_and_not_counted(
    client, open_letter, run, settings
):
    settings.SIGNING_MAILS_PER_ADDRESS = 2
    run(client.post, sign_url(open_letter), ORGANIZATION)
    run(client.post, link(mail.outbox[-1], "confirm/"))
    signature = Signature.objects.get()
    for _ in range(2):
        run(client.post, f"{manage_url(signature)}withdraw/")
        client.post(link(mail.outbox[-1], "restore/"))
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Confirm your signature", *["Your signature is withdrawn"] * 2,
    ]  # fmt: skip
    run(client.post, f"{manage_url(signature)}withdraw/")
    run(client.post, sign_url(open_letter), ORGANIZATION)  # the second and last capped mail
    assert mail.outbox[-1].subject.startswith("Confirm your signature")


def test_a_signature_rejected_then_withdrawn_cannot_come_back_by_signing_again(
    client, open_letter, run
):
    run(client.post, sign_url(open_letter), ORGANIZATION)
    run(client.post, link(mail.outbox[-1], "confirm/"))
    signature_moderate(signatures=Signature.objects.all(), approve=False, actor=None)
    Signature.objects.update(status=S.WITHDRAWN, withdrawn_from=S.REJECTED)
    run(client.post, sign_url(open_letter), ORGANIZATION)
    assert mail.outbox[-1].subject.startswith("You have already signed")
    assert Signature.objects.get().resign_data is None
