from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from letters_app.services.accounts import coordinator_create, password_set_url


class Command(BaseCommand):
    help = (
        "Create a coordinator's account, signing in with their e-mail address, and print the "
        "link at which they choose their password (it works once, for three days)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="their e-mail address: their login")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            try:
                user = coordinator_create(email=options["email"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            url = password_set_url(user)
        self.stdout.write(
            f"Created the account of {user.email}. Send them this link to choose a password "
            f"(it works once, for three days), then to sign in with their e-mail address:\n{url}"
        )
