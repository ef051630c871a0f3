"""Every coordinator URL, tried by every persona: strangers learn nothing, anonymous log in."""

import pytest
from django.urls import reverse

from letters_app.models import AuditEvent, Letter
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db

# Pages about one letter that answer GET.
LETTER_PAGES = [
    "letter-edit",
    "letter-recipients",
    "letter-coordinators",
    "letter-publish",
    "letter-close",
    "letter-reopen",
    "letter-history",
    "letter-signatures",
    "letter-stats",
    "letter-partners",
    "letter-finalize",
    "letter-delivery",
    "press-release",
    "letter-embed",
    "letter-api-tokens",
    "letter-webhooks",
]
# Endpoints that only take POST.
LETTER_ACTIONS = [
    "letter-preview",
    "letter-recipient-add",
    "letter-coordinator-remove",
    "letter-late-recipient",
    "letter-pdf-retry",
    "signer-notices-resend",
    "press-release-draft",
    "press-release-preview",
    "letter-partners-confirm",
    "letter-partners-earlier",
    "letter-partners-invite",
]
RUNNERS = ["coordinator", "co_coordinator", "admin"]


def _url(name, letter, co_coordinator):
    kwargs = {"pk": letter.pk}
    if name == "letter-coordinator-remove":
        kwargs["user_pk"] = co_coordinator.pk
    return reverse(f"author:{name}", kwargs=kwargs)


@pytest.mark.parametrize("persona", RUNNERS)
@pytest.mark.parametrize("name", LETTER_PAGES)
def test_people_who_run_the_letter_open_its_pages(request, client_for, letter, persona, name):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse(f"author:{name}", kwargs={"pk": letter.pk}))
    assert response.status_code == 200
    assert response.context["letter"] == letter


@pytest.mark.parametrize("persona", RUNNERS)
def test_people_who_run_the_letter_get_its_preview(request, client_for, letter, persona):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("author:letter-preview", kwargs={"pk": letter.pk})
    response = client.post(url, {"title": "Previewed"})
    assert response.status_code == 200
    assert "Previewed" in response.content.decode()


@pytest.mark.parametrize("name", LETTER_PAGES + LETTER_ACTIONS)
def test_a_stranger_gets_404_everywhere(client_for, stranger, letter, co_coordinator, name):
    client = client_for(stranger)
    url = _url(name, letter, co_coordinator)
    events = AuditEvent.objects.count()
    if name in LETTER_PAGES:
        assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Taken over", "who": "stranger"}).status_code == 404
    assert AuditEvent.objects.count() == events
    letter.refresh_from_db()
    assert letter.title != "Taken over"
    assert list(letter.co_coordinators.all()) == [co_coordinator]


def test_a_letter_that_does_not_exist_is_404(client_for, coordinator):
    url = reverse("author:letter-edit", kwargs={"pk": 999_999})
    assert client_for(coordinator).get(url).status_code == 404


@pytest.mark.parametrize("name", LETTER_PAGES + LETTER_ACTIONS)
def test_anonymous_visitors_are_sent_to_log_in(client, letter, co_coordinator, name):
    url = _url(name, letter, co_coordinator)
    response = client.post(url, {"title": "Anonymous"})
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    if name in LETTER_PAGES:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    letter.refresh_from_db()
    assert letter.title != "Anonymous"


@pytest.mark.parametrize("name", ["dashboard", "letter-new"])
def test_anonymous_visitors_log_in_for_the_dashboard_and_new_letter(client, name):
    response = client.get(reverse(f"author:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "stranger", "admin"])
@pytest.mark.parametrize("name", ["dashboard", "letter-new"])
def test_every_person_with_an_account_may_start_letters(request, client_for, persona, name):
    response = client_for(request.getfixturevalue(persona)).get(reverse(f"author:{name}"))
    assert response.status_code == 200


@pytest.mark.parametrize("name", LETTER_ACTIONS)
def test_post_only_endpoints_refuse_get(client_for, coordinator, letter, co_coordinator, name):
    response = client_for(coordinator).get(_url(name, letter, co_coordinator))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("persona", "sees_it"),
    [("coordinator", True), ("co_coordinator", True), ("stranger", False), ("admin", False)],
)
def test_dashboard_lists_only_my_letters(request, client_for, letter, persona, sees_it):
    user = request.getfixturevalue(persona)
    own = LetterFactory(created_by=user, title="A letter of my own")
    response = client_for(user).get(reverse("author:dashboard"))
    assert response.status_code == 200
    listed = list(response.context["letters"])
    assert own in listed
    assert (letter in listed) is sees_it
    content = response.content.decode()
    assert reverse("author:letter-edit", kwargs={"pk": own.pk}) in content
    assert (reverse("author:letter-edit", kwargs={"pk": letter.pk}) in content) is sees_it
    assert reverse("author:letter-new") in content


def test_dashboard_shows_status_and_public_link(client_for, coordinator, letter):
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.OPEN)
    content = client_for(coordinator).get(reverse("author:dashboard")).content.decode()
    assert "Open for signing" in content
    assert letter.get_absolute_url() in content


def test_co_coordinator_may_not_remove_others(client_for, co_coordinator, letter):
    url = _url("letter-coordinator-remove", letter, co_coordinator)
    assert client_for(co_coordinator).post(url).status_code == 403
    assert list(letter.co_coordinators.all()) == [co_coordinator]
