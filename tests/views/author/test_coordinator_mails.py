"""Each person who runs a letter chooses, on its coordinators page, the e-mails they get about
its new signatures: for themselves only. Strangers get "not found"."""

import pytest
from django.urls import reverse

from letters_app.models import AuditAction, AuditEvent, CoordinatorMailChoice, CoordinatorMails
from letters_app.services.digests import mails_chosen

pytestmark = pytest.mark.django_db


def page(letter):
    return reverse("author:letter-coordinators", kwargs={"pk": letter.pk})


def choose(letter):
    return reverse("author:letter-mails", kwargs={"pk": letter.pk})


@pytest.mark.parametrize(
    ("persona", "shown"), [("coordinator", "daily"), ("co_coordinator", "none")]
)
def test_the_page_offers_the_choice_with_its_default(request, client_for, letter, persona, shown):
    response = client_for(request.getfixturevalue(persona)).get(page(letter))
    html = response.content.decode()
    assert response.context["mails_form"].initial == {"mails": shown}
    assert f'action="{choose(letter)}"' in html
    assert "One e-mail per new signature" in html


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator"])
def test_a_coordinator_chooses_for_themselves(request, client_for, letter, persona, coordinator):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(choose(letter), {"mails": "each"}, follow=True)
    assert response.redirect_chain == [(page(letter), 302)]
    assert "Your choice of e-mails is saved." in response.content.decode()
    assert mails_chosen(letter, user) == CoordinatorMails.EACH
    assert CoordinatorMailChoice.objects.get().user == user  # nobody else's changed
    event = AuditEvent.objects.get(action=AuditAction.COORDINATOR_MAILS)
    assert (event.actor, event.detail) == (user, {"mails": "each"})


def test_a_bad_choice_is_refused_and_changes_nothing(client_for, letter, coordinator):
    response = client_for(coordinator).post(choose(letter), {"mails": "hourly"}, follow=True)
    assert "Choose one of the options offered." in response.content.decode()
    assert not CoordinatorMailChoice.objects.exists()


def test_a_stranger_learns_nothing(client_for, letter, stranger):
    client = client_for(stranger)
    assert client.get(page(letter)).status_code == 404
    assert client.post(choose(letter), {"mails": "each"}).status_code == 404
    assert not CoordinatorMailChoice.objects.exists()


def test_an_admin_looking_on_has_no_choice_to_make(client_for, letter, admin):
    client = client_for(admin)
    assert "mails_form" not in client.get(page(letter)).context
    assert client.post(choose(letter), {"mails": "each"}).status_code == 403
    assert not CoordinatorMailChoice.objects.exists()


def test_the_choice_takes_post_only(client_for, letter, coordinator):
    assert client_for(coordinator).get(choose(letter)).status_code == 405


def test_anonymous_visitors_log_in(client, letter):
    response = client.post(choose(letter), {"mails": "each"})
    assert response.status_code == 302
    assert "/login/" in response.url or "login" in response.url
    assert not CoordinatorMailChoice.objects.exists()
