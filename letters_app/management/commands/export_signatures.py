import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from letters_app.exports import signatures as exports
from letters_app.forms.staff import SignatureExportForm
from letters_app.models import Letter
from letters_app.services.exports import signatures_export_record


class Command(BaseCommand):
    help = (
        "Export a letter's signatures: its public list, or with --private every signature with "
        "its private columns (recorded in the letter's history). Filters as on the export page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("letter", help="the letter's id or web address (slug)")
        parser.add_argument("--format", default="csv", choices=list(exports.FORMATS))
        parser.add_argument("--private", action="store_true", help="e-mails, contacts, IPs")
        parser.add_argument("-o", "--output", help="the file to write; standard output if not")
        parser.add_argument("--bom", action="store_true", help="CSV: start with a byte order mark")
        parser.add_argument("--status", action="append", default=[], help="repeatable")
        parser.add_argument("--kind", action="append", default=[], help="repeatable")
        parser.add_argument("--country", action="append", default=[], help="code; repeatable")
        parser.add_argument("--from", dest="signed_from", help="signed on or after YYYY-MM-DD")
        parser.add_argument("--to", dest="signed_to", help="signed on or before YYYY-MM-DD")
        parser.add_argument(
            "--text-version", dest="text_version", type=int, help="text version signed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        letter = self._letter(options["letter"])
        form = SignatureExportForm(self._query(options), allow_private=True)
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            raise CommandError(problems)
        fmt = form.cleaned_data["format"]
        if form.wants_private:
            signatures_export_record(
                letter=letter, actor=None, fmt=fmt, filters=form.filters(), via="command"
            )
        queryset = form.queryset([letter])
        write = {"fmt": fmt, "private": form.wants_private, "bom": form.cleaned_data["bom"],
                 "title": letter.title}  # fmt: skip
        if options["output"]:
            with open(options["output"], "wb") as out:
                exports.export_write(queryset, out, **write)
        else:
            exports.export_write(queryset, sys.stdout.buffer, **write)
            sys.stdout.buffer.flush()

    def _letter(self, key: str) -> Letter:
        letter = Letter.objects.filter(**({"pk": key} if key.isdigit() else {"slug": key})).first()
        if letter is None:
            raise CommandError(f"No letter {key!r}.")
        return letter

    def _query(self, options) -> QueryDict:
        query = QueryDict(mutable=True)
        query["format"] = options["format"]
        for name in ("status", "kind", "country"):
            query.setlist(name, options[name])
        for name in ("signed_from", "signed_to"):
            if options[name]:
                query[name] = options[name]
        if options["text_version"] is not None:
            query["version"] = str(options["text_version"])
        if options["private"]:
            query["private"] = "on"
        if options["bom"]:
            query["bom"] = "on"
        return query
