from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po under LOCALE_PATHS into its .mo, with Babel (no system gettext)."

    def handle(self, *args, **options):
        # Untranslated and fuzzy entries are left out, so they show in English. Unlike
        # `pybabel compile`, a catalogue whose header is marked fuzzy (as makemessages writes
        # it) is compiled all the same, as GNU msgfmt does.
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parts[-3])
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog)
                if options["verbosity"]:
                    self.stdout.write(f"{po_path}: {len(catalog)} messages")
