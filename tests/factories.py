import datetime
import secrets

import factory
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

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


# Signatures by the thousand, for the exports and the bench.
BATCH = 5_000
COUNTRIES = ["KH", "FR", "DE", "US", "GB", "CH", "JP", "TH", "AU", "CA", "SN", "BR"]
# Organizations mostly, as on the letters Cosign was made for; counters follow the kinds.
KINDS = [Signature.Kind.ORGANIZATION] * 8 + [Signature.Kind.INDIVIDUAL, Signature.Kind.MP]
COUNT_FIELD = {
    Signature.Kind.ORGANIZATION: "count_organizations",
    Signature.Kind.INDIVIDUAL: "count_individuals",
    Signature.Kind.MP: "count_mps",
}


def signatures_bulk_create(letter: Letter, count: int) -> None:
    """`count` confirmed, public signatures, as if each had signed a second after the last."""
    start = timezone.now() - datetime.timedelta(seconds=count)
    counts = dict.fromkeys(COUNT_FIELD.values(), 0)
    for first in range(0, count, BATCH):
        batch = []
        for i in range(first, min(first + BATCH, count)):
            kind = KINDS[i % len(KINDS)]
            counts[COUNT_FIELD[kind]] += 1
            at = start + datetime.timedelta(seconds=i)
            email = f"signer-{i}@example.org"
            batch.append(
                Signature(
                    letter=letter, kind=kind, status=Signature.Status.CONFIRMED, is_public=True,
                    name=f"Civic Space Organization {i}", acronym=f"CSO{i}",
                    organization_type="ngo" if kind == Signature.Kind.ORGANIZATION else "",
                    title="Member of Parliament" if kind == Signature.Kind.MP else "",
                    country=COUNTRIES[i % len(COUNTRIES)], email=email, email_normalized=email,
                    email_domain="example.org", name_normalized=f"civic space organization {i}",
                    acronym_normalized=f"cso{i}", consent_public=True, secret=secrets.token_hex(16),
                    mails_sent=1, version=letter.version, confirmed_at=at, published_at=at,
                    number=i + 1,
                )
            )  # fmt: skip
        Signature.objects.bulk_create(batch)
    Letter.objects.filter(pk=letter.pk).update(**counts)
