import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from letters_app.fixtures_data.letter_templates import LETTER_TEMPLATES
from letters_app.models import TEXT_FIELDS, Letter, LetterTemplate, Recipient
from letters_app.rendering import render_letter_html, render_letter_text
from letters_app.services.directory import recipients_load, templates_load
from letters_app.services.letters import (
    PLACEHOLDER_RE,
    find_placeholders,
    letter_create,
    letter_open,
    letter_publish_problems,
    letter_set_recipients,
    letter_update,
)
from tests.factories import RecipientFactory

pytestmark = pytest.mark.django_db

KEYS = [t["key"] for t in LETTER_TEMPLATES]
# What each kind of letter must look like, from the seed documents.
STRUCTURE = {
    "un-secretary-general": {
        "salutation": "Your Excellency,",
        "closing": "Respectfully,",
        "signatory_heading": "Signatories",
    },
    "parliaments": {
        "salutation": "Your Honors,",
        "closing": "Yours sincerely,",
        "signatory_heading": "Co-signing Members of Parliament and Organizations",
    },
    "special-rapporteur": {
        "salutation": "Dear [Honorific and name of the Special Rapporteur],",
        "closing": "Sincerely,",
        "signatory_heading": "Signatory Civil Society Organizations",
    },
    "head-of-government": {
        "salutation": "Dear [Title and name of the head of government],",
        "closing": "Yours sincerely,",
        "signatory_heading": "Signatory Members of Parliament",
    },
    "press-release": {
        "salutation": "",
        "closing": "",
        "signatory_heading": "Organizations issuing this release",
    },
}
SIGNERS = {
    "un-secretary-general": (True, True, False),
    "parliaments": (True, False, True),
    "special-rapporteur": (True, False, False),
    "head-of-government": (False, False, True),
    "press-release": (True, False, False),
}
# Whom each letter goes to in the directory (a press release goes to a newsroom).
ADDRESSEES = {
    "un-secretary-general": {"title": "Secretary-General of the United Nations"},
    "parliaments": {"kind": Recipient.Kind.PARLIAMENT},
    "special-rapporteur": {"name": "Vitit Muntarbhorn"},
    "head-of-government": {"title": "Prime Minister of the Kingdom of Cambodia"},
    "press-release": {"kind": Recipient.Kind.MEDIA},
}
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture
def templates(db):
    templates_load()
    recipients_load()
    RecipientFactory(
        honorific="", name="", title="News desk", institution="Example Wire Service",
        postal_address="1 Press Street\n75002 Paris", country="FR", kind=Recipient.Kind.MEDIA,
    )  # fmt: skip
    return {t.key: t for t in LetterTemplate.objects.all()}


def _addressees(key):
    return list(Recipient.objects.filter(**ADDRESSEES[key]).order_by("pk"))


def _fill(letter: Letter) -> dict:
    """Every placeholder replaced by its own words, as a coordinator would write them."""
    return {name: PLACEHOLDER_RE.sub(r"\1", getattr(letter, name)) for name in TEXT_FIELDS}


@pytest.mark.parametrize("key", KEYS)
def test_template_has_the_structure_of_its_kind(templates, key):
    template = templates[key]

    for name, expected in STRUCTURE[key].items():
        assert getattr(template, name) == expected
    accepts = (template.accepts_organizations, template.accepts_individuals, template.accepts_mps)
    assert accepts == SIGNERS[key]
    for name in TEXT_FIELDS:
        assert "<" not in getattr(template, name), f"{key}.{name} holds raw HTML"


def test_un_template_paragraphs_open_with_a_demand(templates):
    paragraphs = templates["un-secretary-general"].body.strip().split("\n\n")

    openings = [p.split(" ", 2)[1] for p in paragraphs[1:]]
    assert openings == ["appeal", "appeal", "urge", "demand", "call", "further"]
    assert paragraphs[0].startswith("We, the undersigned [")
    assert all(p.startswith("We ") for p in paragraphs[1:])


def test_special_rapporteur_template_has_a_from_block_to_fill(templates):
    template = templates["special-rapporteur"]

    assert "[Name of the coordinating organization]" in template.from_block.splitlines()
    assert "[Contact e-mail]" in template.from_block.splitlines()


def test_press_release_template_has_dateline_quote_cosigners_and_distribution(templates):
    template = templates["press-release"]

    assert template.place == "[CITY, Country]"
    assert "said [Name], [Title] of [Organization]." in template.body
    assert "co-signed by [list of co-signing organizations]." in template.body
    assert "Distributed by [Organization] on behalf of [coalition]." in template.body


@pytest.mark.parametrize("key", KEYS)
def test_letter_from_template_renders_its_structure_as_html(templates, coordinator, key):
    template = templates[key]
    letter = letter_create(template=template, actor=coordinator)
    assert "letter-to" not in render_letter_html(letter)
    recipients = _addressees(key)
    letter_set_recipients(letter=letter, recipients=recipients, actor=coordinator)

    html = render_letter_html(letter)

    assert f'<h1 class="letter-title">{escape(template.title)}</h1>' in html
    for name, css in [("salutation", "letter-salutation"), ("closing", "letter-closing")]:
        value = getattr(template, name)
        if value:
            assert f'<p class="{css}">{escape(value)}</p>' in html
        else:
            assert css not in html
    heading = f'<h2 class="letter-signatory-heading">{escape(template.signatory_heading)}</h2>'
    assert heading in html
    assert '<span class="letter-label">To:</span>' in html
    blocks = [
        "<address>" + "<br>".join(escape(line) for line in r.address_lines) + "</address>"
        for r in recipients
    ]
    positions = [html.index(block) for block in blocks]
    assert positions == sorted(positions)
    assert all(html.count(block) == 1 for block in blocks)
    assert html.index("letter-to") < html.index("letter-title") < html.index("letter-body")
    assert html.index("letter-body") < html.index("letter-signatory-heading")


@pytest.mark.parametrize("key", KEYS)
def test_letter_from_template_renders_as_plain_text(templates, coordinator, key):
    template = templates[key]
    letter = letter_create(template=template, actor=coordinator)
    recipients = _addressees(key)
    letter_set_recipients(letter=letter, recipients=recipients, actor=coordinator)

    text = render_letter_text(letter)

    assert TAG.search(text) is None
    assert not re.search(r"&(#x27|amp|quot|lt|gt);", text)
    blocks = "\n\n".join("\n".join(r.address_lines) for r in recipients)
    assert f"\nTo:\n{blocks}\n\n" in text
    assert text.count(recipients[0].address_lines[0]) == 1
    lines = text.splitlines()
    order = [template.title, template.salutation, template.closing, template.signatory_heading]
    present = [line for line in order if line]
    assert all(line in lines for line in present)
    assert [lines.index(line) for line in present] == sorted(lines.index(line) for line in present)
    first_paragraph = template.body.split("\n\n")[0]
    assert first_paragraph in text


def test_parliaments_letter_lists_grievances_and_asks(templates, coordinator):
    letter = letter_create(template=templates["parliaments"], actor=coordinator)

    html = render_letter_html(letter)

    assert re.search(r"<ol>\s*(<li>.*?</li>\s*){3}</ol>", html, re.DOTALL)
    assert re.search(r"<ul>\s*(<li>.*?</li>\s*){4}</ul>", html, re.DOTALL)
    assert '<p class="letter-sender">[Name of the parliamentarians&#x27; network' in html
    assert '<aside class="letter-about"><p>[Name of the network] was founded in' in html


def test_head_of_government_letter_makes_exactly_three_demands(templates, coordinator):
    letter = letter_create(template=templates["head-of-government"], actor=coordinator)

    html = render_letter_html(letter)

    assert len(re.findall(r"<ol>\s*(?:<li>.*?</li>\s*){3}</ol>", html, re.DOTALL)) == 1
    assert html.count("<li>") == 3


def test_special_rapporteur_letter_shows_its_from_block(templates, coordinator):
    letter = letter_create(template=templates["special-rapporteur"], actor=coordinator)

    html = render_letter_html(letter)
    text = render_letter_text(letter)

    expected = (
        "<address>[Name of the coordinating organization]<br>[Name of the contact person]"
        "<br>[Contact e-mail]</address>"
    )
    assert expected in html
    assert "From:\n[Name of the coordinating organization]\n" in text


def test_press_release_letter_has_a_dateline_and_no_salutation(templates, coordinator):
    letter = letter_create(template=templates["press-release"], actor=coordinator)

    html = render_letter_html(letter)
    text = render_letter_text(letter)

    assert '<p class="letter-dateline">[CITY, Country], <time' in html
    assert "letter-salutation" not in html
    assert text.startswith("[CITY, Country], ")
    assert "<em>Distributed by [Organization] on behalf of [coalition]." in html


HOSTILE_BODY = """\
Before <script>alert("stolen")</script> after.

<img src="x" onerror="alert(2)">

[click me](javascript:alert(1)) and [the report](https://example.org/report)

Still **bold**.
"""


def test_raw_html_and_javascript_links_in_the_body_are_neutralized(templates, coordinator):
    letter = letter_create(template=templates["special-rapporteur"], actor=coordinator)
    letter = letter_update(
        letter=letter,
        data={"body": HOSTILE_BODY, "title": "Title <script>alert(3)</script>"},
        actor=coordinator,
    )

    html = render_letter_html(letter)

    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "onerror" not in html.lower()
    assert "javascript:" not in html.lower()
    assert "Title &lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert re.search(r"<p>Before\s+after\.</p>", html)
    assert 'alert("stolen")' not in html
    assert re.search(r"<a [^>]*>click me</a>", html)
    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow">' in html
    assert "<strong>bold</strong>" in html


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_block_publishing_until_filled_and_addressed(templates, coordinator, key):
    letter = letter_create(template=templates[key], actor=coordinator)
    found = {name: find_placeholders(getattr(letter, name)) for name in TEXT_FIELDS}
    assert any(found.values()), f"{key} has no placeholder to fill"

    problems = letter_publish_problems(letter)

    for name, placeholders in found.items():
        if placeholders:
            label = str(Letter._meta.get_field(name).verbose_name).capitalize()
            message = next(p for p in problems if p.startswith(label))
            assert all(p in message for p in placeholders)
    assert any("no recipient" in p for p in problems)
    with pytest.raises(ValidationError):
        letter_open(letter=letter, actor=coordinator)

    letter = letter_update(letter=letter, data=_fill(letter), actor=coordinator)
    assert [p for p in letter_publish_problems(letter) if "no recipient" not in p] == []
    letter_set_recipients(letter=letter, recipients=_addressees(key), actor=coordinator)
    assert letter_publish_problems(letter) == []

    letter = letter_open(letter=letter, actor=coordinator)
    assert letter.status == Letter.Status.OPEN


@pytest.mark.django_db
def test_dateline_with_a_place_and_no_date_has_no_dangling_comma(letter):
    letter.place, letter.letter_date = "Paris, France", None
    assert '<p class="letter-dateline">Paris, France</p>' in render_letter_html(letter)
    assert render_letter_text(letter).startswith("Paris, France\n")
    letter.letter_date = datetime.date(2026, 11, 23)
    assert render_letter_text(letter).startswith("Paris, France, 23 November 2026\n")
