from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from letters_app.models import Letter, language_name

register = template.Library()


@register.filter
def language_in_sentence(code: str) -> str:
    """`{{ letter.language|language_in_sentence }}`: "French" in English pages, "français" in
    French ones; for sentences, where a language's own name ("Français") would be out of place."""
    return language_name(code)


@register.filter
def title_in_its_language(letter: Letter) -> SafeString:
    """`{% blocktranslate with title=letter|title_in_its_language %}`: the letter's title inside a
    sentence of the interface, marked with the language it is written in, for screen readers."""
    return format_html('<span lang="{}">{}</span>', letter.language, letter.title)
