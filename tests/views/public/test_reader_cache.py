"""Readers' pages from the shared cache: the same page for every anonymous reader, with no
cookie and no CSRF token, which a proxy may keep a few seconds and revalidate; a change shows
within the promised time; a signed-in person gets their own page, kept by nobody."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from letters_app import cache as letter_cache
from letters_app.services.letters import letter_update
from letters_app.services.signatures import signature_withdraw
from tests.clock import MIDDAY
from tests.factories import listed
from tests.translations import FRENCH, translate

pytestmark = pytest.mark.django_db


def test_a_readers_page_comes_from_the_cache_with_headers_a_proxy_can_use(client, open_letter):
    listed(open_letter, name="Cached association")
    url = open_letter.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert captured.captured_queries == []  # no letter read, no list, no session
    assert again.content == first.content
    assert '1.</span> <span class="signatory-line">Cached association' in again.text
    cache_control = {part.strip() for part in again["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=0", "s-maxage=2", "stale-while-revalidate=30"}
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]


def test_a_readers_page_carries_no_per_visitor_state(client, open_letter):
    for response in (client.get(open_letter.get_absolute_url()) for _ in range(2)):
        assert "Set-Cookie" not in response.headers
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
        assert "csrfmiddlewaretoken" not in response.text
        assert '<form method="post"' not in response.text


def test_a_reader_asking_again_with_its_etag_or_date_gets_not_modified(client, open_letter):
    url = open_letter.get_absolute_url()
    first = client.get(url)
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response.content == b""
    assert "public" in response["Cache-Control"]
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 304
    response = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert response.status_code == 200


def test_a_letter_edit_shows_at_once(client, open_letter, coordinator):
    url = open_letter.get_absolute_url()
    assert open_letter.title in client.get(url).text
    letter_update(letter=open_letter, data={"title": "A new title"}, actor=coordinator)
    assert "A new title" in client.get(url).text


def test_a_translation_made_ready_shows_at_once(client, open_letter, coordinator):
    url = f"/fr{open_letter.get_absolute_url()}"
    assert f'<article class="letter" lang="{open_letter.language}"' in client.get(url).text
    translate(open_letter, "fr", FRENCH, coordinator)  # saved, then marked ready
    assert '<article class="letter" lang="fr"' in client.get(url).text


def test_a_withdrawn_name_leaves_the_page_at_once(client, open_letter):
    gone = listed(open_letter, name="Leaving association")
    listed(open_letter, name="Staying association")
    url = open_letter.get_absolute_url()
    assert '2.</span> <span class="signatory-line">Staying association' in client.get(url).text
    signature_withdraw(signature=gone)
    content = client.get(url).text
    assert "Leaving association" not in content
    assert '1.</span> <span class="signatory-line">Staying association' in content


def test_a_new_name_shows_at_once_then_within_seconds_when_many_sign(
    client, open_letter, time_machine
):
    # The clock stands still, then is moved on rather than waited for.
    time_machine.move_to(MIDDAY, tick=False)
    url = open_letter.get_absolute_url()
    client.get(url)
    for i in range(letter_cache.PAGE_TOUCHES_PER_SECOND):
        listed(open_letter, name=f"Quick association {i}")
        assert f"Quick association {i}" in client.get(url).text
    # A crowd: past a few names a second, the page is rendered again once it is older than
    # PAGE_FRESH_SECONDS.
    listed(open_letter, name="Crowded association")
    assert "Crowded association" not in client.get(url).text
    time_machine.shift(letter_cache.PAGE_FRESH_SECONDS)
    assert "Crowded association" in client.get(url).text


def test_a_signed_in_coordinator_gets_their_own_page_not_the_readers(
    client, client_for, open_letter, coordinator
):
    url = open_letter.get_absolute_url()
    assert "Manage this letter" not in client.get(url).text  # now in the cache
    own = client_for(coordinator).get(url)
    assert "Manage this letter" in own.text
    assert "My letters" in own.text
    assert {p.strip() for p in own["Cache-Control"].split(",")} >= {"private", "no-cache"}
    assert "Cookie" in own["Vary"]
    client.logout()
    assert "Manage this letter" not in client.get(url).text


def test_each_language_of_the_pages_has_its_own_cached_page(client, open_letter):
    url = open_letter.get_absolute_url()
    for _ in range(2):
        for prefix, language in (("", "en"), ("/fr", "fr"), ("/km", "km")):
            response = client.get(f"{prefix}{url}")
            assert response.status_code == 200
            assert f'<html lang="{language}">' in response.text
            assert response["Content-Language"] == language


def test_a_made_up_parameter_is_neither_shown_nor_another_page(client, open_letter):
    url = open_letter.get_absolute_url()
    plain = client.get(url)
    odd = client.get(url, {"utm_source": "<script>x</script>"})
    assert odd["ETag"] == plain["ETag"]
    assert "utm_source" not in odd.text
