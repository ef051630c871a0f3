"""The press release: drafted from the finalized letter, edited, rendered, and sent to media
contacts through the delivery ledger."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.html import escape

from letters_app import emails
from letters_app.models import AuditEvent, Delivery, PressRelease, Recipient
from letters_app.rendering import render_press_release_html, render_press_release_text
from letters_app.services.deliveries import DeliveryOutbox
from letters_app.services.press import (
    main_demand,
    press_release_draft,
    press_release_send,
    press_release_send_problems,
    press_release_update,
)
from tests.factories import RecipientFactory
from tests.finalized import ABOUT, FRENCH_NAME, KHMER_NAME, SCRIPT
from tests.mails import send_due

pytestmark = pytest.mark.django_db

ORGANIZATIONS_SENTENCE = (
    "The letter is co-signed by 3 organizations from 2 countries — Cambodia (2), France (1): "
    f"{KHMER_NAME} (សខស), Phnom Penh Workers' Forum (PPWF) and {FRENCH_NAME}."
)
MPS_SENTENCE = "It is signed by 1 member of parliament from 1 country — France (1)."


@pytest.fixture
def press(finalized_letter, coordinator):
    return press_release_draft(letter=finalized_letter, actor=coordinator)


@pytest.fixture
def ready_press(press, coordinator):
    """The draft with its quote written: nothing stops sending it."""
    data = {"quote": "Ces noms sont notre mémoire.", "quote_by": "Chan Sophea, coordinator"}
    return press_release_update(press=press, data=data, actor=coordinator)


@pytest.fixture
def media(db):
    return [
        RecipientFactory(name="Desk one", kind=Recipient.Kind.MEDIA, email="desk1@example.org"),
        RecipientFactory(name="Desk two", kind=Recipient.Kind.MEDIA, email="desk2@example.org"),
    ]


# Drafting


def test_the_draft_follows_the_press_release_structure(press, finalized_letter, recipient):
    today = formats.date_format(timezone.localdate(), "j F Y")
    assert press.headline == (
        "3 organizations and 1 member of parliament sign an open letter to "
        f"Professor {recipient.name} and Professor Sok Dara"
    )
    assert press.dateline == f"PARIS, France, {today}"
    assert press.lead == (
        f"Coalition of Khmer associations has sent an open letter, “{finalized_letter.title}”, "
        "signed by 3 organizations and 1 member of parliament, to "
        f"Professor {recipient.name}, {recipient.title} and "
        f"Professor Sok Dara, {recipient.title}. "
        "The letter says: “We, the undersigned organizations, urge you to act.”"
    )
    assert (press.quote, press.quote_by) == ("", "")
    assert press.body == f"{ORGANIZATIONS_SENTENCE}\n\n{MPS_SENTENCE}\n\n{ABOUT}"
    assert press.distribution == (
        "This release is distributed by Coalition of Khmer associations on behalf of the "
        "signatories. The letter and its signatories: "
        f"http://localhost:8000/letters/{finalized_letter.slug}/"
    )
    event = AuditEvent.objects.get(action="press.drafted")
    assert event.letter == finalized_letter


def test_without_an_about_paragraph_the_context_is_a_placeholder(
    finalized_letter, coordinator, settings
):
    snapshot = finalized_letter.snapshot
    snapshot.content["letter"]["about_sender"] = ""
    snapshot.content["letter"]["sender_line"] = ""
    snapshot.save()
    press = press_release_draft(letter=finalized_letter, actor=coordinator)
    assert press.body.endswith(
        "[Context: what led to this letter, and what its signatories expect next.]"
    )
    assert press.lead.startswith(f"An open letter, “{finalized_letter.title}”, signed by")
    assert "[the organization distributing it]" in press.distribution
    problems = press_release_send_problems(press)
    assert any("Context still contains placeholders" in p for p in problems)


def test_markdown_characters_in_names_stay_text(finalized_letter, coordinator):
    snapshot = finalized_letter.snapshot
    snapshot.content["signatories"][0]["line"] = f"{SCRIPT} *Bold* [x], Cambodia"
    snapshot.save()
    press = press_release_draft(letter=finalized_letter, actor=coordinator)
    html = render_press_release_html(press)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;/script&gt; *Bold* [x], Phnom Penh" in html
    assert f"{SCRIPT} *Bold* [x], Phnom Penh" in render_press_release_text(press)


def test_only_a_finalized_letter_gets_a_press_release(closed_letter, coordinator):
    with pytest.raises(ValidationError, match="Only a finalized letter"):
        press_release_draft(letter=closed_letter, actor=coordinator)
    assert not PressRelease.objects.exists()


def test_a_second_draft_is_refused(press, finalized_letter, coordinator):
    with pytest.raises(ValidationError, match="already has a press release"):
        press_release_draft(letter=finalized_letter, actor=coordinator)
    assert PressRelease.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "demand"),
    [
        (
            "# Title\n\nWe write to you.\n\nWe **call on** you to [act](https://a.example).",
            "We call on you to act.",
        ),
        (
            "Nous vous écrivons. Nous demandons la libération de tous.",
            "Nous demandons la libération de tous.",
        ),
        ("A plain first sentence. And a second.", "A plain first sentence."),
        ("", ""),
    ],
)
def test_the_main_demand_is_the_first_sentence_that_asks(body, demand):
    assert main_demand(body) == demand


# Editing


def test_update_saves_and_audits_the_fields_changed(press, coordinator):
    data = {"headline": press.headline, "quote": f"« {KHMER_NAME} »", "quote_by": FRENCH_NAME}
    press_release_update(press=press, data=data, actor=coordinator)
    press.refresh_from_db()
    assert (press.quote, press.quote_by) == (f"« {KHMER_NAME} »", FRENCH_NAME)
    event = AuditEvent.objects.get(action="press.edited")
    assert (event.actor, event.detail) == (coordinator, {"fields": ["quote", "quote_by"]})
    press_release_update(press=press, data=data, actor=coordinator)
    assert AuditEvent.objects.filter(action="press.edited").count() == 1


def test_update_validates(press, coordinator):
    with pytest.raises(ValidationError) as info:
        press_release_update(press=press, data={"headline": "x" * 301}, actor=coordinator)
    assert "headline" in info.value.message_dict
    press.refresh_from_db()
    assert len(press.headline) < 301


# Rendering


def test_html_escapes_and_text_keeps_every_part(ready_press, coordinator):
    press_release_update(
        press=ready_press, data={"headline": f"Headline {SCRIPT}", "quote": SCRIPT},
        actor=coordinator,
    )  # fmt: skip
    ready_press.refresh_from_db()
    html = render_press_release_html(ready_press)
    assert "<script>" not in html
    assert html.count(escape(SCRIPT)) == 2
    text = render_press_release_text(ready_press)
    assert text.startswith(f"Headline {SCRIPT}\n\n{ready_press.dateline} — Coalition")
    assert f"“{SCRIPT}” — Chan Sophea, coordinator" in text
    assert ORGANIZATIONS_SENTENCE in text
    assert KHMER_NAME in text and FRENCH_NAME in text
    assert text.endswith(ready_press.distribution + "\n")


# Sending


def test_send_needs_a_quote_and_no_placeholders(press, media, coordinator, queued):
    with pytest.raises(ValidationError, match="The quote is empty"):
        press_release_send(press=press, recipients=media, actor=coordinator)
    assert not Delivery.objects.filter(document=Delivery.Document.PRESS_RELEASE).exists()


def test_send_makes_press_deliveries_due_and_wakes_a_worker(
    ready_press, media, coordinator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = press_release_send(press=ready_press, recipients=media, actor=coordinator)
    assert [(d.recipient, d.document, d.status, d.email) for d in created] == [
        (media[0], "press", Delivery.Status.QUEUED, "desk1@example.org"),
        (media[1], "press", Delivery.Status.QUEUED, "desk2@example.org"),
    ]
    assert created[0].message_id.startswith(f"<press-{ready_press.letter_id}-{media[0].pk}@")
    for delivery in created:
        delivery.refresh_from_db()
        assert delivery.due_at <= timezone.now()  # not waiting for anything
    assert queued == [("mails_send_task", {})]
    event = AuditEvent.objects.get(action="press.sent")
    assert event.detail == {"recipients": [str(media[0]), str(media[1])]}
    # The letter's own deliveries are untouched.
    assert ready_press.letter.deliveries.filter(document="letter").count() == 2


def test_send_again_skips_who_already_has_it(
    ready_press, media, coordinator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        press_release_send(press=ready_press, recipients=media[:1], actor=coordinator)
        created = press_release_send(press=ready_press, recipients=media, actor=coordinator)
    assert [d.recipient for d in created] == [media[1]]
    assert Delivery.objects.filter(document="press").count() == 2
    assert queued == [("mails_send_task", {})] * 2


def test_send_refuses_contacts_without_email(ready_press, coordinator, queued):
    desk = RecipientFactory(name="Postal desk", kind=Recipient.Kind.MEDIA, email="")
    with pytest.raises(ValidationError, match="no e-mail address"):
        press_release_send(press=ready_press, recipients=[desk], actor=coordinator)
    assert not Delivery.objects.filter(document="press").exists()


def test_a_press_delivery_is_sent_once_with_the_release(
    ready_press, media, coordinator, queued, django_capture_on_commit_callbacks
):
    assert emails.DELIVERY_BUILDERS[Delivery.Document.PRESS_RELEASE] is (
        emails.press_release_delivery
    )
    press_release_update(press=ready_press, data={"headline": f"A & B {SCRIPT}"}, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = press_release_send(press=ready_press, recipients=media[:1], actor=None)
    mail.outbox.clear()
    assert send_due(DeliveryOutbox) == 1
    assert send_due(DeliveryOutbox) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"A & B {SCRIPT}"
    assert message.to == ["desk1@example.org"]
    assert message.reply_to == [coordinator.email]
    assert message.extra_headers["Message-ID"] == delivery.message_id
    assert KHMER_NAME in message.body and FRENCH_NAME in message.body
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert escape(SCRIPT) in html
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)
