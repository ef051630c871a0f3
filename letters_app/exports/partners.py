"""A letter's partners as CSV, for the coordinators: where each stands and when it got there,
written by the signatures' formula-safe CSV writer."""

from collections.abc import Iterator

from django.db.models import QuerySet

from letters_app.exports.signatures import Column, csv_python_stream
from letters_app.models import Partner

PARTNER_COLUMNS = (
    Column("n"),
    Column("name", "name", typed=True),
    Column("acronym", "acronym", typed=True),
    Column("country", "country"),
    Column("country_name"),
    Column("email", "email", typed=True),
    Column("language", "language"),
    Column("status", "status"),
    Column("mail_error", "mail_error", typed=True),
    Column("decline_reason", "decline_reason", typed=True),
    Column("created_at", "created_at"),
    Column("invited_at", "invited_at"),
    Column("mail_failed_at", "mail_failed_at"),
    Column("opened_at", "opened_at"),
    Column("signed_at", "signed_at"),
    Column("declined_at", "declined_at"),
    Column("unsubscribed_at", "unsubscribed_at"),
)


def partner_csv_stream(queryset: QuerySet[Partner]) -> Iterator[bytes]:
    """The partners as RFC 4180 CSV in UTF-8 with a BOM (spreadsheets then read Khmer and
    accents right), in the queryset's order; typed values that a spreadsheet would run as a
    formula are neutralized."""
    return csv_python_stream(queryset, PARTNER_COLUMNS, bom=True)
