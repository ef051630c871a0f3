from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The parts of a letter that make up its text; a change to any of them is a new version.
TEXT_FIELDS = (
    "title",
    "place",
    "from_block",
    "salutation",
    "body",
    "closing",
    "sender_line",
    "signatory_heading",
    "about_sender",
)


class LetterKind(models.TextChoices):
    UN_SECRETARY_GENERAL = "un_secretary_general", _("Appeal to the UN Secretary-General")
    PARLIAMENTS = "parliaments", _("Letter to parliaments")
    SPECIAL_RAPPORTEUR = "special_rapporteur", _("Letter to a UN Special Rapporteur")
    HEAD_OF_GOVERNMENT = "head_of_government", _("Members of parliament to a head of government")
    PRESS_RELEASE = "press_release", _("Press release")
    OTHER = "other", _("Other letter")


class LetterText(models.Model):
    """The fields shared by a template, a letter and a letter's frozen versions."""

    title = models.CharField(_("title"), max_length=300)
    place = models.CharField(
        _("dateline / place"), max_length=200, blank=True, help_text=_("For example: Paris, France")
    )
    from_block = models.TextField(_("From: block"), max_length=2000, blank=True)
    salutation = models.CharField(_("salutation"), max_length=300, blank=True)
    body = models.TextField(_("body"), max_length=100_000, blank=True, help_text=_("Markdown."))
    closing = models.CharField(_("closing"), max_length=200, blank=True)
    sender_line = models.CharField(_("sender"), max_length=300, blank=True)
    signatory_heading = models.CharField(_("signatory heading"), max_length=200, blank=True)
    about_sender = models.TextField(_("about the sender"), max_length=5000, blank=True)

    class Meta:
        abstract = True


class SignatoryKinds(models.Model):
    accepts_organizations = models.BooleanField(_("organizations may sign"), default=True)
    accepts_individuals = models.BooleanField(_("individuals may sign"), default=False)
    accepts_mps = models.BooleanField(_("members of parliament may sign"), default=False)

    class Meta:
        abstract = True


class LetterTemplate(LetterText, SignatoryKinds):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=40, choices=LetterKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered to coordinators"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self):
        return self.name


class Letter(LetterText, SignatoryKinds):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signing")
        CLOSED = "closed", _("Signing closed")
        FINALIZED = "finalized", _("Finalized")
        SENT = "sent", _("Sent")

    slug = models.SlugField(_("web address"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=40, choices=LetterKind.choices)
    template = models.ForeignKey(
        LetterTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    letter_date = models.DateField(_("date"), null=True, blank=True)
    signing_deadline = models.DateTimeField(_("signing deadline"), null=True, blank=True)
    recipients = models.ManyToManyField(
        "letters_app.Recipient", through="LetterRecipient", related_name="letters", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="letters_created"
    )
    co_coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="letters_coordinated", blank=True
    )
    version = models.PositiveIntegerField(_("text version"), default=0, editable=False)
    requires_approval = models.BooleanField(
        _("signatures need approval"),
        default=False,
        help_text=_("A coordinator approves each confirmed signature before it is listed."),
    )
    signing_paused = models.BooleanField(
        _("signing paused"),
        default=False,
        help_text=_("The sign form refuses new signatures while this is on."),
    )
    signing_closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Public counts by kind, kept by the signature services with F() updates.
    count_organizations = models.PositiveIntegerField(default=0, editable=False)
    count_individuals = models.PositiveIntegerField(default=0, editable=False)
    count_mps = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("public:letter-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def signature_count(self) -> int:
        return self.count_organizations + self.count_individuals + self.count_mps

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.OPEN, self.Status.CLOSED)


class LetterRecipient(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="letter_recipients")
    recipient = models.ForeignKey(
        "letters_app.Recipient", on_delete=models.PROTECT, related_name="letter_recipients"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "recipient"], name="letter_recipient_unique")
        ]

    def __str__(self):
        return f"{self.letter} → {self.recipient}"


class LetterVersion(LetterText):
    """A frozen text of a letter: made on publishing and on every later edit."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="letter_version_unique")
        ]

    def __str__(self):
        return f"{self.letter} v{self.number}"


class AuditEvent(models.Model):
    """Who changed what, and when."""

    letter = models.ForeignKey(
        Letter, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
