from django.http import Http404
from django.shortcuts import render

from letters_app import selectors
from letters_app.rendering import letter_view


def home(request):
    letters = selectors.letter_list_public()[:50]
    return render(request, "public/letter_list.html", {"letters": letters})


def letter_detail(request, slug):
    letter = selectors.letter_get_public(slug)
    return render(
        request, "public/letter_detail.html", {"letter": letter, "lv": letter_view(letter)}
    )


# Stubs: the signing pages are being written.
def letter_sign(request, slug):
    raise Http404


letter_sign_done = letter_resend = letter_sign


def signature_confirm(request, pk, token):
    raise Http404


signature_manage = signature_confirm
