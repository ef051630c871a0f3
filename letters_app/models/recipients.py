from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField


class Recipient(models.Model):
    """An addressee in the directory: an office, a parliament, a government."""

    class Kind(models.TextChoices):
        UN = "un", _("United Nations")
        PARLIAMENT = "parliament", _("Parliament")
        GOVERNMENT = "government", _("Government")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    honorific = models.CharField(_("honorific"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    institution = models.CharField(_("institution"), max_length=300)
    postal_address = models.TextField(_("postal address"), max_length=1000, blank=True)
    # Reads as a Country (its .name); the stubs type a CharField subclass as str.
    country: Country = CountryField(_("country"), blank=True)  # type: ignore[assignment]
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    email = models.EmailField(_("e-mail"), blank=True)
    salutation = models.CharField(
        _("salutation"),
        max_length=200,
        blank=True,
        help_text=_("For example: Dear Professor Muntarbhorn,"),
    )
    is_curated = models.BooleanField(
        _("curated"), default=False, help_text=_("Checked by an admin: the details are verified.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "country", "institution", "name"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name", "title"], name="recipient_unique_identity"
            )
        ]

    def __str__(self):
        person = " ".join(p for p in (self.honorific, self.name) if p)
        parts = [p for p in (person, self.title, self.institution) if p]
        return ", ".join(dict.fromkeys(parts))

    @property
    def address_lines(self) -> list[str]:
        """The lines of the To: block for this recipient, in postal order."""
        person = " ".join(p for p in (self.honorific, self.name) if p)
        lines = [person, self.title, self.institution]
        lines += self.postal_address.splitlines()
        if self.country and self.country.name not in lines:
            lines.append(str(self.country.name))
        return [line.strip() for line in dict.fromkeys(lines) if line and line.strip()]
