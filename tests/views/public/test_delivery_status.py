"""A finalized letter's public page and the home page tell how it was delivered: to be posted
when none of its recipients has an e-mail address, e-mailed to some and posted to others, or
delivered; never "Sent" for a letter that no e-mail carried."""

import pytest
from django.urls import reverse
from django.utils import translation

from letters_app.models import Delivery, Letter, LetterSnapshot
from letters_app.services.deliveries import letter_mark_sent_if_done

pytestmark = pytest.mark.django_db

D = Delivery.Status


def deliver(letter, status: str) -> Letter:
    """The PDF made and each e-mail ended with `status` (postal: the recipient has no
    address), as the worker leaves them."""
    LetterSnapshot.objects.filter(letter=letter).update(
        pdf_status=LetterSnapshot.PdfStatus.READY, pdf="letters/final.pdf"
    )
    Delivery.objects.filter(letter=letter).exclude(status=D.POSTAL).update(
        status=status, email="" if status == D.POSTAL else "x@example.org"
    )
    assert letter_mark_sent_if_done(letter_id=letter.pk)
    letter.refresh_from_db()
    return letter


def read(client, url: str, language: str) -> str:
    with translation.override(language):
        url = url() if callable(url) else url
    response = client.get(url)
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("language", "badge", "said", "pdf"),
    [
        (
            "en",
            "To be posted",
            "This letter is final and is to be posted to its recipients.",
            "The final letter (PDF)",
        ),
        (
            "fr",
            "À envoyer par courrier postal",
            "Cette lettre est définitive et sera envoyée par courrier postal à ses destinataires.",
            "La lettre définitive (PDF)",
        ),
        (
            "km",
            "ត្រូវផ្ញើតាមប្រៃសណីយ៍",
            "លិខិតនេះស្ថាពរហើយ ហើយនឹងត្រូវផ្ញើតាមប្រៃសណីយ៍ទៅកាន់អ្នកទទួលរបស់វា។",
            "លិខិតស្ថាពរ (PDF)",
        ),
    ],
)
def test_a_letter_to_postal_recipients_only_is_to_be_posted_not_sent(
    client, finalized_letter, language, badge, said, pdf
):
    letter = deliver(finalized_letter, D.POSTAL)
    assert letter.status == Letter.Status.SENT

    page = read(client, lambda: letter.get_absolute_url(), language)
    with translation.override(language):
        sent = str(Letter.Status.SENT.label)
        delivered = translation.gettext("This letter has been delivered to its recipients.")
        as_sent = translation.gettext("The letter as sent (PDF)")
    assert f">{badge}</span>" in page
    assert said in page
    assert f">{pdf}</a>" in page
    assert f">{sent}</span>" not in page
    assert delivered not in page and as_sent not in page
    home = read(client, lambda: reverse("public:home"), language)
    assert f">{badge}</span>" in home
    assert f">{sent}</span>" not in home


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "This letter has been sent by e-mail to 1 recipient. "
            "It is to be posted to 1 other recipient.",
        ),
        (
            "fr",
            "Cette lettre a été envoyée par e-mail à 1 destinataire. "
            "Elle sera envoyée par courrier postal à 1 autre destinataire.",
        ),
    ],
)
def test_a_letter_emailed_to_some_and_posted_to_others_says_both(
    client, finalized_letter, language, said
):
    letter = deliver(finalized_letter, D.SENT)
    assert (letter.emailed_count, letter.postal_count) == (1, 1)

    page = read(client, lambda: letter.get_absolute_url(), language)
    with translation.override(language):
        sent = str(Letter.Status.SENT.label)
    assert f">{sent}</span>" in page
    assert said in " ".join(page.split())


def test_a_letter_emailed_to_every_recipient_has_been_delivered(client, finalized_letter):
    Delivery.objects.filter(letter=finalized_letter, status=D.POSTAL).delete()
    letter = deliver(finalized_letter, D.SENT)

    page = read(client, lambda: letter.get_absolute_url(), "en")
    assert ">Sent</span>" in page
    assert "This letter has been delivered to its recipients." in page
    assert "by e-mail to" not in page and "to be posted" not in page
    assert ">The letter as sent (PDF)</a>" in page
