"""The site's URLs plus a page that fails, to see the 500 page (its handlers come along)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from letters_app.urls import handler400, handler403, handler404, handler500
from letters_app.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("the database is down")


urlpatterns = [
    *i18n_patterns(path("fail/", fail, name="fail"), prefix_default_language=False),
    *site_urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
