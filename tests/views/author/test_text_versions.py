"""The edit page as a browser posts it: settings saved alone make no version; the history shows
what changed in each version."""

import pytest
from django.utils.html import escape

from letters_app.models import Letter, LetterVersion
from letters_app.services.letters import letter_update
from tests.finalized import SCRIPT
from tests.views.author.editing import form_data, url

pytestmark = pytest.mark.django_db

# Paragraphs separated by LF and a final newline, as a template leaves the text.
BODY = "We urge you to act. We ask for an answer.\n\n1. First demand\n2. Second demand\n"


@pytest.fixture
def signed_letter(open_letter, signer):
    Letter.objects.filter(pk=open_letter.pk).update(body=BODY)
    LetterVersion.objects.filter(letter=open_letter).update(body=BODY)
    open_letter.refresh_from_db()
    return open_letter


def test_ticking_a_setting_as_a_browser_posts_the_form_asks_nothing(
    client_for, coordinator, signed_letter, django_capture_on_commit_callbacks
):
    # A browser sends the textarea with CRLF line endings; the form strips the final newline.
    posted = form_data(signed_letter, body=BODY.replace("\n", "\r\n"), accepts_individuals="on")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(coordinator).post(url("letter-edit", signed_letter), posted)

    assert response.status_code == 302
    signed_letter.refresh_from_db()
    assert signed_letter.accepts_individuals is True
    assert signed_letter.version == 1
    assert callbacks == []
    page = client_for(coordinator).get(response.url).content.decode()
    assert "Saved." in page
    assert "I understand" not in page


def test_a_change_of_text_posted_asks_before_mailing(client_for, coordinator, signed_letter):
    body = BODY.replace("\n", "\r\n").replace("an answer", "a written answer")
    response = client_for(coordinator).post(
        url("letter-edit", signed_letter), form_data(signed_letter, body=body)
    )
    assert response.status_code == 200
    assert "I understand: e-mail the 1 signer" in response.content.decode()
    signed_letter.refresh_from_db()
    assert signed_letter.version == 1


def test_spaces_removed_at_the_ends_of_list_items_save_without_asking(
    client_for, coordinator, signed_letter, django_capture_on_commit_callbacks
):
    # Two spaces before a list item render nothing: removing them changes nothing a reader sees.
    spaced = BODY.replace("1. First demand\n", "1. First demand  \n")
    Letter.objects.filter(pk=signed_letter.pk).update(body=spaced)
    LetterVersion.objects.filter(letter=signed_letter).update(body=spaced)
    signed_letter.refresh_from_db()
    posted = form_data(signed_letter, body=BODY.replace("\n", "\r\n"))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(coordinator).post(url("letter-edit", signed_letter), posted)

    assert response.status_code == 302
    signed_letter.refresh_from_db()
    assert signed_letter.version == 1
    assert callbacks == []
    page = client_for(coordinator).get(response.url).content.decode()
    assert "Saved." in page
    assert "I understand" not in page


def test_the_preview_asked_to_confirm_shows_the_text_in_the_form(
    client_for, coordinator, signed_letter
):
    body = BODY.replace("We ask for an answer.", "We ask for a written answer.")
    response = client_for(coordinator).post(
        url("letter-edit", signed_letter), form_data(signed_letter, body=body)
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "I understand: e-mail the 1 signer" in content
    preview = content[content.index('id="letter-preview"') :]
    assert "We ask for a written answer." in preview
    assert "We ask for an answer." not in preview


def test_the_history_shows_what_changed_in_each_version(client_for, coordinator, signed_letter):
    body = BODY.replace("We ask for an answer.", f"We ask for an answer {SCRIPT}.")
    letter = letter_update(
        letter=signed_letter, data={"body": body}, actor=coordinator, confirm_new_version=True
    )
    letter_update(letter=letter, data={"title": "A new title"}, actor=coordinator,
                  confirm_new_version=True)  # fmt: skip

    content = client_for(coordinator).get(url("letter-history", letter)).content.decode()
    v3, v2, v1 = (content.index(f'id="version-{n}"') for n in (3, 2, 1))
    assert v3 < v2 < v1  # the newest first
    assert "The text as first published." in content[v1:]
    version_2 = content[v2:v1]
    assert "<strong>Removed:</strong>" in version_2
    assert "We ask for an answer.</del>" in version_2
    assert f"We ask for an answer {escape(SCRIPT)}.</ins>" in version_2
    assert "We urge you to act.</" not in version_2  # the unchanged sentence is not repeated
    version_3 = content[v3:v2]
    assert '<h4 class="text-diff-part"' in version_3 and ">Title</h4>" in version_3
    assert "A new title</ins>" in version_3
    assert SCRIPT not in content
