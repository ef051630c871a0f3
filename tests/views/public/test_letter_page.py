"""The public page of a letter and the home page, as a reader sees them."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from letters_app.cache import letter_page_forget
from letters_app.models import Letter, LetterSnapshot
from letters_app.services.deliveries import snapshot_content
from letters_app.services.letters import letter_close, letter_open
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db


def test_an_open_letter_shows_its_title_body_and_recipients(client, letter, recipient):
    letter_open(letter=letter, actor=letter.created_by)
    response = client.get(reverse("public:letter-detail", kwargs={"slug": letter.slug}))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<h1 class="letter-title">{escape(letter.title)}</h1>' in content
    assert "<strong>urge</strong>" in content  # the body, rendered from Markdown
    assert "<li>Second</li>" in content
    for line in recipient.address_lines:
        assert escape(line) in content
    assert "Palais des Nations<br>8-14 Avenue de la Paix<br>CH-1211 Geneva 10" in content
    assert "Switzerland" in content
    assert "Open for signing" in content


def test_a_draft_is_not_public(client, letter):
    response = client.get(reverse("public:letter-detail", kwargs={"slug": letter.slug}))
    assert response.status_code == 404


def test_an_unknown_slug_is_404(client, db):
    response = client.get(reverse("public:letter-detail", kwargs={"slug": "no-such-letter"}))
    assert response.status_code == 404


def test_script_in_the_title_is_escaped(client, coordinator, recipient):
    script = '<script>alert("pwned")</script>'
    letter = LetterFactory(created_by=coordinator, recipients=[recipient], title=script)
    letter_open(letter=letter, actor=coordinator)
    content = client.get(letter.get_absolute_url()).content.decode()
    assert script not in content
    assert escape(script) in content


def test_the_home_lists_public_letters_only(client, coordinator, recipient):
    draft = LetterFactory(created_by=coordinator, title="A draft nobody may see")
    opened = LetterFactory(created_by=coordinator, recipients=[recipient], title="Signing now")
    closed = LetterFactory(created_by=coordinator, recipients=[recipient], title="Signing ended")
    letter_open(letter=opened, actor=coordinator)
    letter_open(letter=closed, actor=coordinator)
    letter_close(letter=closed, actor=coordinator)
    response = client.get(reverse("public:home"))
    content = response.content.decode()
    assert list(response.context["letters"]) == [closed, opened]
    assert opened.get_absolute_url() in content
    assert closed.get_absolute_url() in content
    assert "A draft nobody may see" not in content
    assert draft.get_absolute_url() not in content
    assert Letter.objects.count() == 3


def test_a_delivered_letter_offers_its_pdf_and_hash(open_letter, coordinator, client):
    letter_close(letter=open_letter, actor=coordinator)
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.SENT)
    snapshot = LetterSnapshot.objects.create(
        letter=open_letter,
        version=1,
        content=snapshot_content(open_letter),
        sha256="ab" * 32,
        signatory_count=0,
    )
    page = client.get(open_letter.get_absolute_url())
    assert "letter.pdf" not in page.text  # no PDF yet, no link
    snapshot.pdf.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    letter_page_forget(open_letter.slug)  # readers see it within PAGE_FRESH_SECONDS
    page = client.get(open_letter.get_absolute_url())
    assert f"SHA-256 {'ab' * 32}" in page.text
    pdf = client.get(f"/letters/{open_letter.slug}/letter.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == b"%PDF-1.7 test"
