from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersAppConfig(AppConfig):
    name = "letters_app"
    verbose_name = _("Cosign letters")

    def ready(self):
        # The tasks are registered in every process, so that a web process can queue one by
        # name (services/mails.py wakes a worker so) without importing the module that
        # imports the services.
        from letters_app import tasks  # noqa: F401
