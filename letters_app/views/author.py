from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from letters_app import selectors


@login_required
def dashboard(request):
    letters = selectors.letter_list_for_coordinator(request.user)
    return render(request, "author/letter_list.html", {"letters": letters})
