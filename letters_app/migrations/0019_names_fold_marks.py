import re
import unicodedata

from django.db import migrations

# As services.signatures.name_normalize folds names from now on, frozen here: a vowel sign or a
# coeng (Khmer, Indic scripts) is kept, where every mark used to be dropped with the accents.
SELECTORS = re.compile("[\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _spells(c):
    category = unicodedata.category(c)
    if category[0] in "LN" or c.isspace():
        return True
    return (
        category in ("Mn", "Mc") and unicodedata.combining(c) in (0, 9) and not SELECTORS.match(c)
    )


def fold(name):
    folded = unicodedata.normalize("NFKD", name).casefold()
    words = " ".join("".join(c for c in folded if _spells(c)).split())
    if words or not folded:
        return words
    return "".join(c for c in folded if unicodedata.category(c) in ("So", "Sm", "Sc"))[:200]


def refold(apps, schema_editor):
    """Fold again the names and acronyms a mark that spells them was dropped from."""
    Signature = apps.get_model("letters_app", "Signature")
    changed = []
    rows = Signature.objects.only("name", "acronym", "name_normalized", "acronym_normalized")
    for signature in rows.iterator(chunk_size=2000):
        name, acronym = fold(signature.name)[:200], fold(signature.acronym)[:30]
        if (name, acronym) != (signature.name_normalized, signature.acronym_normalized):
            signature.name_normalized, signature.acronym_normalized = name, acronym
            changed.append(signature)
    Signature.objects.bulk_update(
        changed, ["name_normalized", "acronym_normalized"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("letters_app", "0018_names_resigning"),
    ]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
