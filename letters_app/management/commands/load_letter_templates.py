from typing import Any

from django.core.management.base import BaseCommand

from letters_app.services.directory import templates_load


class Command(BaseCommand):
    help = "Create or update the five letter templates offered to coordinators (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = templates_load()
        self.stdout.write(result.summary("Letter templates"))
