"""Sharing a letter: the share step after signing, and the link previews (Open Graph, Twitter
cards) of its public page, in the language of the page."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from letters_app.models import Letter
from letters_app.services.letters import letter_update
from tests.translations import FRENCH, KHMER, translate

pytestmark = pytest.mark.django_db

SITE = "http://localhost:8000"  # SITE_URL in the tests


class _Head(HTMLParser):
    """The page's <meta property/name content> and the share step's fields, as a browser reads
    them (entities decoded)."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and (key := values.get("property") or values.get("name")):
            self.meta[key] = values.get("content") or ""
        elif tag == "input" and values.get("id"):
            self.inputs[values["id"] or ""] = values
        elif tag == "a":
            self.links.append(values)


def parsed(response) -> _Head:
    head = _Head()
    head.feed(response.content.decode())
    return head


def page(client, letter, language: str = ""):
    prefix = f"/{language}" if language else ""
    return parsed(client.get(f"{prefix}/letters/{letter.slug}/"))


# --- link previews ----------------------------------------------------------------------------


def test_the_english_page_previews_the_letter(client, open_letter):
    meta = page(client, open_letter).meta
    assert meta["og:type"] == "article"
    assert meta["og:site_name"] == "Cosign"
    assert meta["og:title"] == open_letter.title
    assert meta["og:description"].startswith("We, the undersigned organizations, urge you")
    assert "<" not in meta["og:description"] and "**" not in meta["og:description"]
    assert meta["og:url"] == f"{SITE}/letters/{open_letter.slug}/"
    assert meta["og:locale"] == "en_US"
    assert meta["twitter:card"] == "summary"


def test_the_french_page_previews_its_ready_french_translation(client, open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator)
    meta = page(client, open_letter, "fr").meta
    assert meta["og:title"] == FRENCH["title"]
    assert (
        meta["og:description"] == "Nous, organisations soussignées, vous demandons d'agir. "
        "Première demande"
    )
    assert meta["og:url"] == f"{SITE}/fr/letters/{open_letter.slug}/"
    assert meta["og:locale"] == "fr_FR"
    assert meta["twitter:title"] == FRENCH["title"]


def test_the_khmer_page_previews_its_khmer_translation(client, open_letter, coordinator):
    translate(open_letter, "km", KHMER, coordinator)
    meta = page(client, open_letter, "km").meta
    assert meta["og:title"] == KHMER["title"]
    assert meta["og:description"] == KHMER["body"]
    assert meta["og:url"] == f"{SITE}/km/letters/{open_letter.slug}/"
    assert meta["og:locale"] == "km_KH"


def test_a_page_without_its_translation_previews_the_original(client, open_letter, coordinator):
    translate(open_letter, "fr", FRENCH, coordinator, ready=False)  # a draft is not shown
    meta = page(client, open_letter, "fr").meta
    assert meta["og:title"] == open_letter.title
    assert meta["og:locale"] == "fr_FR"


def test_a_translation_asked_for_by_its_parameter_is_previewed_at_that_address(
    client, open_letter, coordinator
):
    translate(open_letter, "fr", FRENCH, coordinator)
    head = parsed(client.get(f"/letters/{open_letter.slug}/?lang=fr"))
    assert head.meta["og:title"] == FRENCH["title"]
    assert head.meta["og:url"] == f"{SITE}/letters/{open_letter.slug}/?lang=fr"


def test_a_title_and_text_with_markup_are_escaped(client, open_letter, coordinator):
    title = '"><script>alert(1)</script>'
    body = 'Stop "this" & <script>alert(2)</script> now.'
    letter_update(letter=open_letter, data={"title": title, "body": body}, actor=coordinator)
    response = client.get(f"/letters/{open_letter.slug}/")
    content = response.content.decode()
    assert "<script>alert" not in content
    meta = parsed(response).meta
    assert meta["og:title"] == title
    assert meta["og:description"].startswith('Stop "this" &')


def test_a_long_text_is_cut_short(client, open_letter, coordinator):
    letter_update(letter=open_letter, data={"body": "word " * 200}, actor=coordinator)
    description = page(client, open_letter).meta["og:description"]
    assert len(description) == 200
    assert description.endswith("…")


def test_the_cached_page_keeps_the_previews_of_each_language(
    client, open_letter, coordinator, django_assert_num_queries
):
    translate(open_letter, "fr", FRENCH, coordinator)
    page(client, open_letter)
    page(client, open_letter, "fr")
    with django_assert_num_queries(0):  # both from the shared cache
        english = page(client, open_letter).meta
        french = page(client, open_letter, "fr").meta
    assert (english["og:title"], english["og:locale"]) == (open_letter.title, "en_US")
    assert (french["og:title"], french["og:locale"]) == (FRENCH["title"], "fr_FR")


# --- the share step after signing -------------------------------------------------------------


def test_the_done_page_offers_the_link_to_copy_and_a_mail(client, open_letter):
    response = client.get(f"/letters/{open_letter.slug}/sign/done/")
    content = response.content.decode()
    head = parsed(response)
    link = head.inputs["share-link"]
    assert link["value"] == f"{SITE}/letters/{open_letter.slug}/"
    assert "readonly" in link
    assert '<label class="form-label" for="share-link">' in content
    # The copy button waits for its script; without it, the field is there to select.
    assert (
        'data-copy-target="share-link" data-copied-text="Copied." hidden>Copy the link' in content
    )
    assert '<script src="/static/js/copy-text.js" defer></script>' in content
    mailto = next(a["href"] for a in head.links if (a["href"] or "").startswith("mailto:"))
    query = parse_qs(urlsplit(mailto).query)
    assert query["subject"] == [f"Please sign: {open_letter.title}"]
    assert query["body"] == [
        f"I have signed the open letter “{open_letter.title}”. You can read it and sign it "
        f"too:\n{SITE}/letters/{open_letter.slug}/"
    ]
    assert "+" not in mailto  # spaces as %20: mail programs read + as a plus


def test_the_french_done_page_shares_in_french(client, open_letter):
    response = client.get(f"/fr/letters/{open_letter.slug}/sign/done/")
    head = parsed(response)
    assert head.inputs["share-link"]["value"] == f"{SITE}/fr/letters/{open_letter.slug}/"
    mailto = next(a["href"] for a in head.links if (a["href"] or "").startswith("mailto:"))
    query = parse_qs(urlsplit(mailto).query)
    assert query["subject"] == [f"Signez, vous aussi\u00a0: {open_letter.title}"]
    assert query["body"][0].startswith("J’ai signé la lettre ouverte")
    assert query["body"][0].endswith(f"{SITE}/fr/letters/{open_letter.slug}/")


def test_organizations_get_the_code_for_their_own_site(client, open_letter):
    content = client.get(f"/letters/{open_letter.slug}/sign/done/").content.decode()
    assert "For organizations: the sign form on your own website" in content
    assert (
        f"&lt;iframe src=&quot;{SITE}/letters/{open_letter.slug}/embed/&quot; title=&quot;Sign: "
        in content
    )
    Letter.objects.filter(pk=open_letter.pk).update(
        accepts_organizations=False, accepts_individuals=True
    )
    content = client.get(f"/letters/{open_letter.slug}/sign/done/").content.decode()
    assert "For organizations" not in content
    assert "Share by e-mail" in content
