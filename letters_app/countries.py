"""Reading a country as people write it in a list of signatories: "AUS", "Australia", "U.S.A.",
"Cambodge", "Iran (Islamic Republic of)". One reader for the import and for the tidy suggestion
on a signature, so that both understand the same names."""

import functools
import unicodedata

from django.utils import translation
from django_countries import countries

# Languages whose country names a signer may type: "Cambodia" and "Cambodge" are both KH.
COUNTRY_NAME_LANGUAGES = ("en", "fr")

# Country names the coordinators' lists use that are neither ISO names nor codes, folded.
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "unitedstates": "US", "etatsunis": "US", "america": "US",
    "uk": "GB", "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northernireland": "GB", "kampuchea": "KH", "burma": "MM",
    "birmanie": "MM", "korea": "KR", "republicofkorea": "KR", "laopdr": "LA",
    "russianfederation": "RU", "czechrepublic": "CZ", "holland": "NL",
    "thenetherlands": "NL", "ivorycoast": "CI", "turkey": "TR", "swaziland": "SZ",
    "nauru": "NR",  # ISO and the UN say "Naoero" since 2026; older lists say "Nauru"
}  # fmt: skip


def _fold(text: str) -> str:
    """ "Nouvelle-Zélande", "nouvelle zelande" and "U.S.A." as "nouvellezelande" and "usa"."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in folded if c.isalnum())


@functools.cache
def _country_names() -> dict[str, str]:
    """Every country's name in the languages signers type them (the common name and the official
    one it stands for: "Bolivia", "Bolivia (Plurinational State of)"), and the aliases, folded."""
    names: dict[str, str] = {}
    for language in COUNTRY_NAME_LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                names.setdefault(_fold(str(name)), code)
            for code, official in countries.shadowed_names.items():
                for name in official:
                    names.setdefault(_fold(str(name)), code)
    for code, _name in countries:
        for written in (countries.alpha3(code), code):
            names.setdefault(f"code:{written}", code)
    return names | COUNTRY_ALIASES


@functools.lru_cache(maxsize=4096)
def country_resolve(text: str) -> str:
    """The ISO code a list means by "AUS", "Australia", "Cambodge", "USA" or "FR"; "" if none."""
    text = text.strip()
    key = _fold(text)
    if not key:
        return ""
    names = _country_names()
    if key in names:
        return names[key]
    if len(text) in (2, 3) and text.isalpha() and text.isupper():  # "FR", "AUS"
        return names.get(f"code:{text}", "")
    return ""


def _names_in(language: str) -> dict[str, str]:
    """Every country's name as the sign form offers it in `language`, casefolded: the key of
    what a signer picked from the list (Khmer's marks kept, which `_fold` would drop). Not kept
    here: django-countries keeps its list per language, and a catalogue compiled anew (Khmer's
    names) shows at once."""
    with translation.override(language):
        return {" ".join(str(name).casefold().split()): code for code, name in countries}


def country_resolve_typed(text: str) -> str:
    """The ISO code of a country a signer typed or picked in the sign form: a name as the list
    offers it in the active language, its code ("FR"), or anything `country_resolve` reads
    ("Cambodge", "USA"); "" if none."""
    text = unicodedata.normalize("NFC", text).strip()
    if not text or len(text) > 100:
        return ""
    if len(text) == 2 and text.isupper() and countries.alpha2(text) == text:
        return text
    key = " ".join(text.casefold().split())
    return _names_in(translation.get_language() or "en").get(key) or country_resolve(text)
