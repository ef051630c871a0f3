"""The preview of an import: the parsed lines as the letter will take them, with the headings,
the duplicates of its signatures or of each other, and the lines missing a country flagged."""

import dataclasses
import functools
import unicodedata
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from letters_app.fixtures_data.letter_templates import LETTER_TEMPLATES
from letters_app.models import Letter, Partner, Signature
from letters_app.rendering import signatory_lines
from letters_app.services.imports.parsing import BULLET_RE, ImportLine
from letters_app.services.signatures import email_normalize, name_normalize

S = Signature.Status


@dataclass
class PreviewRow:
    line: ImportLine
    country_name: str  # in the interface's language: how Cosign read the list
    listed: str  # as the letter's public list will show it, in the letter's language; "" if skipped


@dataclass
class ImportPreview:
    lines: list[ImportLine]
    language: str = ""  # the letter's: the language its list is written in

    @functools.cached_property
    def rows(self) -> list[PreviewRow]:
        """Each line beside its country's name and its line on the public list, which is in the
        letter's language whatever the interface's. Each country's name is looked up once."""
        importable = self.importable
        listed = iter(signatory_lines([line.signatory_row() for line in importable],
                                      self.language or translation.get_language()))  # fmt: skip
        names: dict[str, str] = {"": ""}
        rows = []
        for line in self.lines:
            if line.country not in names:
                names[line.country] = str(countries.name(line.country))
            text = next(listed) if line.importable else ""
            rows.append(PreviewRow(line=line, country_name=names[line.country], listed=text))
        return rows

    @property
    def importable(self) -> list[ImportLine]:
        return [line for line in self.lines if line.importable]

    @property
    def skipped(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.importable]

    @property
    def with_problems(self) -> list[ImportLine]:
        """The lines to look at before confirming, in the list's order."""
        return [line for line in self.lines if line.problems]

    @property
    def keepable(self) -> list[ImportLine]:
        return [line for line in self.lines if line.keepable]


DUPLICATE_CODES = {"duplicate_existing", "duplicate_list", "acronym_shared"}
CHUNK = 500  # names per IN (…): SQLite takes no more than a few thousand parameters

# Lines pasted with a list that are no signatory: its heading, and the headings lists carry.
# Compared whole, as `heading_key` folds them, so an organization is never taken for one.
COMMON_HEADINGS = (
    "Signatories", "Signatory", "Signatory organizations", "Signatory organisations",
    "Signing organizations", "Signing organisations", "Signed", "Signed by", "Co-signed by",
    "Cosigned by", "Co-signatories", "Cosignatories", "Co-signers", "Cosigners",
    "Endorsed by", "Endorsements", "Endorsing organizations", "List of signatories",
    "The undersigned", "Undersigned", "Organizations", "Organisations", "Individuals",
    "Individual signatories", "Signataires", "Les signataires", "Liste des signataires",
    "Organisations signataires", "Signé par", "Signée par", "Cosignataires",
    "Co-signataires", "Particuliers", "អ្នកចុះហត្ថលេខា", "បញ្ជីអ្នកចុះហត្ថលេខា",
    *(str(template["signatory_heading"]) for template in LETTER_TEMPLATES),
)  # fmt: skip
COLONS = ":：៖"  # Latin, full-width, Khmer


def heading_key(text: str) -> str:
    """A heading as compared: "SIGNATORIES :" as "signatories" (case, spaces, final colon, NFC)."""
    folded = unicodedata.normalize("NFC", " ".join(text.casefold().split()))
    return folded.rstrip(COLONS + " ")


@functools.cache
def _common_heading_keys() -> frozenset[str]:
    return frozenset(heading_key(heading) for heading in COMMON_HEADINGS)


def _letter_heading_keys(letter: Letter) -> frozenset[str]:
    """The letter's signatory heading and its translations' (one query)."""
    headings = [letter.signatory_heading]
    headings += letter.translations.values_list("signatory_heading", flat=True)
    return frozenset(heading_key(h) for h in headings) - {""}


def import_preview(
    *, letter: Letter, lines: list[ImportLine], keep: frozenset[int] = frozenset()
) -> ImportPreview:
    """The lines as the letter will take them. Skipped unless their position is in `keep`: a
    bracketed placeholder, a heading (the letter's, a translation's, or a common one), a line
    with no country in a list where most have one. Skipped for good: a duplicate of a signature
    the letter already has (same name, or same acronym of an organization), or of an earlier
    line. Worked out again from the lines at every call. Reads; writes nothing."""
    lines = [
        dataclasses.replace(line, kept=line.position in keep,
                            problems=[p for p in line.problems if p.code not in PREVIEW_CODES])
        for line in lines
    ]  # fmt: skip
    _not_signatories(letter, lines)
    existing_names, existing_acronyms = _existing(letter, lines)
    seen_names: dict[str, ImportLine] = {}
    seen_acronyms: dict[str, ImportLine] = {}
    for line in lines:
        if not line.importable:
            continue
        key = name_normalize(line.name)
        acronym = name_normalize(line.acronym)
        if key in existing_names:
            line.problem(
                "duplicate_existing",
                _("Already signed: %(line)s (%(status)s).") % existing_names[key],
            )
        elif key in seen_names:
            line.problem(
                "duplicate_list",
                _("Same name as line %(n)s: imported once.") % {"n": seen_names[key].position},
            )
        elif acronym and acronym in existing_acronyms:
            line.problem(
                "acronym_shared",
                _("Same acronym as %(line)s: imported, and flagged for a look.")
                % existing_acronyms[acronym],
                blocking=False,
            )
        elif acronym and acronym in seen_acronyms:
            line.problem(
                "acronym_shared",
                _("Same acronym as line %(n)s: imported, and flagged for a look.")
                % {"n": seen_acronyms[acronym].position},
                blocking=False,
            )
        if line.importable:
            seen_names.setdefault(key, line)
            if acronym:
                seen_acronyms.setdefault(acronym, line)
    return ImportPreview(lines=lines, language=letter.language)


PREVIEW_CODES = DUPLICATE_CODES | {"heading", "country_expected"}
NOT_NAMES = {"unparsed", "placeholder", "heading"}


def _not_signatories(letter: Letter, lines: list[ImportLine]) -> None:
    """Flag, in place, the headings, and the lines without a country in a list that has them."""
    own, common = _letter_heading_keys(letter), _common_heading_keys()
    for line in lines:
        if line.country:  # a line that ends with a country is no heading
            continue
        key = heading_key(BULLET_RE.sub("", line.raw.strip()))
        if key in own:
            line.problem("heading", _("The letter’s signatory heading, not a signatory."),
                         keepable=True)  # fmt: skip
        elif key in common:
            line.problem("heading", _("A heading, not a signatory."), keepable=True)
    readable, missing = 0, []
    for line in lines:
        if not line.problems:
            readable += 1
        elif any(p.code in NOT_NAMES for p in line.problems):  # "No country" would say nothing
            line.problems = [p for p in line.problems if p.code != "country_missing"]
        else:
            readable += 1
            if any(p.code == "country_missing" for p in line.problems):
                missing.append(line)
    if len(missing) * 2 >= readable:  # most lines have no country: none is expected
        return
    for line in missing:
        line.problems = [p for p in line.problems if p.code != "country_missing"]
        line.problem(
            "country_expected",
            _("No country, though the rest of the list gives one."),
            keepable=True,
        )


def _existing(
    letter: Letter, lines: list[ImportLine]
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The letter's live signatures (not withdrawn or rejected) that share a name or an
    organization's acronym with a line, by normalized name and by normalized acronym."""
    names = sorted({name_normalize(line.name) for line in lines} - {""})
    acronyms = sorted({name_normalize(line.acronym) for line in lines} - {""})
    live = Signature.objects.filter(letter=letter).exclude(status__in=[S.WITHDRAWN, S.REJECTED])
    labels = dict(S.choices)
    by_name: dict[str, dict[str, str]] = {}
    by_acronym: dict[str, dict[str, str]] = {}
    for field_name, values, found in (("name_normalized", names, by_name),
                                      ("acronym_normalized", acronyms, by_acronym)):  # fmt: skip
        for start in range(0, len(values), CHUNK):
            chunk = live.filter(**{f"{field_name}__in": values[start : start + CHUNK]})
            if field_name == "acronym_normalized":
                chunk = chunk.filter(kind=Signature.Kind.ORGANIZATION)
            for signature in chunk.order_by("id"):
                found.setdefault(
                    getattr(signature, field_name),
                    {"line": signature.display_line, "status": str(labels[signature.status])},
                )
    return by_name, by_acronym


PARTNER_CODES = {"partner_existing", "partner_signed", "partner_name_signed", "duplicate_list"}


def import_preview_partners(
    *, letter: Letter, lines: list[ImportLine], keep: frozenset[int] = frozenset()
) -> ImportPreview:
    """The lines as partners of the letter, each with the letter's language where it gives
    none. Skipped unless their position is in `keep`: a bracketed placeholder, an organization
    of the same name as one that signed the letter. Skipped for good: no usable address, an
    address already a partner's or a signer's of the letter, or an earlier line's. Reads;
    writes nothing."""
    lines = [
        dataclasses.replace(line, kept=line.position in keep, language=line.language or
                            letter.language,
                            problems=[p for p in line.problems if p.code not in PARTNER_CODES])
        for line in lines
    ]  # fmt: skip
    addresses = sorted({email_normalize(line.email) for line in lines if line.email})
    names = sorted({name_normalize(line.name) for line in lines} - {""})
    partners: set[str] = set()
    signed: set[str] = set()
    signed_names: dict[str, str] = {}
    live = Signature.objects.filter(letter=letter).exclude(status__in=[S.WITHDRAWN, S.REJECTED])
    for start in range(0, max(len(addresses), len(names)), CHUNK):
        chunk = addresses[start : start + CHUNK]
        partners |= set(
            Partner.objects.filter(letter=letter, email_normalized__in=chunk).values_list(
                "email_normalized", flat=True
            )
        )
        signed |= set(live.filter(email_normalized__in=chunk).values_list("email_normalized",
                                                                            flat=True))  # fmt: skip
        for signature in live.filter(name_normalized__in=names[start : start + CHUNK]):
            signed_names.setdefault(signature.name_normalized, signature.display_line)
    seen: dict[str, ImportLine] = {}
    for line in lines:
        if not line.email or any(p.code.startswith("email_") for p in line.problems):
            continue
        address = email_normalize(line.email)
        if address in partners:
            line.problem("partner_existing", _("Already a partner of this letter."))
        elif address in signed:
            line.problem("partner_signed", _("This address already signed the letter."))
        elif address in seen:
            line.problem(
                "duplicate_list",
                _("Same address as line %(n)s: added once.") % {"n": seen[address].position},
            )
        elif name_normalize(line.name) in signed_names:
            line.problem(
                "partner_name_signed",
                _("Already signed under this name: %(line)s.")
                % {"line": signed_names[name_normalize(line.name)]},
                keepable=True,
            )
        if line.importable:
            seen.setdefault(address, line)
    return ImportPreview(lines=lines, language=letter.language)
