"""Finalizing a letter and following its delivery: the confirmation page, the delivery page, the
progress JSON it polls, sending a failed delivery again and adding a late recipient."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from letters_app.models import AuditEvent, Delivery, Letter, LetterSnapshot
from letters_app.services.deliveries import DeliveryOutbox, letter_mark_sent_if_done
from tests.factories import RecipientFactory
from tests.finalized import SCRIPT
from tests.mails import send_due

pytestmark = pytest.mark.django_db

D = Delivery.Status
RUNNERS = ["coordinator", "co_coordinator", "admin"]


def url(name, letter, **kwargs):
    return reverse(f"author:{name}", kwargs={"pk": letter.pk, **kwargs})


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def letter_delivery(letter, recipient):
    return Delivery.objects.get(letter=letter, recipient=recipient, document="letter")


def set_status(delivery, status, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)
    delivery.refresh_from_db()
    return delivery


# Who may see it


@pytest.mark.parametrize("persona", RUNNERS)
@pytest.mark.parametrize("name", ["letter-finalize", "letter-delivery", "letter-delivery-status"])
def test_people_who_run_the_letter_open_the_delivery_pages(
    request, client_for, finalized_letter, persona, name
):
    response = client_for(request.getfixturevalue(persona)).get(url(name, finalized_letter))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_finalize_it(
    request, client_for, closed_letter, persona, queued, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(url("letter-finalize", closed_letter))
    assert response.status_code == 302
    assert response.url == url("letter-delivery", closed_letter)
    closed_letter.refresh_from_db()
    assert closed_letter.status == Letter.Status.FINALIZED
    snapshot = closed_letter.snapshot
    assert (snapshot.signatory_count, snapshot.created_by) == (4, user)
    assert queued == [("letter_pdf_task", {"letter_id": closed_letter.pk})]
    assert AuditEvent.objects.get(action="letter.finalized").actor == user


def test_a_stranger_gets_404_and_changes_nothing(
    client_for, stranger, finalized_letter, recipient, queued, django_capture_on_commit_callbacks
):
    delivery = set_status(letter_delivery(finalized_letter, recipient), D.FAILED)
    late = RecipientFactory()
    client = client_for(stranger)
    for name in ("letter-finalize", "letter-delivery", "letter-delivery-status"):
        assert client.get(url(name, finalized_letter)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        retry = url("delivery-retry", finalized_letter, delivery_pk=delivery.pk)
        assert client.post(retry).status_code == 404
        late_url = url("letter-late-recipient", finalized_letter)
        assert client.post(late_url, {"recipient": late.pk}).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == D.FAILED
    assert not Delivery.objects.filter(recipient=late).exists()
    assert queued == []


def test_a_stranger_cannot_finalize(client_for, stranger, closed_letter):
    assert client_for(stranger).post(url("letter-finalize", closed_letter)).status_code == 404
    closed_letter.refresh_from_db()
    assert closed_letter.status == Letter.Status.CLOSED
    assert not LetterSnapshot.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, finalized_letter, recipient):
    delivery = letter_delivery(finalized_letter, recipient)
    pages = [url(n, finalized_letter) for n in ("letter-finalize", "letter-delivery",
                                                 "letter-delivery-status")]  # fmt: skip
    actions = [
        url("delivery-retry", finalized_letter, delivery_pk=delivery.pk),
        url("letter-late-recipient", finalized_letter),
        url("letter-finalize", finalized_letter),
    ]
    for page in pages:
        response = client.get(page)
        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={page}")
    for action in actions:
        response = client.post(action)
        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={action}")


@pytest.mark.parametrize("name", ["delivery-retry", "letter-late-recipient"])
def test_actions_refuse_get(client_for, coordinator, finalized_letter, recipient, name):
    kwargs = {"delivery_pk": letter_delivery(finalized_letter, recipient).pk}
    address = url(name, finalized_letter, **(kwargs if name == "delivery-retry" else {}))
    assert client_for(coordinator).get(address).status_code == 405


# Finalize


def test_the_nav_offers_finalize_only_once_signing_is_closed(
    client_for, coordinator, closed_letter
):
    finalize = url("letter-finalize", closed_letter)
    content = client_for(coordinator).get(url("letter-edit", closed_letter)).content.decode()
    assert f'href="{finalize}"' in content
    assert f'href="{url("letter-delivery", closed_letter)}"' not in content
    Letter.objects.filter(pk=closed_letter.pk).update(status=Letter.Status.OPEN)
    content = client_for(coordinator).get(url("letter-edit", closed_letter)).content.decode()
    assert f'href="{finalize}"' not in content


def test_the_finalize_page_shows_recipients_and_the_listed_count(
    client_for, coordinator, closed_letter, recipient
):
    response = client_for(coordinator).get(url("letter-finalize", closed_letter))
    content = response.content.decode()
    assert response.context["problems"] == []
    assert response.context["signature_count"] == 4
    assert "4 listed signatures will be numbered and frozen." in content
    assert "2 recipients" in content
    assert escape(str(recipient)) in content
    assert recipient.email in content
    assert content.count("postal only") == 1 + 1  # the Sok Dara row, and the explanation below
    assert "Professor Sok Dara" in content
    assert "disabled" not in content.split('action="' + url("letter-finalize", closed_letter))[1]


def _no_recipients(letter, coordinator):
    letter.letter_recipients.all().delete()


def _no_signatures(letter, coordinator):
    letter.signatures.update(is_public=False)


def _open(letter, coordinator):
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.OPEN)


@pytest.mark.parametrize(
    ("make_it_so", "message"),
    [
        (_open, "Only a letter whose signing is closed can be finalized; "
                "this one is open for signing."),
        (_no_recipients, "The letter has no recipient."),
        (_no_signatures, "Nobody is listed as a signatory yet."),
    ],
)  # fmt: skip
def test_finalize_is_refused_with_the_reason(
    client_for, coordinator, closed_letter, queued, make_it_so, message
):
    make_it_so(closed_letter, coordinator)
    client = client_for(coordinator)
    page = client.get(url("letter-finalize", closed_letter))
    assert [m for m, _url in page.context["problems"]] == [message]
    assert escape(message) in page.content.decode()
    assert "Finalize and send now</button>" in page.content.decode()
    response = client.post(url("letter-finalize", closed_letter))
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    closed_letter.refresh_from_db()
    assert closed_letter.status != Letter.Status.FINALIZED
    assert not LetterSnapshot.objects.exists()
    assert not Delivery.objects.exists()
    assert queued == []


def test_a_finalized_letter_is_not_finalized_twice(client_for, coordinator, finalized_letter):
    snapshot = finalized_letter.snapshot
    response = client_for(coordinator).post(url("letter-finalize", finalized_letter))
    assert response.status_code == 200
    content = response.content.decode()
    assert "only a letter whose signing is closed can be finalized." in content
    assert response.context["allowed"] is False
    assert LetterSnapshot.objects.get() == snapshot
    assert Delivery.objects.count() == 2


# The delivery page


def test_the_delivery_page_shows_the_snapshot_and_each_recipient(
    client_for, coordinator, finalized_letter, recipient, postal_recipient
):
    snapshot = finalized_letter.snapshot
    set_status(
        letter_delivery(finalized_letter, recipient), D.RETRY, attempts=2,
        last_error=f"SMTPResponseException: 451 {SCRIPT}", response="",
    )  # fmt: skip
    response = client_for(coordinator).get(url("letter-delivery", finalized_letter))
    content = response.content.decode()
    assert snapshot.sha256 in content
    assert f'<dd class="col-sm-8">{snapshot.signatory_count}</dd>' in content
    assert f'<dd class="col-sm-8">{snapshot.version}</dd>' in content
    assert "Being made: the e-mails go out once it is ready." in content
    assert escape(f"SMTPResponseException: 451 {SCRIPT}") in content
    assert SCRIPT not in content
    assert "Waiting to retry" in content and "Postal only" in content
    rows = list(response.context["deliveries"])  # in the order they were made
    assert [d.pk for d in rows] == sorted(d.pk for d in rows)
    assert {(d.recipient, d.status) for d in rows} == {
        (recipient, D.RETRY),
        (postal_recipient, D.POSTAL),
    }
    assert response.context["progress"] == {"sent": 0, "waiting": 1, "failed": 0, "postal": 1}
    assert 'data-ended="false"' in content
    assert "js/delivery-progress.js" in content
    assert "<script>" not in content.replace('<script src="', "")


@pytest.mark.parametrize(
    ("language", "status", "column"), [("fr", "Envoyée", "Envoi"), ("km", "បានផ្ញើ", "ពេលផ្ញើ")]
)
def test_the_sent_column_is_named_for_a_time_not_a_letter(
    client_for, coordinator, finalized_letter, recipient, language, status, column
):
    set_status(letter_delivery(finalized_letter, recipient), D.SENT)
    with translation.override(language):
        content = client_for(coordinator).get(url("letter-delivery", finalized_letter)).content
    assert f'<th scope="col">{column}</th>'.encode() in content
    assert f'<th scope="col">{status}</th>'.encode() not in content


def test_the_delivery_page_shows_a_ready_pdf(client_for, coordinator, finalized_letter):
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY, pdf="letters/x.pdf"
    )
    content = client_for(coordinator).get(url("letter-delivery", finalized_letter)).content
    pdf_url = reverse("public:letter-pdf", kwargs={"slug": finalized_letter.slug})
    assert f'<p data-pdf="ready">Ready. <a href="{pdf_url}" download>'.encode() in content


def test_the_delivery_page_shows_why_the_pdf_failed(client_for, coordinator, finalized_letter):
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.FAILED, pdf_error=f"ValueError: {SCRIPT}"
    )
    content = client_for(coordinator).get(url("letter-delivery", finalized_letter)).content
    assert f"ValueError: {escape(SCRIPT)}".encode() in content
    assert b'<div data-pdf="failed" class="alert alert-danger" role="alert">' in content


def test_the_delivery_page_before_finalizing_says_so(client_for, coordinator, closed_letter):
    response = client_for(coordinator).get(url("letter-delivery", closed_letter))
    assert response.status_code == 200
    assert "This letter is not finalized yet" in response.content.decode()


# The progress JSON


def test_the_status_json_counts_and_lists_each_row(
    client_for, coordinator, finalized_letter, recipient, postal_recipient
):
    delivery = set_status(
        letter_delivery(finalized_letter, recipient), D.FAILED, attempts=8,
        last_error=SCRIPT, response="",
    )  # fmt: skip
    postal = letter_delivery(finalized_letter, postal_recipient)
    response = client_for(coordinator).get(url("letter-delivery-status", finalized_letter))
    assert response["Content-Type"] == "application/json"
    data = response.json()
    data["rows"].sort(key=lambda row: row["status"])
    assert data == {
        "counts": {"sent": 0, "waiting": 0, "failed": 1, "postal": 1},
        "count_labels": {"sent": "0 sent", "waiting": "0 waiting", "failed": "1 failed",
                         "postal": "1 postal only"},
        "rows": [
            {"id": delivery.pk, "status": "failed", "label": "Failed", "attempts": 8,
             "reason": SCRIPT, "response": "", "sent_at": ""},
            {"id": postal.pk, "status": "postal", "label": "Postal only", "attempts": 0,
             "reason": "", "response": "", "sent_at": ""},
        ],
        "pdf": "pending",
        "pdf_error": "",
        "letter": {"status": "finalized", "label": "Finalized"},
        "banner": {
            "text": "The PDF is being made: the e-mails go out once it is ready.", "tone": "info"
        },
        "ended": False,  # the PDF, which the postal recipient needs, is still being made
    }  # fmt: skip


def test_the_status_json_says_when_sending_goes_on(
    client_for, coordinator, finalized_letter, recipient
):
    delivery = letter_delivery(finalized_letter, recipient)
    client = client_for(coordinator)
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    assert (data["counts"]["waiting"], data["ended"]) == (1, False)
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY
    )
    set_status(delivery, D.SENT, response="250 2.0.0 Ok: queued as 4bX2")
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    assert data["counts"] == {"sent": 1, "waiting": 0, "failed": 0, "postal": 1}
    (row,) = [row for row in data["rows"] if row["id"] == delivery.pk]
    assert (row["status"], row["label"]) == ("sent", "Sent")
    assert row["response"] == "250 2.0.0 Ok: queued as 4bX2"
    # Every delivery has ended, but the letter is not marked sent yet: the page waits for it.
    assert (data["letter"]["status"], data["ended"]) == ("finalized", False)
    assert letter_mark_sent_if_done(letter_id=finalized_letter.pk)
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    assert data["letter"] == {"status": "sent", "label": "Sent"}
    assert data["banner"] == {
        "text": "Sent: every recipient with an e-mail address has received the letter. It is "
        "to be posted to 1 other recipient.",
        "tone": "success",
    }
    assert data["ended"] is True


def test_a_letter_for_postal_recipients_only_is_watched_until_its_pdf_is_ready(
    client_for, coordinator, finalized_letter
):
    Delivery.objects.filter(letter=finalized_letter).update(status=D.POSTAL)
    client = client_for(coordinator)
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    assert (data["counts"]["waiting"], data["pdf"], data["ended"]) == (0, "pending", False)
    assert 'data-ended="false"' in client.get(url("letter-delivery", finalized_letter)).text
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY
    )
    assert letter_mark_sent_if_done(letter_id=finalized_letter.pk)  # as the PDF task does
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    assert data["banner"]["text"] == "Final: the letter is to be posted to its recipients."
    assert data["letter"] == {"status": "to_post", "label": "To be posted"}
    assert data["ended"] is True


def test_a_letter_to_postal_recipients_only_is_badged_to_be_posted_on_every_page(
    client_for, coordinator, admin, finalized_letter
):
    Delivery.objects.filter(letter=finalized_letter).update(status=D.POSTAL, email="")
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY
    )
    assert letter_mark_sent_if_done(letter_id=finalized_letter.pk)
    badge = 'data-letter-status="to_post">To be posted</span>'
    client = client_for(coordinator)
    for page in (reverse("author:dashboard"), url("letter-delivery", finalized_letter)):
        content = client.get(page).text
        assert badge in content
        assert 'data-letter-status="sent"' not in content
    delivery = client.get(url("letter-delivery", finalized_letter)).text
    assert "Final: the letter is to be posted to its recipients." in delivery
    changelist = client_for(admin).get(reverse("admin:letters_app_letter_changelist")).text
    assert ">To be posted</td>" in changelist


@pytest.mark.parametrize(
    ("failed", "language", "text"),
    [
        (
            1,
            "en",
            "Partly delivered: 1 of the 3 recipients with an e-mail address has not received the "
            "letter (yet). The reason is below.",
        ),
        (
            2,
            "en",
            "Partly delivered: 2 of the 3 recipients with an e-mail address have not received "
            "the letter (yet). The reasons are below.",
        ),
        (
            1,
            "fr",
            "Partiellement remise\u00a0: 1 des 3 destinataires ayant une adresse e-mail n'a pas "
            "(encore) reçu la lettre. La raison est indiquée ci-dessous.",
        ),
        (
            2,
            "fr",
            "Partiellement remise\u00a0: 2 des 3 destinataires ayant une adresse e-mail n'ont "
            "pas (encore) reçu la lettre. Les raisons sont indiquées ci-dessous.",
        ),
    ],
)
def test_the_partly_delivered_banner_agrees_with_the_number_not_received(
    client_for, coordinator, finalized_letter, failed, language, text
):
    for _n in range(2):
        Delivery.objects.create(
            letter=finalized_letter, recipient=RecipientFactory(), email="x@example.org",
            message_id=f"<{_n}@example.org>",
        )  # fmt: skip
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY
    )
    emailed = Delivery.objects.filter(letter=finalized_letter).exclude(status=D.POSTAL)
    ids = list(emailed.order_by("id").values_list("pk", flat=True))
    emailed.filter(pk__in=ids[:failed]).update(status=D.FAILED)
    emailed.filter(pk__in=ids[failed:]).update(status=D.SENT)
    assert letter_mark_sent_if_done(letter_id=finalized_letter.pk)
    with translation.override(language):
        status_url = url("letter-delivery-status", finalized_letter)
    data = client_for(coordinator).get(status_url).json()
    assert data["banner"] == {"text": text, "tone": "danger"}


def test_the_status_json_stops_the_poll_when_the_pdf_failed(
    client_for, coordinator, finalized_letter
):
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.FAILED, pdf_error="OSError: no font"
    )
    data = client_for(coordinator).get(url("letter-delivery-status", finalized_letter)).json()
    assert (data["counts"]["waiting"], data["pdf"], data["ended"]) == (1, "failed", True)
    assert data["pdf_error"] == "OSError: no font"


# Sending again


def test_a_failed_delivery_is_sent_again(
    client_for, coordinator, finalized_letter, recipient, queued,
    django_capture_on_commit_callbacks, mailoutbox, settings, tmp_path,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    pdf = default_storage.save("letters/x.pdf", ContentFile(b"%PDF-1.7 the letter"))
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY, pdf=pdf
    )
    delivery = set_status(
        letter_delivery(finalized_letter, recipient), D.FAILED, attempts=8,
        last_error="554 5.7.1 Rejected", error_kind="message",
    )  # fmt: skip
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("delivery-retry", finalized_letter, delivery_pk=delivery.pk))
    assert response.url == url("letter-delivery", finalized_letter)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.QUEUED, 0)
    assert queued == [("mails_send_task", {})]  # a worker is woken to send it
    assert flash(response) == [f"Sending again to {recipient}."]
    assert AuditEvent.objects.get(action="delivery.retried").actor == coordinator
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    assert (data["counts"]["waiting"], data["counts"]["failed"]) == (1, 0)

    # The worker sends it; the page follows.
    assert send_due(DeliveryOutbox) == 1
    assert [m.to for m in mailoutbox] == [[recipient.email]]
    data = client.get(url("letter-delivery-status", finalized_letter)).json()
    (row,) = [row for row in data["rows"] if row["id"] == delivery.pk]
    assert (row["status"], row["attempts"], row["reason"]) == ("sent", 1, "")


@pytest.mark.parametrize("status", [D.QUEUED, D.SENDING, D.RETRY, D.SENT, D.POSTAL])
def test_only_a_failed_delivery_is_sent_again(
    client_for, coordinator, finalized_letter, recipient, queued, status,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    delivery = set_status(letter_delivery(finalized_letter, recipient), status, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url("delivery-retry", finalized_letter, delivery_pk=delivery.pk)
        )
    assert response.status_code == 302
    assert flash(response) == ["Only a failed delivery can be sent again."]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (status, 3)
    assert queued == []


def test_the_retry_button_shows_on_failed_rows_only(
    client_for, coordinator, finalized_letter, recipient, postal_recipient
):
    failed = set_status(letter_delivery(finalized_letter, recipient), D.FAILED)
    postal = letter_delivery(finalized_letter, postal_recipient)
    content = client_for(coordinator).get(url("letter-delivery", finalized_letter)).content
    failed_form = url("delivery-retry", finalized_letter, delivery_pk=failed.pk)
    postal_form = url("delivery-retry", finalized_letter, delivery_pk=postal.pk)
    assert f'action="{failed_form}" data-retry>'.encode() in content
    assert f'action="{postal_form}" data-retry hidden>'.encode() in content


def test_a_delivery_of_another_letter_is_404(
    client_for, coordinator, finalized_letter, recipient, closed_letter
):
    from tests.factories import LetterFactory

    other = LetterFactory(created_by=coordinator)
    delivery = set_status(letter_delivery(finalized_letter, recipient), D.FAILED)
    response = client_for(coordinator).post(url("delivery-retry", other, delivery_pk=delivery.pk))
    assert response.status_code == 404


# A late recipient


def test_the_directory_search_offers_those_not_yet_receiving(
    client_for, coordinator, finalized_letter, recipient
):
    late = RecipientFactory(name="Tep Vannara", institution="Parlement européen")
    response = client_for(coordinator).get(
        url("letter-delivery", finalized_letter) + "?q=Rapporteur"
    )
    assert list(response.context["found"]) == [late]  # the recipient matches, but has the letter
    assert escape(str(late)) in response.content.decode()
    assert f'name="recipient" value="{late.pk}"' in response.content.decode()
    response = client_for(coordinator).get(url("letter-delivery", finalized_letter) + "?q=")
    assert list(response.context["found"]) == []


def test_the_late_recipient_search_pages_past_fifty(client_for, coordinator, finalized_letter):
    batch = RecipientFactory.create_batch(61, kind="parliament")
    found = url("letter-delivery", finalized_letter) + "?kind=parliament"
    first = client_for(coordinator).get(found)
    assert len(first.context["found"]) == 50
    assert "1–50 of 61" in first.content.decode()
    second = client_for(coordinator).get(found + "&page=2")
    shown = {r.pk for r in first.context["found"]} | {r.pk for r in second.context["found"]}
    assert shown == {r.pk for r in batch}
    assert 'href="?kind=parliament&amp;page=1"' in second.content.decode()


def test_a_late_recipient_gets_the_letter(
    client_for, coordinator, finalized_letter, queued, django_capture_on_commit_callbacks
):
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY, pdf="letters/x.pdf"
    )
    late = RecipientFactory(name="Tep Vannara", email="tep@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url("letter-late-recipient", finalized_letter), {"recipient": late.pk}
        )
    assert response.url == url("letter-delivery", finalized_letter)
    delivery = Delivery.objects.get(letter=finalized_letter, recipient=late)
    assert (delivery.status, delivery.document, delivery.email) == (
        D.QUEUED, "letter", "tep@example.org",
    )  # fmt: skip
    assert delivery.due_at is not None  # the PDF is ready: due at once
    assert queued == [("mails_send_task", {})]
    assert flash(response) == [f"{late} will receive the letter."]
    assert AuditEvent.objects.get(action="delivery.late").detail == {"recipient": str(late)}


def test_a_late_recipient_waits_for_the_pdf(
    client_for, coordinator, finalized_letter, queued, django_capture_on_commit_callbacks
):
    late = RecipientFactory(name="Tep Vannara", email="tep@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            url("letter-late-recipient", finalized_letter), {"recipient": late.pk}
        )
    delivery = Delivery.objects.get(recipient=late)
    assert (delivery.status, delivery.due_at) == (D.QUEUED, None)  # due once the PDF is stored
    assert send_due(DeliveryOutbox) == 0


def test_a_recipient_already_receiving_is_refused(
    client_for, coordinator, finalized_letter, recipient, queued
):
    response = client_for(coordinator).post(
        url("letter-late-recipient", finalized_letter), {"recipient": recipient.pk}
    )
    assert flash(response) == [f"{recipient} already receives this letter."]
    assert Delivery.objects.filter(recipient=recipient).count() == 1


def test_a_late_recipient_needs_a_finalized_letter(client_for, coordinator, closed_letter):
    late = RecipientFactory()
    response = client_for(coordinator).post(
        url("letter-late-recipient", closed_letter), {"recipient": late.pk}
    )
    assert flash(response) == ["Only a finalized letter can be sent to a late recipient."]
    assert not Delivery.objects.exists()


def test_an_unknown_late_recipient_is_refused(client_for, coordinator, finalized_letter):
    response = client_for(coordinator).post(
        url("letter-late-recipient", finalized_letter), {"recipient": 999_999}
    )
    assert flash(response) == ["This recipient is not in the directory."]
    assert Delivery.objects.count() == 2


def test_a_failed_pdf_is_made_again_on_request_and_only_then(
    client_for, coordinator, finalized_letter, queued, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    retry = url("letter-pdf-retry", finalized_letter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)  # still being made: refused
    assert queued == []
    LetterSnapshot.objects.filter(letter=finalized_letter).update(
        pdf_status=LetterSnapshot.PdfStatus.FAILED, pdf_error="OSError: no font"
    )
    assert "Make the PDF again" in client.get(url("letter-delivery", finalized_letter)).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    snapshot = LetterSnapshot.objects.get(letter=finalized_letter)
    assert (snapshot.pdf_status, snapshot.pdf_error) == (LetterSnapshot.PdfStatus.PENDING, "")
    assert queued == [("letter_pdf_task", {"letter_id": finalized_letter.pk})]
    assert (
        AuditEvent.objects.filter(letter=finalized_letter, action="letter.pdf_retried").count() == 1
    )


# (language, the summary with one e-mail sent and one postal recipient, then with two of each
# and one waiting): French takes the singular for 0 and 1, Khmer has one form.
SUMMARIES = [
    ("en", ["1 sent", "0 waiting", "0 failed", "1 postal only"],
     ["2 sent", "1 waiting", "0 failed", "2 postal only"]),
    ("fr", ["1 envoyé", "0 en attente", "0 en échec", "1 courrier postal uniquement"],
     ["2 envoyés", "1 en attente", "0 en échec", "2 courriers postaux uniquement"]),
    ("km", ["1 បានផ្ញើ", "0 កំពុងរង់ចាំ", "0 បរាជ័យ", "1 តាមប្រៃសណីយ៍តែប៉ុណ្ណោះ"],
     ["2 បានផ្ញើ", "1 កំពុងរង់ចាំ", "0 បរាជ័យ", "2 តាមប្រៃសណីយ៍តែប៉ុណ្ណោះ"]),
]  # fmt: skip


@pytest.mark.parametrize(("language", "first", "then"), SUMMARIES)
def test_each_count_of_the_summary_takes_the_singular_or_plural_its_language_wants(
    client_for, coordinator, finalized_letter, recipient, language, first, then
):
    """On the page as it loads, and in the JSON from which the page's script updates it."""
    set_status(letter_delivery(finalized_letter, recipient), D.SENT)
    client = client_for(coordinator)
    with translation.override(language):
        page_url = url("letter-delivery", finalized_letter)
        status_url = url("letter-delivery-status", finalized_letter)

    def shown():
        page = client.get(page_url).content.decode()
        summary = re.search(r'<p class="delivery-summary"[^>]*>(.*?)</p>', page, re.S).group(1)
        return re.findall(r'<span data-count="(\w+)">([^<]*)</span>', summary)

    keys = ["sent", "waiting", "failed", "postal"]
    assert shown() == list(zip(keys, first, strict=True))
    assert client.get(status_url).json()["count_labels"] == dict(zip(keys, first, strict=True))

    for status, email in ((D.SENT, "second@example.org"), (D.POSTAL, ""), (D.QUEUED, "q@x.org")):
        Delivery.objects.create(
            letter=finalized_letter, recipient=RecipientFactory(email=email), email=email,
            status=status, message_id=f"<{status}@example.org>",
        )  # fmt: skip
    assert shown() == list(zip(keys, then, strict=True))
    assert client.get(status_url).json()["count_labels"] == dict(zip(keys, then, strict=True))
