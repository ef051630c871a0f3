"""Connect › API tokens: the people who run the letter list, make and revoke its tokens; a new
token's secret is shown once, on the page the creation leads to; strangers get 404."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from letters_app.models import ApiToken, AuditAction, AuditEvent
from letters_app.services.api_tokens import api_token_authenticate, api_token_create
from tests.api.coordinator import BASE, call

pytestmark = pytest.mark.django_db


def url(letter):
    return reverse("author:letter-api-tokens", kwargs={"pk": letter.pk})


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "admin"])
def test_whoever_runs_the_letter_makes_a_token_and_sees_its_secret_once(
    request, client_for, open_letter, persona
):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(url(open_letter), {"name": "Our <b>site</b>", "scope": "read_write"})
    assert response.status_code == 302 and response["Location"] == url(open_letter)
    token = ApiToken.objects.get()
    assert token.created_by.username == persona and token.scope == ApiToken.Scope.READ_WRITE
    page = client.get(url(open_letter))
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    content = page.content.decode()
    secret = page.context["secret"]
    assert secret.startswith(token.prefix + "_")
    assert f'value="{secret}"' in content
    assert 'data-copy-target="api-token-secret"' in content
    assert "js/copy-text.js" in content
    assert "Our &lt;b&gt;site&lt;/b&gt;" in content and "<b>site" not in content
    assert api_token_authenticate(secret) == token  # the secret shown is the token's
    # Never again: not on the next page, nor anywhere in the sessions kept.
    again = client.get(url(open_letter)).content.decode()
    assert secret not in again
    assert token.prefix in again
    assert not any(secret in str(s.get_decoded()) for s in Session.objects.all())


def test_the_page_lists_the_tokens_and_how_to_use_them(client_for, open_letter, coordinator):
    api_token_create(letter=open_letter, name="Spreadsheet", scope="read", actor=coordinator)
    content = client_for(coordinator).get(url(open_letter)).content.decode()
    assert "Spreadsheet" in content and "Read" in content and "Never" in content
    assert "Authorization: Bearer cosign_…" in content
    assert f"http://testserver{BASE}/{open_letter.slug}/signatures" in content
    assert 'href="/api/v1/docs/"' in content
    assert "<script>" not in content  # scripts are files (CSP)


def test_a_token_is_revoked_with_a_button_and_stops_working(
    client_for, open_letter, coordinator, co_coordinator
):
    token, secret = api_token_create(letter=open_letter, name="Site", scope="read",
                                     actor=coordinator)  # fmt: skip
    path = f"{BASE}/{open_letter.slug}/signatures"
    assert call("get", path, secret).status_code == 200
    client = client_for(co_coordinator)
    response = client.post(url(open_letter), {"revoke": token.pk})
    assert response.status_code == 302
    assert call("get", path, secret).status_code == 401
    token.refresh_from_db()
    assert token.revoked_by == co_coordinator
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).count() == 1
    page = client.get(url(open_letter)).content.decode()
    assert "Revoked" in page and f'name="revoke" value="{token.pk}"' not in page


def test_another_letter_s_token_cannot_be_revoked_from_here(client_for, open_letter, coordinator,
                                                            stranger):  # fmt: skip
    theirs = api_token_create(letter=open_letter, name="Site", scope="read", actor=coordinator)[0]
    other = reverse("author:letter-api-tokens", kwargs={"pk": 999_999})
    assert client_for(coordinator).post(other, {"revoke": theirs.pk}).status_code == 404
    assert client_for(stranger).post(url(open_letter), {"revoke": theirs.pk}).status_code == 404
    assert client_for(coordinator).post(url(open_letter), {"revoke": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_stranger_gets_404_and_makes_nothing(client_for, open_letter, stranger):
    client = client_for(stranger)
    assert client.get(url(open_letter)).status_code == 404
    assert client.post(url(open_letter), {"name": "Mine", "scope": "read"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name_and_a_scope(client_for, open_letter, coordinator):
    response = client_for(coordinator).post(url(open_letter), {"name": "", "scope": "admin"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scope"}
    assert not ApiToken.objects.exists()


def test_the_form_needs_its_csrf_token(open_letter, coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(url(open_letter), {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_calls_show_on_this_page_not_in_the_letter_s_history(client_for, open_letter,
                                                                 coordinator):  # fmt: skip
    _token, secret = api_token_create(letter=open_letter, name="Poller", scope="read",
                                      actor=coordinator)  # fmt: skip
    call("get", f"{BASE}/{open_letter.slug}/partners", secret)
    call("post", f"{BASE}/{open_letter.slug}/partners/invite", secret, {"ids": None})
    client = client_for(coordinator)
    calls = client.get(url(open_letter)).content.decode().split('id="api-calls"')[1]
    assert calls.index(f"POST {BASE}/{open_letter.slug}/partners/invite") < calls.index(
        f"GET {BASE}/{open_letter.slug}/partners"
    )
    assert "403" in calls and "200" in calls
    history = client.get(reverse("author:letter-history", kwargs={"pk": open_letter.pk}))
    assert "Created an API token" in history.text
    assert "/partners/invite" not in history.text


def test_admins_read_the_tokens_and_revoke_them_from_the_list(client_for, admin, open_letter,
                                                              coordinator):  # fmt: skip
    live, secret = api_token_create(letter=open_letter, name="Site", scope="read",
                                    actor=coordinator)  # fmt: skip
    other, _other_secret = api_token_create(letter=open_letter, name="Sheet", scope="read",
                                            actor=coordinator)  # fmt: skip
    client = client_for(admin)
    changelist = reverse("admin:letters_app_apitoken_changelist")
    page = client.get(changelist).content.decode()
    assert live.prefix in page and open_letter.title in page
    detail = client.get(reverse("admin:letters_app_apitoken_change", args=[live.pk]))
    assert "only revoked from the list" in detail.text
    assert live.token_hash not in detail.text
    response = client.post(changelist, {"action": "revoke", "_selected_action": [live.pk]})
    assert response.status_code == 302
    assert api_token_authenticate(secret) is None
    live.refresh_from_db()
    other.refresh_from_db()
    assert live.revoked_by == admin and other.revoked_at is None
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert (event.actor, event.letter) == (admin, open_letter)


def test_a_token_whose_maker_left_the_letter_is_shown_not_working(
    client_for, open_letter, coordinator, co_coordinator
):
    api_token_create(letter=open_letter, name="Left behind", scope="read", actor=co_coordinator)
    api_token_create(letter=open_letter, name="Still fine", scope="read", actor=coordinator)
    client = client_for(coordinator)
    assert "no longer runs this letter" not in client.get(url(open_letter)).text
    open_letter.co_coordinators.remove(co_coordinator)
    rows = client.get(url(open_letter)).text.split("<tr data-token=")[1:]
    assert ["no longer runs this letter" in row for row in rows] == [False, True]
