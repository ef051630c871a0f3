"""The coordinator's signature pages: the moderation queue, correcting a display line, and the
confirmation a change of text needs once people have signed."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from letters_app.models import AuditEvent, Letter, Signature
from letters_app.services.signatures import (
    signature_confirm,
    signature_moderate,
    signature_withdraw,
)
from tests.factories import LetterFactory, SignatureFactory
from tests.views.author.editing import form_data

pytestmark = pytest.mark.django_db

S = Signature.Status
SCRIPT = '<script>alert("pwned")</script>'
PERSONAS = ["coordinator", "co_coordinator", "admin"]


def queue_url(letter, **query):
    base = reverse("author:letter-signatures", kwargs={"pk": letter.pk})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def edit_url(signature, letter=None):
    pk = (letter or signature.letter).pk
    return reverse("author:signature-edit", kwargs={"pk": pk, "signature_pk": signature.pk})


def signer(letter, status=S.CONFIRMED, **fields):
    """A signature brought to `status` through the services, as a signer and coordinator would."""
    signature = SignatureFactory(letter=letter, version=letter.version, **fields)
    if status != S.PENDING:
        signature_confirm(signature=signature)
    if status in (S.APPROVED, S.REJECTED):
        chosen = Signature.objects.filter(pk=signature.pk)
        signature_moderate(signatures=chosen, approve=status == S.APPROVED, actor=None)
    if status == S.WITHDRAWN:
        signature_withdraw(signature=signature)
    signature.refresh_from_db()
    return signature


@pytest.fixture
def approval_letter(open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()
    return open_letter


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Who may see it


@pytest.mark.parametrize("persona", PERSONAS)
def test_people_who_run_the_letter_see_its_signatures_with_emails(
    request, client_for, open_letter, persona
):
    signature = signer(open_letter, email="ada@example.org", name="Ligue des droits")
    response = client_for(request.getfixturevalue(persona)).get(queue_url(open_letter))
    assert response.status_code == 200
    content = response.content.decode()
    assert signature.display_line in content
    assert "ada@example.org" in content
    assert edit_url(signature) in content


@pytest.mark.parametrize("persona", PERSONAS)
def test_people_who_run_the_letter_approve(request, client_for, approval_letter, persona):
    user = request.getfixturevalue(persona)
    signature = signer(approval_letter)
    response = client_for(user).post(
        queue_url(approval_letter), {"action": "approve", "signatures": [signature.pk]}
    )
    assert response.status_code == 302
    signature.refresh_from_db()
    assert (signature.status, signature.is_public) == (S.APPROVED, True)
    assert AuditEvent.objects.get(action="signature.approved").actor == user


def test_a_stranger_gets_404_and_changes_nothing(client_for, stranger, approval_letter):
    signature = signer(approval_letter, email="ada@example.org")
    client = client_for(stranger)
    assert client.get(queue_url(approval_letter)).status_code == 404
    response = client.post(
        queue_url(approval_letter), {"action": "approve", "signatures": [signature.pk]}
    )
    assert response.status_code == 404
    assert client.get(edit_url(signature)).status_code == 404
    assert client.post(edit_url(signature), {"name": "Taken over"}).status_code == 404
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED
    assert signature.name != "Taken over"
    assert not AuditEvent.objects.filter(action__startswith="signature.").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, open_letter):
    signature = signer(open_letter)
    for url in (queue_url(open_letter), edit_url(signature)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_signature_of_another_letter_is_404_on_this_one(client_for, coordinator, open_letter):
    other = LetterFactory(created_by=coordinator, status=Letter.Status.OPEN)
    foreign = signer(other)
    response = client_for(coordinator).get(edit_url(foreign, letter=open_letter))
    assert response.status_code == 404


# The queue


def test_tabs_count_each_status_and_the_flagged(client_for, coordinator, approval_letter):
    for status, n in ((S.PENDING, 1), (S.CONFIRMED, 3), (S.APPROVED, 2), (S.REJECTED, 1),
                      (S.WITHDRAWN, 1)):  # fmt: skip
        for _ in range(n):
            signer(approval_letter, status)
    first = Signature.objects.filter(status=S.CONFIRMED).first()
    Signature.objects.filter(pk=first.pk).update(is_flagged=True, flag_reason="Same name as #1")
    response = client_for(coordinator).get(queue_url(approval_letter))
    assert response.status_code == 200
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs == {"pending": 1, "confirmed": 3, "approved": 2, "rejected": 1, "withdrawn": 1,
                    "flagged": 1, "undelivered": 0}  # fmt: skip
    assert response.context["tab"] == "confirmed"
    assert len(response.context["page"].object_list) == 3
    content = response.content.decode()
    assert "Confirmed, awaiting approval" in content
    assert "Same name as #1" in content

    flagged = client_for(coordinator).get(queue_url(approval_letter, tab="flagged"))
    assert [s.flag_reason for s in flagged.context["page"]] == ["Same name as #1"]
    withdrawn = client_for(coordinator).get(queue_url(approval_letter, tab="withdrawn"))
    assert [s.status for s in withdrawn.context["page"]] == [S.WITHDRAWN]
    assert (
        client_for(coordinator).get(queue_url(approval_letter, tab="nonsense")).status_code == 200
    )


def test_french_tabs_name_signatures_in_the_plural_and_a_row_in_the_singular(
    client_for, coordinator, open_letter
):
    signer(open_letter, name="Ligue")
    with translation.override("fr"):
        url = queue_url(open_letter)
    page = " ".join(client_for(coordinator).get(url).content.decode().split())

    tabs = re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+) <span class="badge', page)
    assert tabs == ["En attente de confirmation par e-mail", "Confirmées", "Approuvées",
                    "Rejetées", "Retirées", "Signalées", "E-mail non remis"]  # fmt: skip
    status = re.search(r'<td>([^<]*) <span class="badge text-bg-success">listée</span>', page)
    assert status.group(1) == "Confirmée"


def test_rows_show_kind_country_version_and_an_older_text(client_for, coordinator, open_letter):
    signer(open_letter, name="Ligue", country="KH")
    Letter.objects.filter(pk=open_letter.pk).update(version=2)
    content = client_for(coordinator).get(queue_url(open_letter)).content.decode()
    assert "Organization" in content
    assert "Cambodia" in content
    assert "older text" in content


def test_the_queue_is_paginated(client_for, coordinator, open_letter):
    for _ in range(51):
        signer(open_letter)
    client = client_for(coordinator)
    first = client.get(queue_url(open_letter))
    assert len(first.context["page"].object_list) == 50
    assert "page=2" in first.content.decode()
    second = client.get(queue_url(open_letter, page=2))
    assert len(second.context["page"].object_list) == 1


def test_bulk_approve_lists_and_counts_the_ticked_ones(client_for, coordinator, approval_letter):
    ticked = [signer(approval_letter), signer(approval_letter)]
    left = signer(approval_letter)
    response = client_for(coordinator).post(
        queue_url(approval_letter, tab="confirmed"),
        {"action": "approve", "signatures": [s.pk for s in ticked]},
    )
    assert response.status_code == 302
    assert response.url == queue_url(approval_letter, tab="confirmed")
    assert flash(response) == ["2 signatures approved."]
    assert set(Signature.objects.filter(is_public=True)) == set(ticked)
    left.refresh_from_db()
    assert left.status == S.CONFIRMED
    approval_letter.refresh_from_db()
    assert approval_letter.count_organizations == 2


def test_bulk_reject_takes_them_off_the_list(client_for, coordinator, open_letter):
    listed = signer(open_letter)
    pending = signer(open_letter, S.PENDING)
    response = client_for(coordinator).post(
        queue_url(open_letter), {"action": "reject", "signatures": [listed.pk, pending.pk]}
    )
    assert response.status_code == 302
    assert flash(response) == [
        "1 signature rejected. The others were already so, or are not confirmed by e-mail yet."
    ]
    listed.refresh_from_db()
    pending.refresh_from_db()
    assert (listed.status, listed.is_public, pending.status) == (S.REJECTED, False, S.PENDING)
    open_letter.refresh_from_db()
    assert open_letter.count_organizations == 0


def test_ids_of_another_letter_are_refused(client_for, coordinator, approval_letter):
    other = LetterFactory(created_by=coordinator, status=Letter.Status.OPEN)
    foreign = signer(other)
    mine = signer(approval_letter)
    response = client_for(coordinator).post(
        queue_url(approval_letter), {"action": "reject", "signatures": [mine.pk, foreign.pk]}
    )
    assert response.status_code == 302
    assert flash(response) == ["Some of the ticked signatures are not on this letter."]
    assert set(Signature.objects.values_list("status", flat=True)) == {S.CONFIRMED}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve"}, "Tick the signatures to approve or reject."),
        ({"action": "delete", "signatures": ["1"]}, None),
        ({"action": "approve", "signatures": ["not-a-number"]}, None),
    ],
)
def test_a_bad_post_changes_nothing(client_for, coordinator, approval_letter, data, message):
    signer(approval_letter)
    response = client_for(coordinator).post(queue_url(approval_letter), data)
    assert response.status_code == 302
    messages = flash(response)
    assert messages
    if message:
        assert messages == [message]
    assert Signature.objects.get().status == S.CONFIRMED
    assert not AuditEvent.objects.filter(action__startswith="signature.").exists()


def test_a_finalized_letter_refuses_moderation_with_the_reason(
    client_for, coordinator, open_letter
):
    signature = signer(open_letter)
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.FINALIZED)
    response = client_for(coordinator).post(
        queue_url(open_letter), {"action": "reject", "signatures": [signature.pk]}
    )
    assert flash(response) == [
        "The letter is finalized: its list of signatories can no longer change."
    ]
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED


def test_names_are_escaped_in_the_queue(client_for, coordinator, open_letter):
    signer(open_letter, name=SCRIPT, acronym="<b>X</b>", email="x@example.org")
    content = client_for(coordinator).get(queue_url(open_letter)).content.decode()
    assert SCRIPT not in content
    assert escape(SCRIPT) in content
    assert "<b>X</b>" not in content


# Correcting a display line


def test_edit_page_suggests_a_tidy_line_and_a_country(client_for, coordinator, open_letter):
    signature = signer(
        open_letter, name="Ligue  des droits ( LDH ) , Cambodge", country="", acronym=""
    )
    client = client_for(coordinator)
    response = client.get(edit_url(signature))
    assert response.status_code == 200
    assert [(str(label), now, new) for label, now, new in response.context["suggestion"]] == [
        ("name", "Ligue  des droits ( LDH ) , Cambodge", "Ligue des droits (LDH)"),
        ("country", "", "Cambodia"),
    ]
    # Not saved until the coordinator presses Save.
    tidy = client.get(edit_url(signature) + "?tidy=1")
    form = tidy.context["form"]
    assert (form["name"].value(), form["country"].value()) == ("Ligue des droits (LDH)", "KH")
    signature.refresh_from_db()
    assert signature.name == "Ligue  des droits ( LDH ) , Cambodge"


def test_the_tidy_suggestion_reads_a_country_as_the_import_does(
    client_for, coordinator, open_letter
):
    """ "USA" is no ISO name: the import always read it, and the suggestion now does too."""
    signature = signer(open_letter, name="Ah Nah Podcast (ANP), USA", country="", acronym="")
    response = client_for(coordinator).get(edit_url(signature))
    assert [(str(label), now, new) for label, now, new in response.context["suggestion"]] == [
        ("name", "Ah Nah Podcast (ANP), USA", "Ah Nah Podcast (ANP)"),
        ("country", "", "United States of America"),
    ]


def test_nothing_to_tidy_says_so(client_for, coordinator, open_letter):
    signature = signer(open_letter, name="Ligue des droits (LDH)")
    response = client_for(coordinator).get(edit_url(signature))
    assert response.context["suggestion"] == []
    assert "Nothing to tidy" in response.content.decode()


def test_the_form_shows_the_fields_of_the_kind(client_for, coordinator, open_letter):
    Letter.objects.filter(pk=open_letter.pk).update(accepts_mps=True)
    mp = signer(open_letter, kind=Signature.Kind.MP, name="Sam Rainsy", party="CNRP")
    form = client_for(coordinator).get(edit_url(mp)).context["form"]
    assert list(form.fields) == ["name", "title", "party", "parliament", "country"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_saving_a_correction_goes_through_the_service(request, client_for, open_letter, persona):
    user = request.getfixturevalue(persona)
    signature = signer(open_letter, name="Ligue ( LDH )", country="")
    data = {"name": "Ligue des droits", "acronym": "LDH", "organization_type": "ngo",
            "website": "", "country": "KH", "contact_name": "", "contact_role": ""}  # fmt: skip
    response = client_for(user).post(edit_url(signature), data)
    assert response.status_code == 302
    assert response.url == queue_url(open_letter)
    signature.refresh_from_db()
    assert signature.display_line == "Ligue des droits (LDH), Cambodia"
    assert signature.name_normalized == "ligue des droits"
    event = AuditEvent.objects.get(action="signature.edited")
    assert event.actor == user
    assert event.detail["fields"] == ["name", "acronym", "organization_type", "country"]


def test_a_bad_correction_keeps_what_was_typed(client_for, coordinator, open_letter):
    signature = signer(open_letter, name="Ligue")
    response = client_for(coordinator).post(
        edit_url(signature), {"name": "", "acronym": "TYPED", "country": "KH"}
    )
    assert response.status_code == 200
    assert "TYPED" in response.content.decode()
    signature.refresh_from_db()
    assert signature.name == "Ligue"


def test_a_finalized_letter_refuses_corrections(client_for, coordinator, open_letter):
    signature = signer(open_letter, name="Ligue")
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.FINALIZED)
    response = client_for(coordinator).post(edit_url(signature), {"name": "Renamed"})
    assert response.status_code == 200
    assert "The letter is finalized" in response.content.decode()
    signature.refresh_from_db()
    assert signature.name == "Ligue"


def test_names_are_escaped_on_the_edit_page(client_for, coordinator, open_letter):
    signature = signer(open_letter, name=SCRIPT)
    content = client_for(coordinator).get(edit_url(signature)).content.decode()
    assert SCRIPT not in content
    assert escape(SCRIPT) in content


# A change of text once people have signed


@pytest.mark.usefixtures("eager_tasks")
def test_a_change_of_text_asks_before_mailing_the_signers(
    client_for, coordinator, open_letter, django_capture_on_commit_callbacks
):
    signer(open_letter, email="one@example.org")
    signer(open_letter, S.APPROVED, email="two@example.org")
    signer(open_letter, S.PENDING, email="three@example.org")
    client = client_for(coordinator)
    url = reverse("author:letter-edit", kwargs={"pk": open_letter.pk})

    response = client.post(url, form_data(open_letter, body="Typed with care."))
    assert response.status_code == 200
    content = response.content.decode()
    assert "2 signers will be e-mailed what changed and asked to keep or withdraw" in content
    assert "I understand: e-mail the 2 signers" in content
    assert "Typed with care." in content  # nothing typed is lost
    open_letter.refresh_from_db()
    assert (open_letter.version, open_letter.body) == (1, LetterFactory.body)

    data = form_data(open_letter, body="Typed with care.", confirm_new_version="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    open_letter.refresh_from_db()
    assert (open_letter.version, open_letter.body) == (2, "Typed with care.")
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]


def test_resubmitting_without_the_box_asks_again(client_for, coordinator, open_letter):
    signer(open_letter)
    client = client_for(coordinator)
    url = reverse("author:letter-edit", kwargs={"pk": open_letter.pk})
    client.post(url, form_data(open_letter, body="New."))
    response = client.post(url, form_data(open_letter, body="New."))
    assert response.status_code == 200
    assert "I understand: e-mail the 1 signer" in response.content.decode()
    open_letter.refresh_from_db()
    assert open_letter.version == 1


def test_the_box_is_not_shown_when_nobody_is_to_be_mailed(client_for, coordinator, open_letter):
    url = reverse("author:letter-edit", kwargs={"pk": open_letter.pk})
    content = client_for(coordinator).get(url).content.decode()
    assert "confirm_new_version" not in content


def test_signing_settings_are_on_the_edit_form(client_for, coordinator, open_letter):
    signer(open_letter)
    url = reverse("author:letter-edit", kwargs={"pk": open_letter.pk})
    client = client_for(coordinator)
    assert 'for="id_requires_approval"' in client.get(url).content.decode()
    data = form_data(open_letter, requires_approval="on", signing_paused="on")
    response = client.post(url, data)
    assert response.status_code == 302  # no change of text: no confirmation needed
    open_letter.refresh_from_db()
    assert (open_letter.requires_approval, open_letter.signing_paused) == (True, True)
    assert open_letter.version == 1


def test_history_reads_out_moderation_and_corrections(client_for, coordinator, approval_letter):
    signature = signer(approval_letter, name="Ligue")
    client = client_for(coordinator)
    client.post(queue_url(approval_letter), {"action": "approve", "signatures": [signature.pk]})
    client.post(edit_url(signature), {"name": "Ligue des droits", "country": "FR"})
    url = reverse("author:letter-history", kwargs={"pk": approval_letter.pk})
    content = client.get(url).content.decode()
    assert "Approved a signature" in content
    assert "Corrected a signature" in content
    assert f"signature #{signature.pk}; name" in content


def test_the_as_listed_column_is_in_the_letters_language_not_the_interfaces(
    client_for, coordinator, open_letter
):
    """An English letter moderated from the French pages lists "Cambodia", as its text will;
    the country column beside it speaks French."""
    assert open_letter.language == "en"
    ligue = signer(open_letter, name="Ligue", acronym="LG", country="KH")
    signer(open_letter, kind=Signature.Kind.MP, name="Sok Chea", country="FR")
    client = client_for(coordinator)
    with translation.override("fr"):
        url = queue_url(open_letter)
        entry = client.get(edit_url(ligue)).content.decode()
    client.get(url)  # the session and the letter's counters are read once warm

    with CaptureQueriesContext(connection) as two_rows:
        page = client.get(url).content.decode()
    signer(open_letter, name="Third", country="KH")
    with CaptureQueriesContext(connection) as three_rows:
        client.get(url)

    listed = re.findall(r'<a href="[^"]*/signatures/\d+/" lang="([^"]+)">([^<]*)</a>', page)
    assert sorted(listed) == [("en", "Ligue (LG), Cambodia"),
                              ("en", "Sok Chea, Member of Parliament, France")]  # fmt: skip
    assert "<td>Cambodge</td>" in page
    assert len(three_rows) == len(two_rows)  # no query per row
    assert '<p class="lead" lang="en">Ligue (LG), Cambodia</p>' in entry
