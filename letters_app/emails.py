"""One function per kind of e-mail: each builds a message, none sends it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from letters_app.models import Delivery, Signature
from letters_app.rendering import render_view_html, render_view_text, snapshot_view


def _build(name: str, context: dict, *, to: str, **headers) -> EmailMultiAlternatives:
    """emails/<name>_subject.txt, _body.txt and _body.html, rendered with one context."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    subject = " ".join(subject.split())  # one line: no header injection through a title
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        **headers,
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    return message


def _signature_context(signature: Signature) -> dict:
    from letters_app.services.signatures import signature_token

    def link(name: str, purpose: str) -> str:
        token = signature_token(signature, purpose)
        return settings.SITE_URL + reverse(name, kwargs={"pk": signature.pk, "token": token})

    letter = signature.letter
    return {
        "signature": signature,
        "letter": letter,
        "letter_url": settings.SITE_URL + letter.get_absolute_url(),
        "confirm_url": link("public:signature-confirm", "confirm"),
        "manage_url": link("public:signature-manage", "manage"),
    }


def signature_confirmation(signature: Signature) -> EmailMultiAlternatives:
    return _build("signature_confirmation", _signature_context(signature), to=signature.email)


def signature_already_signed(signature: Signature) -> EmailMultiAlternatives:
    return _build("signature_already_signed", _signature_context(signature), to=signature.email)


def signature_new_version(signature: Signature) -> EmailMultiAlternatives:
    from letters_app.rendering import render_letter_text

    context = _signature_context(signature) | {"letter_text": render_letter_text(signature.letter)}
    return _build("signature_new_version", context, to=signature.email)


def letter_delivery(delivery: Delivery) -> EmailMultiAlternatives:
    """The finalized letter to one recipient: their own salutation, the text in the body, the PDF
    attached, replies to the coordinator, and a Message-ID that is the same on every attempt."""
    snapshot = delivery.letter.snapshot
    lv = snapshot_view(snapshot, salutation=delivery.recipient.salutation)
    coordinator = delivery.letter.created_by
    message = _build(
        "letter_delivery",
        {"lv": lv, "letter_text": render_view_text(lv), "letter_html": render_view_html(lv)},
        to=delivery.email,
        reply_to=[coordinator.email] if coordinator.email else [],
        headers={"Message-ID": delivery.message_id},
    )
    if snapshot.pdf:
        with snapshot.pdf.open("rb") as pdf:
            message.attach(f"{delivery.letter.slug}.pdf", pdf.read(), "application/pdf")
    return message


def signer_delivered_notice(signature: Signature, deliveries: list) -> EmailMultiAlternatives:
    """Tells a signer where and when the letter they signed was delivered (`deliveries`: the
    letter's sent deliveries, read once for a whole batch of signers)."""
    letter = signature.letter
    context = {
        "signature": signature,
        "letter": letter,
        "deliveries": deliveries,
        "letter_url": settings.SITE_URL + letter.get_absolute_url(),
        "pdf_url": settings.SITE_URL + reverse("public:letter-pdf", kwargs={"slug": letter.slug}),
    }
    return _build("signer_delivered", context, to=signature.email)


BUILDERS = {
    "confirmation": signature_confirmation,
    "already_signed": signature_already_signed,
    "new_version": signature_new_version,
}

# Builders per Delivery.document; the press release's is added with the press release pages.
DELIVERY_BUILDERS = {Delivery.Document.LETTER: letter_delivery}


def press_release_delivery(delivery: Delivery) -> EmailMultiAlternatives:
    """The letter's press release to one media contact: replies go to the coordinator, and the
    Message-ID is the same on every attempt."""
    from letters_app.rendering import render_press_release_html, render_press_release_text

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
        to=delivery.email,
        reply_to=[coordinator.email] if coordinator.email else [],
        headers={"Message-ID": delivery.message_id},
    )


DELIVERY_BUILDERS[Delivery.Document.PRESS_RELEASE] = press_release_delivery
