from django.urls import path

from letters_app.views import author

app_name = "author"
urlpatterns = [
    path("", author.dashboard, name="dashboard"),
]
