"""The public letter page's count of signatories by country."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from letters_app.cache import letter_page_forget
from letters_app.models import Letter
from letters_app.services.signatures import signature_add, signature_confirm, signature_withdraw

pytestmark = pytest.mark.django_db


def sign(letter, country, *, confirm=True, consent=True, email=None):
    n = letter.signatures.count()
    signature, _created = signature_add(
        letter=letter, kind="organization", email=email or f"org{n}@example.org",
        name=f"Organization {n}", country=country, consent_public=consent,
    )  # fmt: skip
    if confirm:
        signature_confirm(signature=signature)
    return signature


def page(client, letter) -> str:
    response = client.get(letter.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_only_public_signatures_are_counted_most_first(client, open_letter):
    for _ in range(3):
        sign(open_letter, "KH")
    sign(open_letter, "FR")
    sign(open_letter, "KH", confirm=False)  # not confirmed
    sign(open_letter, "KH", consent=False)  # confirmed, name not to be shown
    signature_withdraw(signature=sign(open_letter, "FR"))
    sign(open_letter, "DE", confirm=False)
    content = page(client, open_letter)
    assert "Signatories by country:" in content
    cambodia = f'<a href="{open_letter.get_absolute_url()}?country=KH#signatories">Cambodia</a>'
    assert f"{cambodia}&nbsp;3</li>" in content
    assert ">France</a>&nbsp;1</li>" in content
    assert content.index(">Cambodia<") < content.index(">France</a>")
    assert ">Germany</a>" not in content


def test_no_email_address_is_shown(client, open_letter):
    sign(open_letter, "FR", email="private.person@example.net")
    content = page(client, open_letter)
    assert ">France</a>&nbsp;1</li>" in content
    assert "private.person" not in content
    assert "@example.net" not in content


def test_nothing_is_shown_before_the_first_signature(client, open_letter):
    sign(open_letter, "FR", confirm=False)
    assert "Signatories by country" not in page(client, open_letter)


def test_a_new_signature_on_a_small_letter_is_counted_at_once(client, open_letter):
    sign(open_letter, "FR")
    assert ">France</a>&nbsp;1</li>" in page(client, open_letter)
    sign(open_letter, "FR")
    assert ">France</a>&nbsp;2</li>" in page(client, open_letter)


def test_the_count_is_kept_rather_than_made_on_every_view(client, open_letter):
    sign(open_letter, "FR")
    page(client, open_letter)
    with CaptureQueriesContext(connection) as captured:
        content = page(client, open_letter)
    assert ">France</a>&nbsp;1</li>" in content
    assert not [q for q in captured.captured_queries if "GROUP BY" in q["sql"].upper()]


def test_a_big_letter_is_counted_again_only_when_its_total_moves_by_more_than_one_percent(
    client, open_letter
):
    for _ in range(2):
        sign(open_letter, "FR")
    # As if it had 300 signatures: a new one changes the total by less than 1%. The counters
    # are set behind the services' back: the page is rendered again as it would be within
    # PAGE_FRESH_SECONDS.
    Letter.objects.filter(pk=open_letter.pk).update(count_organizations=300)
    assert ">France</a>&nbsp;2</li>" in page(client, open_letter)
    sign(open_letter, "KH")
    Letter.objects.filter(pk=open_letter.pk).update(count_organizations=303)
    letter_page_forget(open_letter.slug)
    assert ">Cambodia</a>" not in page(client, open_letter)
    Letter.objects.filter(pk=open_letter.pk).update(count_organizations=304)
    letter_page_forget(open_letter.slug)
    assert ">Cambodia</a>&nbsp;1</li>" in page(client, open_letter)
