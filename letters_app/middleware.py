"""The visitor's language: from the URL's prefix, else their choice or their browser's."""

from django.conf import settings
from django.middleware import locale
from django.shortcuts import redirect
from django.urls import is_valid_path, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, plus: an unprefixed (English) page asked for in another language redirects.

    English pages keep their URLs (i18n_patterns without a prefix for the default language),
    so Django would serve them in English whatever the browser asks. A GET of such a page by
    someone whose language cookie or Accept-Language names French or Khmer goes to the same
    page under /fr/ or /km/. A POST stays where it is, in English, as the form it came from.
    Pages outside i18n_patterns (the admin) are shown in that language at their one URL.
    """

    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return None
        preferred = translation.get_language_from_request(request)
        if preferred == settings.LANGUAGE_CODE:
            return None
        with translation.override(preferred):
            urlconf = getattr(request, "urlconf", None)
            has_prefixed_page = is_valid_path(f"/{preferred}{request.path_info}", urlconf)
        if not has_prefixed_page:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        elif request.method in ("GET", "HEAD"):
            path = request.get_full_path()
            translated = translate_url(path, preferred)
            if translated != path:
                response = redirect(translated)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        return None
