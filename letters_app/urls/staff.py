from django.urls import path

from letters_app.views import staff

app_name = "staff"
urlpatterns = [
    path("letters/<int:pk>/", staff.letter_export, name="letter-export"),
    path("letters/<int:pk>/download/", staff.letter_export_download, name="letter-export-download"),
    path("signatures/", staff.signatures_export, name="signatures-export"),
]
