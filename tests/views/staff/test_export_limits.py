"""The public's downloads of a public list are limited per client address; coordinators' are
not."""

import pytest
from django.urls import reverse

from letters_app.views import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rate(monkeypatch):
    monkeypatch.setattr(staff, "PUBLIC_DOWNLOAD_RATE", "3/h")


def download(client, letter, fmt="csv", address="203.0.113.9"):
    url = reverse("staff:letter-export-download", args=[letter.pk])
    return client.get(url, {"format": fmt}, REMOTE_ADDR=address)


def test_the_public_gets_a_clear_429_past_the_limit(client, open_letter, low_rate):
    for fmt in ("csv", "json", "csv"):
        assert download(client, open_letter, fmt).status_code == 200

    response = download(client, open_letter, "json")

    assert response.status_code == 429
    assert "downloaded too many times from your address" in response.content.decode()
    assert download(client, open_letter, address="198.51.100.4").status_code == 200


def test_one_ipv6_subscriber_is_one_address(client, open_letter, low_rate):
    for n in range(3):
        assert download(client, open_letter, address=f"2001:db8:1:2::{n + 1}").status_code == 200
    assert download(client, open_letter, address="2001:db8:1:2::99").status_code == 429


def test_coordinators_are_not_limited(client_for, coordinator, open_letter, low_rate):
    client = client_for(coordinator)
    for _n in range(5):
        assert download(client, open_letter).status_code == 200
