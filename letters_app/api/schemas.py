"""What the public endpoints answer, as typed schemas: django-ninja writes the OpenAPI schema from
these, and the endpoints serialize their answers through them, so the two cannot differ."""

import datetime

from ninja import Field, Schema


class Error(Schema):
    detail: str = Field(description="What went wrong, in plain English.")


class LetterSummary(Schema):
    slug: str = Field(description="The letter's web address: /letters/<slug>/.")
    title: str = Field(description="The title, in the letter's own language.")
    language: str = Field(description="The letter's own language: en, fr or km.")
    kind: str = Field(description="What kind of letter: special_rapporteur, parliaments, …")
    status: str = Field(description="open, closed, finalized or sent (drafts are never shown).")
    signing_deadline: datetime.datetime | None = Field(
        description="When signing closes, if a deadline is set."
    )
    total: int = Field(description="How many signatories the public list shows.")
    url: str = Field(description="The letter's public page.")
    api_url: str = Field(description="This letter in the API.")
    updated_at: datetime.datetime = Field(description="When the letter last changed.")


class LetterList(Schema):
    letters: list[LetterSummary]


class LetterText(Schema):
    """The text of a letter in one language, as its public page shows it."""

    language: str = Field(description="The language of this text.")
    title: str
    place: str = Field(description="The dateline's place; may be empty.")
    date: datetime.date | None = Field(description="The letter's date, if it has one.")
    salutation: str
    body_markdown: str = Field(description="The body as written, in Markdown.")
    body_html: str = Field(
        description="The body as the public page shows it: Markdown rendered, then sanitized "
        "(no raw HTML, scripts or javascript: links)."
    )
    closing: str
    sender: str = Field(description="The sender's line below the closing.")


class KindCounts(Schema):
    organization: int = Field(description="Organizations listed.")
    individual: int = Field(description="Individuals listed.")
    mp: int = Field(description="Members of parliament listed.")


class CountryCount(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2 code; empty for signatories who gave none.")
    name: str = Field(description="The country's name in the letter's own language.")
    count: int


class Counts(Schema):
    total: int = Field(description="Signatories on the public list.")
    by_kind: KindCounts
    by_country: list[CountryCount] = Field(
        description="Most first. Within five minutes and 1% of the total on a large letter."
    )


class LetterLinks(Schema):
    page: str = Field(description="The public page.")
    pdf: str | None = Field(description="The PDF as sent, once the letter is finalized.")
    frozen_json: str | None = Field(
        description="Once finalized: the frozen content whose SHA-256 is `sha256` "
        "(`curl -s <frozen_json> | sha256sum`)."
    )
    embed: str = Field(description="A page to show the letter's live count on another site.")
    badge: str = Field(description="An SVG badge with the count.")
    signatures: str = Field(description="The public list of signatories, in the API.")
    counts: str = Field(description="The counts, in the API.")


class LetterDetail(Schema):
    slug: str
    language: str = Field(description="The letter's own language: en, fr or km.")
    kind: str
    status: str = Field(description="open, closed, finalized or sent.")
    signing_deadline: datetime.datetime | None
    updated_at: datetime.datetime
    text: LetterText = Field(description="The letter in its own language.")
    translations: list[LetterText] = Field(
        description="Its ready translations (once finalized: those frozen with it)."
    )
    recipients: list[list[str]] = Field(
        description="Each recipient's address block, line by line, as the letter's To: shows it."
    )
    counts: KindCounts
    total: int = Field(description="Signatories on the public list.")
    sha256: str | None = Field(
        description="Once finalized: the SHA-256 of the frozen content (links.frozen_json)."
    )
    links: LetterLinks


class Signatory(Schema):
    number: int = Field(description="Its place on the public list, 1 to n without gaps.")
    kind: str = Field(description="organization, individual or mp.")
    name: str
    acronym: str
    title: str = Field(description="An individual's or MP's title or role; may be empty.")
    affiliation: str
    party: str
    parliament: str
    country_code: str = Field(description="ISO 3166-1 alpha-2 code; may be empty.")
    country_name: str = Field(description="In the letter's own language; may be empty.")
    line: str = Field(
        description='As the public list shows it: "12. Association TEP NIMITH (ATN), France".'
    )


class SignatoryPage(Schema):
    signatories: list[Signatory]
    limit: int
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: last.")
    next: str | None = Field(description="The next page's address; null on the last page.")
