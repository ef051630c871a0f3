"""The error pages (400, 403, 404, 429, 500) in the site's frame and the visitor's language, as
production shows them (DEBUG off); expected refusals log one line, server errors a traceback."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from letters_app.views import staff

PREFIXES = {"en": "", "fr": "/fr", "km": "/km"}
HEADINGS = {
    400: {"en": "Bad request", "fr": "Requête incorrecte", "km": "សំណើមិនត្រឹមត្រូវ"},
    403: {"en": "Access refused", "fr": "Accès refusé", "km": "ការចូលត្រូវបានបដិសេធ"},
    404: {"en": "Page not found", "fr": "Page introuvable", "km": "រកមិនឃើញទំព័រ"},
    429: {"en": "Too many requests", "fr": "Trop de requêtes", "km": "សំណើច្រើនពេក"},
    500: {"en": "Server error", "fr": "Erreur du serveur", "km": "កំហុសម៉ាស៊ីនមេ"},
}
languages = pytest.mark.parametrize("language", list(PREFIXES))


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def assert_error_page(response, status: int, language: str) -> str:
    """The page in the site's frame, in `language`, under the site's policy."""
    assert response.status_code == status
    html = response.content.decode()
    heading = HEADINGS[status][language]
    assert f'<html lang="{language}">' in html
    assert f"<title>{heading} · Cosign</title>" in html
    assert f'<h1 class="h3">{heading}</h1>' in html
    assert 'class="navbar-brand fw-semibold"' in html  # base.html's frame
    home = reverse("public:home") if language == "en" else f"/{language}/"
    assert f'href="{home}"' in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    return html


@languages
def test_an_unknown_address_gets_the_404_page(client, db, language):
    response = client.get(f"{PREFIXES[language]}/no-such-page/")
    html = assert_error_page(response, 404, language)
    if language == "fr":
        assert "Il n'y a pas de page à cette adresse." in html


@languages
def test_an_unknown_letter_gets_the_404_page(client, db, language):
    response = client.get(f"{PREFIXES[language]}/letters/no-such-letter/")
    assert_error_page(response, 404, language)


def test_the_404_page_keeps_a_signed_in_persons_menu(client_for, coordinator):
    response = client_for(coordinator).get("/no-such-page/")
    html = assert_error_page(response, 404, "en")
    assert "Log out (coordinator)" in html
    assert 'name="csrfmiddlewaretoken"' in html  # its log out button works


def _private_download(letter) -> str:
    return reverse("staff:letter-export-download", args=[letter.pk]) + "?format=csv&private=1"


@languages
def test_private_columns_refused_to_the_public_get_the_403_page(client, open_letter, language):
    url = PREFIXES[language] + _private_download(open_letter)
    assert_error_page(client.get(url), 403, language)


@languages
def test_a_form_without_its_token_gets_the_403_page_saying_why(open_letter, language):
    client = Client(enforce_csrf_checks=True)
    url = PREFIXES[language] + reverse("public:letter-sign", args=[open_letter.slug])
    html = assert_error_page(client.post(url, {"name": "Sok"}), 403, language)
    if language == "en":
        assert "Go back, reload the page and send the form again." in html


@languages
def test_an_unknown_host_gets_the_400_page(client, db, language):
    response = client.get(f"{PREFIXES[language]}/", HTTP_HOST="attacker.example")
    assert_error_page(response, 400, language)


@languages
def test_too_many_downloads_get_the_429_page(client, open_letter, monkeypatch, language):
    monkeypatch.setattr(staff, "PUBLIC_DOWNLOAD_RATE", "1/h")
    url = PREFIXES[language] + reverse("staff:letter-export-download", args=[open_letter.pk])
    assert client.get(url, {"format": "csv"}).status_code == 200
    html = assert_error_page(client.get(url, {"format": "csv"}), 429, language)
    if language == "fr":
        assert "Cette liste a été téléchargée trop de fois" in html


@languages
@pytest.mark.urls("tests.views.error_urls")
def test_a_failure_gets_the_500_page_without_the_database(
    client_for, coordinator, django_db_blocker, language
):
    # A signed-in person's page reads their session and account: with the database out of
    # reach, any query the 500 page made would fail, and the plain fallback would show instead.
    client = client_for(coordinator)
    client.raise_request_exception = False
    with django_db_blocker.block():
        response = client.get(f"{PREFIXES[language]}/fail/")
    assert_error_page(response, 500, language)


# --- what the web log says -------------------------------------------------------------------


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("django.request", "django.security"))]


def test_a_refused_private_download_logs_one_line(client, open_letter, caplog):
    url = _private_download(open_letter)
    with caplog.at_level(logging.INFO):
        assert client.get(url).status_code == 403

    [record] = _request_records(caplog)
    path = reverse("staff:letter-export-download", args=[open_letter.pk])
    assert record.getMessage() == (
        f"GET {path} 403: PermissionDenied: private columns asked for by someone not coordinating"
    )
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_page_not_found_logs_one_line(client, db, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/fr/no-such-page/")
    [record] = _request_records(caplog)
    assert record.getMessage() == "GET /fr/no-such-page/ 404: Not Found"
    assert record.exc_info is None


def test_an_unknown_host_logs_one_line_with_the_reason(client, db, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/", HTTP_HOST="attacker.example\nforged line")
    [record] = _request_records(caplog)
    assert record.name == "django.security.DisallowedHost"
    message = record.getMessage()
    assert message.startswith("GET / 400: DisallowedHost: Invalid HTTP_HOST header:")
    assert "\n" not in message  # what the visitor sent cannot forge a line of the log
    assert record.exc_info is None


@pytest.mark.urls("tests.views.error_urls")
def test_a_server_error_keeps_its_traceback(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        assert client.get("/fail/").status_code == 500
    [record] = _request_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "Traceback" in caplog.text and "the database is down" in caplog.text
