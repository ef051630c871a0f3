"""People who sign in: the accounts of coordinators, and the link that lets one choose a
password."""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from letters_app.models import AuditAction
from letters_app.services.audit import Actor, audit_record


@transaction.atomic
def coordinator_create(*, email: str, actor: Actor = None) -> User:
    """A coordinator's account, signing in with this e-mail address and without a password
    until they choose one (see `password_set_url`); audited. An address already in use is
    refused."""
    email = email.strip()
    validate_email(email)
    taken = User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()
    if taken:
        raise ValidationError(_("An account with this e-mail address already exists."))
    user = User(username=email, email=email)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(letter=None, actor=actor, action=AuditAction.ACCOUNT_CREATED, user=user.pk)
    return user


def password_set_url(user: User) -> str:
    """The address at which this person chooses a password: it works once, and for
    PASSWORD_RESET_TIMEOUT seconds (three days)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"
