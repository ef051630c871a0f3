"""One function per kind of e-mail: each builds a message, none sends it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from letters_app.models import Signature


def _build(name: str, context: dict, *, to: str) -> EmailMultiAlternatives:
    """emails/<name>_subject.txt, _body.txt and _body.html, rendered with one context."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    subject = " ".join(subject.split())  # one line: no header injection through a title
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
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


BUILDERS = {
    "confirmation": signature_confirmation,
    "already_signed": signature_already_signed,
    "new_version": signature_new_version,
}
