from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key a coordinator gives a program (their own site, a spreadsheet's script) to run one
    letter through the API. Only the SHA-256 of its secret is kept, and its first characters
    (`prefix`) to tell it apart on the page; the secret itself is shown once, when it is made."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("access"), max_length=10, choices=Scope.choices)
    prefix = models.CharField(max_length=20, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # A token acts for the person who made it: it goes with their account.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Set by api_token_list: the maker no longer runs the letter, so the token works no more.
    orphaned = False

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
