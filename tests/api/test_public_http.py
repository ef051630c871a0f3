"""The API over HTTP: answers from the letter pages' cache with validators, dropped by the same
changes; read from any site (CORS); limited per client address as the proxies report it."""

import pytest

from letters_app.services.letters import letter_close
from tests.clock import MIDDAY
from tests.finalized import sign

pytestmark = pytest.mark.django_db


def paths(letter):
    base = f"/api/v1/letters/{letter.slug}"
    return ["/api/v1/letters", base, f"{base}/signatures", f"{base}/counts"]


def test_every_answer_has_validators_and_a_304_when_unchanged(client, api_letter):
    for path in paths(api_letter):
        response = client.get(path)
        etag = response["ETag"]

        again = client.get(path, HTTP_IF_NONE_MATCH=etag)
        other = client.get(path, HTTP_IF_NONE_MATCH='"something-else"')

        assert response.status_code == 200, path
        assert etag.startswith('"') and len(etag) == 34
        assert response["Last-Modified"].endswith(" GMT")
        assert response["Cache-Control"] == "public, max-age=2"
        assert (again.status_code, again.content) == (304, b""), path
        assert again["ETag"] == etag
        assert other.status_code == 200


def test_a_new_signatory_shows_in_counts_and_list_with_a_new_etag(client, api_letter, time_machine):
    # A clock standing still, a second when nobody else signed: the new name drops the cache
    # at once (past a few names a second it would show within PAGE_FRESH_SECONDS).
    time_machine.move_to(MIDDAY, tick=False)
    base = f"/api/v1/letters/{api_letter.slug}"
    before = client.get(f"{base}/counts")
    listed_before = client.get(f"{base}/signatures")

    sign(api_letter, 99, name="Ligue cambodgienne des droits de l'homme", country="FR")

    after = client.get(f"{base}/counts", HTTP_IF_NONE_MATCH=before["ETag"])
    listed = client.get(f"{base}/signatures", HTTP_IF_NONE_MATCH=listed_before["ETag"])
    assert before.json()["total"] == 4
    assert after.status_code == 200
    assert after.json()["total"] == 5
    assert after["ETag"] != before["ETag"]
    assert listed.json()["signatories"][-1]["number"] == 5


def test_a_status_change_drops_the_letters_answer(client, api_letter, coordinator):
    path = f"/api/v1/letters/{api_letter.slug}"
    assert client.get(path).json()["status"] == "open"

    letter_close(letter=api_letter, actor=coordinator)

    assert client.get(path).json()["status"] == "closed"


def test_the_answer_is_kept_in_the_letter_pages_cache(
    client, api_letter, django_assert_num_queries
):
    path = f"/api/v1/letters/{api_letter.slug}/counts"
    first = client.get(path)

    with django_assert_num_queries(0):
        second = client.get(path)

    assert second.content == first.content


def test_a_cors_preflight_is_allowed_from_any_site(client, api_letter):
    response = client.options(
        f"/api/v1/letters/{api_letter.slug}/counts",
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "if-none-match" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_a_cross_origin_get_may_read_the_answer_and_its_etag(client, api_letter):
    response = client.get(
        f"/api/v1/letters/{api_letter.slug}/counts", HTTP_ORIGIN="https://partner.example"
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "retry-after"} <= exposed


def get_as(client, letter, *, remote: str, forwarded: str = ""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.get(f"/api/v1/letters/{letter.slug}/counts", REMOTE_ADDR=remote, **extra)


def test_past_the_limit_a_client_gets_429_json_with_retry_after(client, api_letter, settings):
    settings.API_RATE_LIMIT = "3/m"

    answers = [get_as(client, api_letter, remote="192.0.2.10") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "detail": "Too many requests from your address. Try again in 60 seconds."
    }
    assert get_as(client, api_letter, remote="192.0.2.11").status_code == 200
    # The other endpoints count against the same limit.
    assert client.get("/api/v1/letters", REMOTE_ADDR="192.0.2.10").status_code == 429


def test_a_client_cannot_escape_the_limit_by_writing_x_forwarded_for(client, api_letter, settings):
    settings.API_RATE_LIMIT = "3/m"
    settings.TRUSTED_PROXY_COUNT = 0

    answers = [
        get_as(client, api_letter, remote="192.0.2.10", forwarded=f"203.0.113.{n}")
        for n in range(4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]


def test_behind_one_proxy_the_address_it_reports_is_counted(client, api_letter, settings):
    settings.API_RATE_LIMIT = "3/m"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    # The client writes what it likes on the left; the proxy appends the address it saw.
    spoofing = [
        get_as(client, api_letter, remote=proxy, forwarded=f"198.51.100.{n}, 203.0.113.7")
        for n in range(4)
    ]
    another = get_as(client, api_letter, remote=proxy, forwarded="203.0.113.8")

    assert [a.status_code for a in spoofing] == [200, 200, 200, 429]
    assert another.status_code == 200


def test_an_empty_limit_counts_nothing(client, api_letter, settings):
    settings.API_RATE_LIMIT = ""

    answers = [get_as(client, api_letter, remote="192.0.2.10") for _ in range(30)]

    assert {a.status_code for a in answers} == {200}


@pytest.mark.parametrize(
    "path", ["/api/v1/letter", "/api/v1/letters/x/count", "/api/v2/letters", "/api/v1/letters/"]
)
def test_an_address_that_names_no_endpoint_answers_json_from_any_site(client, path):
    response = client.get(path, HTTP_ORIGIN="https://partner.example")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/docs/" in response.json()["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"
