"""The coordinator's statistics page: who may see it, and the numbers it draws."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from letters_app.models import Letter, Signature
from letters_app.services.signatures import signature_add, signature_confirm, signature_withdraw
from tests.clock import MIDDAY

# Signatures are counted by day: none may fall on the other side of midnight.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDDAY, tick=False)]
RUNNERS = ["coordinator", "co_coordinator", "admin"]


def stats_url(letter) -> str:
    return reverse("author:letter-stats", kwargs={"pk": letter.pk})


def sign(letter, n, *, days_ago, country="FR", kind="organization", confirm=True):
    """`n` signatures made through the services, dated `days_ago` days back at noon."""
    made = []
    for _ in range(n):
        i = Signature.objects.count()
        signature, _created = signature_add(
            letter=letter, kind=kind, email=f"signer{i}@example.org", name=f"Signer {i}",
            country=country, consent_public=True,
        )  # fmt: skip
        if confirm:
            signature_confirm(signature=signature)
        made.append(signature)
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    at = noon - datetime.timedelta(days=days_ago)
    Signature.objects.filter(pk__in=[s.pk for s in made]).update(created_at=at)
    return made


@pytest.fixture
def signed(open_letter):
    """Eight signatures over three days: seven confirmed, one of them withdrawn since."""
    Letter.objects.filter(pk=open_letter.pk).update(accepts_individuals=True)
    open_letter.refresh_from_db()
    sign(open_letter, 3, days_ago=60, country="FR")
    sign(open_letter, 2, days_ago=58, country="KH")
    sign(open_letter, 1, days_ago=58, country="KH", kind="individual")
    sign(open_letter, 1, days_ago=57, country="DE", confirm=False)
    [gone] = sign(open_letter, 1, days_ago=57, country="US")
    signature_withdraw(signature=gone)
    return open_letter


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_see_its_statistics(request, client_for, signed, persona):
    response = client_for(request.getfixturevalue(persona)).get(stats_url(signed))
    assert response.status_code == 200
    assert response.context["letter"] == signed
    content = response.content.decode()
    assert f'aria-current="page" href="{stats_url(signed)}">Statistics</a>' in content
    assert content.count('role="img"') == 5


def test_a_stranger_gets_404(client_for, signed, stranger):
    assert client_for(stranger).get(stats_url(signed)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, signed):
    response = client.get(stats_url(signed))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={stats_url(signed)}"


def test_the_numbers_are_those_of_the_signatures(client_for, signed, coordinator):
    response = client_for(coordinator).get(stats_url(signed))
    totals = response.context["stats"]["totals"]
    assert totals["submitted"] == 8
    assert totals["ever_confirmed"] == 7
    assert totals["confirmed"] == 6
    assert totals["pending"] == 1
    assert totals["withdrawn"] == 1
    charts = response.context["charts"]
    assert charts["confirmation"].headline == "88%"  # 7 of 8
    # Withdrawn and pending ones are not in the countries and kinds.
    assert charts["countries"].rows == [("France", "3"), ("Cambodia", "3")]
    assert charts["kinds"].rows == [("Organization", "5", "83%"), ("Individual", "1", "17%")]
    day = [timezone.localdate() - datetime.timedelta(days=d) for d in (60, 58, 57)]
    fmt = "%-d %b %Y"
    assert charts["daily"].rows == [
        (day[0].strftime(fmt), "3", "3"),
        (day[1].strftime(fmt), "3", "3"),
        (day[2].strftime(fmt), "2", "0"),
    ]
    assert charts["cumulative"].rows[-1] == (day[2].strftime(fmt), "8", "6")
    content = response.content.decode()
    assert "88%" in content
    assert "signer0@example.org" not in content


def test_a_letter_nobody_signed_says_so(client_for, letter, coordinator):
    content = client_for(coordinator).get(stats_url(letter)).content.decode()
    assert content.count("No signatures yet") == 5
    assert "<svg" not in content
