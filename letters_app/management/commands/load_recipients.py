from typing import Any

from django.core.management.base import BaseCommand

from letters_app.services.directory import recipients_load


class Command(BaseCommand):
    help = "Create or update the curated recipient directory (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = recipients_load()
        self.stdout.write(result.summary("Recipients"))
