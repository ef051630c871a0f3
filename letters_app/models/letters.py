from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext_lazy
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
# The parts a translation carries; the rest (place, From: block, sender) stays as in the original.
TRANSLATED_FIELDS = ("title", "salutation", "body", "closing", "signatory_heading", "about_sender")
# A translation cannot be ready without these when the original has them.
TRANSLATION_REQUIRED_FIELDS = ("title", "salutation", "body", "closing", "signatory_heading")

# The languages a letter can be written or translated in. A list of its own rather than
# settings.LANGUAGES (the interface's languages), so that letters can be translated into a
# language before the interface speaks it. Names are written in their own language.
LETTER_LANGUAGES = [("en", "English"), ("fr", "Français"), ("km", "ខ្មែរ")]
# The same languages named inside a sentence of the interface, in the interface's language ("The
# original is in French", "L'original est en anglais", "…ជាភាសាអង់គ្លេស"): the names above stay
# in pickers and switchers. Our own entries rather than Django's names, which French capitalizes
# ("Anglais") and Khmer prefixes with "ភាសា" (and leaves "Khmer" untranslated).
LANGUAGE_NAMES_IN_SENTENCES = {
    "en": pgettext_lazy("language name in a sentence", "English"),
    "fr": pgettext_lazy("language name in a sentence", "French"),
    "km": pgettext_lazy("language name in a sentence", "Khmer"),
}
# Right-to-left languages, for the dir attribute; none of ours yet.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def letter_language(code: str | None) -> str:
    """`code` (such as "fr" or "fr-ca") as one of LETTER_LANGUAGES, else the site's language."""
    base = (code or "").split("-")[0].lower()
    if base in dict(LETTER_LANGUAGES):
        return base
    return settings.LANGUAGE_CODE.split("-")[0]


def language_name(code: str) -> str:
    """The language `code` as a sentence of the interface names it, in the active language."""
    return str(LANGUAGE_NAMES_IN_SENTENCES.get(code, code))


def language_direction(code: str) -> str:
    return "rtl" if code in RTL_LANGUAGES else "ltr"


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

    # Its text and signatories are frozen, as finalized: nothing about them changes any more.
    FROZEN = (Status.FINALIZED, Status.SENT)

    slug = models.SlugField(_("web address"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=40, choices=LetterKind.choices)
    language = models.CharField(
        _("original language"), max_length=10, choices=LETTER_LANGUAGES, default="en"
    )
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
    # The sites (origins, one a line: https://example.org) whose pages may show the letter's
    # embed page in a frame; set by services/embed.letter_set_embed_origins, which checks them.
    embed_origins = models.TextField(_("sites that may embed the sign form"), blank=True)
    # Public counts by kind, kept by the signature services with F() updates.
    count_organizations = models.PositiveIntegerField(default=0, editable=False)
    count_individuals = models.PositiveIntegerField(default=0, editable=False)
    count_mps = models.PositiveIntegerField(default=0, editable=False)
    # E-mail recipients the letter has not reached (yet): its deliveries that failed, or are
    # being sent again after failing, or to a late recipient. Kept by the delivery services; a
    # sent letter with any is shown as partly delivered.
    undelivered_count = models.PositiveIntegerField(default=0, editable=False)
    # Its recipients with an e-mail address, and those it is to be posted to (no address), also
    # kept by the delivery services: a sent letter with only the latter was never e-mailed.
    emailed_count = models.PositiveIntegerField(default=0, editable=False)
    postal_count = models.PositiveIntegerField(default=0, editable=False)
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

    # Shown, never stored: see shown_status.
    PARTLY_DELIVERED = "partly_delivered"
    TO_BE_POSTED = "to_post"

    @property
    def shown_status(self) -> str:
        """The status as every page and list badges it: a sent letter that has not reached every
        recipient it was e-mailed to is "partly delivered", and one whose recipients all have
        only a postal address is "to be posted": neither is "sent"."""
        if self.status == self.Status.SENT:
            if self.undelivered_count:
                return self.PARTLY_DELIVERED
            if self.postal_count and not self.emailed_count:
                return self.TO_BE_POSTED
        return self.status

    def get_shown_status_display(self) -> str:
        shown = self.shown_status
        if shown == self.PARTLY_DELIVERED:
            return gettext("Partly delivered")
        if shown == self.TO_BE_POSTED:
            return gettext("To be posted")
        return self.get_status_display()

    @property
    def signature_count(self) -> int:
        return self.count_organizations + self.count_individuals + self.count_mps

    @property
    def embed_origin_list(self) -> list[str]:
        return self.embed_origins.split()

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.OPEN, self.Status.CLOSED)


class LetterRecipient(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="letter_recipients")
    recipient = models.ForeignKey(
        "letters_app.Recipient", on_delete=models.PROTECT, related_name="letter_recipients"
    )
    position = models.PositiveSmallIntegerField(default=0)
    # The language of the copy this recipient is sent: the original's, or a ready translation's.
    language = models.CharField(
        _("language"), max_length=10, choices=LETTER_LANGUAGES, blank=True,
        help_text=_("Empty: the letter's original language."),
    )  # fmt: skip

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


class LetterTranslation(models.Model):
    """A letter's text in another language, made from one text version of the original. The
    letter keeps one signatory list: signers sign the letter, whichever text they read."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", pgettext_lazy("translation status", "Ready")  # "Prête" in French

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=LETTER_LANGUAGES)
    title = models.CharField(_("title"), max_length=300, blank=True)
    salutation = models.CharField(_("salutation"), max_length=300, blank=True)
    body = models.TextField(_("body"), max_length=100_000, blank=True, help_text=_("Markdown."))
    closing = models.CharField(_("closing"), max_length=200, blank=True)
    signatory_heading = models.CharField(_("signatory heading"), max_length=200, blank=True)
    about_sender = models.TextField(_("about the sender"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # The letter's text version this translation was made from (0: the letter is a draft).
    source_version = models.PositiveIntegerField(_("made from text version"), editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["letter", "language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(fields=["letter", "language"], name="letter_translation_unique")
        ]

    def __str__(self):
        return f"{self.letter} ({self.language})"

    @property
    def is_outdated(self) -> bool:
        return self.letter.version > self.source_version

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_current(self) -> bool:
        """Ready, and made from the letter's present text: what readers and recipients get."""
        return self.is_ready and not self.is_outdated

    @property
    def direction(self) -> str:
        return language_direction(self.language)


class AuditAction(models.TextChoices):
    """Every kind of change the audit trail records, as stored ("letter.open"), with the label
    the letter's history shows."""

    LETTER_CREATED = "letter.created", _("Created the letter")
    LETTER_EDITED = "letter.edited", _("Edited the letter")
    LETTER_RECIPIENTS = "letter.recipients", _("Changed the recipients")
    LETTER_RECIPIENT_LANGUAGES = (
        "letter.recipient_languages",
        _("Changed the recipients' languages"),
    )
    LETTER_OPEN = "letter.open", _("Opened the letter for signing")
    LETTER_CLOSED = "letter.closed", _("Closed signing")
    LETTER_FINALIZED = "letter.finalized", _("Finalized the letter")
    LETTER_SENT = "letter.sent", _("Sent the letter")
    LETTER_PDF_RETRIED = "letter.pdf_retried", _("Asked for the PDF to be made again")
    TRANSLATION_CREATED = "translation.created", _("Started a translation")
    TRANSLATION_EDITED = "translation.edited", _("Edited a translation")
    TRANSLATION_READY = "translation.ready", _("Marked a translation ready")
    TRANSLATION_DRAFT = "translation.draft", _("Marked a translation as a draft")
    TRANSLATION_DELETED = "translation.deleted", _("Deleted a translation")
    COORDINATOR_ADDED = "coordinator.added", _("Added a co-coordinator")
    COORDINATOR_REMOVED = "coordinator.removed", _("Removed a co-coordinator")
    COORDINATOR_MAILS = "coordinator.mails", _("Chose the e-mails they get about new signatures")
    COORDINATOR_MAIL_RESENT = (
        "coordinator.mail_resent",
        _("Sent a failed e-mail to a coordinator again"),
    )
    SIGNATURE_APPROVED = "signature.approved", _("Approved a signature")
    SIGNATURE_REJECTED = "signature.rejected", _("Rejected a signature")
    SIGNATURE_INVALIDATED = "signature.invalidated", _("Invalidated a signature (abuse)")
    SIGNATURE_WITHDRAWN = "signature.withdrawn", _("Withdrew a signature")
    SIGNATURE_RESTORED = "signature.restored", _("Undid the withdrawal of a signature")
    SIGNATURE_RESIGNED = "signature.resigned", _("Signed again after withdrawing")
    SIGNATURE_EDITED = "signature.edited", _("Corrected a signature")
    SIGNATURE_MAIL_RESENT = "signature.mail_resent", _("Sent a failed e-mail to a signer again")
    SIGNATURE_ERASED = "signature.erased", _("Erased a signer's personal data")
    SIGNERS_PURGED = (
        "signers.purged",
        _("Removed the signers' e-mail and IP addresses (retention period over)"),
    )
    SIGNATURES_IMPORTED = "signatures.imported", _("Imported signatures from a list")
    PARTNERS_ADDED = "partners.added", _("Added partners to ask to sign")
    PARTNERS_INVITED = "partners.invited", _("Invited partners to sign")
    REMINDER_SCHEDULED = "reminder.scheduled", _("Scheduled a reminder to partners")
    REMINDER_CANCELLED = "reminder.cancelled", _("Cancelled a reminder to partners")
    REMINDER_SENT = "reminder.sent", _("Sent a reminder to partners")
    SIGNATURES_EXPORTED = (
        "signatures.exported",
        _("Exported the signatures with private columns"),
    )
    DELIVERY_RETRIED = "delivery.retried", _("Sent a failed delivery again")
    DELIVERY_LATE = "delivery.late", _("Sent the letter to a late recipient")
    NOTICES_RESENT = "notices.resent", _("Sent the failed notices to signers again")
    PRESS_DRAFTED = "press.drafted", _("Drafted the press release")
    PRESS_EDITED = "press.edited", _("Edited the press release")
    PRESS_SENT = "press.sent", _("Sent the press release")
    RECIPIENT_CREATED = "recipient.created", _("Added a recipient to the directory")
    RECIPIENT_CURATED = "recipient.curated", _("Marked a recipient as curated")
    RECIPIENTS_LOADED = "recipients.loaded", _("Loaded the directory of recipients")
    TEMPLATES_LOADED = "templates.loaded", _("Loaded the letter templates")
    BLOCKLIST_SAVED = "blocklist.saved", _("Saved a blocklist entry")
    BLOCKLIST_DELETED = "blocklist.deleted", _("Deleted a blocklist entry")
    SITE_SIGNING_PAUSED = "site.signing_paused", _("Paused signing on every letter")
    SITE_SIGNING_RESUMED = "site.signing_resumed", _("Resumed signing on every letter")
    INCIDENT_RESOLVED = "incident.resolved", _("Resolved an alert about unusual signing")
    ACCOUNT_CREATED = "account.created", _("Created a coordinator's account")
    LETTER_EMBED_ORIGINS = (
        "letter.embed_origins",
        _("Changed the sites that may embed the sign form"),
    )
    API_TOKEN_CREATED = "api_token.created", _("Created an API token")
    API_TOKEN_REVOKED = "api_token.revoked", _("Revoked an API token")
    API_CALL = "api.call", _("API call")
    WEBHOOK_ADDED = "webhook.added", _("Added a webhook")
    WEBHOOK_PAUSED = "webhook.paused", _("Paused a webhook")
    WEBHOOK_RESUMED = "webhook.resumed", _("Resumed a webhook")
    WEBHOOK_DELETED = "webhook.deleted", _("Deleted a webhook")
    WEBHOOK_SECRET_REGENERATED = "webhook.secret_regenerated", _("Made a new secret for a webhook")
    WEBHOOK_TESTED = "webhook.tested", _("Sent a test event to a webhook")
    WEBHOOK_RETRIED = "webhook.retried", _("Sent a failed webhook delivery again")


class AuditEvent(models.Model):
    """Who changed what, and when."""

    letter = models.ForeignKey(
        Letter, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60, choices=AuditAction.choices)
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

    @property
    def label(self) -> str:
        """What was done, in the active language; an action unknown here shows as stored."""
        return self.get_action_display()

    def describe(self) -> str:
        """A short human reading of the row's detail, in the active language."""
        detail, parts = self.detail, []
        if detail.get("signature"):
            parts.append(gettext("signature #%(n)s") % {"n": detail["signature"]})
        # The fields named are those of the row the action changed.
        model = {"signature": "Signature", "press": "PressRelease"}.get(
            self.action.partition(".")[0], "Letter"
        )
        labels = {f.name: f.verbose_name for f in apps.get_model("letters_app", model)._meta.fields}
        fields = [f for f in detail.get("fields", []) if f in labels]
        if fields:
            parts.append(", ".join(str(labels[f]) for f in fields))
        if self.action == AuditAction.LETTER_EDITED and detail.get("version"):
            parts.append(gettext("text version %(n)s") % {"n": detail["version"]})
        if detail.get("approved"):  # approval switched on: those confirmed were approved
            n = detail["approved"]
            parts.append(
                ngettext("%(n)s signature approved", "%(n)s signatures approved", n) % {"n": n}
            )
        if detail.get("notified"):
            n = detail["notified"]
            parts.append(ngettext("%(n)s signer e-mailed", "%(n)s signers e-mailed", n) % {"n": n})
        if "recipients" in detail:
            n = len(detail["recipients"])
            parts.append(ngettext("%(n)s recipient", "%(n)s recipients", n) % {"n": n})
        if detail.get("recipient"):
            parts.append(str(detail["recipient"]))
        if "imported" in detail:
            counts = {"n": detail["imported"], "skipped": detail.get("skipped", 0)}
            text = ngettext(
                "%(n)s added, %(skipped)s line skipped",
                "%(n)s added, %(skipped)s lines skipped",
                counts["skipped"],
            )
            parts.append(text % counts)
        if "invited" in detail:
            n = detail["invited"]
            parts.append(ngettext("%(n)s partner invited", "%(n)s partners invited", n) % {"n": n})
        if "reminded" in detail:
            n = detail["reminded"]
            text = ngettext("%(n)s partner reminded", "%(n)s partners reminded", n)
            parts.append(text % {"n": n})
        if "purged" in detail:
            n = detail["purged"]
            parts.append(ngettext("%(n)s signer", "%(n)s signers", n) % {"n": n})
        if detail.get("language"):
            parts.append(language_name(detail["language"]))
        if detail.get("user"):
            parts.append(detail["user"])
        if detail.get("mails"):
            field = apps.get_model("letters_app", "CoordinatorMailChoice")._meta.get_field("mails")
            parts.append(str(dict(field.flatchoices).get(detail["mails"], detail["mails"])))
        if detail.get("incident"):
            parts.append(gettext("alert #%(n)s") % {"n": detail["incident"]})
        if detail.get("sites_added"):
            sites = ", ".join(detail["sites_added"])
            parts.append(gettext("sites added: %(sites)s") % {"sites": sites})
        if detail.get("sites_removed"):
            sites = ", ".join(detail["sites_removed"])
            parts.append(gettext("sites removed: %(sites)s") % {"sites": sites})
        if detail.get("api_token"):  # made, revoked or used: its name and first characters
            parts.append(f"{detail['api_token']} ({detail.get('prefix', '')}…)")
        if detail.get("method"):
            call = f"{detail['method']} {detail.get('path', '')}"
            parts.append(f"{call} → {detail.get('status', '')}")
        if detail.get("reason") == "deadline":
            parts.append(gettext("the signing deadline passed"))
        elif detail.get("reason"):
            parts.append(detail["reason"])
        return "; ".join(parts)
