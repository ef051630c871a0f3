"""The recipients page: the coordinator chooses the recipients and their order in one save, from
a directory that can be searched and paged, however long it is."""

import pytest
from django.urls import reverse

from letters_app.models import AuditEvent, Letter, Recipient
from letters_app.rendering import render_letter_html
from letters_app.services.deliveries import snapshot_content
from letters_app.services.letters import letter_open
from tests.factories import RecipientFactory

pytestmark = pytest.mark.django_db

RUNNERS = ["coordinator", "co_coordinator", "admin"]


def url(letter, **query):
    path = reverse("author:letter-recipients", kwargs={"pk": letter.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def order(letter) -> list[Recipient]:
    return [lr.recipient for lr in letter.letter_recipients.all()]


@pytest.fixture
def three(letter, recipient):
    """The letter's recipients: the fixture's, then two more, in this order."""
    second, third = RecipientFactory(name="Ana Ruiz"), RecipientFactory(name="Li Wei")
    letter.letter_recipients.create(recipient=second, position=1)
    letter.letter_recipients.create(recipient=third, position=2)
    return [recipient, second, third]


def post_places(client, letter, places: dict[Recipient, str]):
    """The form as the page posts it: every recipient listed, ticked, with its place number."""
    data = {"recipients": [r.pk for r in places]}
    data |= {f"position-{r.pk}": place for r, place in places.items()}
    return client.post(url(letter), data)


@pytest.mark.parametrize("persona", RUNNERS)
def test_who_runs_the_letter_reorders_its_recipients_in_one_save(
    request, client_for, letter, three, persona
):
    first, second, third = three
    client = client_for(request.getfixturevalue(persona))
    response = post_places(client, letter, {first: "3", second: "1", third: "2"})
    assert response.status_code == 302
    assert order(letter) == [second, third, first]
    assert AuditEvent.objects.filter(letter=letter, action="letter.recipients").count() == 1


def test_a_stranger_gets_404_and_changes_nothing(client_for, stranger, letter, three):
    first, second, third = three
    response = post_places(client_for(stranger), letter, {first: "3", second: "2", third: "1"})
    assert response.status_code == 404
    assert client_for(stranger).get(url(letter)).status_code == 404
    assert order(letter) == three


def test_a_directory_entry_given_place_1_becomes_the_main_addressee(
    client_for, coordinator, letter, three
):
    """Without the page's script: tick an entry of the directory, type 1, save once. The places
    left as shown keep their order after it."""
    main = RecipientFactory(institution="National Assembly of Zambia", name="", title="Speaker")
    places = {r: str(n) for n, r in enumerate(three, start=1)} | {main: "1"}
    response = post_places(client_for(coordinator), letter, places)
    assert response.status_code == 302
    assert order(letter) == [main, *three]


def test_a_recipient_numbered_over_another_goes_before_it(client_for, coordinator, letter, three):
    first, second, third = three
    post_places(client_for(coordinator), letter, {first: "1", second: "2", third: "2"})
    assert order(letter) == [first, third, second]


def test_entries_without_a_number_come_last_in_the_order_posted(
    client_for, coordinator, letter, three
):
    first, second, third = three
    new = RecipientFactory()
    post_places(client_for(coordinator), letter, {new: "", first: "2", second: "x", third: "1"})
    assert order(letter) == [third, first, new, second]


def test_unticking_takes_a_recipient_off_in_the_same_save(client_for, coordinator, letter, three):
    first, second, third = three
    data = {"recipients": [first.pk, third.pk]}
    data |= {f"position-{first.pk}": "1", f"position-{second.pk}": "2"}
    data |= {f"position-{third.pk}": "1"}
    client_for(coordinator).post(url(letter), data)
    assert order(letter) == [third, first]


def test_the_order_saved_is_the_to_block_of_the_page_preview_and_snapshot(
    client_for, coordinator, letter, three
):
    first, second, third = three
    letter_open(letter=letter, actor=coordinator)  # reordered while open for signing
    post_places(client_for(coordinator), letter, {first: "2", second: "3", third: "1"})
    letter.refresh_from_db()
    html = str(render_letter_html(letter))
    positions = [html.index(r.name) for r in (third, first, second)]
    assert positions == sorted(positions)
    frozen = [r["id"] for r in snapshot_content(letter)["recipients"]]
    assert frozen == [third.pk, first.pk, second.pk]
    page = client_for(coordinator).get(reverse("author:letter-edit", kwargs={"pk": letter.pk}))
    preview = page.content.decode()
    positions = [preview.index(r.name) for r in (third, first, second)]
    assert positions == sorted(positions)
    public = client_for(coordinator).get(letter.get_absolute_url()).content.decode()
    positions = [public.index(r.name) for r in (third, first, second)]
    assert positions == sorted(positions)


def test_the_page_lists_the_recipients_in_order_with_their_places(
    client_for, coordinator, letter, three
):
    first, second, third = three
    post_places(client_for(coordinator), letter, {first: "3", second: "1", third: "2"})
    content = client_for(coordinator).get(url(letter)).content.decode()
    rows = [content.index(f'name="position-{r.pk}" value="{n}"') for n, r in
            ((1, second), (2, third), (3, first))]  # fmt: skip
    assert rows == sorted(rows)


def test_a_frozen_letter_refuses_a_new_order(client_for, coordinator, letter, three):
    first, second, third = three
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.FINALIZED)
    client = client_for(coordinator)
    response = post_places(client, letter, {first: "3", second: "2", third: "1"})
    assert response.status_code == 200
    assert "its text and recipients can no longer change" in response.content.decode()
    assert order(letter) == three
    content = client.get(url(letter)).content.decode()
    assert "Save the recipients" not in content
    assert 'name="position-' not in content


# The directory


@pytest.fixture
def long_directory(db):
    """71 entries: 70 government offices, then a parliament that sorts after them all, its
    country named only by its code."""
    RecipientFactory.create_batch(70, kind=Recipient.Kind.GOVERNMENT)
    return RecipientFactory(
        name="Nelly Mutti",
        title="Speaker",
        institution="National Assembly",
        country="ZM",
        kind=Recipient.Kind.PARLIAMENT,
    )


def test_the_directory_is_paged_not_cut_at_50(
    client_for, coordinator, letter, recipient, long_directory
):
    client = client_for(coordinator)
    first_page = client.get(url(letter))
    assert len(first_page.context["found"]) == 50
    assert long_directory not in first_page.context["found"]
    assert 'rel="next"' in first_page.content.decode()
    second_page = client.get(url(letter, page=2))
    assert len(second_page.context["found"]) == 21
    assert long_directory in second_page.context["found"]
    assert "51–71 of 71" in second_page.content.decode()
    # Ticked there and saved, it joins the letter, and the page comes back to where it was.
    data = {"recipients": [recipient.pk, long_directory.pk], f"position-{recipient.pk}": "1"}
    response = client.post(url(letter, page=2), data)
    assert response.status_code == 302
    assert response.url == url(letter, page=2)
    assert order(letter) == [recipient, long_directory]


@pytest.mark.parametrize(
    "query",
    ["zambia", "zm", "speaker", "national assembly", "mutti", "Nelly Zambia"],
)
def test_the_directory_is_searched_by_name_title_institution_and_country(
    client_for, coordinator, letter, long_directory, query
):
    client = client_for(coordinator)
    found = client.get(url(letter), {"q": query}).context["found"]
    assert found == [long_directory]


def test_a_search_by_country_in_the_page_language(client_for, coordinator, letter, long_directory):
    client = client_for(coordinator)
    found = client.get("/fr" + url(letter), {"q": "zambie"}).context["found"]
    assert found == [long_directory]
