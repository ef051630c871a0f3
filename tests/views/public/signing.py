"""What a signer types, as the sign form posts it."""

from django.urls import reverse

ORGANIZATION = {
    "kind": "organization",
    "name": "Association TEP NIMITH",
    "acronym": "ATN",
    "country": "FR",
    "organization_type": "association",
    "website": "https://atn.example.org",
    "contact_name": "Sok Dara",
    "contact_role": "President",
    "email": "contact@atn.example.org",
    "consent_public": "on",
}
INDIVIDUAL = {
    "kind": "individual",
    "name": "Chea Sophal",
    "title": "Professor of Law",
    "affiliation": "Université de Lyon",
    "country": "FR",
    "email": "sophal@example.net",
    "consent_public": "on",
}
MP = {
    "kind": "mp",
    "name": "Jane Doe",
    "parliament": "House of Commons of Canada",
    "party": "Independent",
    "country": "CA",
    "email": "jane.doe@parl.example.ca",
    "consent_public": "on",
}


def sign_url(letter) -> str:
    return reverse("public:letter-sign", kwargs={"slug": letter.slug})


def done_url(letter) -> str:
    return reverse("public:letter-sign-done", kwargs={"slug": letter.slug})


def link(signature, name: str, purpose: str) -> str:
    token = signature.token(purpose)
    return reverse(name, kwargs={"pk": signature.pk, "token": token})


def confirm_url(signature) -> str:
    return link(signature, "public:signature-confirm", "confirm")


def manage_url(signature) -> str:
    return link(signature, "public:signature-manage", "manage")
