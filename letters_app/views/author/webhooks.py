"""Webhooks: a page of the letter's "Connect" tab."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from letters_app.views import coordinated_letter


@login_required
def letter_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    letter = coordinated_letter(request, pk)
    return render(request, "author/letter_webhooks.html", {"letter": letter})
