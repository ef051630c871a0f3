"""API tokens: made with a secret shown once and kept nowhere (only its SHA-256), revoked for
good, recognised in constant time, dated when used without a write on every call."""

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from letters_app.models import ApiToken, AuditAction, AuditEvent
from letters_app.services.api_tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.clock import MIDDAY

pytestmark = pytest.mark.django_db

R = ApiToken.Scope.READ


def _every_text_column(secret: str) -> list[str]:
    """The tables and columns of the database holding `secret` anywhere in their text."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('text', 'character varying', 'jsonb')"
        )
        for table, column in cursor.fetchall():
            # Names read from the catalogue, not typed by anyone.
            query = f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s'  # noqa: S608
            cursor.execute(query, [f"%{secret}%"])
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def test_a_token_is_made_with_a_secret_kept_nowhere(letter, coordinator):
    token, secret = api_token_create(
        letter=letter, name="  Our   site ", scope=R, actor=coordinator
    )
    assert secret.startswith(token.prefix + "_")
    assert token.prefix.startswith("cosign_") and len(token.prefix) == len("cosign_") + 8
    assert len(secret) > 50
    assert token.name == "Our site"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.created_by == coordinator and token.letter == letter
    if connection.vendor == "postgresql":
        assert _every_text_column(secret) == []
        assert _every_text_column(secret[len(token.prefix) + 1 :]) == []
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert event.letter == letter and event.actor == coordinator
    assert event.detail == {"api_token": "Our site", "prefix": token.prefix, "scope": R}


def test_two_tokens_never_share_a_secret(letter, coordinator):
    made = [api_token_create(letter=letter, name=f"t{n}", scope=R, actor=coordinator)
            for n in range(20)]  # fmt: skip
    assert len({secret for _token, secret in made}) == 20
    assert len({token.prefix for token, _secret in made}) == 20


def test_a_token_needs_a_name_and_a_known_scope(letter, coordinator):
    with pytest.raises(ValidationError):
        api_token_create(letter=letter, name="   ", scope=R, actor=coordinator)
    with pytest.raises(ValidationError):
        api_token_create(letter=letter, name="x", scope="admin", actor=coordinator)
    with pytest.raises(ValidationError):
        api_token_create(letter=letter, name="x", scope=R, actor=None)
    assert not ApiToken.objects.exists()


def test_authenticate_finds_the_live_token_and_nothing_else(letter, coordinator):
    token, secret = api_token_create(letter=letter, name="Site", scope=R, actor=coordinator)
    assert api_token_authenticate(secret) == token
    assert api_token_authenticate(secret + "x") is None
    assert api_token_authenticate(secret[:-1]) is None
    assert api_token_authenticate(token.prefix) is None
    assert api_token_authenticate(token.token_hash) is None  # the hash is no key
    assert api_token_authenticate("") is None


def test_a_revoked_token_stops_working_for_good(letter, coordinator, co_coordinator):
    token, secret = api_token_create(letter=letter, name="Site", scope=R, actor=coordinator)
    assert api_token_revoke(token=token, actor=co_coordinator) is True
    assert api_token_revoke(token=token, actor=coordinator) is False  # once
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == co_coordinator
    assert api_token_authenticate(secret) is None
    events = AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED)
    assert [(e.actor, e.detail["prefix"]) for e in events] == [(co_coordinator, token.prefix)]


@time_machine.travel(MIDDAY, tick=False)
def test_the_last_use_is_dated_at_most_once_a_minute(
    letter, coordinator, django_assert_num_queries
):
    token, secret = api_token_create(letter=letter, name="Site", scope=R, actor=coordinator)
    assert token.last_used_at is None
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == MIDDAY
    with time_machine.travel(MIDDAY + datetime.timedelta(seconds=59), tick=False):
        with django_assert_num_queries(1):  # the token (its maker runs the letter): no write
            api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == MIDDAY
    later = MIDDAY + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == later
