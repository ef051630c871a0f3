import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from letters_app.fixtures_data import demo_letter
from letters_app.models import Letter, LetterTemplate, Recipient
from letters_app.services.directory import recipients_load, templates_load
from letters_app.services.letters import (
    letter_create,
    letter_open,
    letter_set_recipients,
    letter_update,
)

DEMO_USERS = {"coordinator": False, "admin": True}  # username: is superuser


class Command(BaseCommand):
    help = (
        "Load templates and recipients, create the demo accounts and publish a demo letter. "
        "Safe to run again: it only adds what is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # One transaction: if anything fails, no account exists whose password was never shown.
        with transaction.atomic():
            templates = templates_load()
            recipients = recipients_load()
            passwords = self._create_users()
            coordinator = get_user_model().objects.get(username="coordinator")
            letter, letter_created = self._create_letter(coordinator)

        self.stdout.write(templates.summary("Letter templates"))
        self.stdout.write(recipients.summary("Recipients"))
        if passwords:
            self._print_box(passwords)
        else:
            self.stdout.write(
                "Demo accounts already exist; reset a password with "
                "`python manage.py changepassword coordinator`."
            )
        url = settings.SITE_URL + letter.get_absolute_url()
        if letter_created:
            self.stdout.write(self.style.SUCCESS(f"Demo letter published: {url}"))
        else:
            self.stdout.write(f"Demo letter already exists: {url}")
        if not (templates.changed or recipients.changed or passwords or letter_created):
            self.stdout.write("Nothing to do: the demo is already set up.")

    def _create_users(self) -> dict[str, str]:
        """Create the demo users that are missing; returns their new passwords."""
        User = get_user_model()
        passwords = {}
        for username, is_superuser in DEMO_USERS.items():
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(18)
            create = User.objects.create_superuser if is_superuser else User.objects.create_user
            create(username=username, email=f"{username}@example.org", password=password)
            passwords[username] = password
        return passwords

    def _create_letter(self, coordinator) -> tuple[Letter, bool]:
        existing = Letter.objects.filter(slug=demo_letter.SLUG).first()
        if existing:
            return existing, False
        template = LetterTemplate.objects.get(key=demo_letter.TEMPLATE_KEY)
        rapporteur = Recipient.objects.get(**demo_letter.RECIPIENT)
        letter = letter_create(template=template, actor=coordinator)
        letter = letter_update(
            letter=letter, data={**demo_letter.TEXT, "slug": demo_letter.SLUG}, actor=coordinator
        )
        letter_set_recipients(letter=letter, recipients=[rapporteur], actor=coordinator)
        return letter_open(letter=letter, actor=coordinator), True

    def _print_box(self, passwords: dict[str, str]) -> None:
        lines = ["Demo accounts — shown once: store these passwords now.", ""]
        lines += [f"  {name:<12} {password}" for name, password in passwords.items()]
        lines += ["", "Log in at /accounts/login/ (the admin also at /admin/)."]
        width = max(len(line) for line in lines)
        border = "+" + "-" * (width + 2) + "+"
        self.stdout.write(border)
        for line in lines:
            self.stdout.write(f"| {line:<{width}} |")
        self.stdout.write(border)
