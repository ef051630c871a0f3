from django.urls import path

from letters_app.views import public

app_name = "public"
urlpatterns = [
    path("", public.home, name="home"),
    path("letters/<slug:slug>/", public.letter_detail, name="letter-detail"),
]
