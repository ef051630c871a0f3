"""Partners of a letter for tests, added as a coordinator adds them."""

from letters_app.models import Partner
from letters_app.services import imports, partners


def partners_add(letter, coordinator, text: str) -> list[Partner]:
    """The lines of `text` ("Name (ACR), Country, address, language") as the letter's partners."""
    lines = imports.import_parse({"text": text}, partners=True)
    partners.partners_add(letter=letter, lines=lines, actor=coordinator)
    return list(Partner.objects.filter(letter=letter).order_by("pk"))
