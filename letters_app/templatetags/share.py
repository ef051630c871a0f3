"""Asking others to sign: the letter's full address, a mailto: link, the snippets a partner
pastes into its site, and the letter's description for link previews (Open Graph)."""

import html
import re
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from letters_app.models import Letter

register = template.Library()

# Open Graph's names of the languages of the pages.
OG_LOCALES = {"en": "en_US", "fr": "fr_FR", "km": "km_KH"}
EXCERPT_CHARS = 200


@register.simple_tag
def site_url(path: str) -> str:
    """`{% site_url letter.get_absolute_url %}`: the full address of a page of the site."""
    return settings.SITE_URL + path


@register.simple_tag
def share_mailto(letter: Letter) -> str:
    """A mailto: link with a subject and a body in the language of the page, URL-encoded."""
    url = settings.SITE_URL + letter.get_absolute_url()
    subject = _("Please sign: %(title)s") % {"title": letter.title}
    body = _(
        "I have signed the open letter “%(title)s”. You can read it and sign it too:\n%(url)s"
    ) % {"title": letter.title, "url": url}
    return "mailto:?" + urlencode({"subject": subject, "body": body}, quote_via=quote)


@register.simple_tag
def embed_snippet(letter: Letter) -> str:
    """The <iframe> a partner pastes into a page of its site: the embed page in the active
    language."""
    src = settings.SITE_URL + reverse("public:letter-embed", kwargs={"slug": letter.slug})
    title = _("Sign: %(title)s") % {"title": letter.title}
    return _html(
        '<iframe src="{}" title="{}" width="100%" height="640" loading="lazy"></iframe>', src, title
    )


@register.simple_tag
def badge_snippet(letter: Letter) -> str:
    """The counter badge as an <img>, linking to the letter, in the active language."""
    url = settings.SITE_URL + letter.get_absolute_url()
    src = settings.SITE_URL + reverse("public:letter-badge", kwargs={"slug": letter.slug})
    alt = pgettext("counter badge", "Signatures to “%(title)s”") % {"title": letter.title}
    return _html('<a href="{}"><img src="{}" alt="{}"></a>', url, src, alt)


@register.simple_tag
def link_snippet(letter: Letter) -> str:
    """A plain link to the letter, in the active language."""
    url = settings.SITE_URL + letter.get_absolute_url()
    text = _("Read and sign: %(title)s") % {"title": letter.title}
    return _html('<a href="{}">{}</a>', url, text)


def _html(markup: str, *values: str) -> str:
    """HTML to show as text (a snippet to copy): the values escaped in it, the whole not marked
    safe, so that the page escapes it once more where it shows it."""
    return markup.format(*(escape(value) for value in values))


@register.filter
def plain_excerpt(body_html: str) -> str:
    """The letter's body as plain text, its first EXCERPT_CHARS characters: for a link preview
    (autoescaped where it is written)."""
    text = re.sub(r"\s+", " ", html.unescape(strip_tags(body_html))).strip()
    return Truncator(text).chars(EXCERPT_CHARS)


@register.simple_tag
def og_locale(language: str) -> str:
    return OG_LOCALES.get(language, "en_US")
