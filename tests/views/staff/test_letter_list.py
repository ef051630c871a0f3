"""The admins' list of every letter: only admins see it, from the navigation of every page; it
finds a letter whoever created it, and leads to the letter's coordinator pages and exports."""

import pytest
from django.urls import reverse

from letters_app.models import Letter
from letters_app.views.staff_letters import LETTERS_PAGE_SIZE
from tests.factories import LetterFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("staff:letter-list")


@pytest.fixture
def someone_elses_letter(db):
    """A letter the admin neither created nor co-coordinates."""
    author = UserFactory(username="rithy", email="rithy@example.org")
    return LetterFactory(title="Free the land defenders", slug="land-defenders", created_by=author)


def test_an_admin_finds_a_letter_they_did_not_create_and_its_pages(
    client_for, admin, open_letter, signer, someone_elses_letter
):
    response = client_for(admin).get(LIST)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [someone_elses_letter, open_letter]
    content = response.content.decode()
    assert "Free the land defenders" in content
    assert "Created by rithy" in content
    assert "1 signature" in content  # the open letter's signer
    for name in ("author:letter-edit", "author:letter-signatures", "author:letter-delivery",
                 "author:letter-history", "staff:letter-export"):  # fmt: skip
        assert f'href="{reverse(name, args=[someone_elses_letter.pk])}"' in content, name
    assert f'href="{open_letter.get_absolute_url()}"' in content  # published: its public page
    assert f'href="{someone_elses_letter.get_absolute_url()}"' not in content  # a draft


def test_the_pages_an_admin_is_led_to_open_for_them(client_for, admin, someone_elses_letter):
    client = client_for(admin)
    for name in ("author:letter-edit", "author:letter-signatures", "author:letter-delivery",
                 "author:letter-history", "staff:letter-export"):  # fmt: skip
        response = client.get(reverse(name, args=[someone_elses_letter.pk]))
        assert response.status_code == 200, name
        assert response.context["letter"] == someone_elses_letter, name


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "stranger"])
def test_anyone_but_an_admin_gets_404(request, client_for, letter, persona):
    response = client_for(request.getfixturevalue(persona)).get(LIST)
    assert response.status_code == 404


def test_a_signer_who_is_not_signed_in_is_sent_to_log_in(client, signer):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_links_admins_to_the_list_and_the_exports(client_for, admin, coordinator):
    links = [reverse(name) for name in ("staff:letter-list", "staff:signatures-export",
                                        "staff:export-jobs")]  # fmt: skip
    admin_page = client_for(admin).get(reverse("author:dashboard")).content.decode()
    for link in links:
        assert f'href="{link}"' in admin_page, link

    coordinator_page = client_for(coordinator).get(reverse("author:dashboard")).content.decode()
    for link in links:
        assert f'href="{link}"' not in coordinator_page, link


def test_the_list_narrows_by_status_and_words(client_for, admin, open_letter, someone_elses_letter):
    client = client_for(admin)

    def found(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return list(response.context["page"].object_list)

    assert found(status=Letter.Status.OPEN) == [open_letter]
    assert found(status=Letter.Status.DRAFT) == [someone_elses_letter]
    assert found(q="land DEFENDERS") == [someone_elses_letter]  # words of the title, any case
    assert found(q="rithy@example") == [someone_elses_letter]  # the creator's e-mail
    assert found(q=open_letter.slug) == [open_letter]
    assert found(q="land", status=Letter.Status.OPEN) == []


def test_a_search_matching_nothing_says_so_and_keeps_what_was_typed(client_for, admin, letter):
    response = client_for(admin).get(LIST, {"q": "<script>nothing</script>"})

    content = response.content.decode()
    assert "No letter matches." in content
    assert "&lt;script&gt;nothing&lt;/script&gt;" in content
    assert "<script>nothing" not in content


def test_a_status_that_does_not_exist_is_refused_with_a_message(client_for, admin, letter):
    response = client_for(admin).get(LIST, {"status": "lost"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["page"].object_list) == [letter]  # the list, unfiltered


def test_the_list_is_paged_and_the_pages_keep_the_filters(client_for, admin, coordinator):
    LetterFactory.create_batch(LETTERS_PAGE_SIZE + 2, created_by=coordinator, title="Same cause")
    client = client_for(admin)

    first = client.get(LIST, {"q": "cause"})
    assert len(first.context["page"].object_list) == LETTERS_PAGE_SIZE
    assert 'href="?q=cause&amp;page=2"' in first.content.decode()
    assert 'aria-label="Pages of the list"' in first.content.decode()

    second = client.get(LIST, {"q": "cause", "page": 2})
    assert len(second.context["page"].object_list) == 2
    shown = {*first.context["page"].object_list, *second.context["page"].object_list}
    assert len(shown) == LETTERS_PAGE_SIZE + 2


def test_the_list_speaks_the_admins_language(client_for, admin, letter):
    response = client_for(admin).get("/fr" + LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Toutes les lettres" in content
    assert "Tous les statuts" in content
