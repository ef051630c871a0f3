"""A letter delivered in two languages on the real parts: a Celery worker on the configured
broker, an SMTP server (aiosmtpd), PostgreSQL and WeasyPrint."""

import subprocess

import pytest

from letters_app.models import Letter, Signature, SignerNotice
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close, letter_open, letter_set_recipient_languages
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import LetterFactory, RecipientFactory
from tests.translations import FRENCH, translate
from tests.waiting import wait_until
from tests.workers import smtp_env

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server)


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def pdf_text(message) -> str:
    (pdf,) = message.iter_attachments()
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
                            input=pdf.get_content(), capture_output=True, check=True)  # fmt: skip
    return " ".join(result.stdout.decode().split())


def test_a_recipient_set_to_french_and_a_french_signer_get_french_mail(
    smtp_server, celery_worker_process, coordinator
):
    paris = RecipientFactory(name="Ambassade", salutation="Dear Ambassador,")
    geneva = RecipientFactory(name="Muntarbhorn", salutation="Dear Professor Muntarbhorn,")
    letter = letter_open(
        letter=LetterFactory(created_by=coordinator, recipients=[paris, geneva]), actor=coordinator
    )
    translate(letter, "fr", FRENCH, coordinator)
    letter_set_recipient_languages(letter=letter, languages={paris.pk: "fr"}, actor=coordinator)
    signature, _created = signature_add(
        letter=letter, kind=Signature.Kind.ORGANIZATION, email="lea@example.org", language="fr",
        name="Ligue cambodgienne", country="FR", consent_public=True,
    )  # fmt: skip
    signature_confirm(signature=signature)
    letter = letter_close(letter=letter, actor=coordinator)

    letter_finalize(letter=letter, actor=coordinator)

    assert wait_until(
        lambda: (
            Letter.objects.get(pk=letter.pk).status == Letter.Status.SENT
            and SignerNotice.objects.filter(status=SignerNotice.Status.SENT).exists()
        ),
        timeout=90,
    )
    by_address = {str(m["To"]): m for _to, m in smtp_server.inbox.messages}
    french, english = by_address[paris.email], by_address[geneva.email]
    assert french["Subject"] == FRENCH["title"]
    assert french["Content-Language"] == "fr"
    assert FRENCH["salutation"] in plain(french)
    assert "Dear Ambassador," not in plain(french)
    assert FRENCH["title"] in pdf_text(french)
    assert "Ligue cambodgienne, France" in pdf_text(french)  # the one signatory list
    assert english["Subject"] == letter.title
    assert "Dear Professor Muntarbhorn," in plain(english)
    assert letter.title in pdf_text(english)
    assert FRENCH["title"] not in pdf_text(english)
    to_signer = [m for _to, m in smtp_server.inbox.messages if m["To"] == "lea@example.org"]
    assert len(to_signer) == 2  # the confirmation link, then the news of the delivery
    for message in to_signer:
        # A long subject comes back folded, with its spaces doubled where it was unfolded.
        assert FRENCH["title"] in " ".join(message["Subject"].split())
        assert message["Content-Language"] == "fr"
