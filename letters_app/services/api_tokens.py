"""API tokens: made and revoked by a letter's coordinators, and checked on every call of the
coordinators' API (letters_app/api/coordinator.py). A token's secret is shown once and never
kept: only its SHA-256 is, and its first characters to tell it apart."""

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from letters_app.models import ApiToken, AuditAction, AuditEvent, Letter
from letters_app.selectors import user_can_coordinate
from letters_app.services.audit import Actor, actor_user, audit_record

SECRET_START = "cosign_"  # noqa: S105 - how our tokens start, no secret
# last_used_at is written at most this often per token: a busy program makes no extra write a call.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
PREFIX_HEX = 8  # the hexadecimal digits after SECRET_START that tell a token apart on its page
MAX_SECRET_CHARS = 200  # anything longer is no token of ours, and is not hashed


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, letter: Letter, name: str, scope: str, actor: Actor
) -> tuple[ApiToken, str]:
    """Make a token for the letter, acting for `actor`; returns it with its secret, which is
    kept nowhere and can be shown only now. Audited."""
    user = actor_user(actor)
    if user is None:
        raise ValidationError(_("Only a signed-in coordinator can make an API token."))
    prefix = SECRET_START + secrets.token_hex(PREFIX_HEX // 2)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        letter=letter,
        name=" ".join(name.split()),
        scope=scope,
        prefix=prefix,
        token_hash=api_token_hash(secret),
        created_by=user,
    )
    token.full_clean(exclude=["letter", "created_by"])
    token.save()
    audit_record(letter=letter, actor=actor, action=AuditAction.API_TOKEN_CREATED,
                 api_token=token.name, prefix=prefix, scope=scope)  # fmt: skip
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor) -> bool:
    """Stop the token from working, for good. Returns whether this call revoked it; audited."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor_user(actor)
    )
    if not changed:
        return False
    token.revoked_at, token.revoked_by = now, actor_user(actor)
    audit_record(letter=token.letter, actor=actor, action=AuditAction.API_TOKEN_REVOKED,
                 api_token=token.name, prefix=token.prefix)  # fmt: skip
    return True


def api_token_authenticate(secret: str, *, now: datetime.datetime | None = None) -> ApiToken | None:
    """The live token whose secret this is, with its letter and maker, or None: unknown,
    revoked, or made by someone who may no longer run the letter (removed as co-coordinator,
    account disabled). The hashes are compared in constant time. Dates the token's use, at
    most once every LAST_USED_EVERY."""
    if not secret.startswith(SECRET_START) or len(secret) > MAX_SECRET_CHARS:
        return None
    prefix = secret[: len(SECRET_START) + PREFIX_HEX]
    wanted = api_token_hash(secret)
    found = None
    for token in ApiToken.objects.select_related("letter", "created_by").filter(prefix=prefix):
        if hmac.compare_digest(token.token_hash, wanted):
            found = token
    if found is None or found.revoked_at is not None:
        return None
    maker = found.created_by
    if not maker.is_active or not user_can_coordinate(maker, found.letter):
        return None
    now = now or timezone.now()
    if found.last_used_at is None or found.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found


def api_call_record(*, token: ApiToken, method: str, path: str, status: int) -> None:
    """One row of the letter's audit trail for a call made with the token, and how it ended."""
    audit_record(letter=token.letter, actor=token.created_by, action=AuditAction.API_CALL,
                 api_token=token.name, prefix=token.prefix, scope=token.scope, method=method,
                 path=path[:300], status=status)  # fmt: skip


def api_token_list(letter: Letter) -> list[ApiToken]:
    """The letter's tokens, the newest first, with who made and revoked them; `orphaned` says
    which no longer work because their maker no longer runs the letter."""
    tokens = list(ApiToken.objects.filter(letter=letter).select_related("created_by", "revoked_by"))
    makers = {t.created_by for t in tokens}
    running = {m.pk for m in makers if m.is_active and user_can_coordinate(m, letter)}
    for token in tokens:
        token.orphaned = token.created_by_id not in running
    return tokens


RECENT_CALLS = 50  # the calls the API tokens page shows


def api_calls_recent(letter: Letter) -> list[AuditEvent]:
    """The last RECENT_CALLS calls made with the letter's tokens, the newest first."""
    return list(letter.audit_events.filter(action=AuditAction.API_CALL)[:RECENT_CALLS])
