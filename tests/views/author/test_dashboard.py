"""“My letters” shows, for each letter, its listed signatures, those waiting for approval, the
days left to sign and its status, in the page's language, in a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from letters_app.models import Letter, Partner, Signature
from tests.clock import MIDDAY
from tests.factories import LetterFactory, SignatureFactory
from tests.partners import partners_add

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDDAY, tick=False)]


def figures(html: str, letter: Letter) -> dict[str, str]:
    """The figures shown in the dashboard row of `letter`, by kind."""
    edit = reverse("author:letter-edit", kwargs={"pk": letter.pk}).split("/", 2)[2]
    row = re.search(
        rf'<li class="list-group-item">(?:(?!</li>).)*{re.escape(edit)}.*?</li>', html, re.S
    )
    assert row is not None
    found = re.findall(r'data-figure="(\w+)"[^>]*>([^<]*)<', row.group(0))
    status = re.search(r'data-letter-status="(\w+)"', row.group(0))
    return {**{k: re.sub(r"[ \n]+", " ", v).strip() for k, v in found}, "status": status.group(1)}


def dashboard(client, language: str = "en") -> str:
    with translation.override(language):
        url = reverse("author:dashboard")
    return client.get(url).content.decode()


def test_each_letter_shows_its_figures(client_for, letter, coordinator):
    Letter.objects.filter(pk=letter.pk).update(
        status=Letter.Status.OPEN, requires_approval=True, count_organizations=12340,
        count_individuals=5, signing_deadline=MIDDAY + datetime.timedelta(days=5, hours=3),
    )  # fmt: skip
    for _ in range(3):
        SignatureFactory(letter=letter, status=Signature.Status.CONFIRMED)
    SignatureFactory(letter=letter, status=Signature.Status.PENDING)  # not confirmed yet
    assert figures(dashboard(client_for(coordinator)), letter) == {
        "signatures": "12,345 signatures",
        "pending": "3 waiting for approval",
        "deadline": "5 days left to sign",
        "status": "open",
    }


def test_partners_invited_and_not_heard_from_are_counted(client_for, letter, coordinator):
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.OPEN, count_individuals=1)
    lines = "\n".join(f"Org {n} (O{n}), France, org{n}@example.org" for n in range(5))
    partners = partners_add(letter, coordinator, lines)
    S = Partner.Status
    steps = [S.NEW, S.INVITED, S.OPENED, S.SIGNED, S.DECLINED]
    for partner, status in zip(partners, steps, strict=True):
        Partner.objects.filter(pk=partner.pk).update(status=status)
    assert figures(dashboard(client_for(coordinator)), letter)["silent"] == (
        "2 partners still silent"
    )
    assert figures(dashboard(client_for(coordinator), "fr"), letter)["silent"] == (
        "2 partenaires encore silencieux"
    )


def test_a_letter_without_approval_or_deadline_shows_neither(client_for, letter, coordinator):
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.OPEN, count_individuals=1)
    SignatureFactory(letter=letter, status=Signature.Status.CONFIRMED)  # listed: no approval
    assert figures(dashboard(client_for(coordinator)), letter) == {
        "signatures": "1 signature",
        "status": "open",
    }


@pytest.mark.parametrize(
    ("deadline", "shown"),
    [
        (MIDDAY + datetime.timedelta(days=1), "1 day left to sign"),
        (MIDDAY + datetime.timedelta(hours=3), "Signing ends today"),
        (MIDDAY - datetime.timedelta(days=1), "The signing deadline has passed"),
    ],
)
def test_days_left_to_sign(client_for, letter, co_coordinator, deadline, shown):
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.OPEN, signing_deadline=deadline)
    assert figures(dashboard(client_for(co_coordinator)), letter)["deadline"] == shown


def test_a_closed_letter_shows_no_days_left(client_for, letter, coordinator):
    Letter.objects.filter(pk=letter.pk).update(
        status=Letter.Status.CLOSED, signing_deadline=MIDDAY + datetime.timedelta(days=3)
    )
    assert "deadline" not in figures(dashboard(client_for(coordinator)), letter)


@pytest.mark.parametrize(
    ("language", "signatures", "pending", "deadline"),
    [
        (
            "fr",
            "12\u202f345 signatures",
            "1\u202f200 en attente d’approbation",
            "2 jours pour signer",
        ),
        ("km", "ហត្ថលេខាចំនួន 12.345", "1.200 កំពុងរង់ចាំការអនុម័ត", "នៅសល់ 2 ថ្ងៃដើម្បីចុះហត្ថលេខា"),
    ],
)
def test_figures_speak_the_pages_language_with_its_grouping(
    client_for, letter, coordinator, monkeypatch, language, signatures, pending, deadline
):
    Letter.objects.filter(pk=letter.pk).update(
        status=Letter.Status.OPEN, requires_approval=True, count_organizations=12345,
        signing_deadline=MIDDAY + datetime.timedelta(days=2),
    )  # fmt: skip
    confirmed = Signature.Status.CONFIRMED
    Signature.objects.bulk_create(
        SignatureFactory.build(
            letter=letter, status=confirmed, email=f"s{n}@x.org", email_normalized=f"s{n}@x.org"
        )
        for n in range(1200)
    )
    shown = figures(dashboard(client_for(coordinator), language), letter)
    assert shown == {
        "signatures": signatures, "pending": pending, "deadline": deadline, "status": "open",
    }  # fmt: skip


def test_the_page_takes_as_many_queries_for_ten_letters_as_for_one(
    client_for, letter, coordinator, co_coordinator, django_assert_max_num_queries
):
    client = client_for(co_coordinator)
    with django_assert_max_num_queries(6) as one:
        dashboard(client)
    for n in range(10):
        other = LetterFactory(created_by=coordinator, requires_approval=n % 2 == 0,
                              signing_deadline=MIDDAY + datetime.timedelta(days=n))  # fmt: skip
        other.co_coordinators.add(co_coordinator)
        SignatureFactory(letter=other, status=Signature.Status.CONFIRMED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = dashboard(client)
    assert html.count('data-figure="signatures"') == 11
