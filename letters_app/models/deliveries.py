from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class LetterSnapshot(models.Model):
    """What was finalized, frozen: the text version, the numbered signatories and the recipients,
    with a SHA-256 of that content. Never changed once written."""

    class PdfStatus(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    letter = models.OneToOneField(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="snapshot"
    )
    version = models.PositiveIntegerField(_("text version"))
    content = models.JSONField(_("content"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    signatory_count = models.PositiveIntegerField(_("signatories"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField(_("PDF"), upload_to="letters/", blank=True, editable=False)
    pdf_status = models.CharField(
        max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING, editable=False
    )
    pdf_error = models.TextField(blank=True, editable=False)
    # The PDFs of the frozen translations, by language: {"fr": "letters/….pdf"}.
    translation_pdfs = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("finalized letter")
        verbose_name_plural = _("finalized letters")

    def __str__(self):
        return f"{self.letter} ({self.sha256[:12]})"

    def get_absolute_url(self):
        """The frozen content as JSON, at one address whatever the language of the page that
        links to it."""
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("public:letter-json", kwargs={"slug": self.letter.slug})

    @property
    def is_publishable(self) -> bool:
        """Whether the content may be published: snapshots made before recipients' e-mail
        addresses were left out of it hold them, and cannot drop them without changing the
        SHA-256 they were sent with."""
        return not any("email" in r for r in self.content.get("recipients", []))

    def pdf_name(self, language: str = "") -> str:
        """The stored PDF in `language` (empty: the original's), or "" when none was made."""
        if not language or language == self.content["letter"].get("language", "en"):
            return self.pdf.name or ""
        return self.translation_pdfs.get(language, "")


# Why a delivery failed, in plain language, by Delivery.error_kind; `reply` is what the server
# said (Delivery.last_error), written as it said it.
DELIVERY_REASONS = {
    "recipient": _("The recipient's mail server refused the address (%(reply)s)."),
    "sender": _("The mail server refused the sender's address (%(reply)s)."),
    "message": _("The mail server refused the message (%(reply)s)."),
    "login": _("The mail server refused Cosign's login (%(reply)s)."),
    "server": _("The mail server answered with an error (%(reply)s)."),
    "disconnected": _("The mail server closed the connection (%(reply)s)."),
    "unreachable": _("The mail server could not be reached (%(reply)s)."),
    "provider": _("The mail provider refused the message (%(reply)s)."),
    "worker": _("The worker sending it stopped; sending again."),
    "other": _("The e-mail could not be sent (%(reply)s)."),
}


class Delivery(models.Model):
    """One e-mail of one document to one recipient: the ledger that makes delivery exactly-once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRY = "retry", _("Waiting to retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        POSTAL = "postal", _("Postal only")

    class Document(models.TextChoices):
        LETTER = "letter", _("Letter")
        PRESS_RELEASE = "press", _("Press release")

    CLAIMABLE = (Status.QUEUED, Status.RETRY)
    ENDED = (Status.SENT, Status.FAILED, Status.POSTAL)

    letter = models.ForeignKey(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        "letters_app.Recipient", on_delete=models.PROTECT, related_name="deliveries"
    )
    document = models.CharField(max_length=10, choices=Document.choices, default=Document.LETTER)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The last error as the server said it ("550 5.1.1 mailbox unavailable"), and what kind of
    # error it was (a key of DELIVERY_REASONS), so that it is explained in the reader's language.
    last_error = models.TextField(_("last error"), blank=True)
    error_kind = models.CharField(max_length=20, blank=True, editable=False)
    # The server's reply to the message ("250 2.0.0 Ok: queued as 4bX2"), or the provider's id.
    response = models.CharField(_("server response or message id"), max_length=500, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300)
    # When a worker may take it: None while the letter's PDF is being made. Tries go on until
    # MAIL_RETRY_FOR_SECONDS after `queued_at` (see services/mails.py).
    due_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "recipient", "document"], name="one_delivery_per_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="delivery_stuck"),
            models.Index(
                fields=["due_at"], name="delivery_due", condition=Q(status__in=["queued", "retry"])
            ),
        ]

    def __str__(self):
        return f"{self.get_document_display()} → {self.recipient} ({self.get_status_display()})"

    @property
    def reason(self) -> str:
        return delivery_reason(self.error_kind, self.last_error)


def delivery_reason(kind: str, reply: str) -> str:
    """The last error in plain language, in the active language (rows from before kinds were
    kept show what was recorded)."""
    if kind not in DELIVERY_REASONS:
        return reply
    return DELIVERY_REASONS[kind] % {"reply": reply}


class SignerNotice(models.Model):
    """The notice telling one signer that the letter they signed was delivered: sent once. A
    notice that said the letter had not reached every recipient yet is followed, once, by a
    short one when it has."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    signature = models.OneToOneField(
        "letters_app.Signature", on_delete=models.CASCADE, related_name="notice"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=20, blank=True, editable=False)
    response = models.CharField(max_length=500, blank=True)
    # The notice and its follow-up are sent one after the other; these are the current one's.
    due_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the notice sent told: "delivered", "partly" or "to_post" (see emails.DeliveredList).
    outcome = models.CharField(max_length=10, blank=True, editable=False)
    # The follow-up once a partly delivered letter has reached everyone: a Status, or "" (none).
    follow_up = models.CharField(max_length=10, choices=Status.choices, blank=True)

    class Meta:
        verbose_name = _("signer notice")
        verbose_name_plural = _("signer notices")
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="notice_stuck"),
            models.Index(fields=["due_at"], name="notice_due", condition=Q(status="queued")),
            models.Index(fields=["due_at"], name="follow_up_due", condition=Q(follow_up="queued")),
        ]

    def __str__(self):
        return f"{self.signature} ({self.get_status_display()})"

    @property
    def reason(self) -> str:
        return delivery_reason(self.error_kind, self.last_error)


class PressRelease(models.Model):
    """A press release drafted from a finalized letter, edited by its coordinators."""

    letter = models.OneToOneField(
        "letters_app.Letter", on_delete=models.CASCADE, related_name="press_release"
    )
    headline = models.CharField(_("headline"), max_length=300)
    dateline = models.CharField(_("dateline"), max_length=200, blank=True)
    lead = models.TextField(_("lead"), max_length=5000)
    quote = models.TextField(_("quote"), max_length=3000, blank=True)
    quote_by = models.CharField(_("quote by"), max_length=300, blank=True)
    body = models.TextField(_("context"), max_length=20_000, blank=True, help_text=_("Markdown."))
    distribution = models.CharField(_("distribution line"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")

    def __str__(self):
        return self.headline
