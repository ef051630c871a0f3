import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_until(moment: datetime.datetime | None) -> int | None:
    """`{{ letter.signing_deadline|days_until }}`: calendar days from today to that moment's day
    (in TIME_ZONE): 0 on the day itself, below 0 once it has passed; None without a moment."""
    if moment is None:
        return None
    return (timezone.localdate(moment) - timezone.localdate()).days
