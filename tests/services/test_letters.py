"""The letter services, tested through their effects: rows, versions and the audit trail."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from letters_app.models import (
    AuditEvent,
    Letter,
    LetterVersion,
    Recipient,
    Signature,
    SignerMail,
)
from letters_app.services.letters import (
    letter_add_coordinator,
    letter_add_new_recipient,
    letter_close,
    letter_close_expired,
    letter_create,
    letter_open,
    letter_publish_checks,
    letter_publish_problems,
    letter_remove_coordinator,
    letter_reopen,
    letter_set_recipient_languages,
    letter_set_recipients,
    letter_update,
    translation_save,
)
from letters_app.services.signatures import (
    signature_add,
    signature_confirm,
    signature_moderate,
    signature_withdraw,
)
from tests.factories import (
    LetterFactory,
    LetterTemplateFactory,
    RecipientFactory,
    SignatureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Letter.Status


def events(letter):
    return list(
        AuditEvent.objects.filter(letter=letter)
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    )


def set_status(letter, status):
    Letter.objects.filter(pk=letter.pk).update(status=status)
    letter.refresh_from_db()


# Creating


def test_create_copies_the_template_and_records_it(coordinator):
    template = LetterTemplateFactory(key="special-rapporteur", accepts_mps=True)
    letter = letter_create(template=template, actor=coordinator)
    assert letter.status == S.DRAFT
    assert (letter.title, letter.body) == (template.title, template.body)
    assert letter.slug == "civil-society-asks-the-special-rapporteur-to-act"
    assert letter.accepts_mps is True
    assert letter.letter_date == timezone.localdate()
    event = AuditEvent.objects.get(letter=letter)
    assert (event.action, event.actor, event.detail) == (
        "letter.created",
        coordinator,
        {"template": "special-rapporteur"},
    )


def test_create_gives_each_letter_its_own_slug(coordinator):
    template = LetterTemplateFactory()
    first = letter_create(template=template, actor=coordinator, title="Stop the arrests")
    second = letter_create(template=template, actor=coordinator, title="Stop the arrests")
    assert (first.slug, second.slug) == ("stop-the-arrests", "stop-the-arrests-2")


# Transitions


def test_open_close_reopen_are_allowed_and_audited(coordinator, letter):
    letter = letter_open(letter=letter, actor=coordinator)
    assert letter.status == S.OPEN
    letter = letter_close(letter=letter, actor=coordinator)
    assert letter.status == S.CLOSED
    letter = letter_reopen(letter=letter, actor=coordinator)
    assert letter.status == S.OPEN
    letter.refresh_from_db()
    assert letter.status == S.OPEN
    assert events(letter) == [
        ("letter.open", "draft", "open"),
        ("letter.closed", "open", "closed"),
        ("letter.open", "closed", "open"),
    ]
    assert set(AuditEvent.objects.filter(letter=letter).values_list("actor", flat=True)) == {
        coordinator.pk
    }


@pytest.mark.parametrize(
    ("status", "service", "message"),
    [
        (S.DRAFT, letter_close, "A letter that is draft cannot become signing closed."),
        (S.DRAFT, letter_reopen, "A letter that is draft cannot become open for signing."),
        (S.OPEN, letter_open, "A letter that is open for signing cannot become open for signing."),
        (S.CLOSED, letter_close, "A letter that is signing closed cannot become signing closed."),
        (S.FINALIZED, letter_reopen, "A letter that is finalized cannot become open for signing."),
        (S.SENT, letter_close, "A letter that is sent cannot become signing closed."),
    ],
)
def test_refused_transitions_say_why_and_change_nothing(
    coordinator, letter, status, service, message
):
    set_status(letter, status)
    with pytest.raises(ValidationError) as caught:
        service(letter=letter, actor=coordinator)
    assert caught.value.messages == [message]
    letter.refresh_from_db()
    assert letter.status == status
    assert events(letter) == []


def test_reopen_after_the_deadline_is_refused(coordinator, letter):
    letter_open(letter=letter, actor=coordinator)
    letter_close(letter=letter, actor=coordinator)
    Letter.objects.filter(pk=letter.pk).update(
        signing_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    letter.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        letter_reopen(letter=letter, actor=coordinator)
    assert caught.value.messages == [
        "The signing deadline has passed: move it before reopening the letter."
    ]
    letter.refresh_from_db()
    assert letter.status == S.CLOSED


# Publish problems


def test_a_complete_letter_has_no_publish_problem(letter):
    assert letter_publish_problems(letter) == []
    assert letter_publish_checks(letter) == []


def test_publish_problems_name_each_thing_to_fix(coordinator):
    letter = LetterFactory(
        created_by=coordinator,
        salutation="Dear [Name of the Rapporteur],",
        from_block="[Your name]\n[Email information]",
        body="",
        accepts_organizations=False,
        signing_deadline=timezone.now() - datetime.timedelta(days=1),
    )
    checks = letter_publish_checks(letter)
    assert [field for field, _ in checks] == [
        "from_block",
        "salutation",
        "body",
        "recipients",
        "accepts_organizations",
        "signing_deadline",
    ]
    assert letter_publish_problems(letter) == [
        "From: block still contains placeholders to fill in: [Your name], [Email information].",
        "Salutation still contains placeholders to fill in: [Name of the Rapporteur].",
        "The body is empty: write the letter before publishing it.",
        "The letter has no recipient: choose at least one from the directory.",
        "Choose at least one kind of signatory the letter accepts.",
        "The signing deadline is in the past: move it or clear it.",
    ]


def test_markdown_links_and_footnotes_are_not_placeholders(letter):
    letter.body = (
        "See [the report](https://example.org/), [the annex][annex] and the note [1].\n\n"
        "[annex]: https://example.org/annex"
    )
    assert letter_publish_problems(letter) == []


def test_a_long_placeholder_or_one_before_a_colon_still_blocks_publishing(letter):
    long_marker = "[" + "describe the events " * 10 + "]"
    letter.body = f"{long_marker}\n\nThe facts are these [Country]: many were detained."
    problems = letter_publish_problems(letter)
    assert len(problems) == 1
    assert long_marker in problems[0] and "[Country]" in problems[0]


def test_open_is_refused_with_every_problem_and_nothing_changes(coordinator):
    letter = LetterFactory(created_by=coordinator, body="We ask you to [state the request].")
    with pytest.raises(ValidationError) as caught:
        letter_open(letter=letter, actor=coordinator)
    assert caught.value.messages == [
        "Body still contains placeholders to fill in: [state the request].",
        "The letter has no recipient: choose at least one from the directory.",
    ]
    letter.refresh_from_db()
    assert (letter.status, letter.version) == (S.DRAFT, 0)
    assert not LetterVersion.objects.exists()
    assert events(letter) == []


# Versions


def test_draft_edits_do_not_make_versions(coordinator, letter):
    letter = letter_update(letter=letter, data={"body": "Draft one"}, actor=coordinator)
    letter = letter_update(letter=letter, data={"body": "Draft two"}, actor=coordinator)
    letter.refresh_from_db()
    assert (letter.body, letter.version) == ("Draft two", 0)
    assert not LetterVersion.objects.exists()
    assert [a for a, _, _ in events(letter)] == ["letter.edited", "letter.edited"]


def test_publishing_freezes_version_one(coordinator, letter):
    text = letter.body
    letter = letter_open(letter=letter, actor=coordinator)
    letter.refresh_from_db()
    assert letter.version == 1
    version = LetterVersion.objects.get(letter=letter)
    assert (version.number, version.body, version.title) == (1, text, letter.title)
    assert version.created_by == coordinator


def test_open_edits_of_text_make_new_versions_and_keep_the_old(coordinator, letter):
    letter = letter_open(letter=letter, actor=coordinator)
    first = letter.body
    letter = letter_update(letter=letter, data={"body": "Amended"}, actor=coordinator)
    assert letter.version == 2
    assert LetterVersion.objects.get(letter=letter, number=1).body == first
    assert LetterVersion.objects.get(letter=letter, number=2).body == "Amended"
    event = AuditEvent.objects.get(letter=letter, action="letter.edited")
    assert event.detail == {"fields": ["body"], "version": 2}


def test_open_edits_outside_the_text_make_no_version(coordinator, letter):
    letter = letter_open(letter=letter, actor=coordinator)
    letter = letter_update(letter=letter, data={"accepts_mps": True}, actor=coordinator)
    assert letter.version == 1
    assert LetterVersion.objects.filter(letter=letter).count() == 1


def test_reopening_does_not_make_a_version(coordinator, letter):
    letter_open(letter=letter, actor=coordinator)
    letter_close(letter=letter, actor=coordinator)
    letter = letter_reopen(letter=letter, actor=coordinator)
    assert LetterVersion.objects.filter(letter=letter).count() == 1


def test_an_edit_that_changes_nothing_records_nothing(coordinator, letter):
    letter_update(letter=letter, data={"title": letter.title}, actor=coordinator)
    assert events(letter) == []


@pytest.mark.parametrize("status", [S.FINALIZED, S.SENT])
def test_finalized_and_sent_letters_refuse_edits(coordinator, letter, status):
    set_status(letter, status)
    with pytest.raises(ValidationError) as caught:
        letter_update(letter=letter, data={"title": "Rewritten"}, actor=coordinator)
    label = str(S(status).label).lower()
    assert caught.value.messages == [
        f"This letter is {label}: its text and recipients can no longer change."
    ]
    with pytest.raises(ValidationError):
        letter_set_recipients(letter=letter, recipients=[], actor=coordinator)
    letter.refresh_from_db()
    assert letter.title != "Rewritten"
    assert letter.letter_recipients.count() == 1


def test_update_validates_the_model(coordinator, letter):
    with pytest.raises(ValidationError) as caught:
        letter_update(letter=letter, data={"title": "T" * 301}, actor=coordinator)
    assert "title" in caught.value.message_dict
    letter.refresh_from_db()
    assert letter.title != "T" * 301


# Signers and new versions


def signer(letter, status, email):
    """A signature of the letter brought to `status` through the services."""
    signature = SignatureFactory(letter=letter, email=email, version=letter.version)
    if status != Signature.Status.PENDING:
        signature_confirm(signature=signature)
    if status in (Signature.Status.APPROVED, Signature.Status.REJECTED):
        chosen = Signature.objects.filter(pk=signature.pk)
        signature_moderate(
            signatures=chosen, approve=status == Signature.Status.APPROVED, actor=None
        )
    if status == Signature.Status.WITHDRAWN:
        signature_withdraw(signature=signature)
        # Its mail (with the link to undo it) went out then, before what a test looks at.
        signature.mails.update(status=SignerMail.Status.SENT)
    return signature


@pytest.fixture
def signed_letter(open_letter):
    """Open, with a signer in every status: confirmed and approved are the ones to e-mail."""
    for status in Signature.Status:
        signer(open_letter, status, f"{status}@example.org")
    open_letter.refresh_from_db()
    return open_letter


def test_a_change_of_text_with_signers_needs_confirmation(coordinator, signed_letter):
    with pytest.raises(ValidationError) as caught:
        letter_update(letter=signed_letter, data={"body": "Amended"}, actor=coordinator)
    assert caught.value.code == "needs_confirmation"
    assert caught.value.params == {"count": 2}
    assert caught.value.messages == [
        "2 signers will be e-mailed what changed and asked to keep or withdraw their "
        "signatures. Tick the box to confirm."
    ]
    signed_letter.refresh_from_db()
    assert (signed_letter.body, signed_letter.version) == (LetterFactory.body, 1)
    assert not AuditEvent.objects.filter(action="letter.edited").exists()


@pytest.mark.usefixtures("eager_tasks")
def test_a_confirmed_change_makes_a_version_and_mails_the_signers_after_commit(
    coordinator, signed_letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        letter = letter_update(
            letter=signed_letter,
            data={"body": "Amended"},
            actor=coordinator,
            confirm_new_version=True,
        )
    assert letter.version == 2
    assert LetterVersion.objects.get(letter=letter, number=2).body == "Amended"
    assert mail.outbox == []  # nothing leaves before the commit
    # The mails are written with the new version; one wake-up after commit sends them.
    queued = SignerMail.objects.filter(signature__letter=letter, status=SignerMail.Status.QUEUED)
    assert sorted(queued.values_list("signature__email", "kind")) == [
        ("approved@example.org", "new_version"), ("confirmed@example.org", "new_version"),
    ]  # fmt: skip
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["approved@example.org", "confirmed@example.org"]
    assert {m.subject for m in mail.outbox} == {
        f"The letter you signed has changed: {letter.title}"
    }
    assert "Amended" in mail.outbox[0].body
    event = AuditEvent.objects.get(letter=letter, action="letter.edited")
    assert event.detail == {"fields": ["body"], "version": 2, "notified": 2}


def test_a_closed_letter_with_signers_also_needs_confirmation(coordinator, signed_letter):
    letter_close(letter=signed_letter, actor=coordinator)
    with pytest.raises(ValidationError) as caught:
        letter_update(letter=signed_letter, data={"title": "New title"}, actor=coordinator)
    assert caught.value.code == "needs_confirmation"


def test_without_confirmed_signers_a_change_needs_no_confirmation(
    coordinator, open_letter, django_capture_on_commit_callbacks
):
    for status in ("pending", "rejected", "withdrawn"):
        signer(open_letter, status, f"{status}@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        letter = letter_update(letter=open_letter, data={"body": "Amended"}, actor=coordinator)
    assert letter.version == 2
    assert callbacks == []


def test_settings_change_without_confirmation(coordinator, signed_letter):
    data = {"signing_paused": True, "requires_approval": True, "accepts_mps": True}
    letter = letter_update(letter=signed_letter, data=data, actor=coordinator)
    letter.refresh_from_db()
    assert (letter.signing_paused, letter.requires_approval, letter.version) == (True, True, 1)
    event = AuditEvent.objects.get(letter=letter, action="letter.edited")
    assert event.detail["fields"] == ["accepts_mps", "requires_approval", "signing_paused"]


def test_pausing_a_letter_refuses_new_signatures(coordinator, open_letter):
    letter = letter_update(letter=open_letter, data={"signing_paused": True}, actor=coordinator)
    with pytest.raises(ValidationError):
        signature_add(
            letter=letter, kind=Signature.Kind.ORGANIZATION, email="a@example.org", name="A"
        )
    assert not Signature.objects.exists()


def test_dropping_approval_lists_the_signatures_that_waited(coordinator, open_letter):
    letter = letter_update(letter=open_letter, data={"requires_approval": True}, actor=coordinator)
    waiting = signer(letter, Signature.Status.CONFIRMED, "waiting@example.org")
    private = SignatureFactory(letter=letter, email="private@example.org", consent_public=False)
    signature_confirm(signature=private)
    letter.refresh_from_db()
    assert (waiting.is_public, letter.count_organizations) == (False, 0)

    letter = letter_update(letter=letter, data={"requires_approval": False}, actor=coordinator)
    letter.refresh_from_db()
    waiting.refresh_from_db()
    private.refresh_from_db()
    assert (waiting.is_public, private.is_public) == (True, False)
    assert letter.count_organizations == 1


# Deadlines


def test_close_expired_closes_only_open_letters_past_their_deadline(coordinator, recipient):
    now = timezone.now()
    past, future = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=3)

    def make(deadline, status):
        letter = LetterFactory(created_by=coordinator, recipients=[recipient])
        Letter.objects.filter(pk=letter.pk).update(signing_deadline=deadline, status=status)
        return letter

    expired = make(past, S.OPEN)
    running = make(future, S.OPEN)
    no_deadline = make(None, S.OPEN)
    draft = make(past, S.DRAFT)
    closed = make(past, S.CLOSED)

    assert letter_close_expired(now=now) == 1
    statuses = {
        letter: Letter.objects.get(pk=letter.pk).status
        for letter in (expired, running, no_deadline, draft, closed)
    }
    assert statuses == {
        expired: S.CLOSED,
        running: S.OPEN,
        no_deadline: S.OPEN,
        draft: S.DRAFT,
        closed: S.CLOSED,
    }
    event = AuditEvent.objects.get(action="letter.closed")
    assert (event.letter, event.actor, event.detail) == (expired, None, {"reason": "deadline"})
    assert letter_close_expired(now=now) == 0


# Recipients and coordinators


def test_set_recipients_keeps_the_order_and_records_it(coordinator, letter, recipient):
    other = RecipientFactory()
    letter_set_recipients(letter=letter, recipients=[other, recipient], actor=coordinator)
    assert [lr.recipient for lr in letter.letter_recipients.all()] == [other, recipient]
    event = AuditEvent.objects.get(letter=letter, action="letter.recipients")
    assert event.detail == {"recipients": [other.pk, recipient.pk]}
    letter_set_recipients(letter=letter, recipients=[other, recipient], actor=coordinator)
    assert AuditEvent.objects.filter(letter=letter, action="letter.recipients").count() == 1


def test_add_new_recipient_first_makes_it_the_main_addressee(coordinator, letter, recipient):
    other = RecipientFactory()
    letter_set_recipients(letter=letter, recipients=[recipient, other], actor=coordinator)
    letter.letter_recipients.filter(recipient=other).update(language="fr")
    main = letter_add_new_recipient(
        letter=letter, actor=coordinator, first=True, institution="Assemblée nationale"
    )
    assert [lr.recipient for lr in letter.letter_recipients.all()] == [main, recipient, other]
    assert [lr.language for lr in letter.letter_recipients.all()] == ["", "", "fr"]
    event = AuditEvent.objects.filter(letter=letter, action="letter.recipients").latest("pk")
    assert event.detail == {"recipients": [main.pk, recipient.pk, other.pk]}


@pytest.mark.parametrize("status", [S.FINALIZED, S.SENT])
def test_recipients_cannot_change_once_frozen_even_from_a_page_loaded_before(
    coordinator, letter, recipient, status
):
    """A co-coordinator finalizes while the recipients page is open: its save is refused."""
    other = RecipientFactory()
    translation_save(letter=letter, language="fr", data={"title": "Lettre"}, actor=coordinator)
    loaded = Letter.objects.get(pk=letter.pk)
    Letter.objects.filter(pk=letter.pk).update(status=status)
    with pytest.raises(ValidationError):
        letter_set_recipients(letter=loaded, recipients=[other, recipient], actor=coordinator)
    with pytest.raises(ValidationError):
        letter_add_new_recipient(letter=loaded, actor=coordinator, institution="Sénat")
    with pytest.raises(ValidationError):
        letter_set_recipient_languages(
            letter=loaded, languages={recipient.pk: "fr"}, actor=coordinator
        )
    assert [(lr.recipient, lr.language) for lr in letter.letter_recipients.all()] == [
        (recipient, "")
    ]
    assert not Recipient.objects.filter(institution="Sénat").exists()


def test_add_new_recipient_creates_and_appends(coordinator, letter, recipient):
    new = letter_add_new_recipient(
        letter=letter, actor=coordinator, institution="Sénat de Belgique", country="BE"
    )
    assert (new.is_curated, new.added_by) == (False, coordinator)
    assert [lr.recipient for lr in letter.letter_recipients.all()] == [recipient, new]
    assert AuditEvent.objects.filter(action="recipient.created", letter=None).count() == 1


def test_add_new_recipient_to_a_finalized_letter_adds_nothing(coordinator, letter):
    set_status(letter, S.FINALIZED)
    with pytest.raises(ValidationError):
        letter_add_new_recipient(letter=letter, actor=coordinator, institution="Too late")
    assert not Recipient.objects.filter(institution="Too late").exists()


def test_coordinators_are_added_once_and_removed(coordinator, co_coordinator, letter):
    helper = UserFactory(username="helper")
    letter_add_coordinator(letter=letter, user=helper, actor=coordinator)
    for already in (coordinator, helper):
        with pytest.raises(ValidationError) as caught:
            letter_add_coordinator(letter=letter, user=already, actor=coordinator)
        assert caught.value.messages == [f"{already} already coordinates this letter."]
    letter_remove_coordinator(letter=letter, user=co_coordinator, actor=coordinator)
    assert list(letter.co_coordinators.all()) == [helper]
    assert [a for a, _, _ in events(letter)] == ["coordinator.added", "coordinator.removed"]
