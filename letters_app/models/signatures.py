import copy

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import Country, CountryField

from letters_app.models.letters import LETTER_LANGUAGES

# What `email_normalized` holds once the address is erased: never a normalized address, which
# always has an "@".
ERASED_PREFIX = "erased:"


class Signature(models.Model):
    """One signatory of one letter: an organization, an individual or a member of parliament."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        INDIVIDUAL = "individual", _("Individual")
        MP = "mp", _("Member of parliament")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for e-mail confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("signature status", "Confirmed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class OrganizationType(models.TextChoices):
        NGO = "ngo", _("Non-governmental organization")
        ASSOCIATION = "association", _("Association")
        UNION = "union", _("Trade union")
        MEDIA = "media", _("Media")
        PARTY = "party", _("Political party")
        NETWORK = "network", _("Network or coalition")
        RELIGIOUS = "religious", _("Religious organization")
        ACADEMIC = "academic", _("Academic or research institution")
        OTHER = "other", _("Other")

    # Indexed first in the unique constraint below, which serves lookups by letter.
    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    kind = models.CharField(_("signing as"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    # Shown on the public list, kept in sync by the services: confirmed, approved where the
    # letter needs approval, not withdrawn or rejected, and consented to.
    is_public = models.BooleanField(default=False, editable=False)
    # Its place on the public list, kept by the services: the letter's public signatures are
    # numbered 1..n without gaps in the order they were listed (a withdrawal moves the later
    # ones up), so the list pages by number and the frozen list is numbered the same.
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    is_flagged = models.BooleanField(_("flagged"), default=False)
    flag_reason = models.CharField(_("why flagged"), max_length=300, blank=True)

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    organization_type = models.CharField(
        _("type of organization"), max_length=20, choices=OrganizationType.choices, blank=True
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    title = models.CharField(_("title or role"), max_length=200, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    party = models.CharField(_("party"), max_length=200, blank=True)
    parliament = models.CharField(_("parliament"), max_length=200, blank=True)
    # Reads as a Country (its .name); the stubs type a CharField subclass as str.
    country: Country = CountryField(_("country"), blank=True)  # type: ignore[assignment]
    contact_name = models.CharField(_("signing person"), max_length=200, blank=True)
    contact_role = models.CharField(_("role of the signing person"), max_length=200, blank=True)

    # Private: never shown on a public page. Empty for names imported from a list, and once
    # erased (services.privacy): `email_normalized` then holds a placeholder with no "@".
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    email_normalized = models.CharField(max_length=254, editable=False)
    name_normalized = models.CharField(max_length=200, editable=False)
    acronym_normalized = models.CharField(max_length=30, editable=False, blank=True)
    consent_public = models.BooleanField(_("name shown publicly"), default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    email_domain = models.CharField(max_length=254, editable=False)

    # 128 random bits; the confirm and manage links carry HMACs of it (services.signatures).
    secret = models.CharField(max_length=32, editable=False)
    mails_sent = models.PositiveSmallIntegerField(default=0, editable=False)

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # a partial index below: most signatures are not imported
        help_text=_("The coordinator who imported this signature from an existing list."),
    )
    version = models.PositiveIntegerField(_("text version signed"), default=0, editable=False)
    # The language the signer used, which their e-mails speak; empty for imported names.
    language = models.CharField(
        _("language"), max_length=10, choices=LETTER_LANGUAGES, blank=True, editable=False
    )
    version_notified = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the signer's personal data was erased at their or an admin's request.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True,
                                     editable=False)  # fmt: skip
    # The status a withdrawn signature had: the undo link in the withdrawal's mail restores it.
    withdrawn_from = models.CharField(max_length=20, blank=True, editable=False)
    # A withdrawn signer signing again: what they typed (kind, display fields, language), kept
    # aside until they confirm by the link mailed to them, when it replaces their entry.
    resign_data = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["published_at", "id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "email_normalized"], name="one_signature_per_address"
            ),
        ]
        indexes = [
            models.Index(
                fields=["letter", "published_at", "id"],
                condition=Q(is_public=True),
                name="public_signature_list",
            ),
            # The public list by number, whole or narrowed to a country or a kind: each page is
            # one range of one of these, however deep. Partial, so a sign POST writes none.
            models.Index(
                fields=["letter", "number"], condition=Q(is_public=True), name="public_number"
            ),
            models.Index(
                fields=["letter", "country", "number"],
                condition=Q(is_public=True),
                name="public_number_country",
            ),
            models.Index(
                fields=["letter", "kind", "number"],
                condition=Q(is_public=True),
                name="public_number_kind",
            ),
            models.Index(
                fields=["letter", "country", "kind", "number"],
                condition=Q(is_public=True),
                name="public_number_country_kind",
            ),
            models.Index(fields=["letter", "status"], name="signature_queue"),
            # Each index is written by every sign POST: these two serve only equality lookups,
            # so neither has the LIKE variant (varchar_pattern_ops) that db_index adds.
            models.Index(fields=["letter", "name_normalized"], name="signature_same_name"),
            models.Index(fields=["email_domain"], name="signature_email_domain"),
            models.Index(
                fields=["imported_by"],
                condition=Q(imported_by__isnull=False),
                name="signature_imported_by",
            ),
        ]

    def __str__(self):
        return self.display_line

    @property
    def display_line(self) -> str:
        return signatory_line(
            self.kind, name=self.name, acronym=self.acronym, title=self.title,
            affiliation=self.affiliation, party=self.party, parliament=self.parliament,
            country=self.country.name if self.country else "",
        )  # fmt: skip

    @property
    def address_erased(self) -> bool:
        """The e-mail address was erased: at the signer's or an admin's request (`erased_at`),
        or once the retention period after the letter was sent was over."""
        return self.email_normalized.startswith(ERASED_PREFIX)

    def resigning(self) -> "Signature | None":
        """This withdrawn signature as its signer's new signing would make it, unsaved and
        pending: what its confirmation link shows and confirms. None when there is none."""
        if self.status != self.Status.WITHDRAWN or not self.resign_data:
            return None
        new = copy.copy(self)
        for name, value in self.resign_data["fields"].items():
            setattr(new, name, value)
        new.kind = self.resign_data["kind"]
        new.language = self.resign_data["language"]
        new.status = self.Status.PENDING
        return new

    def token(self, purpose: str) -> str:
        """The secret in a confirm or manage link, bound to this signature, its letter and
        purpose; a new `secret` kills every link made before."""
        message = f"{purpose}:{self.pk}:{self.letter_id}:{self.secret}"
        return salted_hmac("cosign.signature", message, algorithm="sha256").hexdigest()


def signatory_line(kind: str, *, name: str, acronym="", title="", affiliation="", party="",
                   parliament="", country="") -> str:  # fmt: skip
    """As the seed letters list signatories: `Name (ACR), Country` or `Name, Title, …`; the
    country by its name. A member of parliament as letters of parliamentarians from many
    countries list them: `Hon. Jane Doe, Member of the National Assembly, Party, France`, their
    own title (else "Member of Parliament", in the active language), the chamber unless the
    title names it, the party, and the country."""
    if kind == Signature.Kind.ORGANIZATION:
        parts = [f"{name} ({acronym})" if acronym else name, country]
    elif kind == Signature.Kind.MP:
        chamber = "" if _folded(parliament) in _folded(title) else parliament
        parts = [name, title or _("Member of Parliament"), chamber, party, country]
    else:
        parts = [name, title, affiliation, country]
    return ", ".join(str(p) for p in parts if p)


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


class Blocklist(models.Model):
    """E-mail addresses, e-mail domains and IP addresses that may not sign."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        DOMAIN = "domain", _("E-mail domain")
        IP = "ip", _("IP address or network")

    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        help_text=_(
            "An e-mail address blocks only that mailbox. A domain blocks every address "
            "at it and its subdomains: never block a provider such as gmail.com this way."
        ),
    )
    value = models.CharField(
        _("value"),
        max_length=254,
        help_text=_(
            "An address (one.person@example.org), a domain (example.org), or an IP address or "
            "network (203.0.113.0/24), as the kind says."
        ),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blocklist entry")
        verbose_name_plural = _("blocklist")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="blocklist_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class SiteSwitch(models.Model):
    """Site-wide switches an admin flips in an emergency; one row."""

    signing_paused = models.BooleanField(
        _("signing paused on every letter"),
        default=False,
        help_text=_(
            "While on, the sign forms of all letters refuse new signatures (within 10 seconds)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site switch")
        verbose_name_plural = _("site switches")

    def __str__(self):
        return str(_("Site switches"))

    @classmethod
    def get(cls) -> "SiteSwitch":
        return cls.objects.get_or_create(pk=1)[0]
