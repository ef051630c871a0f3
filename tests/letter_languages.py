"""An English letter whose parts have a name in each language: a Swiss recipient, signatories
from France and Cambodia, a date. Readers, coordinators and signers in English, French and Khmer
must all see these parts in the language of the text shown to them, never in their own."""

import datetime

from letters_app.models import Letter
from letters_app.services.letters import letter_open
from tests.factories import LetterFactory, RecipientFactory
from tests.finalized import sign
from tests.translations import FRENCH, KHMER, translate

INTERFACES = ("en", "fr", "km")
LETTER_DATE = datetime.date(2026, 3, 5)
# As django-countries and Django's formats write them in each language.
SWITZERLAND = {"en": "Switzerland", "fr": "Suisse", "km": "ស្វ៊ីស"}
CAMBODIA = {"en": "Cambodia", "fr": "Cambodge", "km": "កម្ពុជា"}
DATE = {"en": "5 March 2026", "fr": "5 mars 2026", "km": "5 ខែ មិនា ឆ្នាំ 2026"}
TEXTS = {"fr": FRENCH, "km": KHMER}


def english_letter(coordinator, *, translations: tuple[str, ...] = ()) -> Letter:
    """The letter, open, signed by an organization from France then one from Cambodia, with a
    ready translation into each of `translations`."""
    recipient = RecipientFactory(name="Vitit Muntarbhorn", country="CH")
    letter = LetterFactory(
        created_by=coordinator, recipients=[recipient], language="en", letter_date=LETTER_DATE
    )
    letter = letter_open(letter=letter, actor=coordinator)
    sign(letter, 1, name="Ligue des droits", acronym="LDH", country="FR")
    sign(letter, 2, name="Cambodian League", acronym="CL", country="KH")
    for language in translations:
        translate(letter, language, TEXTS[language], coordinator)
    letter.refresh_from_db()
    return letter


def signatory_lines(language: str) -> list[str]:
    france = {"en": "France", "fr": "France", "km": "បារាំង"}[language]
    return [f"Ligue des droits (LDH), {france}", f"Cambodian League (CL), {CAMBODIA[language]}"]
