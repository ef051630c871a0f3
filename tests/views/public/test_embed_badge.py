"""The counter badge: an SVG image of a letter's count of signatures, in the language of its
address, from the shared cache, following the list within seconds."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from letters_app.models import Letter
from letters_app.services.letters import letter_update
from tests.factories import listed

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def badge_url(letter, language: str = "") -> str:
    prefix = f"/{language}" if language else ""
    return f"{prefix}/letters/{letter.slug}/badge.svg"


def svg(response) -> ET.Element:
    """The image as an SVG reader finds it: it must parse. (Our own response, not untrusted.)"""
    return ET.fromstring(response.content)  # noqa: S314


def texts(response) -> list[str]:
    """The words the image shows."""
    root = svg(response)
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_the_badge_is_an_svg_image_with_the_count(client, open_letter):
    listed(open_letter, email="one@example.org")
    listed(open_letter, email="two@example.org")
    response = client.get(badge_url(open_letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert texts(response) == ["signatures", "2"]
    root = svg(response)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "signatures: 2"


@pytest.mark.parametrize(
    ("language", "label", "count"),
    [
        ("", "signatures", "12,345"),
        ("fr", "signataires", "12\u202f345"),
        ("km", "ហត្ថលេខា", "12.345"),
    ],
)
def test_the_label_and_number_follow_the_language_of_the_address(
    client, open_letter, language, label, count
):
    Letter.objects.filter(pk=open_letter.pk).update(count_organizations=12_000, count_mps=345)
    response = client.get(badge_url(open_letter, language))
    assert texts(response) == [label, count]


def test_a_title_with_markup_is_escaped(client, open_letter, coordinator):
    title = '</title><script>alert("x")</script> & <b>'
    letter_update(letter=open_letter, data={"title": title}, actor=coordinator)
    response = client.get(badge_url(open_letter))
    content = response.content.decode()
    assert "<script>" not in content
    assert "&lt;/title&gt;&lt;script&gt;" in content
    root = svg(response)
    assert root.find(f"{SVG}title").text == f"{title} · signatures: 0"


def test_the_badge_is_kept_briefly_and_answers_304_when_unchanged(client, open_letter):
    response = client.get(badge_url(open_letter))
    assert response["Cache-Control"] == "public, max-age=10"
    etag = response["ETag"]
    again = client.get(badge_url(open_letter), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    listed(open_letter, email="new@example.org")
    changed = client.get(badge_url(open_letter), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_badge_follows_the_list_within_seconds(client, open_letter):
    assert texts(client.get(badge_url(open_letter)))[1] == "0"
    listed(open_letter, email="new@example.org")  # drops the letter's cached pages
    assert texts(client.get(badge_url(open_letter)))[1] == "1"


def test_the_badge_comes_from_the_shared_cache(client, open_letter, django_assert_num_queries):
    client.get(badge_url(open_letter))
    with django_assert_num_queries(0):
        assert client.get(badge_url(open_letter)).status_code == 200


def test_a_draft_or_unknown_letter_has_no_badge(client, letter):
    assert client.get(badge_url(letter)).status_code == 404
    assert client.get("/letters/no-such-letter/badge.svg").status_code == 404
    assert reverse("public:letter-badge", kwargs={"slug": letter.slug}) == badge_url(letter)
