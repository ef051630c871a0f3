"""`manage.py create_coordinator --email`: an account that signs in with the e-mail address,
its password chosen by the coordinator at the printed link, never known to the operator."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from letters_app.models import AuditAction, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "rithy@example.org"
PASSWORD = "a long walk to Kampot 1992"


def create(email: str) -> str:
    out = io.StringIO()
    call_command("create_coordinator", email=email, stdout=out)
    return out.getvalue()


def the_link(output: str) -> str:
    (url,) = re.findall(rf"^{re.escape(settings.SITE_URL)}/\S+$", output, re.MULTILINE)
    return url.removeprefix(settings.SITE_URL)


def test_the_account_is_a_coordinators_without_a_password_and_is_audited():
    output = create(f"  {EMAIL} ")

    user = User.objects.get()
    assert (user.username, user.email) == (EMAIL, EMAIL)
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CREATED)
    assert event.detail == {"user": user.pk}
    assert event.letter is None
    assert f"Created the account of {EMAIL}." in output


def test_the_link_lets_them_choose_a_password_then_sign_in_and_start_a_letter(client):
    link = the_link(create(EMAIL))

    form = client.get(link, follow=True)  # Django moves the token out of the address
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    assert client.get(link, follow=True).context["validlink"] is False  # it works once

    signed_in = client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("author:dashboard")).status_code == 200
    assert client.get(reverse("author:letter-new")).status_code == 200
    assert client.get(reverse("staff:letter-list")).status_code == 404  # not an admin


def test_an_address_already_in_use_is_refused(coordinator):
    UserFactory(username="sokha", email=EMAIL)

    with pytest.raises(CommandError, match="An account with this e-mail address already exists"):
        create(EMAIL.upper())
    assert User.objects.filter(email__iexact=EMAIL).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CREATED).exists()


def test_an_address_that_is_not_one_is_refused():
    with pytest.raises(CommandError, match="Enter a valid email address"):
        create("rithy at example")
    assert not User.objects.exists()
