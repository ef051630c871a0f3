from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("coordinate/", include("letters_app.urls.author", namespace="author")),
    path("exports/", include("letters_app.urls.staff", namespace="staff")),
    path("", include("letters_app.urls.public", namespace="public")),
]
