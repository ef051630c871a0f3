"""/healthz, and `manage.py healthcheck`, the web container's probe: 200 "ok" while the database
and the broker answer, 503 naming the part that does not; never cached, no cookie, reachable
over plain HTTP from inside the container."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEALTHZ = "/healthz"
# Nothing listens on port 1: the broker is unreachable, at once.
NO_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(settings):
    settings.CELERY_BROKER_URL = NO_BROKER
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}


def test_the_address_is_healthz():
    assert reverse("healthz") == HEALTHZ


def test_ok_while_the_database_and_the_broker_answer(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert not response.cookies


def test_an_unreachable_broker_is_named(client, broker_down):
    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert response.content.decode() == "database: ok\nbroker: failed\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_an_unreachable_database_is_named(client, monkeypatch):
    def refuse(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert response.content.decode() == "database: failed\nbroker: ok\n"


def test_it_answers_over_plain_http_when_every_page_redirects_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("public:home")).status_code == 301
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_probe_says_ok_when_the_site_is_healthy(live_server):
    out = io.StringIO()
    call_command("healthcheck", url=live_server.url + HEALTHZ, stdout=out)
    assert out.getvalue().strip() == "ok"


def test_the_probe_fails_and_says_why_when_the_broker_is_unreachable(live_server, broker_down):
    with pytest.raises(CommandError) as failed:
        call_command("healthcheck", url=live_server.url + HEALTHZ)
    assert str(failed.value) == "503: database: ok\nbroker: failed"


def test_the_probe_fails_when_no_server_answers():
    with pytest.raises(CommandError, match="No answer from http://127.0.0.1:1/healthz"):
        call_command("healthcheck", url="http://127.0.0.1:1/healthz", timeout=2)
