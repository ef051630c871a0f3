"""The press release pages: draft, edit with a live preview, download as text and PDF, and send
to media contacts from the directory."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from letters_app.models import AuditEvent, Delivery, PressRelease, Recipient
from letters_app.services.deliveries import DeliveryOutbox
from letters_app.services.press import press_release_draft, press_release_update
from tests.exports.pdf_reading import fonts_of, unreadable
from tests.factories import RecipientFactory
from tests.finalized import FRENCH_NAME, KHMER_NAME, SCRIPT
from tests.mails import send_due

pytestmark = pytest.mark.django_db

RUNNERS = ["coordinator", "co_coordinator", "admin"]
PAGES = ["press-release", "press-release-send", "press-release-text", "press-release-pdf"]
ACTIONS = ["press-release-draft", "press-release-preview"]


def url(name, letter):
    return reverse(f"author:{name}", kwargs={"pk": letter.pk})


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def press(finalized_letter, coordinator):
    press = press_release_draft(letter=finalized_letter, actor=coordinator)
    data = {"quote": "Nos noms ensemble.", "quote_by": "Chan Sophea, coordinator"}
    return press_release_update(press=press, data=data, actor=coordinator)


@pytest.fixture
def media(db):
    return [
        RecipientFactory(
            name="Desk one",
            title="Editor",
            institution="Asia Wire",
            kind=Recipient.Kind.MEDIA,
            email="desk1@example.org",
        ),
        RecipientFactory(
            name="Desk two",
            title="Editor",
            institution="Le Courrier khmer",
            kind=Recipient.Kind.MEDIA,
            email="desk2@example.org",
        ),
    ]


def form_data(press, **changes):
    fields = ["headline", "dateline", "lead", "quote", "quote_by", "body", "distribution"]
    return {name: getattr(press, name) for name in fields} | changes


# Who may see it


@pytest.mark.parametrize("persona", RUNNERS)
@pytest.mark.parametrize("name", PAGES)
def test_people_who_run_the_letter_open_the_press_pages(request, client_for, press, persona, name):
    response = client_for(request.getfixturevalue(persona)).get(url(name, press.letter))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_draft_it(request, client_for, finalized_letter, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(url("press-release-draft", finalized_letter))
    assert response.url == url("press-release", finalized_letter)
    assert PressRelease.objects.get().letter == finalized_letter
    assert AuditEvent.objects.get(action="press.drafted").actor == user


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_edit_it(request, client_for, press, persona):
    user = request.getfixturevalue(persona)
    data = form_data(press, quote=f"« {KHMER_NAME} »", quote_by=FRENCH_NAME)
    response = client_for(user).post(url("press-release", press.letter), data)
    assert response.url == url("press-release", press.letter)
    press.refresh_from_db()
    assert (press.quote, press.quote_by) == (f"« {KHMER_NAME} »", FRENCH_NAME)
    assert AuditEvent.objects.filter(action="press.edited").first().actor == user


def test_a_stranger_gets_404_and_changes_nothing(
    client_for, stranger, press, media, queued, django_capture_on_commit_callbacks
):
    client = client_for(stranger)
    letter = press.letter
    for name in PAGES:
        assert client.get(url(name, letter)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        for name in ACTIONS:
            assert client.post(url(name, letter), form_data(press)).status_code == 404
        response = client.post(url("press-release", letter), form_data(press, quote="Taken"))
        assert response.status_code == 404
        data = {"recipients": [m.pk for m in media]}
        assert client.post(url("press-release-send", letter), data).status_code == 404
    press.refresh_from_db()
    assert press.quote != "Taken"
    assert not Delivery.objects.filter(document="press").exists()
    assert queued == []


def test_anonymous_visitors_are_sent_to_log_in(client, press):
    for name in PAGES + ACTIONS:
        address = url(name, press.letter)
        response = client.post(address)
        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={address}")
        if name in PAGES:
            assert client.get(address).url == f"{reverse('login')}?next={address}"


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_refuse_get(client_for, coordinator, press, name):
    assert client_for(coordinator).get(url(name, press.letter)).status_code == 405


# Drafting and editing


def test_before_finalizing_there_is_nothing_to_draft(client_for, coordinator, closed_letter):
    client = client_for(coordinator)
    content = client.get(url("press-release", closed_letter)).content.decode()
    assert "finalize the letter first" in content
    assert url("press-release-draft", closed_letter) not in content
    response = client.post(url("press-release-draft", closed_letter))
    assert flash(response) == ["Only a finalized letter can have a press release."]
    assert not PressRelease.objects.exists()
    for name in ("press-release-send", "press-release-text", "press-release-pdf"):
        assert client.get(url(name, closed_letter)).status_code == 404


def test_the_page_offers_a_draft_then_the_form_and_preview(
    client_for, coordinator, finalized_letter
):
    client = client_for(coordinator)
    content = client.get(url("press-release", finalized_letter)).content.decode()
    assert f'action="{url("press-release-draft", finalized_letter)}"' in content
    client.post(url("press-release-draft", finalized_letter))
    response = client.get(url("press-release", finalized_letter))
    content = " ".join(response.content.decode().split())
    for field in ("headline", "dateline", "lead", "quote", "quote_by", "body", "distribution"):
        assert f'<label for="id_{field}" class="form-label' in content
    assert f'data-preview-url="{url("press-release-preview", finalized_letter)}"' in content
    assert "js/letter-preview.js" in content
    assert escape(KHMER_NAME) in content
    assert "The quote is empty" in content  # what still stops sending


def test_the_preview_escapes_and_follows_the_form(client_for, coordinator, press):
    data = form_data(press, headline=f"Title {SCRIPT}", body=f"Body {SCRIPT}\n\n**{KHMER_NAME}**")
    response = client_for(coordinator).post(url("press-release-preview", press.letter), data)
    content = response.content.decode()
    assert "<script>" not in content
    assert f"Title {escape(SCRIPT)}" in content
    assert f"<strong>{KHMER_NAME}</strong>" in content
    press.refresh_from_db()
    assert not press.headline.startswith("Title")  # a preview saves nothing


def test_an_invalid_edit_shows_the_errors(client_for, coordinator, press):
    data = form_data(press, headline="", lead="x" * 5001)
    response = client_for(coordinator).post(url("press-release", press.letter), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"headline", "lead"}
    press.refresh_from_db()
    assert press.headline


def test_the_text_download_keeps_every_name(client_for, coordinator, press):
    press_release_update(press=press, data={"quote": SCRIPT}, actor=coordinator)
    response = client_for(coordinator).get(url("press-release-text", press.letter))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{press.letter.slug}-press-release.txt"'
    )
    text = response.content.decode()
    assert f"“{SCRIPT}” — Chan Sophea, coordinator" in text
    assert KHMER_NAME in text and FRENCH_NAME in text


def test_the_pdf_download_reads_back_in_the_shipped_faces(client_for, coordinator, press):
    press = press_release_update(
        press=press, data={"quote": KHMER_NAME, "quote_by": FRENCH_NAME}, actor=coordinator
    )
    response = client_for(coordinator).get(url("press-release-pdf", press.letter))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{press.letter.slug}-press-release.pdf"'
    )
    assert unreadable(response.content, [KHMER_NAME, FRENCH_NAME]) == []
    fonts = fonts_of(response.content)
    assert {"Cosign-Serif", "Cosign-Serif-Khmer"} <= {name for name, _embedded in fonts}, fonts
    assert all(name.startswith("Cosign-") and embedded == "yes" for name, embedded in fonts)


# Sending to the media


def test_the_send_page_lists_media_contacts_with_an_address(client_for, coordinator, press, media):
    RecipientFactory(name="Postal desk", kind=Recipient.Kind.MEDIA, email="")
    response = client_for(coordinator).get(url("press-release-send", press.letter))
    assert response.context["media"] == media
    content = response.content.decode()
    assert "Postal desk" not in content
    assert "Rapporteur" not in content.split("<fieldset")[1]  # other kinds are not offered
    assert f'<label class="form-check-label text-break" for="media-{media[0].pk}">' in content


def test_sending_makes_press_deliveries_and_queues_them(
    client_for, coordinator, press, media, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url("press-release-send", press.letter), {"recipients": [m.pk for m in media]}
        )
    assert response.url == url("press-release", press.letter)
    assert flash(response) == ["The press release is on its way to 2 contacts."]
    deliveries = list(Delivery.objects.filter(document=Delivery.Document.PRESS_RELEASE))
    assert [(d.recipient, d.status) for d in deliveries] == [
        (media[0], Delivery.Status.QUEUED),
        (media[1], Delivery.Status.QUEUED),
    ]
    assert queued == [("mails_send_task", {})]  # a worker is woken to send what is due
    page = client_for(coordinator).get(url("press-release", press.letter))
    assert list(page.context["deliveries"]) == deliveries
    assert 'data-status-url="' + url(
        "letter-delivery-status", press.letter
    ) + '?document=press"' in (page.content.decode())
    status = client_for(coordinator).get(
        url("letter-delivery-status", press.letter) + "?document=press"
    )
    assert status.json()["counts"] == {"sent": 0, "waiting": 2, "failed": 0, "postal": 0}
    assert send_due(DeliveryOutbox) == 2
    status = client_for(coordinator).get(
        url("letter-delivery-status", press.letter) + "?document=press"
    )
    assert status.json()["counts"] == {"sent": 2, "waiting": 0, "failed": 0, "postal": 0}
    again = client_for(coordinator).get(url("press-release-send", press.letter)).content.decode()
    assert f'id="media-{media[0].pk}" disabled>' in again


def test_sending_with_a_placeholder_left_is_refused(
    client_for, coordinator, press, media, queued, django_capture_on_commit_callbacks
):
    press_release_update(press=press, data={"quote_by": "[Name, title]"}, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url("press-release-send", press.letter), {"recipients": [media[0].pk]}
        )
    assert response.status_code == 200
    assert "Quote by still contains placeholders to fill in: [Name, title]." in (
        response.content.decode()
    )
    assert not Delivery.objects.filter(document="press").exists()
    assert queued == []


def test_only_media_contacts_can_be_chosen(client_for, coordinator, press, recipient, queued):
    response = client_for(coordinator).post(
        url("press-release-send", press.letter), {"recipients": [recipient.pk]}
    )
    assert response.status_code == 200
    assert "recipients" in response.context["form"].errors
    assert not Delivery.objects.filter(document="press").exists()
