"""The published letters and one letter's texts, in the API, as their public pages show them."""

import pytest
from django.utils import translation

from letters_app.models import Letter, LetterSnapshot
from letters_app.rendering import markdown_to_html
from tests.finalized import SCRIPT
from tests.translations import FRENCH, translate

pytestmark = pytest.mark.django_db


def test_the_list_shows_published_letters_and_never_a_draft(client, api_letter, draft_letter):
    response = client.get("/api/v1/letters")

    assert response.status_code == 200
    letters = response.json()["letters"]
    assert [entry["slug"] for entry in letters] == [api_letter.slug]
    entry = letters[0]
    assert entry["status"] == "open"
    assert entry["total"] == 4
    assert entry["url"] == f"http://testserver.example/letters/{api_letter.slug}/"
    assert entry["api_url"] == f"http://testserver.example/api/v1/letters/{api_letter.slug}"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def test_a_letter_gives_its_text_its_recipients_counts_and_links(client, api_letter):
    data = client.get(f"/api/v1/letters/{api_letter.slug}").json()

    assert data["text"]["title"] == api_letter.title
    assert data["text"]["body_markdown"] == api_letter.body
    assert data["text"]["body_html"] == str(markdown_to_html(api_letter.body))
    assert "<strong>urge</strong>" in data["text"]["body_html"]
    assert data["text"]["salutation"] == "Dear Professor Muntarbhorn,"
    assert data["text"]["sender"] == "Coalition of Khmer associations"
    assert data["recipients"][0][-1] == "Switzerland"
    assert data["counts"] == {"organization": 2, "individual": 1, "mp": 1}
    assert data["total"] == 4
    assert data["sha256"] is None
    site = "http://testserver.example"
    assert data["links"] == {
        "page": f"{site}/letters/{api_letter.slug}/",
        "pdf": None,
        "frozen_json": None,
        "embed": f"{site}/letters/{api_letter.slug}/embed/",
        "badge": f"{site}/letters/{api_letter.slug}/badge.svg",
        "signatures": f"{site}/api/v1/letters/{api_letter.slug}/signatures",
        "counts": f"{site}/api/v1/letters/{api_letter.slug}/counts",
    }


def test_the_body_is_sanitized_as_the_page_shows_it(client, api_letter):
    body = f"Read [this](javascript:alert(1)).\n\n{SCRIPT}\n\n<img src=x onerror=alert(1)>"
    Letter.objects.filter(pk=api_letter.pk).update(body=body)

    text = client.get(f"/api/v1/letters/{api_letter.slug}").json()["text"]

    assert text["body_markdown"] == body
    assert "<script" not in text["body_html"] and "javascript:" not in text["body_html"]
    assert "onerror" not in text["body_html"]
    assert text["body_html"] == str(markdown_to_html(body))


def test_a_ready_translation_is_given_and_a_draft_one_is_not(client, api_letter, coordinator):
    translate(api_letter, "fr", FRENCH, coordinator)
    translate(api_letter, "km", {"title": "ខ្មែរ"}, coordinator, ready=False)

    data = client.get(f"/api/v1/letters/{api_letter.slug}").json()

    assert [t["language"] for t in data["translations"]] == ["fr"]
    assert data["translations"][0]["title"] == FRENCH["title"]
    assert data["translations"][0]["body_markdown"] == FRENCH["body"]


def test_a_french_letter_names_its_recipients_countries_in_french_whoever_asks(client, api_letter):
    Letter.objects.filter(pk=api_letter.pk).update(language="fr")

    data = client.get(f"/api/v1/letters/{api_letter.slug}", HTTP_ACCEPT_LANGUAGE="km").json()
    counts = client.get(f"/api/v1/letters/{api_letter.slug}/counts", HTTP_ACCEPT_LANGUAGE="en")

    assert data["text"]["language"] == "fr"
    assert data["recipients"][0][-1] == "Suisse"
    assert data["links"]["page"] == f"http://testserver.example/fr/letters/{api_letter.slug}/"
    names = {c["code"]: c["name"] for c in counts.json()["by_country"]}
    assert names == {"FR": "France", "KH": "Cambodge", "": ""}


def test_a_draft_and_an_unknown_letter_are_404_json(client, draft_letter):
    for slug in (draft_letter.slug, "no-such-letter"):
        for path in ("", "/signatures", "/counts"):
            response = client.get(f"/api/v1/letters/{slug}{path}")

            assert response.status_code == 404
            assert response["Content-Type"].startswith("application/json")
            assert response.json() == {"detail": f"No published letter at {slug!r}."}


def test_a_frozen_letter_gives_its_sha256_and_its_frozen_texts(client, frozen_letter):
    snapshot = LetterSnapshot.objects.get(letter=frozen_letter)
    # Changed after finalizing: what was frozen is what the API gives, as the page does.
    Letter.objects.filter(pk=frozen_letter.pk).update(title="Changed since")

    data = client.get(f"/api/v1/letters/{frozen_letter.slug}").json()

    assert data["status"] == "finalized"
    assert data["sha256"] == snapshot.sha256
    assert data["text"]["title"] == snapshot.content["letter"]["title"]
    assert [t["language"] for t in data["translations"]] == ["fr"]
    json_url = data["links"]["frozen_json"]
    assert json_url == f"http://testserver.example/letters/{frozen_letter.slug}/letter.json"
    assert client.get(json_url.removeprefix("http://testserver.example")).status_code == 200


def test_countries_are_in_the_letters_language_even_under_another_active_one(client, api_letter):
    with translation.override("fr"):
        counts = client.get(f"/api/v1/letters/{api_letter.slug}/counts").json()

    assert {c["name"] for c in counts["by_country"]} == {"France", "Cambodia", ""}


def test_a_frozen_letter_whose_content_may_not_be_published_gives_no_sha256(client, frozen_letter):
    snapshot = LetterSnapshot.objects.get(letter=frozen_letter)
    content = snapshot.content
    content["recipients"][0]["email"] = "rapporteur@example.org"  # as snapshots once held them
    LetterSnapshot.objects.filter(pk=snapshot.pk).update(content=content)

    data = client.get(f"/api/v1/letters/{frozen_letter.slug}").json()

    assert data["sha256"] is None
    assert data["links"]["frozen_json"] is None
    assert "rapporteur@example.org" not in str(data)
