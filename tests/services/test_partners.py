"""A letter's partners: read from a list by the import's parser, previewed, added in one go."""

import pytest
from django.core.exceptions import ValidationError

from letters_app.models import AuditAction, AuditEvent, Partner
from letters_app.services import imports, partners
from tests.factories import LetterFactory, listed

pytestmark = pytest.mark.django_db

LIST = """\
Association TEP NIMITH (ATN), France, contact@tep.example.org, fr
Cambodian Association of Victoria (CAV), Australia, <info@cav.example.org>
សមាគមនិស្សិតខ្មែរ (សនខ), Cambodia, office@khmer.example.org, km
Nobody Inc, France, nobody@@example.org
Twice Again, France, Contact@TEP.example.org
[Organization name], France, placeholder@example.org
"""


def parse(text=LIST):
    return imports.import_parse({"text": text}, partners=True)


def test_a_pasted_list_reads_name_acronym_country_address_and_language(open_letter):
    preview = imports.import_preview_partners(letter=open_letter, lines=parse())
    first, second, khmer = preview.lines[:3]
    assert (first.name, first.acronym, first.country, first.email, first.language) == (
        "Association TEP NIMITH", "ATN", "FR", "contact@tep.example.org", "fr"
    )  # fmt: skip
    assert (second.email, second.language) == ("info@cav.example.org", open_letter.language)
    assert (khmer.name, khmer.acronym, khmer.country, khmer.language) == (
        "សមាគមនិស្សិតខ្មែរ", "សនខ", "KH", "km"
    )  # fmt: skip
    codes = {line.position: [p.code for p in line.problems] for line in preview.skipped}
    assert codes == {4: ["email_invalid"], 5: ["duplicate_list"], 6: ["placeholder"]}


def test_adding_writes_partners_not_invited_and_one_audit_row(open_letter, coordinator):
    result = partners.partners_add(letter=open_letter, lines=parse(), actor=coordinator)

    assert result.created == 3
    assert [line.position for line in result.skipped] == [4, 5, 6]
    rows = Partner.objects.filter(letter=open_letter).order_by("pk")
    assert [p.email_normalized for p in rows] == [
        "contact@tep.example.org", "info@cav.example.org", "office@khmer.example.org"
    ]  # fmt: skip
    assert {p.status for p in rows} == {Partner.Status.NEW}
    assert len({p.secret for p in rows}) == 3
    event = AuditEvent.objects.get(action=AuditAction.PARTNERS_ADDED)
    assert (event.actor, event.detail["imported"], event.detail["skipped"]) == (coordinator, 3, 3)


def test_a_kept_placeholder_is_added(open_letter, coordinator):
    result = partners.partners_add(
        letter=open_letter, lines=parse(), actor=coordinator, keep=frozenset({6})
    )
    assert result.created == 4


def test_existing_partners_and_signers_are_not_added_twice(open_letter, coordinator):
    partners.partners_add(letter=open_letter, lines=parse(), actor=coordinator)
    listed(open_letter, email="signed@example.org", name="Signed Already")
    again = parse(
        "Association TEP NIMITH, France, CONTACT@tep.example.org\n"
        "Someone, France, signed@example.org\n"
        "Signed Already, France, other@example.org\n"
    )
    preview = imports.import_preview_partners(letter=open_letter, lines=again)
    assert [[p.code for p in line.problems] for line in preview.lines] == [
        ["partner_existing"], ["partner_signed"], ["partner_name_signed"]
    ]  # fmt: skip
    assert partners.partners_add(letter=open_letter, lines=again, actor=coordinator).created == 0
    assert Partner.objects.filter(letter=open_letter).count() == 3


def test_a_spreadsheet_with_headings_is_read_by_column(open_letter, coordinator):
    rows = [
        ["Name", "Acronym", "Country", "E-mail", "Language"],
        ['=HYPERLINK("x")', "", "Cambodge", "a@example.org", "Khmer"],
        ["Réseau Français", "RF", "France", "b@example.org", "klingon"],
    ]
    lines = imports.import_parse({"rows": rows}, partners=True)
    result = partners.partners_add(letter=open_letter, lines=lines, actor=coordinator)
    assert result.created == 2
    first, second = Partner.objects.filter(letter=open_letter).order_by("pk")
    assert (first.name, first.country, first.language) == ('=HYPERLINK("x")', "KH", "km")
    assert (second.name, second.language) == ("Réseau Français", open_letter.language)
    assert [p.code for p in lines[1].problems] == ["language_unknown"]


def test_a_tab_separated_paste_is_read_as_rows(open_letter):
    text = "Name\tCountry\tE-mail\nOrg One\tFrance\tone@example.org\n"
    (line,) = imports.import_parse({"text": text}, partners=True)
    assert (line.name, line.country, line.email) == ("Org One", "FR", "one@example.org")


def test_more_than_the_limit_adds_nothing(open_letter, coordinator, monkeypatch):
    monkeypatch.setattr(partners, "MAX_PARTNERS", 2)
    with pytest.raises(ValidationError, match="at most 2 partners"):
        partners.partners_add(letter=open_letter, lines=parse(), actor=coordinator)
    assert not Partner.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PARTNERS_ADDED).exists()


def test_a_finalized_letter_takes_no_partners(finalized_letter, coordinator):
    with pytest.raises(ValidationError):
        partners.partners_add(letter=finalized_letter, lines=parse(), actor=coordinator)
    assert not Partner.objects.exists()


def test_earlier_signatories_with_an_address_are_offered_and_added(
    open_letter, coordinator, stranger
):
    earlier = LetterFactory(created_by=coordinator, status="open", version=1)
    old = listed(earlier, email="old@example.org", name="Old Friend", acronym="OF")
    listed(earlier, email="signer@example.org", name="Here Already")
    listed(open_letter, email="signer@example.org", name="Here Already")
    theirs = LetterFactory(created_by=stranger, status="open", version=1)
    listed(theirs, email="not-mine@example.org")

    candidates = partners.partner_candidates(open_letter, coordinator)
    assert [s.email for s in candidates] == ["old@example.org"]

    result = partners.partners_add_earlier(
        letter=open_letter, signature_ids=[old.pk], user=coordinator, actor=coordinator
    )
    assert result.created == 1
    partner = Partner.objects.get(letter=open_letter)
    assert (partner.name, partner.acronym, partner.source) == (
        "Old Friend", "OF", Partner.Source.EARLIER
    )  # fmt: skip
    assert partners.partner_candidates(open_letter, coordinator) == []
