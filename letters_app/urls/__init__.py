from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from letters_app.api import api, api_not_found
from letters_app.views.health import healthz
from letters_app.views.public import language_choose

# Pages for people keep their language in the URL: English unprefixed, /fr/… and /km/….
# Links already sent in English mails stay valid; the admin is not prefixed.
urlpatterns = [
    path("admin/", admin.site.urls),
    # The probe of the container and of the proxy in front: one address, no language.
    path("healthz", healthz, name="healthz"),
    # The API: versioned in its address, no language prefix (a letter's texts carry their own).
    path("api/v1/", api.urls),
    path("api/<path:rest>", api_not_found),
    # The language switch: one address whatever language the page it comes from is in.
    path("language/<str:code>/", language_choose, name="language"),
    *i18n_patterns(
        path("accounts/", include("django.contrib.auth.urls")),
        path("coordinate/", include("letters_app.urls.author", namespace="author")),
        path("exports/", include("letters_app.urls.staff", namespace="staff")),
        path("", include("letters_app.urls.public", namespace="public")),
        prefix_default_language=False,
    ),
]

handler400 = "letters_app.views.errors.bad_request"
handler403 = "letters_app.views.errors.permission_denied"
handler404 = "letters_app.views.errors.page_not_found"
handler500 = "letters_app.views.errors.server_error"
