from django.urls import path

from letters_app.views import author

app_name = "author"
urlpatterns = [
    path("", author.dashboard, name="dashboard"),
    path("letters/new/", author.letter_new, name="letter-new"),
    path("letters/<int:pk>/", author.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/preview/", author.letter_preview, name="letter-preview"),
    path("letters/<int:pk>/recipients/", author.letter_recipients, name="letter-recipients"),
    path(
        "letters/<int:pk>/recipients/new/",
        author.letter_recipient_add,
        name="letter-recipient-add",
    ),
    path("letters/<int:pk>/coordinators/", author.letter_coordinators, name="letter-coordinators"),
    path(
        "letters/<int:pk>/coordinators/<int:user_pk>/remove/",
        author.letter_coordinator_remove,
        name="letter-coordinator-remove",
    ),
    path("letters/<int:pk>/publish/", author.letter_publish, name="letter-publish"),
    path("letters/<int:pk>/close/", author.letter_close, name="letter-close"),
    path("letters/<int:pk>/reopen/", author.letter_reopen, name="letter-reopen"),
    path("letters/<int:pk>/history/", author.letter_history, name="letter-history"),
    path("letters/<int:pk>/signatures/", author.letter_signatures, name="letter-signatures"),
    path(
        "letters/<int:pk>/signatures/<int:signature_pk>/",
        author.signature_edit,
        name="signature-edit",
    ),
]
