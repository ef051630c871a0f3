"""The coordinator's Embed and share page: the sites that may show the sign form."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from letters_app.forms.base import ServiceErrorsMixin
from letters_app.services.embed import origins_parse


class EmbedOriginsForm(ServiceErrorsMixin, forms.Form):
    origins = forms.CharField(
        label=_("Sites that may show the sign form"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "One site a line, as https://example.org (the site only, no page): its pages may "
            "show this letter's sign form in a frame. Leave empty to allow none."
        ),
    )

    def clean_origins(self) -> str:
        # Checked here to show every mistake by its line; the service checks again.
        origins = origins_parse(self.cleaned_data["origins"])
        return "\n".join(origins)


class SnippetLanguageForm(forms.Form):
    """The language of the snippets to copy: the embed page's and badge's addresses."""

    lang = forms.ChoiceField(
        label=_("Language of the form and badge"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = settings.LANGUAGES  # type: ignore[attr-defined]
