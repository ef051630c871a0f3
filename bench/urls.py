from django.urls import path

from bench import views
from letters_app.urls import urlpatterns as cosign_urlpatterns

# Cosign's own patterns are spliced in, not included: they hold i18n_patterns, which Django
# allows only in the root URLconf.
urlpatterns = [
    path("bench/baseline/", views.baseline, name="bench-baseline"),
    path("bench/baseline/done/", views.baseline_done, name="bench-baseline-done"),
    *cosign_urlpatterns,
]
