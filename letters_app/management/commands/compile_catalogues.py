from pathlib import Path
from typing import Any

import django_countries
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django_countries.data import COUNTRIES


def country_names(language: str) -> dict[str, str]:
    """django-countries' English names with their CLDR translation (from Babel), for a language
    django-countries has no catalogue of its own for (Khmer); empty for the others."""
    if (Path(django_countries.__file__).parent / "locale" / language).is_dir():
        return {}
    territories = Locale.parse(language).territories
    with translation.override(None):
        return {
            str(name): territories[code] for code, name in COUNTRIES.items() if code in territories
        }


class Command(BaseCommand):
    help = "Compile every .po under LOCALE_PATHS into its .mo, with Babel (no system gettext)."

    def handle(self, *args: Any, **options: Any) -> None:
        # Untranslated and fuzzy entries are left out, so they show in English. Unlike
        # `pybabel compile`, a catalogue whose header is marked fuzzy (as makemessages writes
        # it) is compiled all the same, as GNU msgfmt does.
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.po")):
                language = po_path.parts[-3]
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=language)
                for english, local in country_names(language).items():
                    message = catalog.get(english)
                    if message is None or not message.string or message.fuzzy:
                        catalog.add(english, local)  # the translators' own name wins
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog)
                if options["verbosity"]:
                    self.stdout.write(f"{po_path}: {len(catalog)} messages")
