"""The signing services, tested through their effects: rows, counts, mails, audit rows."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from letters_app.models import AuditEvent, Blocklist, Letter, Signature, SignerMail, SiteSwitch
from letters_app.services.letters import letter_close
from letters_app.services.signatures import (
    display_country_split,
    display_text_tidy,
    signature_add,
    signature_confirm,
    signature_get_by_token,
    signature_invalidate,
    signature_keep,
    signature_moderate,
    signature_resend,
    signature_update_display,
    signature_withdraw,
)
from letters_app.tasks import mails_send_task

# Tasks queued on commit run at once, in this process, against the test database.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

S = Signature.Status
ORG = Signature.Kind.ORGANIZATION
CONFIRM_SUBJECT = "Confirm your signature"
ALREADY_SUBJECT = "You have already signed"


@pytest.fixture
def sign(django_capture_on_commit_callbacks):
    """Sign as a person would, running what the service queues for after the commit."""

    def sign(letter, email="ada@example.org", *, kind=ORG, ip_address=None, **fields):
        fields = {"name": "Ligue des droits", "country": "FR", "consent_public": True} | fields
        with django_capture_on_commit_callbacks(execute=True):
            return signature_add(
                letter=letter, kind=kind, email=email, ip_address=ip_address, **fields
            )

    return sign


@pytest.fixture
def confirmed(sign, open_letter):
    """Make a confirmed (and, unless the letter needs approval, listed) signature."""

    def confirmed(email="ada@example.org", letter=None, **fields):
        signature, _created = sign(letter or open_letter, email, **fields)
        signature_confirm(signature=signature)
        signature.refresh_from_db()
        return signature

    return confirmed


def counts(letter):
    letter.refresh_from_db()
    return letter.count_organizations, letter.count_individuals, letter.count_mps


def subjects():
    return [m.subject.split(":")[0] for m in mail.outbox]


# Adding


def test_add_makes_a_pending_row_and_mails_confirm_and_manage_links(sign, open_letter):
    signature, created = sign(open_letter, " Ada@Example.org ", ip_address="192.0.2.7")
    assert created is True
    row = Signature.objects.get()
    assert row == signature
    assert (row.status, row.is_public, row.version) == (S.PENDING, False, open_letter.version)
    assert (row.email, row.email_normalized, row.email_domain) == (
        "Ada@Example.org", "ada@example.org", "example.org",
    )  # fmt: skip
    assert row.ip_address == "192.0.2.7"
    assert row.mails_sent == 1
    assert counts(open_letter) == (0, 0, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ada@Example.org"]
    assert message.subject == f"{CONFIRM_SUBJECT}: {open_letter.title}"
    confirm = reverse(
        "public:signature-confirm",
        kwargs={"pk": row.pk, "token": row.token("confirm")},
    )
    manage = reverse("public:signature-manage", kwargs={"pk": row.pk, "token": row.token("manage")})
    assert confirm in message.body
    assert manage in message.body


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("ada@example.org", "ADA@EXAMPLE.ORG"),
        ("ada@example.org", "  ada@example.org  "),
        ("ada@example.org", "ada+letters@example.org"),
        ("ada.lovelace@gmail.com", "AdaLovelace+x@googlemail.com"),
    ],
)
def test_the_same_mailbox_twice_is_one_row_and_an_already_signed_mail(
    sign, open_letter, first, again
):
    signature, _created = sign(open_letter, first)
    again_signature, created = sign(open_letter, again, name="Someone else entirely")
    assert created is False
    assert again_signature.pk == signature.pk
    assert Signature.objects.get().name == "Ligue des droits"
    assert subjects() == [CONFIRM_SUBJECT, ALREADY_SUBJECT]
    assert mail.outbox[1].to == [first]


def test_the_same_address_on_another_letter_is_another_signature(sign, open_letter, coordinator):
    from tests.factories import LetterFactory

    other = LetterFactory(created_by=coordinator, status=Letter.Status.OPEN)
    sign(open_letter)
    _signature, created = sign(other)
    assert created is True
    assert Signature.objects.count() == 2


def test_mails_to_one_address_are_capped(
    sign, open_letter, settings, django_capture_on_commit_callbacks
):
    settings.SIGNING_MAILS_PER_ADDRESS = 3
    for _ in range(6):
        sign(open_letter)
    signature = Signature.objects.get()
    assert subjects() == [CONFIRM_SUBJECT, ALREADY_SUBJECT, ALREADY_SUBJECT]
    with django_capture_on_commit_callbacks(execute=True):
        signature_resend(letter=open_letter, email="ada@example.org")
    signature.refresh_from_db()
    assert signature.mails_sent == 3
    assert len(mail.outbox) == 3


def test_resend_mails_the_confirmation_again_while_pending(
    sign, open_letter, django_capture_on_commit_callbacks
):
    signature, _created = sign(open_letter)
    with django_capture_on_commit_callbacks(execute=True):
        signature_resend(letter=open_letter, email="ADA@example.org")
    assert subjects() == [CONFIRM_SUBJECT, CONFIRM_SUBJECT]
    signature_confirm(signature=signature)
    with django_capture_on_commit_callbacks(execute=True):
        signature_resend(letter=open_letter, email="ada@example.org")
    assert len(mail.outbox) == 2


def test_each_mail_is_a_row_sent_once_however_often_a_worker_runs(sign, open_letter):
    signature, _created = sign(open_letter)
    row = SignerMail.objects.get(signature=signature)
    assert (row.kind, row.status, row.attempts) == ("confirmation", SignerMail.Status.SENT, 1)
    assert row.sent_at is not None
    for _ in range(2):
        assert mails_send_task.apply().get() == 0
    assert subjects() == [CONFIRM_SUBJECT]


def test_a_signature_rolled_back_takes_its_mail_with_it(open_letter):
    with pytest.raises(RuntimeError), transaction.atomic():
        signature_add(
            letter=open_letter, kind=ORG, email="ada@example.org", name="Ligue", country="FR"
        )
        raise RuntimeError
    assert not SignerMail.objects.exists()
    assert mails_send_task.apply().get() == 0
    assert mail.outbox == []


# Refusals


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        (Blocklist.Kind.DOMAIN, "spam.example", "bot@spam.example", None),
        (Blocklist.Kind.DOMAIN, "spam.example", "bot@mx.spam.example", None),
        (Blocklist.Kind.IP, "203.0.113.0/24", "ada@example.org", "203.0.113.99"),
        (Blocklist.Kind.IP, "2001:db8::/32", "ada@example.org", "2001:db8:1::5"),
        (Blocklist.Kind.IP, "198.51.100.4", "ada@example.org", "198.51.100.4"),
    ],
)
def test_blocklisted_domains_and_networks_are_refused(sign, open_letter, kind, value, email, ip):
    Blocklist.objects.create(kind=kind, value=value)
    with pytest.raises(ValidationError) as exc:
        sign(open_letter, email, ip_address=ip)
    assert exc.value.code == "blocked"
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_the_blocklist_spares_other_domains_and_addresses(sign, open_letter):
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="spam.example")
    Blocklist.objects.create(kind=Blocklist.Kind.IP, value="203.0.113.0/24")
    _signature, created = sign(open_letter, "ada@notspam.example", ip_address="203.0.114.1")
    assert created is True


def _pause_letter(letter):
    Letter.objects.filter(pk=letter.pk).update(signing_paused=True)


def _pause_site(letter):
    SiteSwitch.objects.update_or_create(pk=1, defaults={"signing_paused": True})


def _close(letter):
    letter_close(letter=letter, actor=None)


def _past_deadline(letter):
    Letter.objects.filter(pk=letter.pk).update(
        signing_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )


@pytest.mark.parametrize("refuse", [_pause_letter, _pause_site, _close, _past_deadline])
def test_signing_is_refused_while_paused_closed_or_past_the_deadline(sign, open_letter, refuse):
    refuse(open_letter)
    open_letter.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        sign(open_letter)
    assert exc.value.code == "closed"
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_a_draft_takes_no_signature(sign, letter):
    with pytest.raises(ValidationError):
        sign(letter)
    assert Signature.objects.count() == 0


def test_a_kind_the_letter_does_not_accept_is_refused(sign, open_letter):
    assert open_letter.accepts_individuals is False
    with pytest.raises(ValidationError) as exc:
        sign(open_letter, kind=Signature.Kind.INDIVIDUAL, title="Lawyer")
    assert exc.value.code == "closed"
    assert Signature.objects.count() == 0


def test_fields_are_validated(sign, open_letter):
    with pytest.raises(ValidationError) as exc:
        sign(open_letter, name="x" * 201)
    assert "name" in exc.value.message_dict
    assert Signature.objects.count() == 0


# Confirming and listing


def test_confirm_lists_and_counts_once(sign, open_letter):
    signature, _created = sign(open_letter)
    assert signature_confirm(signature=signature) is True
    assert signature_confirm(signature=signature) is False
    signature.refresh_from_db()
    assert (signature.status, signature.is_public) == (S.CONFIRMED, True)
    assert signature.confirmed_at is not None
    assert signature.published_at is not None
    assert counts(open_letter) == (1, 0, 0)


def test_kinds_are_counted_apart(confirmed, open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True, accepts_mps=True)
    open_letter.refresh_from_db()
    confirmed("a@example.org", kind=Signature.Kind.INDIVIDUAL, name="Ada")
    confirmed("b@example.org", kind=Signature.Kind.MP, name="Bea", party="Green")
    confirmed("c@example.org", name="Ligue")
    assert counts(open_letter) == (1, 1, 1)


def test_with_approval_a_confirmed_signature_waits_until_approved(
    confirmed, open_letter, coordinator
):
    Letter.objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()
    signature = confirmed()
    assert (signature.status, signature.is_public) == (S.CONFIRMED, False)
    assert counts(open_letter) == (0, 0, 0)

    done = signature_moderate(
        signatures=Signature.objects.filter(pk=signature.pk), approve=True, actor=coordinator
    )
    signature.refresh_from_db()
    assert done == 1
    assert (signature.status, signature.is_public) == (S.APPROVED, True)
    assert counts(open_letter) == (1, 0, 0)
    event = AuditEvent.objects.get(action="signature.approved")
    assert (event.actor, event.from_status, event.to_status) == (
        coordinator,
        "confirmed",
        "approved",
    )
    assert event.detail == {"signature": signature.pk}


def test_moderation_skips_pending_and_withdrawn_signatures(
    sign, confirmed, open_letter, coordinator
):
    pending, _created = sign(open_letter, "pending@example.org")
    gone = confirmed("gone@example.org")
    signature_withdraw(signature=gone)
    done = signature_moderate(
        signatures=Signature.objects.filter(pk__in=[pending.pk, gone.pk]),
        approve=True,
        actor=coordinator,
    )
    assert done == 0
    assert set(Signature.objects.values_list("status", flat=True)) == {S.PENDING, S.WITHDRAWN}
    assert counts(open_letter) == (0, 0, 0)


def test_reject_takes_the_signature_off_the_list_and_the_count(confirmed, open_letter, coordinator):
    signature = confirmed()
    assert counts(open_letter) == (1, 0, 0)
    chosen = Signature.objects.filter(pk=signature.pk)
    assert signature_moderate(signatures=chosen, approve=False, actor=coordinator) == 1
    assert signature_moderate(signatures=chosen, approve=False, actor=coordinator) == 0
    signature.refresh_from_db()
    assert (signature.status, signature.is_public) == (S.REJECTED, False)
    assert counts(open_letter) == (0, 0, 0)
    # Changing one's mind: approving a rejected signature lists it again, counted once.
    assert signature_moderate(signatures=chosen, approve=True, actor=coordinator) == 1
    assert counts(open_letter) == (1, 0, 0)


def test_withdraw_takes_the_name_off_at_once_and_is_audited(confirmed, open_letter):
    signature = confirmed()
    signature_withdraw(signature=signature)
    signature_withdraw(signature=signature)
    signature.refresh_from_db()
    assert (signature.status, signature.is_public) == (S.WITHDRAWN, False)
    assert signature.withdrawn_at is not None
    assert counts(open_letter) == (0, 0, 0)
    event = AuditEvent.objects.get(action="signature.withdrawn")
    assert (event.from_status, event.to_status, event.actor) == ("confirmed", "withdrawn", None)


def test_without_consent_a_signature_is_never_listed(confirmed, open_letter, coordinator):
    signature = confirmed(consent_public=False)
    assert (signature.status, signature.is_public) == (S.CONFIRMED, False)
    signature_moderate(
        signatures=Signature.objects.filter(pk=signature.pk), approve=True, actor=coordinator
    )
    signature.refresh_from_db()
    assert (signature.status, signature.is_public) == (S.APPROVED, False)
    assert counts(open_letter) == (0, 0, 0)


def test_consent_given_later_lists_and_taken_back_unlists(confirmed, open_letter, coordinator):
    signature = confirmed(consent_public=False)
    signature_update_display(signature=signature, data={"consent_public": True}, actor=None)
    assert counts(open_letter) == (1, 0, 0)
    signature_update_display(signature=signature, data={"consent_public": False}, actor=None)
    assert counts(open_letter) == (0, 0, 0)
    assert Signature.objects.get().is_public is False


# Tokens and expiry


def test_tokens_are_bound_to_their_signature_and_purpose(sign, open_letter):
    one, _created = sign(open_letter, "one@example.org")
    two, _created = sign(open_letter, "two@example.org")
    token = one.token("confirm")
    assert signature_get_by_token(pk=one.pk, token=token, purpose="confirm") == one
    assert signature_get_by_token(pk=one.pk, token="0" * 64, purpose="confirm") is None
    assert signature_get_by_token(pk=one.pk, token=token[:-1], purpose="confirm") is None
    assert signature_get_by_token(pk=two.pk, token=token, purpose="confirm") is None
    assert signature_get_by_token(pk=one.pk, token=token, purpose="manage") is None
    assert signature_get_by_token(pk=999_999, token=token, purpose="confirm") is None


def test_a_token_dies_with_the_secret(sign, open_letter):
    signature, _created = sign(open_letter)
    token = signature.token("manage")
    Signature.objects.filter(pk=signature.pk).update(secret="f" * 32)
    assert signature_get_by_token(pk=signature.pk, token=token, purpose="manage") is None


def test_confirmation_works_for_a_grace_period_after_closing(sign, open_letter, settings):
    settings.CONFIRMATION_GRACE_HOURS = 72
    early, _created = sign(open_letter, "early@example.org")
    late, _created = sign(open_letter, "late@example.org")
    letter_close(letter=open_letter, actor=None)
    early.letter.refresh_from_db()
    assert signature_confirm(signature=early) is True

    closed_at = timezone.now() - datetime.timedelta(hours=73)
    Letter.objects.filter(pk=open_letter.pk).update(signing_closed_at=closed_at)
    late.letter.refresh_from_db()
    with pytest.raises(ValidationError):
        signature_confirm(signature=late)
    late.refresh_from_db()
    assert late.status == S.PENDING
    assert counts(open_letter) == (1, 0, 0)


# A finalized letter


@pytest.mark.parametrize("status", [Letter.Status.FINALIZED, Letter.Status.SENT])
def test_a_finalized_letter_freezes_its_signatures(confirmed, open_letter, coordinator, status):
    signature = confirmed()
    Letter.objects.filter(pk=open_letter.pk).update(status=status)
    signature.letter.refresh_from_db()
    chosen = Signature.objects.filter(pk=signature.pk)
    with pytest.raises(ValidationError):
        signature_update_display(signature=signature, data={"name": "Renamed"}, actor=coordinator)
    with pytest.raises(ValidationError):
        signature_withdraw(signature=signature)
    with pytest.raises(ValidationError):
        signature_keep(signature=signature)
    with pytest.raises(ValidationError):
        signature_moderate(signatures=chosen, approve=False, actor=coordinator)
    with pytest.raises(ValidationError):
        signature_invalidate(signatures=chosen, actor=coordinator, reason="spam")
    signature.refresh_from_db()
    assert (signature.name, signature.status, signature.is_public) == (
        "Ligue des droits", S.CONFIRMED, True,
    )  # fmt: skip
    assert counts(open_letter) == (1, 0, 0)


# Duplicates and corrections


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"name": "Ligue des Droits de l'Homme"}, {"name": "ligue des droits de l’homme"}),
        ({"name": "Ligue des droits", "acronym": "LDH"}, {"name": "Other", "acronym": "l.d.h"}),
        ({"name": "Société civile"}, {"name": "SOCIETE  CIVILE"}),
    ],
)
def test_an_organization_signing_twice_is_flagged_on_confirm(confirmed, first, second):
    one = confirmed("one@example.org", **first)
    two = confirmed("two@other.example", **second)
    assert one.is_flagged is False
    assert two.is_flagged is True
    assert f"#{one.pk}" in two.flag_reason
    assert two.is_public is True  # flagged for a look, not hidden


def test_different_organizations_and_individuals_are_not_flagged(confirmed, open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True)
    open_letter.refresh_from_db()
    confirmed("one@example.org", name="Ligue des droits", acronym="LDH")
    assert confirmed("two@example.org", name="Amnesty", acronym="AI").is_flagged is False
    ind = {"kind": Signature.Kind.INDIVIDUAL}
    confirmed("three@example.org", name="Ada Lovelace", **ind)
    assert confirmed("four@example.org", name="Ada Lovelace", **ind).is_flagged is False


def test_a_withdrawn_organization_does_not_flag_its_return(confirmed):
    one = confirmed("one@example.org")
    signature_withdraw(signature=one)
    assert confirmed("two@example.org").is_flagged is False


def test_update_display_saves_normalizes_and_audits(confirmed, coordinator):
    signature = confirmed(acronym="")
    signature_update_display(
        signature=signature, data={"name": "Ligue  Khmère", "acronym": "LK"}, actor=coordinator
    )
    signature.refresh_from_db()
    assert (signature.name, signature.acronym) == ("Ligue  Khmère", "LK")
    assert (signature.name_normalized, signature.acronym_normalized) == ("ligue khmere", "lk")
    event = AuditEvent.objects.get(action="signature.edited")
    assert event.actor == coordinator
    assert event.detail == {"signature": signature.pk, "fields": ["name", "acronym"]}
    # Nothing changed, nothing recorded.
    signature_update_display(signature=signature, data={"name": "Ligue  Khmère"}, actor=None)
    assert AuditEvent.objects.filter(action="signature.edited").count() == 1


def test_khmer_and_french_names_survive_byte_for_byte(confirmed):
    name = "សមាគមខ្មែរ — Ligue française d’aide"
    signature = confirmed(name=name)
    assert Signature.objects.get(pk=signature.pk).name == name


# Invalidating (abuse)


def test_invalidate_refuses_an_unfiltered_selection(confirmed, admin):
    confirmed()
    with pytest.raises(ValidationError):
        signature_invalidate(signatures=Signature.objects.all(), actor=admin, reason="spam")
    assert Signature.objects.get().status == S.CONFIRMED


def test_invalidate_rejects_the_selection_and_records_the_reason(
    sign, confirmed, open_letter, admin
):
    bots = [confirmed(f"bot{i}@spam.example", name=f"Bot {i}") for i in range(3)]
    pending, _created = sign(open_letter, "bot9@spam.example", name="Bot 9")
    human = confirmed("ada@example.org", name="Human")
    assert counts(open_letter) == (4, 0, 0)
    done = signature_invalidate(
        signatures=Signature.objects.filter(email_domain="spam.example"),
        actor=admin,
        reason="one person, many addresses",
    )
    assert done == 4
    assert counts(open_letter) == (1, 0, 0)
    for signature in [*bots, pending]:
        signature.refresh_from_db()
        assert (signature.status, signature.is_public) == (S.REJECTED, False)
    human.refresh_from_db()
    assert human.status == S.CONFIRMED
    events = AuditEvent.objects.filter(action="signature.invalidated")
    assert events.count() == 4
    assert {e.detail["reason"] for e in events} == {"one person, many addresses"}
    assert {e.actor for e in events} == {admin}


# Keeping a signature on a new text


def test_keep_moves_the_signature_to_the_current_version(confirmed, open_letter):
    signature = confirmed()
    Letter.objects.filter(pk=open_letter.pk).update(version=2)
    signature.letter.refresh_from_db()
    signature_keep(signature=signature)
    signature.refresh_from_db()
    assert signature.version == 2


# Tidying a display line


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("Cambodian Center for Human Rights ( CCHR )", "Cambodian Center for Human Rights (CCHR)"),
        ("  Ligue   des  droits ", "Ligue des droits"),
        ("Ligue des droits ,", "Ligue des droits"),
        ("Ligue,, Paris", "Ligue, Paris"),
        (", Ligue , Paris ,", "Ligue, Paris"),
        ("Amnesty (AI, )", "Amnesty (AI)"),
        ("Amnesty ( )", "Amnesty"),
        ("1,000 Voices", "1,000 Voices"),
        ("សមាគម  ខ្មែរ ( ADHOC )", "សមាគម ខ្មែរ (ADHOC)"),
        ("Already (tidy), Phnom Penh", "Already (tidy), Phnom Penh"),
        ("", ""),
    ],
)
def test_display_text_tidy(text, tidy):
    assert display_text_tidy(text) == tidy


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("ADHOC, Cambodia", ("ADHOC", "KH")),
        ("ADHOC, Cambodge", ("ADHOC", "KH")),
        ("Ligue des droits, france", ("Ligue des droits", "FR")),
        ("Ligue, Phnom Penh", ("Ligue, Phnom Penh", "")),
        ("Cambodia", ("Cambodia", "")),
        ("Ligue,, Cambodia", ("Ligue", "KH")),
        (",, Cambodia", (",, Cambodia", "")),  # the rest would be no name
        # Read as the import reads a country: aliases, codes, French names, folded spellings,
        # official names.
        ("Ah Nah Podcast, USA", ("Ah Nah Podcast", "US")),
        ("Ah Nah Podcast, U.S.A.", ("Ah Nah Podcast", "US")),
        ("ASEAN, AUS", ("ASEAN", "AU")),
        ("Ligue, FR", ("Ligue", "FR")),
        ("ADHOC, Kampuchea", ("ADHOC", "KH")),
        ("Comité, Royaume-Uni", ("Comité", "GB")),
        ("Comité, nouvelle zelande", ("Comité", "NZ")),
        ("Comité, États-Unis", ("Comité", "US")),
        ("Forum, Iran (Islamic Republic of)", ("Forum", "IR")),
        ("Forum, Fr", ("Forum, Fr", "")),  # a code only in capitals: "Fr" is no country
    ],
)
def test_display_country_split(text, split):
    assert display_country_split(text) == split


def test_the_stored_signature_is_the_one_signed_field_for_field(sign, open_letter):
    signature, created = sign(
        open_letter, "Ada.Lovelace+cosign@Example.org", ip_address="2001:db8::7",
        name="Ligue cambodgienne", acronym="LICADHO", organization_type="ngo",
        website="https://licadho.example.org", contact_name="ស៊ុន ចាន់ថុល",
        contact_role="Directrice", country="KH",
    )  # fmt: skip
    assert created
    stored = Signature.objects.get(pk=signature.pk)
    for field in Signature._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(signature, field.attname), field.name
    assert stored.created_at is not None
    assert (stored.status, stored.is_public, stored.mails_sent) == (S.PENDING, False, 1)
    assert stored.contact_name == "ស៊ុន ចាន់ថុល"
    assert stored.country.code == "KH"
    assert not signature._state.adding


def test_a_blocked_address_is_refused_in_any_spelling_of_its_mailbox(sign, open_letter):
    Blocklist.objects.create(kind=Blocklist.Kind.EMAIL, value="one.person@gmail.com")
    for email in ("One.Person@gmail.com", "oneperson+x@googlemail.com"):
        with pytest.raises(ValidationError) as exc:
            sign(open_letter, email)
        assert exc.value.messages == [
            "Signatures from this address are not accepted. Write to the coordinators."
        ]
    assert sign(open_letter, "other.person@gmail.com")[1] is True
    assert sign(open_letter, "one.person@gmail.com.example")[1] is True
