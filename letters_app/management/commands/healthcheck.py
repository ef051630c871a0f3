import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse


def probe_host() -> str:
    """A host name the site answers to, as the proxy in front sends it."""
    for host in settings.ALLOWED_HOSTS:
        if host != "*":
            return host.lstrip(".")
    return "localhost"


class Command(BaseCommand):
    help = (
        "Ask this container's web server whether it reaches the database and the broker "
        "(GET /healthz); exit 1 if not. The web container's health check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=f"http://127.0.0.1:8000{reverse('healthz')}")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"]
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise CommandError(f"Not a web address: {url}")
        request = urllib.request.Request(url, headers={"Host": probe_host()})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=options["timeout"]) as response:  # noqa: S310
                body = response.read().decode()
        except urllib.error.HTTPError as exc:
            raise CommandError(f"{exc.code}: {exc.read().decode().strip()}") from None
        except OSError as exc:
            raise CommandError(f"No answer from {options['url']}: {exc}") from None
        self.stdout.write(body)
