"""A letter's statistics."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from letters_app import charts, selectors
from letters_app.models import Letter
from letters_app.views import coordinated_letter


@login_required
def letter_stats(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    stats = selectors.signature_stats_for_letter(letter)
    # While signing is open, the quiet days up to today are part of the picture.
    today = timezone.localdate() if letter.status == Letter.Status.OPEN else None
    context = {"letter": letter, "stats": stats, "charts": charts.letter_charts(stats, today=today)}
    return render(request, "author/letter_stats.html", context)
