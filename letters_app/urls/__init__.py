from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

# Pages for people keep their language in the URL: English unprefixed, /fr/… and /km/….
# Links already sent in English mails stay valid; the admin is not prefixed.
urlpatterns = [
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("accounts/", include("django.contrib.auth.urls")),
        path("coordinate/", include("letters_app.urls.author", namespace="author")),
        path("exports/", include("letters_app.urls.staff", namespace="staff")),
        # Prefixed too, so the page it returns to resolves in the language it was shown in.
        path("language/", set_language, name="set_language"),
        path("", include("letters_app.urls.public", namespace="public")),
        prefix_default_language=False,
    ),
]
