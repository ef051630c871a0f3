import factory
from django.contrib.auth import get_user_model
from django.db.models import Max

from letters_app.models import (
    Letter,
    LetterKind,
    LetterRecipient,
    LetterTemplate,
    Recipient,
    Signature,
)
from letters_app.services.signatures import signature_confirm


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class LetterTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetterTemplate

    key = factory.Sequence(lambda n: f"template-{n}")
    kind = LetterKind.SPECIAL_RAPPORTEUR
    name = factory.Sequence(lambda n: f"Template {n}")
    title = "Civil society asks the Special Rapporteur to act"
    salutation = "Dear Professor [Name of the Special Rapporteur],"
    body = "We, the undersigned organizations, [state the request].\n\nWe urge you to act."
    closing = "Sincerely,"
    signatory_heading = "Signatory Civil Society Organizations"


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    honorific = "Professor"
    name = factory.Sequence(lambda n: f"Rapporteur {n}")
    title = "Special Rapporteur on the situation of human rights in Cambodia"
    institution = "Office of the UN High Commissioner for Human Rights"
    postal_address = "Palais des Nations\n8-14 Avenue de la Paix\nCH-1211 Geneva 10"
    country = "CH"
    kind = Recipient.Kind.UN
    email = factory.Sequence(lambda n: f"rapporteur{n}@example.org")
    is_curated = True


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Open letter number {n}")
    slug = factory.Sequence(lambda n: f"open-letter-{n}")
    kind = LetterKind.SPECIAL_RAPPORTEUR
    place = "Paris, France"
    salutation = "Dear Professor Muntarbhorn,"
    body = "We, the undersigned organizations, **urge** you to act.\n\n1. First demand\n2. Second"
    closing = "Sincerely,"
    sender_line = "Coalition of Khmer associations"
    signatory_heading = "Signatory Civil Society Organizations"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def recipients(self, create, extracted, **kwargs):
        if create and extracted:
            for i, recipient in enumerate(extracted):
                LetterRecipient.objects.create(letter=self, recipient=recipient, position=i)


class SignatureFactory(factory.django.DjangoModelFactory):
    """A pending signature; `signature_confirm` (services) lists it as a signer would."""

    class Meta:
        model = Signature

    letter = factory.SubFactory(LetterFactory)
    kind = Signature.Kind.ORGANIZATION
    name = factory.Sequence(lambda n: f"Association number {n}")
    acronym = ""
    country = "FR"
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    email_normalized = factory.LazyAttribute(lambda s: s.email.lower())
    email_domain = "example.org"
    name_normalized = factory.LazyAttribute(lambda s: s.name.casefold())
    consent_public = True
    secret = factory.Sequence(lambda n: f"{n:032x}")
    is_public = False
    # Made public directly (not through the services), it is numbered last on the list.
    number = factory.LazyAttribute(lambda s: _next_number(s.letter) if s.is_public else None)


def _next_number(letter) -> int:
    listed = Signature.objects.filter(letter=letter, is_public=True)
    return (listed.aggregate(n=Max("number"))["n"] or 0) + 1


def listed(letter, **fields):
    """A signature confirmed as a signer would, hence public."""
    signature = SignatureFactory(letter=letter, version=letter.version, **fields)
    signature_confirm(signature=signature)
    signature.refresh_from_db()
    return signature
