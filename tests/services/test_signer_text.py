"""What is kept of a line a signer (or a coordinator, or an imported list) writes, and how two
names are compared: joiners and the like are kept, bidi controls left open are not."""

import importlib

import pytest
from django.apps import apps as django_apps

from letters_app.models import Signature
from letters_app.services.imports import import_parse
from letters_app.services.signatures import (
    bidi_balance,
    line_clean,
    name_normalize,
    signature_add,
    signature_confirm,
    signature_update_display,
)
from tests.factories import SignatureFactory

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"{RLO}abc", "abc"),
        (f"abc{PDF}", "abc"),
        (f"{RLO}a{PDF}b", f"{RLO}a{PDF}b"),
        (f"{RLI}a{PDI}b{PDI}", f"{RLI}a{PDI}b"),
        (f"{LRI}a{RLE}b{PDI}", f"{LRI}ab{PDI}"),  # the isolate's close ends the embedding
        (f"{RLE}a{LRI}b{PDF}c", "abc"),  # an embedding is not closed inside an isolate
        (f"{FSI}{LRO}a{PDF}{PDI}{RLO}", f"{FSI}{LRO}a{PDF}{PDI}"),
        (f"{LRE}{RLE}a{PDF}", f"{RLE}a{PDF}"),
        ("\u200f\u200e\u061c", "\u200f\u200e\u061c"),  # marks open nothing: kept
    ],
)
def test_only_bidi_controls_left_open_or_closing_nothing_are_dropped(text, kept):
    assert bidi_balance(text) == kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("  Ligue \u00a0 des\tdroits ", "Ligue des droits"),
        ("Cre\u0301teil", "Cr\u00e9teil"),
        ("\u200b\u200dLigue\u200c\u2060\ufeff", "Ligue"),
        ("👩🏽\u200d⚖\ufe0f", "👩🏽\u200d⚖\ufe0f"),
        (
            "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
            "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        ),  # fmt: skip
        ("\u200b \u200c", ""),
        (f"{RLI}{PDI}", ""),
    ],
)
def test_a_line_is_kept_as_typed_less_what_shows_nothing(text, kept):
    assert line_clean(text) == kept


def test_names_with_and_without_joiners_or_decoration_compare_the_same():
    assert name_normalize("Collectif 👩🏽\u200d⚖\ufe0f") == name_normalize("Collectif")
    assert name_normalize("می\u200cخواهم") == name_normalize("میخواهم")
    assert name_normalize(f"Ligue {RLI}des{PDI} droits") == name_normalize("LIGUE des droits")
    assert name_normalize("សមាគម\u200bខ្មែរ") == name_normalize("សមាគមខ្មែរ")


def test_names_of_symbols_only_compare_by_their_symbols_not_as_empty():
    judge, judge_dark, seedling = "👩🏽\u200d⚖\ufe0f", "👩🏿\u200d⚖", "🌱🌱"
    assert name_normalize(judge) == name_normalize(judge_dark) == "👩⚖"
    assert name_normalize(seedling) == "🌱🌱"
    assert name_normalize("  ") == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "flagged"),
    [
        ("Ligue des droits", "Ligue\u200d des droits 🌱", True),  # a joiner, a decoration
        ("🌱🌱", "👩🏽\u200d⚖\ufe0f", False),  # two names of emoji only are not both ""
        ("សុខ", "សាខ", False),
    ],  # fmt: skip
)
def test_the_second_of_two_names_is_flagged_only_if_it_is_the_same(
    open_letter, first, second, flagged
):
    for n, name in enumerate([first, second]):
        signature, _created = signature_add(
            letter=open_letter, kind=Signature.Kind.ORGANIZATION, email=f"s{n}@example.org",
            name=name, country="FR", consent_public=True,
        )  # fmt: skip
        signature_confirm(signature=signature)
    signature.refresh_from_db()
    assert signature.is_flagged is flagged


@pytest.mark.django_db
def test_a_coordinators_correction_loses_a_bidi_control_left_open(open_letter, coordinator):
    signature, _created = signature_add(
        letter=open_letter, kind=Signature.Kind.ORGANIZATION, email="s@example.org",
        name="Ligue", country="FR", consent_public=True,
    )  # fmt: skip
    signature_update_display(
        signature=signature, data={"name": f"{RLO}Ligue\u200d des droits"}, actor=coordinator
    )
    signature.refresh_from_db()
    assert signature.name == "Ligue\u200d des droits"


def test_an_imported_list_keeps_joiners_and_loses_open_bidi_controls():
    lines = import_parse({"text": f"1. {RLO}Ligue\u200d des droits (L\u200cD), France\n"
                                  "2. Juge 👩🏽\u200d⚖\ufe0f Dara, Cambodia"})  # fmt: skip
    assert [(line.name, line.acronym, line.country) for line in lines] == [
        ("Ligue\u200d des droits", "L\u200cD", "FR"),
        ("Juge 👩🏽\u200d⚖\ufe0f Dara", "", "KH"),
    ]
    assert [p.code for line in lines for p in line.problems] == []


def test_an_imported_line_of_emoji_only_is_a_name():
    [line] = import_parse({"text": "🌱🌱, France"})
    assert (line.name, [p.code for p in line.problems]) == ("🌱🌱", [])


def test_khmer_names_differing_by_a_vowel_are_not_the_same_name():
    assert name_normalize("សុខ") != name_normalize("សាខ")
    assert name_normalize("ស្រី") != name_normalize("សរី")  # the coeng spells a subscript
    assert name_normalize("हिंदी") != name_normalize("हदी")
    # Accents, and Arabic vowel points most leave out, still do not count.
    assert name_normalize("Créteil") == name_normalize("CRETEIL")
    assert name_normalize("هِند") == name_normalize("هند")


@pytest.mark.django_db
def test_names_folded_before_are_folded_again_as_now(open_letter):
    migration = importlib.import_module("letters_app.migrations.0019_names_fold_marks")
    khmer = SignatureFactory(letter=open_letter, name="សមាគមខ្មែរ", acronym="សខ")
    latin = SignatureFactory(letter=open_letter, name="Ligue Créteil")
    Signature.objects.filter(pk=khmer.pk).update(name_normalized="សមគមខមរ", acronym_normalized="សខ")
    Signature.objects.filter(pk=latin.pk).update(name_normalized="ligue creteil")
    migration.refold(django_apps, None)
    khmer.refresh_from_db()
    latin.refresh_from_db()
    assert (khmer.name_normalized, khmer.acronym_normalized) == (name_normalize("សមាគមខ្មែរ"), "សខ")
    assert khmer.name_normalized == "សមាគមខ្មែរ"
    assert latin.name_normalized == "ligue creteil"
