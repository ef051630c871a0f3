"""The coordinator pages, driven as a person would: open, fill in, post, read the result."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from letters_app.models import AuditEvent, Letter, LetterVersion, Recipient
from letters_app.rendering import render_letter_html
from letters_app.services.letters import letter_close, letter_open
from tests.factories import LetterFactory, LetterTemplateFactory, RecipientFactory, UserFactory
from tests.views.author.editing import form_data, url

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("pwned")</script>'


def actions(letter):
    return list(AuditEvent.objects.filter(letter=letter).values_list("action", flat=True))


# Creating


def test_new_letter_page_offers_the_active_templates(client_for, coordinator):
    LetterTemplateFactory(name="Appeal to the Secretary-General", description="For the UN chief.")
    LetterTemplateFactory(name="Retired template", is_active=False)
    content = client_for(coordinator).get(reverse("author:letter-new")).content.decode()
    assert "Appeal to the Secretary-General" in content
    assert "For the UN chief." in content
    assert "Retired template" not in content


def test_create_a_letter_from_a_template(client_for, coordinator):
    template = LetterTemplateFactory()
    response = client_for(coordinator).post(
        reverse("author:letter-new"), {"template": template.pk, "title": "Free them now"}
    )
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response.url == url("letter-edit", letter)
    assert letter.title == "Free them now"
    assert letter.body == template.body
    assert letter.template == template
    assert letter.created_by == coordinator
    assert letter.status == Letter.Status.DRAFT
    assert actions(letter) == ["letter.created"]


def test_create_without_a_template_is_an_error(client_for, coordinator):
    LetterTemplateFactory()
    response = client_for(coordinator).post(reverse("author:letter-new"), {})
    assert response.status_code == 200
    assert "Choose the template the letter starts from." in response.content.decode()
    assert not Letter.objects.exists()


def test_an_inactive_template_cannot_be_used(client_for, coordinator):
    template = LetterTemplateFactory(is_active=False)
    response = client_for(coordinator).post(reverse("author:letter-new"), {"template": template.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["template"]
    assert not Letter.objects.exists()


# Editing


def test_edit_page_shows_the_form_beside_the_rendered_letter(client_for, coordinator, letter):
    response = client_for(coordinator).get(url("letter-edit", letter))
    content = response.content.decode()
    assert render_letter_html(letter) in content
    assert f'data-preview-url="{url("letter-preview", letter)}"' in content
    assert "js/letter-preview.js" in content
    for name in ("title", "body", "slug", "letter_date", "signing_deadline", "accepts_mps"):
        assert f'for="id_{name}"' in content  # every field has a visible label
    assert 'type="date"' in content
    assert 'type="datetime-local"' in content
    assert url("letter-publish", letter) in content
    assert url("letter-recipients", letter) in content
    assert url("letter-coordinators", letter) in content
    assert url("letter-history", letter) in content
    assert letter.get_absolute_url() not in content  # a draft has no public page


def test_edit_saves_a_draft_without_making_a_version(client_for, coordinator, letter):
    client = client_for(coordinator)
    response = client.post(url("letter-edit", letter), form_data(letter, body="New words."))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.body == "New words."
    assert letter.version == 0
    assert not LetterVersion.objects.exists()
    event = AuditEvent.objects.get(letter=letter, action="letter.edited")
    assert event.actor == coordinator
    assert event.detail["fields"] == ["body"]
    assert "Saved." in client.get(response.url).content.decode()


def test_edit_of_a_published_letter_makes_a_new_version(client_for, coordinator, letter):
    letter = letter_open(letter=letter, actor=coordinator)
    old_body = letter.body
    client = client_for(coordinator)
    response = client.post(url("letter-edit", letter), form_data(letter, body="Corrected."))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.version == 2
    assert LetterVersion.objects.get(letter=letter, number=1).body == old_body
    assert LetterVersion.objects.get(letter=letter, number=2).body == "Corrected."
    assert LetterVersion.objects.get(letter=letter, number=2).created_by == coordinator
    assert "Saved as text version 2." in client.get(response.url).content.decode()


def test_edit_of_dates_and_signatory_kinds(client_for, coordinator, letter):
    data = form_data(letter, letter_date="2026-03-08", signing_deadline="2099-01-31T18:30")
    data.pop("accepts_organizations")
    data["accepts_mps"] = "on"
    assert client_for(coordinator).post(url("letter-edit", letter), data).status_code == 302
    letter.refresh_from_db()
    assert letter.letter_date.isoformat() == "2026-03-08"
    assert letter.signing_deadline.isoformat() == "2099-01-31T18:30:00+00:00"
    assert (letter.accepts_organizations, letter.accepts_mps) == (False, True)


def test_slug_clash_is_a_form_error(client_for, coordinator, letter):
    LetterFactory(slug="taken")
    old_slug = letter.slug
    response = client_for(coordinator).post(
        url("letter-edit", letter), form_data(letter, slug="taken", body="Kept body")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "Letter with this Web address already exists."
    ]
    assert "Letter with this Web address already exists." in response.content.decode()
    letter.refresh_from_db()
    assert letter.slug == old_slug
    assert letter.body != "Kept body"


def test_over_long_title_is_an_error_and_keeps_what_was_typed(client_for, coordinator, letter):
    long_title = "T" * 301
    typed = "A body I typed with care, ភាសាខ្មែរ and l'Homme."
    response = client_for(coordinator).post(
        url("letter-edit", letter), form_data(letter, title=long_title, body=typed)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "Ensure this value has at most 300 characters (it has 301)."
    ]
    content = response.content.decode()
    assert f'value="{long_title}"' in content
    assert escape(typed) in content
    letter.refresh_from_db()
    assert letter.title != long_title
    assert letter.body != typed
    assert "letter.edited" not in actions(letter)


def test_a_finalized_letter_is_read_only(client_for, coordinator, letter):
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.FINALIZED)
    letter.refresh_from_db()
    client = client_for(coordinator)
    response = client.get(url("letter-edit", letter))
    assert all(field.disabled for field in response.context["form"].fields.values())
    assert ">Save</button>" not in response.content.decode()
    response = client.post(url("letter-edit", letter), form_data(letter, title="Too late"))
    assert response.status_code == 200
    assert (
        "This letter is finalized: its text and recipients can no longer change."
        in response.content.decode()
    )
    letter.refresh_from_db()
    assert letter.title != "Too late"


def test_html_in_fields_is_escaped_on_the_edit_page(client_for, coordinator):
    letter = LetterFactory(created_by=coordinator, title=SCRIPT, salutation=SCRIPT)
    content = client_for(coordinator).get(url("letter-edit", letter)).content.decode()
    assert SCRIPT not in content
    assert escape(SCRIPT) in content


# Preview


def test_preview_renders_the_posted_values_without_saving(client_for, coordinator, letter):
    events = AuditEvent.objects.count()
    data = form_data(letter, title="An unsaved title", body="**Fresh** words")
    response = client_for(coordinator).post(url("letter-preview", letter), data)
    assert response.status_code == 200
    content = response.content.decode()
    unsaved = Letter.objects.get(pk=letter.pk)
    unsaved.title, unsaved.body = "An unsaved title", "**Fresh** words"
    assert content == render_letter_html(unsaved)  # the same renderer as the public page
    assert "<strong>Fresh</strong>" in content
    assert "Palais des Nations" in content  # the saved recipients are part of it
    assert "<nav" not in content  # a fragment, not a page
    letter.refresh_from_db()
    assert letter.title != "An unsaved title"
    assert AuditEvent.objects.count() == events


def test_preview_escapes_html_in_fields(client_for, coordinator, letter):
    data = form_data(letter, title=SCRIPT, closing=SCRIPT)
    content = client_for(coordinator).post(url("letter-preview", letter), data).content.decode()
    assert "<script" not in content
    assert escape(SCRIPT) in content


def test_preview_neutralizes_raw_html_and_javascript_links(client_for, coordinator, letter):
    body = (
        f"Hello {SCRIPT}\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[click me](javascript:alert(1)) and [a real link](https://example.org/)"
    )
    response = client_for(coordinator).post(
        url("letter-preview", letter), form_data(letter, body=body)
    )
    content = response.content.decode()
    assert "<script" not in content
    assert "onerror" not in content
    assert "<img" not in content
    assert "javascript:" not in content
    assert "click me" in content
    assert 'href="https://example.org/"' in content


def test_preview_keeps_the_saved_value_of_an_invalid_field(client_for, coordinator, letter):
    data = form_data(letter, title="T" * 301, body="Still previewed")
    content = client_for(coordinator).post(url("letter-preview", letter), data).content.decode()
    assert "Still previewed" in content
    assert escape(letter.title) in content


# Publishing, closing, reopening


def test_publish_is_refused_with_every_problem_listed(client_for, coordinator):
    letter = LetterFactory(created_by=coordinator, salutation="Dear [Name],", body="")
    client = client_for(coordinator)
    problems = [
        "Salutation still contains placeholders to fill in: [Name].",
        "The body is empty: write the letter before publishing it.",
        "The letter has no recipient: choose at least one from the directory.",
    ]
    response = client.get(url("letter-publish", letter))
    content = response.content.decode()
    for problem in problems:
        assert escape(problem) in content
    assert f'<a href="{url("letter-recipients", letter)}">' in content
    assert f'<a href="{url("letter-edit", letter)}#id_body">' in content
    assert re.search(r"<button[^>]*disabled[^>]*>Publish now", content)

    response = client.post(url("letter-publish", letter))
    assert response.status_code == 200
    for problem in problems:
        assert escape(problem) in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert letter.version == 0
    assert not LetterVersion.objects.exists()
    assert actions(letter) == []


def test_publish_happy_path(client_for, coordinator, letter):
    client = client_for(coordinator)
    content = client.get(url("letter-publish", letter)).content.decode()
    assert not re.search(r"<button[^>]*disabled[^>]*>Publish now", content)
    response = client.post(url("letter-publish", letter))
    assert response.status_code == 302
    assert response.url == url("letter-edit", letter)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.OPEN
    assert letter.version == 1
    event = AuditEvent.objects.get(letter=letter, action="letter.open")
    assert (event.from_status, event.to_status, event.actor) == ("draft", "open", coordinator)
    page = client.get(response.url).content.decode()
    assert "The letter is public and open for signing." in page
    assert letter.get_absolute_url() in page  # "View public page"
    assert url("letter-close", letter) in page


def test_close_and_reopen_happy_paths(client_for, co_coordinator, letter):
    letter_open(letter=letter, actor=letter.created_by)
    client = client_for(co_coordinator)
    assert "nobody can add a signature" in client.get(url("letter-close", letter)).content.decode()
    response = client.post(url("letter-close", letter))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.CLOSED
    event = AuditEvent.objects.get(letter=letter, action="letter.closed")
    assert (event.from_status, event.to_status, event.actor) == ("open", "closed", co_coordinator)

    assert "sign the letter again" in client.get(url("letter-reopen", letter)).content.decode()
    response = client.post(url("letter-reopen", letter))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.OPEN
    assert actions(letter)[0] == "letter.open"
    assert AuditEvent.objects.filter(letter=letter, action="letter.open").count() == 2


def test_closing_a_draft_is_refused_with_the_reason(client_for, coordinator, letter):
    response = client_for(coordinator).post(url("letter-close", letter))
    assert response.status_code == 200
    assert "A letter that is draft cannot become signing closed." in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert actions(letter) == []


def test_reopen_after_the_deadline_is_refused(client_for, coordinator, letter):
    letter_open(letter=letter, actor=coordinator)
    letter_close(letter=letter, actor=coordinator)
    Letter.objects.filter(pk=letter.pk).update(signing_deadline="2000-01-01T00:00:00Z")
    client = client_for(coordinator)
    content = client.get(url("letter-reopen", letter)).content.decode()
    assert "The signing deadline has passed" in content
    assert re.search(r"<button[^>]*disabled[^>]*>Reopen signing now", content)
    response = client.post(url("letter-reopen", letter))
    assert response.status_code == 200
    letter.refresh_from_db()
    assert letter.status == Letter.Status.CLOSED


# Recipients


def test_recipients_page_lists_current_recipients_first_and_checked(
    client_for, coordinator, letter, recipient
):
    other = RecipientFactory(institution="Parliament of Australia")
    content = client_for(coordinator).get(url("letter-recipients", letter)).content.decode()
    mine = f'value="{recipient.pk}" id="recipient-{recipient.pk}" checked'
    theirs = f'value="{other.pk}" id="recipient-{other.pk}">'
    assert mine in content
    assert theirs in content
    assert content.index(mine) < content.index(theirs)
    assert f'for="recipient-{other.pk}"' in content


def test_recipients_search_by_word_and_kind(client_for, coordinator, letter):
    wanted = RecipientFactory(institution="Parlement de Belgique", kind=Recipient.Kind.PARLIAMENT)
    unwanted = RecipientFactory(institution="Le Monde", kind=Recipient.Kind.MEDIA)
    client = client_for(coordinator)
    found = client.get(url("letter-recipients", letter), {"q": "belgique"}).context["found"]
    assert found == [wanted]
    found = client.get(url("letter-recipients", letter), {"kind": "media"}).context["found"]
    assert found == [unwanted]


def test_recipients_picker_sets_recipients_in_order(client_for, coordinator, letter, recipient):
    second, third = RecipientFactory(), RecipientFactory()
    response = client_for(coordinator).post(
        url("letter-recipients", letter), {"recipients": [third.pk, recipient.pk]}
    )
    assert response.status_code == 302
    chosen = [lr.recipient for lr in letter.letter_recipients.all()]
    assert chosen == [third, recipient]
    assert second not in chosen
    event = AuditEvent.objects.get(letter=letter, action="letter.recipients")
    assert event.detail["recipients"] == [third.pk, recipient.pk]


def test_recipients_picker_can_empty_the_list(client_for, coordinator, letter):
    response = client_for(coordinator).post(url("letter-recipients", letter), {})
    assert response.status_code == 302
    assert not letter.letter_recipients.exists()


def test_adding_a_new_recipient_puts_it_in_the_directory_and_on_the_letter(
    client_for, coordinator, letter, recipient
):
    data = {
        "new-honorific": "H.E.",
        "new-name": "Anthony Albanese",
        "new-title": "Prime Minister",
        "new-institution": "Government of Australia",
        "new-postal_address": "Parliament House\nCanberra ACT 2600",
        "new-country": "AU",
        "new-kind": "government",
        "new-email": "pm@example.org",
        "new-salutation": "Dear Prime Minister,",
    }
    response = client_for(coordinator).post(url("letter-recipient-add", letter), data)
    assert response.status_code == 302
    new = Recipient.objects.get(name="Anthony Albanese")
    assert (new.is_curated, new.added_by, new.country.code) == (False, coordinator, "AU")
    assert [lr.recipient for lr in letter.letter_recipients.all()] == [recipient, new]
    assert AuditEvent.objects.filter(action="recipient.created", actor=coordinator).count() == 1


def test_adding_a_recipient_without_institution_is_an_error(client_for, coordinator, letter):
    data = {"new-name": "Nobody in particular", "new-kind": "other"}
    response = client_for(coordinator).post(url("letter-recipient-add", letter), data)
    assert response.status_code == 200
    assert response.context["add_form"].errors["institution"] == ["This field is required."]
    assert 'value="Nobody in particular"' in response.content.decode()
    assert not Recipient.objects.filter(name="Nobody in particular").exists()


# Co-coordinators


def test_creator_adds_a_co_coordinator_by_email(client_for, coordinator, letter):
    friend = UserFactory(username="friend", email="Friend@Example.org")
    response = client_for(coordinator).post(
        url("letter-coordinators", letter), {"who": "friend@example.org"}
    )
    assert response.status_code == 302
    assert letter.co_coordinators.filter(pk=friend.pk).exists()
    event = AuditEvent.objects.get(letter=letter, action="coordinator.added")
    assert event.detail == {"user": "friend"}


def test_adding_an_unknown_person_is_a_clear_error(client_for, coordinator, letter):
    response = client_for(coordinator).post(url("letter-coordinators", letter), {"who": "ghost"})
    assert response.status_code == 200
    assert "No account has this username or e-mail address." in response.content.decode()
    assert letter.co_coordinators.count() == 1


def test_adding_someone_twice_is_a_clear_error(client_for, coordinator, letter):
    response = client_for(coordinator).post(
        url("letter-coordinators", letter), {"who": "co_coordinator"}
    )
    assert response.status_code == 200
    assert "co_coordinator already coordinates this letter." in response.content.decode()


def test_creator_removes_a_co_coordinator(client_for, coordinator, co_coordinator, letter):
    remove = url("letter-coordinator-remove", letter, user_pk=co_coordinator.pk)
    response = client_for(coordinator).post(remove)
    assert response.status_code == 302
    assert not letter.co_coordinators.exists()
    assert AuditEvent.objects.get(letter=letter, action="coordinator.removed").actor == coordinator


def test_admin_may_add_and_remove(client_for, admin, co_coordinator, letter):
    client = client_for(admin)
    UserFactory(username="helper")
    assert client.post(url("letter-coordinators", letter), {"who": "helper"}).status_code == 302
    remove = url("letter-coordinator-remove", letter, user_pk=co_coordinator.pk)
    assert client.post(remove).status_code == 302
    assert [u.username for u in letter.co_coordinators.all()] == ["helper"]


def test_co_coordinator_sees_the_list_read_only(client_for, coordinator, co_coordinator, letter):
    client = client_for(co_coordinator)
    response = client.get(url("letter-coordinators", letter))
    content = response.content.decode()
    assert "coordinator" in content and "co_coordinator" in content
    assert 'name="who"' not in content
    assert url("letter-coordinator-remove", letter, user_pk=co_coordinator.pk) not in content
    UserFactory(username="intruder")
    response = client.post(url("letter-coordinators", letter), {"who": "intruder"})
    assert response.status_code == 403
    assert not letter.co_coordinators.filter(username="intruder").exists()


# History


def test_history_shows_who_did_what_and_the_versions(client_for, coordinator, letter):
    letter = letter_open(letter=letter, actor=coordinator)
    client = client_for(coordinator)
    client.post(url("letter-edit", letter), form_data(letter, title="Second title"))
    content = client.get(url("letter-history", letter)).content.decode()
    assert "Opened the letter for signing" in content
    assert "Edited the letter" in content
    assert "title; text version 2" in content
    assert "Version 1," in content and "Version 2," in content
    assert "Second title" in content


# CSRF


def test_every_post_form_carries_a_csrf_token(client_for, coordinator, letter):
    client = client_for(coordinator)
    for name in ("letter-edit", "letter-recipients", "letter-coordinators", "letter-publish"):
        content = client.get(url(name, letter)).content.decode()
        forms = content.count('method="post"')
        assert forms >= 1
        assert content.count('name="csrfmiddlewaretoken"') == forms


def test_a_post_without_csrf_token_is_refused(coordinator, letter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(url("letter-edit", letter), form_data(letter, title="Forged"))
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.title != "Forged"

    page = client.get(url("letter-edit", letter)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = form_data(letter, title="Genuine", csrfmiddlewaretoken=token)
    assert client.post(url("letter-edit", letter), data).status_code == 302
    letter.refresh_from_db()
    assert letter.title == "Genuine"


def test_login_page_has_labelled_fields(client):
    UserFactory(username="person")
    content = client.get(reverse("login")).content.decode()
    assert 'for="id_username"' in content and 'for="id_password"' in content
    assert 'name="csrfmiddlewaretoken"' in content
    response = client.post(
        reverse("login"), {"username": "person", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == reverse("author:dashboard")
    assert get_user_model().objects.get(username="person").last_login is not None
