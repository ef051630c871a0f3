from django import template

from letters_app.models import language_name

register = template.Library()


@register.filter
def language_in_sentence(code: str) -> str:
    """`{{ letter.language|language_in_sentence }}`: "French" in English pages, "français" in
    French ones; for sentences, where a language's own name ("Français") would be out of place."""
    return language_name(code)
