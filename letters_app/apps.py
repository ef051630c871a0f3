from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersAppConfig(AppConfig):
    name = "letters_app"
    verbose_name = _("Cosign letters")
