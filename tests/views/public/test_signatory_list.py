"""The public list of signatories under a letter: numbered, paged, filtered, cheap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from letters_app.cache import letter_page_forget
from letters_app.models import Letter, Signature, SiteSwitch
from letters_app.services.letters import letter_close
from letters_app.services.signatures import signature_withdraw
from letters_app.views.public import letters as public_views
from tests.factories import LetterFactory, SignatureFactory, listed

pytestmark = pytest.mark.django_db


def page(client, letter, **params):
    response = client.get(letter.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_signatories_are_numbered_as_in_the_seed_letters(client, all_kinds):
    listed(all_kinds, name="Association TEP NIMITH", acronym="ATN", country="FR")
    listed(all_kinds, kind="individual", name="Chea Sophal", title="Professor of Law",
           affiliation="Université de Lyon", country="FR")  # fmt: skip
    listed(all_kinds, kind="mp", name="Jane Doe", party="Independent", country="CA")
    content = page(client, all_kinds)
    assert (
        '<span class="signatory-number">1.</span> '
        '<span class="signatory-line">Association TEP NIMITH (ATN), France' in content
    )
    assert (
        '<span class="signatory-number">2.</span> '
        '<span class="signatory-line">Chea Sophal, Professor of Law, '
        "Université de Lyon, France" in content
    )
    assert (
        '<span class="signatory-number">3.</span> '
        '<span class="signatory-line">Jane Doe, Member of Parliament, Independent, '
        "Canada" in content
    )


def test_only_public_signatures_are_listed(client, open_letter):
    listed(open_letter, name="Listed association")
    SignatureFactory(letter=open_letter, name="Pending association")
    gone = listed(open_letter, name="Withdrawn association")
    signature_withdraw(signature=gone)
    listed(open_letter, name="Private association", consent_public=False)
    content = page(client, open_letter)
    assert '1.</span> <span class="signatory-line">Listed association, France' in content
    assert "Pending association" not in content
    assert "Withdrawn association" not in content
    assert "Private association" not in content
    assert "2.</span>" not in content


def test_the_counts_come_from_the_letters_counters(client, all_kinds):
    Letter.objects.filter(pk=all_kinds.pk).update(
        count_organizations=56, count_individuals=1, count_mps=150
    )
    content = page(client, all_kinds)
    assert "207 signatures" in content
    assert "56 organizations" in content
    assert "1 individual<" in content
    assert "150 members of parliament" in content


def test_no_email_address_is_ever_on_the_page(client, all_kinds):
    signatures = [listed(all_kinds, email=f"private{i}@example.org") for i in range(3)]
    content = page(client, all_kinds)
    assert signatures[0].name in content
    for signature in signatures:
        assert signature.email not in content
    assert "@example.org" not in content


def test_the_page_costs_the_same_for_ten_or_two_hundred_signatures(client, open_letter):
    def queries():
        client.get(open_letter.get_absolute_url())  # warm: the site switch row exists
        letter_page_forget(open_letter.slug)  # rendered, not read from the cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(open_letter.get_absolute_url()).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    for _ in range(10):
        listed(open_letter)
    few = queries()
    SignatureFactory.create_batch(190, letter=open_letter, is_public=True)
    many = queries()
    assert len(few) == len(many)
    assert not [sql for sql in many if "COUNT(" in sql.upper()]
    [listing] = [sql for sql in many if "letters_app_signature" in sql]
    assert "LIMIT 101" in listing
    assert "email" not in listing


def test_pages_follow_on_from_each_other(client, open_letter, monkeypatch):
    monkeypatch.setattr(public_views, "PER_PAGE", 3)
    for i in range(7):
        listed(open_letter, name=f"Association {i + 1:02d}")
    first = page(client, open_letter)
    assert '1.</span> <span class="signatory-line">Association 01, France' in first
    assert '3.</span> <span class="signatory-line">Association 03, France' in first
    assert "Association 04" not in first
    url = open_letter.get_absolute_url()
    assert f'rel="next" href="{url}?page=2#signatories"' in first
    assert 'rel="prev"' not in first
    third = page(client, open_letter, page=3)
    assert '<ol class="signatory-list" start="7" lang="en">' in third
    assert '7.</span> <span class="signatory-line">Association 07, France' in third
    assert "Association 06" not in third
    assert 'rel="next"' not in third
    assert f'rel="prev" href="{url}?page=2#signatories"' in third
    second = page(client, open_letter, page=2)
    assert f'rel="prev" href="{url}#signatories"' in second


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1e9", "2\x00", "99999999999"])
def test_a_bad_page_number_shows_the_first_page(client, open_letter, bad):
    listed(open_letter, name="The first association")
    assert ('1.</span> <span class="signatory-line">The first association') in page(
        client, open_letter, page=bad
    )


def test_the_list_is_filtered_by_country_and_kind(client, all_kinds):
    listed(all_kinds, name="Phnom Penh association", country="KH")
    listed(all_kinds, name="French association", country="FR")
    listed(all_kinds, kind="individual", name="Khmer person", country="KH")
    by_country = page(client, all_kinds, country="KH")
    assert "Phnom Penh association, Cambodia" in by_country
    assert "Khmer person, Cambodia" in by_country
    assert "French association" not in by_country
    both = page(client, all_kinds, country="KH", kind="individual")
    assert "Khmer person, Cambodia" in both
    assert "Phnom Penh association" not in both
    assert "French association" not in both
    assert "Show everyone" in both


@pytest.mark.parametrize("params", [{"country": "ZZ"}, {"kind": "robot"}, {"country": "\x00"}])
def test_bad_filter_values_are_ignored(client, open_letter, params):
    listed(open_letter, name="Phnom Penh association", country="KH")
    listed(open_letter, name="French association", country="FR")
    content = page(client, open_letter, **params)
    assert '1.</span> <span class="signatory-line">Phnom Penh association' in content
    assert '2.</span> <span class="signatory-line">French association' in content


def test_an_open_letter_offers_the_sign_form(client, all_kinds):
    content = page(client, all_kinds)
    assert f'href="/letters/{all_kinds.slug}/sign/?kind=organization"' in content
    assert f'href="/letters/{all_kinds.slug}/sign/?kind=mp"' in content
    assert "Open for signing" in content


def test_paused_signing_says_so_instead_of_offering_the_form(client, open_letter):
    SiteSwitch.objects.update_or_create(pk=1, defaults={"signing_paused": True})
    content = page(client, open_letter)
    assert "Signing is paused for a moment." in content
    assert f"/letters/{open_letter.slug}/sign/" not in content


def test_a_closed_letter_says_when_signing_ended(client, open_letter, coordinator):
    listed(open_letter, name="Early association")
    letter_close(letter=open_letter, actor=coordinator)
    open_letter.refresh_from_db()
    content = page(client, open_letter)
    assert f"Signing ended on {open_letter.signing_closed_at:%-d %B %Y}." in content
    assert f"/letters/{open_letter.slug}/sign/" not in content
    assert '1.</span> <span class="signatory-line">Early association' in content


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (Letter.Status.FINALIZED, "the list of signatories is final"),
        (Letter.Status.SENT, "This letter has been delivered to its recipients."),
    ],
)
def test_a_finalized_or_delivered_letter_says_so(client, open_letter, status, text):
    listed(open_letter, name="Faithful association")
    Letter.objects.filter(pk=open_letter.pk).update(status=status)
    content = page(client, open_letter)
    assert text in content
    assert f"/letters/{open_letter.slug}/sign/" not in content
    assert '1.</span> <span class="signatory-line">Faithful association' in content


def test_the_list_is_numbered_in_the_order_names_were_listed(client, open_letter):
    first = listed(open_letter, name="Listed first")
    second = listed(open_letter, name="Listed second")
    # Numbered when listed: a later change of the time it was listed moves nothing.
    Signature.objects.filter(pk=second.pk).update(
        published_at=first.published_at.replace(year=2020)
    )
    content = page(client, open_letter)
    assert '1.</span> <span class="signatory-line">Listed first' in content
    assert '2.</span> <span class="signatory-line">Listed second' in content


def numbers(letter) -> list[tuple[str, int]]:
    listed = Signature.objects.filter(letter=letter, is_public=True).order_by("number")
    return list(listed.values_list("name", "number"))


def test_a_withdrawal_moves_the_later_names_up_and_leaves_no_gap(client, open_letter):
    signatures = [listed(open_letter, name=f"Association {n}") for n in range(1, 5)]
    signature_withdraw(signature=signatures[1])
    assert numbers(open_letter) == [("Association 1", 1), ("Association 3", 2),
                                    ("Association 4", 3)]  # fmt: skip
    signatures[1].refresh_from_db()
    assert signatures[1].number is None
    content = page(client, open_letter)
    assert '2.</span> <span class="signatory-line">Association 3, France' in content
    assert '3.</span> <span class="signatory-line">Association 4, France' in content
    listed(open_letter, name="Association 5")
    assert numbers(open_letter)[-1] == ("Association 5", 4)


def test_a_narrowed_list_shows_each_names_own_number_and_pages_on_by_it(
    client, open_letter, monkeypatch
):
    monkeypatch.setattr(public_views, "PER_PAGE", 2)
    for n in range(1, 8):
        listed(open_letter, name=f"Association {n}", country="KH" if n % 2 else "FR")
    url = open_letter.get_absolute_url()
    first = page(client, open_letter, country="KH")
    assert (
        '<li value="1"><span class="signatory-number">1.</span> '
        '<span class="signatory-line">Association 1,'
    ) in first
    assert (
        '<li value="3"><span class="signatory-number">3.</span> '
        '<span class="signatory-line">Association 3,'
    ) in first
    assert "Association 5" not in first
    assert f'rel="next" href="{url}?country=KH&amp;after=3#signatories"' in first
    second = page(client, open_letter, country="KH", after=3)
    assert '5.</span> <span class="signatory-line">Association 5, Cambodia' in second
    assert '7.</span> <span class="signatory-line">Association 7, Cambodia' in second
    assert "Association 3" not in second and "Association 6" not in second
    assert 'rel="next"' not in second
    assert f'rel="prev" href="{url}?country=KH&amp;before=5#signatories"' in second
    back = page(client, open_letter, country="KH", before=5)
    assert (
        '1.</span> <span class="signatory-line">Association 1'
    ) in back and '3.</span> <span class="signatory-line">Association 3' in back
    assert "Association 5" not in back
    # An old link to a narrowed list's second page still shows it.
    assert ('5.</span> <span class="signatory-line">Association 5, Cambodia') in page(
        client, open_letter, country="KH", page=2
    )


def test_a_deep_page_is_one_range_of_numbers(client, open_letter, monkeypatch):
    monkeypatch.setattr(public_views, "PER_PAGE", 2)
    for n in range(1, 8):
        listed(open_letter, name=f"Association {n}")
    url = open_letter.get_absolute_url()
    client.get(url)
    letter_page_forget(open_letter.slug)
    with CaptureQueriesContext(connection) as captured:
        content = page(client, open_letter, page=4)
    assert (
        '7.</span> <span class="signatory-line">Association 7'
    ) in content and "Association 6" not in content
    [listing] = [q["sql"] for q in captured.captured_queries if '"number" >' in q["sql"]]
    assert "OFFSET" not in listing.upper()
    assert f'rel="prev" href="{url}?page=3#signatories"' in content


def test_the_migration_numbers_existing_lists_in_the_order_they_were_shown(open_letter):
    from importlib import import_module

    early, late = (listed(open_letter, name=n) for n in ("Early", "Late"))
    other = listed(LetterFactory(status=Letter.Status.OPEN), name="Elsewhere")
    Signature.objects.filter(pk=late.pk).update(published_at=early.published_at.replace(year=2020))
    Signature.objects.update(number=None)
    migration = import_module("letters_app.migrations.0011_signature_number")
    with connection.cursor() as cursor:
        cursor.execute(migration.NUMBER_PUBLIC)
    assert numbers(open_letter) == [("Late", 1), ("Early", 2)]
    other.refresh_from_db()
    assert other.number == 1
