"""One function per kind of e-mail: each builds a message, none sends it."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from letters_app.models import (
    CoordinatorMail,
    Delivery,
    IncidentMail,
    Letter,
    LetterSnapshot,
    LetterTranslation,
    Partner,
    Signature,
)
from letters_app.rendering import (
    listed_line,
    render_press_release_html,
    render_press_release_text,
    snapshot_render,
)
from letters_app.selectors import letter_changes_since


def _build(
    name: str, context: dict[str, Any], *, to: str, language: str = "", **kwargs: Any
) -> EmailMultiAlternatives:
    """emails/<name>_subject.txt, _body.txt and _body.html, rendered with one context in
    `language` (else the active one), which the Content-Language header names."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    context = {**context, "site_url": settings.SITE_URL, "mail_language": language}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        body = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    subject_line = " ".join(subject.split())  # one line: no header injection through a title
    kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Language": language}
    message = EmailMultiAlternatives(
        subject=subject_line, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], **kwargs
    )
    message.attach_alternative(html, "text/html")
    return message


def signer_language(signature: Signature) -> str:
    """The language the signer used; imported names have none and get the letter's."""
    return signature.language or signature.letter.language


def ready_translation(letter: Letter, language: str) -> LetterTranslation | None:
    if language == letter.language:
        return None
    return LetterTranslation.objects.filter(
        letter=letter, language=language, status=LetterTranslation.Status.READY
    ).first()


def _public_url(letter: Letter, language: str, name: str = "public:letter-detail") -> str:
    url = settings.SITE_URL + reverse(name, kwargs={"slug": letter.slug})
    return url if language == letter.language else f"{url}?lang={language}"


def _signature_context(signature: Signature) -> dict[str, Any]:
    def link(name: str, purpose: str) -> str:
        token = signature.token(purpose)
        return settings.SITE_URL + reverse(name, kwargs={"pk": signature.pk, "token": token})

    letter = signature.letter
    language = signer_language(signature)
    translated = ready_translation(letter, language)
    text_language = language if translated else letter.language
    return {
        "signature": signature,
        "letter": letter,
        "translation": translated,
        "letter_title": translated.title if translated else letter.title,
        "letter_url": _public_url(letter, text_language),
        # As the text the link opens lists it, whatever language the mail speaks.
        "listed_as": listed_line(signature, text_language),
        "listed_language": text_language,
        "confirm_url": link("public:signature-confirm", "confirm"),
        "manage_url": link("public:signature-manage", "manage"),
        "restore_url": link("public:signature-restore", "restore"),
    }


def _signer_mail(name: str, signature: Signature, **extra: Any) -> EmailMultiAlternatives:
    language = signer_language(signature)
    with translation.override(language):  # the links open the pages in the signer's language
        context = _signature_context(signature) | extra
    return _build(name, context, to=signature.email, language=language)


def signature_confirmation(signature: Signature) -> EmailMultiAlternatives:
    """The link to confirm: a new signature, or a withdrawn signer's new signing, shown as it
    will be listed once confirmed."""
    return _signer_mail("signature_confirmation", signature.resigning() or signature)


def signature_already_signed(signature: Signature) -> EmailMultiAlternatives:
    return _signer_mail("signature_already_signed", signature)


def signature_withdrawn(signature: Signature) -> EmailMultiAlternatives:
    """The withdrawal done, with a link that undoes it while the letter takes signatures."""
    return _signer_mail("signature_withdrawn", signature)


def signature_new_version(signature: Signature) -> EmailMultiAlternatives:
    """What changed in the text since the signer signed it, added and removed, labelled in the
    signer's language and quoted as the original has it (the versions are the original's)."""
    letter = signature.letter
    return _signer_mail(
        "signature_new_version",
        signature,
        changes=letter_changes_since(letter, signature.version),
        diff_language=letter.language,
    )


def letter_delivery(delivery: Delivery) -> EmailMultiAlternatives:
    """The finalized letter to one recipient: their own salutation, the text in the body, the PDF
    attached, replies to the coordinator, and a Message-ID that is the same on every attempt."""
    snapshot = delivery.letter.snapshot
    original = snapshot.content["letter"].get("language", "en")
    # The language frozen for this recipient; a late recipient, not in the snapshot, gets the
    # original. A recipient's own salutation is written in the original's language, so a
    # translated copy keeps the translation's.
    frozen = {r["id"]: r.get("language") for r in snapshot.content["recipients"]}
    language = frozen.get(delivery.recipient_id) or original
    if language not in snapshot.content.get("translations", {}):
        language = original
    salutation = delivery.recipient.salutation if language == original else ""
    lv, letter_html, letter_text = snapshot_render(
        snapshot, salutation=salutation, language=language
    )
    coordinator = delivery.letter.created_by
    message = _build(
        "letter_delivery",
        {"lv": lv, "letter_text": letter_text, "letter_html": letter_html, "snapshot": snapshot},
        to=delivery.email,
        language=language,
        reply_to=[coordinator.email] if coordinator.email else [],
        headers={"Message-ID": delivery.message_id},
    )
    name = snapshot.pdf_name(language)
    if name:
        with snapshot.pdf.storage.open(name, "rb") as pdf:
            suffix = "" if language == original else f"-{language}"
            message.attach(f"{delivery.letter.slug}{suffix}.pdf", pdf.read(), "application/pdf")
    return message


class DeliveredList:
    """A letter's deliveries as a signer's notice lists them: those that reached their
    recipient (`recipient, date time zone`), those that did not (yet), and the recipients the
    letter is to be posted to. Written once per language for a whole batch of signers: each
    notice wrote every date again, the most of its cost once a letter has many recipients."""

    def __init__(self, deliveries: list[Delivery]) -> None:
        self.deliveries = deliveries
        self._lines: dict[str, dict[str, list[str]]] = {}

    @property
    def outcome(self) -> str:
        """What a notice tells: "partly" while an e-mail recipient has not received it (yet),
        "delivered" once one has, else "to_post"."""
        statuses = {d.status for d in self.deliveries}
        if statuses - {Delivery.Status.SENT, Delivery.Status.POSTAL}:
            return "partly"
        return "delivered" if Delivery.Status.SENT in statuses else "to_post"

    def lines(self, language: str) -> dict[str, list[str]]:
        """{"received": [...], "not_received": [...], "to_post": [...]} in `language`."""
        if language not in self._lines:
            groups: dict[str, list[str]] = {"received": [], "not_received": [], "to_post": []}
            with translation.override(language):
                for d in self.deliveries:
                    if d.status == Delivery.Status.SENT:
                        groups["received"].append(_delivered_line(d))
                    elif d.status == Delivery.Status.POSTAL:
                        groups["to_post"].append(str(d.recipient))
                    else:
                        groups["not_received"].append(str(d.recipient))
            self._lines[language] = groups
        return self._lines[language]


def _delivered_line(delivery: Delivery) -> str:
    """As the date filter writes it in a template: in the current time zone and language."""
    if not delivery.sent_at:
        return str(delivery.recipient)
    when = timezone.localtime(delivery.sent_at)
    return f"{delivery.recipient}, {date_format(when, 'DATETIME_FORMAT')} {date_format(when, 'e')}"


def signer_delivered_notice(
    signature: Signature, deliveries: DeliveredList | list[Delivery], *, follow_up: bool = False
) -> EmailMultiAlternatives:
    """Tells a signer which recipients received the letter they signed, and when; which have
    not (yet); and which it is to be posted to (`deliveries`: all the letter's deliveries, read
    and written once for a whole batch of signers). `follow_up`: the signer was told it had not
    reached everyone, and it now has."""
    if not isinstance(deliveries, DeliveredList):
        deliveries = DeliveredList(deliveries)
    letter = signature.letter
    mail_language = signer_language(signature)
    language, title = mail_language, None
    if language != letter.language:
        # Only the title of the frozen translation, not the whole snapshot, for each signer.
        title = (
            LetterSnapshot.objects.filter(letter_id=letter.pk)
            .values_list(f"content__translations__{language}__title", flat=True)
            .first()
        )
    if title is None:
        language, title = letter.language, letter.title
    groups = deliveries.lines(mail_language)
    outcome = deliveries.outcome
    if follow_up and outcome == "delivered":
        outcome = "completed"
    with translation.override(mail_language):
        context = {
            "signature": signature,
            "letter": letter,
            "letter_title": title,
            "outcome": outcome,
            **groups,
            # As the letter sent in `language` lists it, whatever language the mail speaks.
            "listed_as": listed_line(signature, language),
            "listed_language": language,
            "letter_url": _public_url(letter, language),
            "pdf_url": _public_url(letter, language, "public:letter-pdf"),
        }
    return _build("signer_delivered", context, to=signature.email, language=mail_language)


BUILDERS: dict[str, Callable[[Signature], EmailMultiAlternatives]] = {
    "confirmation": signature_confirmation,
    "already_signed": signature_already_signed,
    "new_version": signature_new_version,
    "withdrawn": signature_withdrawn,
}

# Builders per Delivery.document; the press release's is added with the press release pages.
DELIVERY_BUILDERS: dict[str, Callable[[Delivery], EmailMultiAlternatives]] = {
    Delivery.Document.LETTER: letter_delivery
}


def press_release_delivery(delivery: Delivery) -> EmailMultiAlternatives:
    """The letter's press release to one media contact: replies go to the coordinator, and the
    Message-ID is the same on every attempt."""
    letter = delivery.letter
    press = letter.press_release
    coordinator = letter.created_by
    context = {
        "press": press,
        "letter": letter,
        "press_text": render_press_release_text(press),
        "press_html": render_press_release_html(press),
        "letter_url": settings.SITE_URL + letter.get_absolute_url(),
        "pdf_url": settings.SITE_URL + reverse("public:letter-pdf", kwargs={"slug": letter.slug}),
    }
    return _build(
        "press_release",
        context,
        language=letter.language,
        to=delivery.email,
        reply_to=[coordinator.email] if coordinator.email else [],
        headers={"Message-ID": delivery.message_id},
    )


DELIVERY_BUILDERS[Delivery.Document.PRESS_RELEASE] = press_release_delivery


def incident_alert(mail: IncidentMail, *, examples: list[str]) -> EmailMultiAlternatives:
    """An alert to one admin about unusual signing on a letter, in the admin's language: what
    was seen, a few of the names signed, and links to the signatures (to invalidate them) and
    to the alert (to mark it resolved). The same Message-ID on every attempt."""
    incident = mail.incident
    changelist = reverse("admin:letters_app_signature_changelist")
    domain = urlsplit(settings.SITE_URL).hostname or "cosign.invalid"
    context = {
        "incident": incident,
        "letter": incident.letter,
        "examples": examples,
        "list_url": f"{settings.SITE_URL}{changelist}?incident={incident.pk}",
        "incident_url": settings.SITE_URL
        + reverse("admin:letters_app_incident_change", args=[incident.pk]),
    }
    return _build(
        "incident_alert",
        context,
        language=mail.language,
        to=mail.to,
        headers={"Message-ID": f"<alert-{incident.pk}-{mail.pk}@{domain}>"},
    )


def _coordinator_mail(name: str, mail: CoordinatorMail, **context: Any) -> EmailMultiAlternatives:
    """A mail to a coordinator about their letter, in the coordinator's language, with links to
    the letter's signatures and to where they choose their e-mails; the letter's title in its
    own language. The same Message-ID on every attempt."""
    letter = mail.letter
    domain = urlsplit(settings.SITE_URL).hostname or "cosign.invalid"
    with translation.override(mail.language):  # the links open the pages in that language
        signatures_url = settings.SITE_URL + reverse("author:letter-signatures", args=[letter.pk])
        choice_url = settings.SITE_URL + reverse("author:letter-coordinators", args=[letter.pk])
    context = {
        "letter": letter,
        "signatures_url": signatures_url,
        "choice_url": choice_url,
        **context,
    }
    return _build(
        name, context, language=mail.language, to=mail.to,
        headers={"Message-ID": f"<coordinator-{mail.pk}@{domain}>"},
    )  # fmt: skip


def coordinator_signature(mail: CoordinatorMail) -> EmailMultiAlternatives:
    """One new signature on the letter, listed or waiting for approval."""
    if mail.signature is None:  # a mail of this kind has its signature (a constraint)
        raise ValueError("A mail about a new signature without its signature.")
    return _coordinator_mail("coordinator_signature", mail, signature=mail.signature)


def coordinator_digest(
    mail: CoordinatorMail, *, new: list[Signature], new_count: int, pending: int, funnel: list[str]
) -> EmailMultiAlternatives:
    """The daily summary: the signatures of the day (the first of them by name), those waiting
    for approval, and the partners' progress."""
    return _coordinator_mail(
        "coordinator_digest", mail, new=new, new_count=new_count, more=new_count - len(new),
        pending=pending, funnel=funnel,
    )  # fmt: skip


def _partner_mail(name: str, partner: Partner, **extra: Any) -> EmailMultiAlternatives:
    """A mail to a partner, in its language: its personal link (the sign form filled in with
    what the coordinators know of it), a way to decline, and a one-click unsubscribe
    (RFC 8058) that mail clients offer beside the message."""
    letter, language = partner.letter, partner.language or partner.letter.language
    translated = ready_translation(letter, language)
    with translation.override(language):  # the links open the pages in its language

        def link(name: str) -> str:
            return settings.SITE_URL + reverse(name, kwargs={"secret": partner.secret})

        context = {
            "partner": partner,
            "letter": letter,
            "letter_title": translated.title if translated else letter.title,
            "letter_url": _public_url(letter, language if translated else letter.language),
            "invitation_url": link("public:partner-invitation"),
            "unsubscribe_url": link("public:partner-unsubscribe"),
            **extra,
        }
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return _build(name, context, to=partner.email, language=language, headers=headers)


def partner_invitation(partner: Partner) -> EmailMultiAlternatives:
    """An organization asked to sign (see `_partner_mail`)."""
    return _partner_mail("partner_invitation", partner)


def partner_reminder(partner: Partner) -> EmailMultiAlternatives:
    """An invited organization that has not answered, reminded (see `_partner_mail`), with the
    signing deadline if the letter has one, as a date in its language."""
    deadline = partner.letter.signing_deadline
    with translation.override(partner.language or partner.letter.language):
        day = date_format(timezone.localtime(deadline), "DATE_FORMAT") if deadline else ""
    return _partner_mail("partner_reminder", partner, deadline=day)
