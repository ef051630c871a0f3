from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/baseline/", views.baseline, name="bench-baseline"),
    path("bench/baseline/done/", views.baseline_done, name="bench-baseline-done"),
    path("", include("letters_app.urls")),
]
