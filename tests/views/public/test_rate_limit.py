"""Rate limits on the sign and resend forms, per client address, and that address itself."""

import pytest
from django.test import RequestFactory

from letters_app.models import Signature
from letters_app.ratelimit import client_ip
from tests.clock import MIDDAY
from tests.views.public.signing import ORGANIZATION, sign_url

# Two requests either side of a window's end would each be the first of their window.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDDAY, tick=False)]


@pytest.fixture(autouse=True)
def two_an_hour(settings):
    settings.SIGNING_RATE_LIMIT = "2/h"


def sign(client, letter, n, **extra):
    data = {**ORGANIZATION, "email": f"signer{n}@example.org", "name": f"Association {n}"}
    return client.post(sign_url(letter), data, **extra)


def test_the_third_signature_in_an_hour_gets_429_with_its_values_kept(
    client, open_letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        assert sign(client, open_letter, 1).status_code == 302
        assert sign(client, open_letter, 2).status_code == 302
        response = sign(client, open_letter, 3)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many attempts from your network" in content
    assert 'value="Association 3"' in content
    assert 'value="signer3@example.org"' in content
    assert 'value="ATN"' in content
    assert 'name="country" value="France"' in content
    assert 'id="id_consent_public" checked>' in content
    assert Signature.objects.count() == 2


def test_the_limit_is_per_address(client, open_letter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(2):
            assert sign(client, open_letter, n).status_code == 302
        assert sign(client, open_letter, 2).status_code == 429
        assert sign(client, open_letter, 3, REMOTE_ADDR="198.51.100.9").status_code == 302
    assert Signature.objects.count() == 3


def test_reading_the_form_is_not_limited(client, open_letter):
    for _ in range(5):
        assert client.get(sign_url(open_letter)).status_code == 200


def test_the_rate_comes_from_the_settings(client, open_letter, settings):
    settings.SIGNING_RATE_LIMIT = "1/h"
    assert sign(client, open_letter, 1).status_code == 302
    assert sign(client, open_letter, 2).status_code == 429


def test_resending_is_limited_too(client, open_letter):
    url = f"/letters/{open_letter.slug}/sign/resend/"
    for _ in range(2):
        assert client.post(url, {"email": "someone@example.org"}).status_code == 302
    response = client.post(url, {"email": "someone@example.org"})
    assert response.status_code == 429
    assert 'value="someone@example.org"' in response.content.decode()
    assert "Too many attempts from your network" in response.content.decode()


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, open_letter, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        spoofed = f"10.0.0.{n}, 203.0.113.50"  # the client wrote the first, our proxy the last
        response = sign(client, open_letter, n, HTTP_X_FORWARDED_FOR=spoofed)
    assert response.status_code == 429
    assert Signature.objects.count() == 2
    assert set(Signature.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}


def test_without_trusted_proxies_forwarded_for_is_ignored(client, open_letter):
    for n in range(3):
        response = sign(client, open_letter, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert response.status_code == 429
    assert set(Signature.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_addresses_in_one_ipv6_64_share_a_limit(client, open_letter):
    for n in range(3):
        response = sign(client, open_letter, n, REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
    assert response.status_code == 429
    assert sign(client, open_letter, 9, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def request(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", None, "192.0.2.1"),
        (0, "192.0.2.1", "203.0.113.5", "192.0.2.1"),
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (2, "10.0.0.2", "203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (2, "10.0.0.2", "10.0.0.1", "10.0.0.2"),  # fewer entries than proxies: not trusted
        (1, "10.0.0.2", None, "10.0.0.2"),
        (1, "10.0.0.2", "6.6.6.6, not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "2001:db8::7", "2001:db8::7"),
        (0, "", None, None),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(remote, forwarded)) == expected


def test_the_leftmost_forwarded_address_is_never_taken(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request("10.0.0.2", "1.1.1.1, 2.2.2.2, 3.3.3.3")) == "2.2.2.2"


def test_a_rate_over_several_minutes_is_understood(client, open_letter, settings):
    settings.SIGNING_RATE_LIMIT = "1/10m"
    assert sign(client, open_letter, 1).status_code == 302
    assert sign(client, open_letter, 2).status_code == 429
