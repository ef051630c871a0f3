"""The public list of signatories in the API: as the letter's page lists them, page by page by
cursor, and nothing the page hides."""

import re

import pytest

from letters_app.api.public import cursor_encode
from letters_app.models import Letter, Signature
from tests.api.conftest import HIDDEN
from tests.factories import signatures_bulk_create
from tests.finalized import FRENCH_NAME, KHMER_NAME

pytestmark = pytest.mark.django_db


def signatures(client, letter, query=""):
    return client.get(f"/api/v1/letters/{letter.slug}/signatures{query}")


def test_each_signatory_as_the_public_list_shows_it(client, api_letter):
    data = signatures(client, api_letter).json()

    assert [(s["number"], s["name"], s["kind"]) for s in data["signatories"]] == [
        (1, KHMER_NAME, "organization"),
        (2, FRENCH_NAME, "organization"),
        (3, "Sokha Chea", "individual"),
        (4, "Élise Dumont-Chan", "mp"),
    ]
    first, second, individual, mp = data["signatories"]
    assert first["line"] == f"1. {KHMER_NAME} (សខស), Cambodia"
    assert (first["country_code"], first["country_name"]) == ("KH", "Cambodia")
    assert second["line"] == f"2. {FRENCH_NAME} (CACIF), France"
    assert individual["line"] == "3. Sokha Chea, Lawyer"
    assert (individual["country_code"], individual["country_name"]) == ("", "")
    assert mp["line"] == "4. Élise Dumont-Chan, Députée, Les Verts, France"
    assert data["next_cursor"] is None and data["next"] is None
    page = client.get(api_letter.get_absolute_url()).content.decode()
    for s in data["signatories"]:  # the very lines of the page, escaped there
        number, line = s["line"].split(". ", 1)
        assert re.search(
            rf'<span class="signatory-number">{number}\.</span> <span class="signatory-line">'
            rf"{re.escape(line.replace(chr(39), '&#x27;'))}</span>",
            page,
        ), line


def test_a_french_letter_lists_countries_in_french(client, api_letter):
    Letter.objects.filter(pk=api_letter.pk).update(language="fr")

    data = signatures(client, api_letter).json()

    assert data["signatories"][0]["country_name"] == "Cambodge"
    assert data["signatories"][0]["line"].endswith(", Cambodge")


def test_nobody_unlisted_and_no_email_address_ever_shows(client, api_letter):
    everything = b"".join(
        client.get(path).content
        for path in (
            "/api/v1/letters",
            f"/api/v1/letters/{api_letter.slug}",
            f"/api/v1/letters/{api_letter.slug}/signatures?limit=500",
            f"/api/v1/letters/{api_letter.slug}/counts",
        )
    ).decode()

    assert Signature.objects.filter(letter=api_letter).count() == 4 + len(HIDDEN)
    assert "@" not in everything
    for name in HIDDEN:
        assert f"Hidden {name}" not in everything
    assert KHMER_NAME in everything


def test_pages_follow_one_another_by_cursor_to_the_end(client, open_letter):
    signatures_bulk_create(open_letter, 250)

    numbers, query, pages = [], "?limit=100", 0
    while True:
        data = signatures(client, open_letter, query).json()
        pages += 1
        numbers += [s["number"] for s in data["signatories"]]
        if data["next"] is None:
            assert data["next_cursor"] is None
            break
        assert data["next"].endswith(f"?cursor={data['next_cursor']}")
        query = "?" + data["next"].split("?", 1)[1]

    assert pages == 3
    assert numbers == list(range(1, 251))


def test_limit_defaults_to_100_and_stops_at_500(client, open_letter):
    signatures_bulk_create(open_letter, 600)

    first = signatures(client, open_letter).json()
    big = signatures(client, open_letter, "?limit=500").json()
    too_big = signatures(client, open_letter, "?limit=501")

    assert (len(first["signatories"]), first["limit"]) == (100, 100)
    assert first["next_cursor"] == cursor_encode(100)
    assert len(big["signatories"]) == 500
    assert big["next"].endswith(f"?cursor={cursor_encode(500)}&limit=500")
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["msg"] == "Input should be less than or equal to 500"


@pytest.mark.parametrize("cursor", ["garbage", "bjE%3D%3D%3D", "!!", "bjEwMDAwMDAwMDAwMDAw", "eDE"])
def test_a_bad_cursor_is_400_with_a_clear_message(client, api_letter, cursor):
    response = signatures(client, api_letter, f"?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("This cursor is not one the API gave")


def test_a_cursor_past_the_end_gives_an_empty_last_page(client, api_letter):
    data = signatures(client, api_letter, f"?cursor={cursor_encode(4)}").json()

    assert data == {"signatories": [], "limit": 100, "next_cursor": None, "next": None}
