from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def snapshot_json_url(snapshot) -> str:
    """The full address of a frozen letter's JSON, as a recipient would type it."""
    return settings.SITE_URL + snapshot.get_absolute_url()
