import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from letters_app.models import (
    AuditEvent,
    Blocklist,
    Letter,
    LetterVersion,
    Signature,
    SiteSwitch,
)
from letters_app.services.letters import letter_open
from letters_app.services.signatures import signature_add, signature_confirm
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

MODELS = ["letter", "lettertemplate", "recipient", "auditevent", "signature", "blocklist",
          "lettertranslation", "exportjob", "webhook", "webhookdelivery"]  # fmt: skip
SCRIPT = '<script>alert("pwned")</script>'


def sign_as(letter, email):
    return signature_add(letter=letter, kind=Signature.Kind.ORGANIZATION, email=email,
                         name="Ligue", country="FR", consent_public=True)  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_searches_every_model(client_for, admin, letter, model):
    client = client_for(admin)
    response = client.get(reverse(f"admin:letters_app_{model}_changelist"), {"q": "Cambodia"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_coordinators_cannot_use_the_admin(client_for, coordinator, model):
    response = client_for(coordinator).get(reverse(f"admin:letters_app_{model}_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def _change_form_data(letter, **overrides):
    data = {
        "title": letter.title, "slug": letter.slug, "kind": letter.kind, "place": letter.place,
        "language": letter.language,
        "salutation": letter.salutation, "body": letter.body, "closing": letter.closing,
        "sender_line": letter.sender_line, "signatory_heading": letter.signatory_heading,
        "created_by": letter.created_by_id, "accepts_organizations": "on",
        "letter_recipients-TOTAL_FORMS": "0", "letter_recipients-INITIAL_FORMS": "0",
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
    }  # fmt: skip
    return {**data, **overrides}


def test_admin_cannot_change_status_by_editing(client_for, admin, letter):
    url = reverse("admin:letters_app_letter_change", args=[letter.pk])
    response = client_for(admin).post(url, _change_form_data(letter, status="sent"))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_admin_edit_of_an_open_letter_makes_a_new_version(client_for, admin, letter):
    letter_open(letter=letter, actor=letter.created_by)
    letter.refresh_from_db()
    url = reverse("admin:letters_app_letter_change", args=[letter.pk])
    response = client_for(admin).post(url, _change_form_data(letter, body="A corrected body."))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.version == 2
    assert LetterVersion.objects.get(letter=letter, number=2).body == "A corrected body."
    assert LetterVersion.objects.get(letter=letter, number=1).body != "A corrected body."


def test_admin_publish_action_goes_through_the_lifecycle(client_for, admin, letter):
    client = client_for(admin)
    url = reverse("admin:letters_app_letter_changelist")
    letter.body = "Dear [Your name], we ask."
    letter.save()
    client.post(url, {"action": "letter_open", "_selected_action": [letter.pk]})
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT

    letter.body = "We ask."
    letter.save()
    response = client.post(
        url, {"action": "letter_open", "_selected_action": [letter.pk]}, follow=True
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.OPEN
    assert [str(m) for m in response.context["messages"]][-1] == f"{letter}: Open for signing"
    assert AuditEvent.objects.filter(letter=letter, action="letter.open", actor=admin).exists()


def test_audit_trail_is_read_only_in_admin(client_for, admin, letter):
    letter_open(letter=letter, actor=letter.created_by)
    event = AuditEvent.objects.get(letter=letter, action="letter.open")
    client = client_for(admin)
    assert client.get(reverse("admin:letters_app_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:letters_app_auditevent_delete", args=[event.pk]))
    assert response.status_code == 403


# Signatures, the blocklist and the site switch


def signer(letter, *, confirm=True, **fields):
    signature = SignatureFactory(letter=letter, version=letter.version, **fields)
    if confirm:
        signature_confirm(signature=signature)
    signature.refresh_from_db()
    return signature


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


CHANGELIST = "admin:letters_app_signature_changelist"


@pytest.mark.parametrize("model", ["signature", "blocklist"])
def test_admin_lists_signatures_and_the_blocklist(client_for, admin, open_letter, model):
    signer(open_letter)
    response = client_for(admin).get(reverse(f"admin:letters_app_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "co_coordinator", "stranger"])
@pytest.mark.parametrize(
    "name", [CHANGELIST, "admin:letters_app_signature_unusual", "admin:letters_app_blocklist_add"]
)
def test_only_staff_reach_the_abuse_tools(request, client_for, persona, name):
    response = client_for(request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.mark.parametrize(
    ("query", "found"),
    [("Khmer", ["khmer"]), ("KYSD", ["acronym"]), ("ada@example.org", ["email"]), ("zzz", [])],
)
def test_signatures_are_searched_by_name_acronym_and_email(
    client_for, admin, open_letter, query, found
):
    signer(open_letter, name="Khmer Youth", email="other@example.org")
    signer(open_letter, name="Youth Dev", acronym="KYSD", email="third@example.org")
    signer(open_letter, name="Ada Lovelace", email="ada@example.org")
    response = client_for(admin).get(reverse(CHANGELIST), {"q": query})
    names = {s.name for s in response.context["cl"].result_list}
    expected = {
        "khmer": {"Khmer Youth"},
        "acronym": {"Youth Dev"},
        "email": {"Ada Lovelace"},
    }
    assert names == set().union(*(expected[key] for key in found))


def test_signatures_filter_by_letter_status_kind_country_and_flag(client_for, admin, open_letter):
    flagged = signer(open_letter, country="KH")
    Signature.objects.filter(pk=flagged.pk).update(is_flagged=True)
    pending = signer(open_letter, confirm=False, country="FR")
    client = client_for(admin)
    for query, expected in [
        ({"status__exact": "pending"}, {pending}),
        ({"is_flagged__exact": "1"}, {flagged}),
        ({"country__exact": "KH"}, {flagged}),
        ({"kind__exact": "organization"}, {flagged, pending}),
        ({"letter__id__exact": open_letter.pk}, {flagged, pending}),
    ]:
        response = client.get(reverse(CHANGELIST), query)
        assert set(response.context["cl"].result_list) == expected, query


def test_signer_names_are_escaped_in_the_admin(client_for, admin, open_letter):
    signature = signer(open_letter, name=SCRIPT, acronym="<b>A</b>")
    client = client_for(admin)
    for url in (
        reverse(CHANGELIST),
        reverse("admin:letters_app_signature_change", args=[signature.pk]),
    ):
        content = client.get(url).content.decode()
        assert SCRIPT not in content
        assert "<b>A</b>" not in content
        assert escape(SCRIPT) in content
    response = client.post(
        reverse(CHANGELIST), {"action": "invalidate", "_selected_action": [signature.pk]}
    )
    assert SCRIPT not in response.content.decode()


def test_status_cannot_be_edited_and_corrections_are_audited(client_for, admin, open_letter):
    signature = signer(open_letter, name="Ligue", country="FR")
    url = reverse("admin:letters_app_signature_change", args=[signature.pk])
    data = {"name": "Ligue des droits", "acronym": "", "organization_type": "", "website": "",
            "title": "", "affiliation": "", "party": "", "parliament": "", "country": "FR",
            "contact_name": "", "contact_role": "", "status": "approved",
            "is_public": "", "is_flagged": "on"}  # fmt: skip
    response = client_for(admin).post(url, data)
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.name == "Ligue des droits"
    assert (signature.status, signature.is_public, signature.is_flagged) == (
        Signature.Status.CONFIRMED, True, False,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="signature.edited")
    assert (event.actor, event.detail["fields"]) == (admin, ["name"])


def test_signatures_are_neither_added_nor_deleted_in_the_admin(client_for, admin, open_letter):
    signature = signer(open_letter)
    client = client_for(admin)
    assert client.get(reverse("admin:letters_app_signature_add")).status_code == 403
    url = reverse("admin:letters_app_signature_delete", args=[signature.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Signature.objects.filter(pk=signature.pk).exists()


@pytest.mark.parametrize(
    ("action", "status", "public"),
    [("approve", "approved", True), ("reject", "rejected", False)],
)
def test_approve_and_reject_actions_use_the_services(
    client_for, admin, open_letter, action, status, public
):
    Letter.objects.filter(pk=open_letter.pk).update(requires_approval=True)
    open_letter.refresh_from_db()
    chosen = signer(open_letter)
    other = signer(open_letter)
    response = client_for(admin).post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [chosen.pk]}
    )
    assert response.status_code == 302
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.status, chosen.is_public) == (status, public)
    assert other.status == Signature.Status.CONFIRMED
    assert AuditEvent.objects.get(action=f"signature.{status}").actor == admin
    open_letter.refresh_from_db()
    assert open_letter.count_organizations == int(public)


def test_invalidate_asks_why_then_rejects_the_selection(client_for, admin, open_letter):
    bots = [signer(open_letter, email=f"bot{i}@spam.example") for i in range(2)]
    human = signer(open_letter)
    client = client_for(admin)
    selection = {"action": "invalidate", "_selected_action": [b.pk for b in bots]}
    response = client.post(reverse(CHANGELIST), selection)
    assert response.status_code == 200
    content = response.content.decode()
    assert "2 signatures will be rejected" in content
    assert "bot0@spam.example" in content
    assert Signature.objects.filter(status=Signature.Status.REJECTED).count() == 0

    response = client.post(reverse(CHANGELIST), {**selection, "reason": ""})
    assert response.status_code == 200  # a reason is required
    assert Signature.objects.filter(status=Signature.Status.REJECTED).count() == 0

    response = client.post(reverse(CHANGELIST), {**selection, "reason": "one bot, many names"})
    assert response.status_code == 302
    assert flash(response) == ["2 signatures invalidated."]
    assert {s.status for s in Signature.objects.filter(pk__in=[b.pk for b in bots])} == {
        Signature.Status.REJECTED
    }
    human.refresh_from_db()
    assert (human.status, human.is_public) == (Signature.Status.CONFIRMED, True)
    events = AuditEvent.objects.filter(action="signature.invalidated")
    assert {(e.actor, e.detail["reason"]) for e in events} == {(admin, "one bot, many names")}
    open_letter.refresh_from_db()
    assert open_letter.count_organizations == 1


def test_invalidate_refuses_the_whole_unfiltered_list(client_for, admin, open_letter):
    signer(open_letter)
    response = client_for(admin).post(
        reverse(CHANGELIST),
        {"action": "invalidate", "select_across": "1", "_selected_action": ["0"],
         "reason": "everything"},
    )  # fmt: skip
    assert response.status_code == 302
    assert flash(response) == ["Choose which signatures to invalidate: the whole list is refused."]
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


def test_an_empty_selection_changes_nothing(client_for, admin, open_letter):
    signer(open_letter)
    response = client_for(admin).post(reverse(CHANGELIST), {"action": "invalidate", "index": "0"})
    assert response.status_code == 302
    assert "Items must be selected" in flash(response)[0]
    assert Signature.objects.get().status == Signature.Status.CONFIRMED


def test_invalidate_all_signatures_of_a_filtered_list(client_for, admin, open_letter):
    bots = [signer(open_letter, email=f"bot{i}@spam.example", email_domain="spam.example")
            for i in range(3)]  # fmt: skip
    human = signer(open_letter)
    url = reverse(CHANGELIST) + "?email_domain=spam.example"
    client = client_for(admin)
    assert set(client.get(url).context["cl"].result_list) == set(bots)
    data = {"action": "invalidate", "select_across": "1", "_selected_action": [bots[0].pk]}
    assert client.post(url, data).status_code == 200
    response = client.post(url, {**data, "reason": "bulk sign-up"})
    assert response.status_code == 302
    assert Signature.objects.filter(status=Signature.Status.REJECTED).count() == 3
    human.refresh_from_db()
    assert human.status == Signature.Status.CONFIRMED


# Signing unusually often


def test_unusual_signing_lists_busy_domains_and_addresses(client_for, admin, open_letter):
    SignatureFactory.create_batch(
        20, letter=open_letter, email_domain="bulk.example", ip_address="203.0.113.5"
    )
    SignatureFactory.create_batch(5, letter=open_letter, email_domain="quiet.example")
    old = SignatureFactory.create_batch(21, letter=open_letter, email_domain="old.example")
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    Signature.objects.filter(pk__in=[s.pk for s in old]).update(created_at=three_days_ago)
    client = client_for(admin)

    changelist = client.get(reverse(CHANGELIST)).content.decode()
    unusual = reverse("admin:letters_app_signature_unusual")
    assert unusual in changelist

    response = client.get(unusual)
    assert response.status_code == 200
    (day, day_rows), (week, week_rows) = response.context["windows"]
    assert [(str(kind), value, n) for kind, value, n, _url in day_rows] == [
        ("E-mail domain", "bulk.example", 20),
        ("IP address", "203.0.113.5", 20),
    ]
    assert [(value, n) for _kind, value, n, _url in week_rows] == [
        ("old.example", 21), ("bulk.example", 20), ("203.0.113.5", 20),
    ]  # fmt: skip
    content = response.content.decode()
    assert "quiet.example" not in content

    link = day_rows[0][3]
    assert escape(link) in content
    listed = client.get(link).context["cl"].result_list
    assert {s.email_domain for s in listed} == {"bulk.example"}
    assert len(listed) == 20
    ip_listed = client.get(day_rows[1][3]).context["cl"].result_list
    assert len(ip_listed) == 20

    lower = client.get(unusual, {"threshold": "5"})
    assert "quiet.example" in lower.content.decode()
    assert client.get(unusual, {"threshold": "lots"}).context["threshold"] == 20


def test_unusual_signing_escapes_what_signers_typed(client_for, admin, open_letter):
    SignatureFactory.create_batch(20, letter=open_letter, email_domain="<b>x</b>.example")
    content = client_for(admin).get(reverse("admin:letters_app_signature_unusual")).content
    assert b"<b>x</b>" not in content


# Blocklist and site switch


@pytest.mark.parametrize(
    ("kind", "value", "saved"),
    [("ip", "203.0.113.9/24", "203.0.113.0/24"), ("domain", "Spam.Example ", "spam.example"),
     ("email", " One.Person@Gmail.com", "one.person@gmail.com")],
)  # fmt: skip
def test_blocklist_entries_are_checked_normalized_and_audited(
    client_for, admin, kind, value, saved
):
    url = reverse("admin:letters_app_blocklist_add")
    response = client_for(admin).post(url, {"kind": kind, "value": value, "reason": "spam"})
    assert response.status_code == 302
    assert Blocklist.objects.get().value == saved
    event = AuditEvent.objects.get(action="blocklist.saved")
    assert event.actor == admin


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [("ip", "203.0.113", "Give an IP address or network, e.g. 203.0.113.0/24."),
     ("domain", "localhost", "Give a domain such as example.org."),
     ("domain", "spam .example", "Give a domain such as example.org."),
     ("domain", "one.person@gmail.com", "This is an e-mail address. To block only this address, "
      "choose “E-mail address”; to block every address at a domain, give the domain alone."),
     ("email", "gmail.com", "Give one e-mail address, e.g. one.person@example.org."),
     ("email", "a@b", "Give one e-mail address, e.g. one.person@example.org.")],
)  # fmt: skip
def test_a_bad_blocklist_entry_is_refused(client_for, admin, kind, value, message):
    url = reverse("admin:letters_app_blocklist_add")
    response = client_for(admin).post(url, {"kind": kind, "value": value})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["value"] == [message]
    assert not Blocklist.objects.exists()


def test_the_blocklist_form_says_what_each_kind_blocks(client_for, admin):
    content = client_for(admin).get(reverse("admin:letters_app_blocklist_add")).content.decode()
    for label in ("E-mail address", "E-mail domain", "IP address or network"):
        assert f"{label}</label>" in content
    assert 'type="radio" name="kind"' in content
    assert "never block a provider such as gmail.com this way" in content


def test_blocking_one_gmail_address_spares_the_rest_of_gmail(client_for, admin, open_letter):
    url = reverse("admin:letters_app_blocklist_add")
    client_for(admin).post(url, {"kind": "email", "value": "one.person@gmail.com"})
    entry = Blocklist.objects.get()
    assert (entry.kind, entry.value) == (Blocklist.Kind.EMAIL, "one.person@gmail.com")
    for email in ("one.person@gmail.com", "OnePerson+letters@googlemail.com"):
        with pytest.raises(ValidationError) as refused:
            sign_as(open_letter, email)
        assert refused.value.code == "blocked"
    assert sign_as(open_letter, "another.person@gmail.com")[1] is True


def test_the_site_switch_is_one_row_that_cannot_be_deleted(client_for, admin):
    client = client_for(admin)
    response = client.get(reverse("admin:letters_app_siteswitch_changelist"))
    switch = SiteSwitch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:letters_app_siteswitch_change", args=[switch.pk])
    assert client.get(reverse("admin:letters_app_siteswitch_add")).status_code == 403
    url = reverse("admin:letters_app_siteswitch_delete", args=[switch.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert SiteSwitch.objects.count() == 1


def test_the_site_switch_pauses_every_sign_form(client_for, admin, open_letter):
    url = reverse("admin:letters_app_siteswitch_change", args=[SiteSwitch.get().pk])
    client = client_for(admin)
    assert client.post(url, {"signing_paused": "on"}).status_code == 302
    with pytest.raises(ValidationError) as caught:
        signature_add(letter=open_letter, kind="organization", email="a@example.org", name="A")
    assert caught.value.code == "closed"
    assert AuditEvent.objects.get(action="site.signing_paused").actor == admin

    assert client.post(url, {}).status_code == 302
    signature, created = signature_add(
        letter=open_letter, kind="organization", email="a@example.org", name="A"
    )
    assert created is True
    assert AuditEvent.objects.filter(action="site.signing_resumed").count() == 1


# Letter settings and a change of text with signers


def test_admin_sets_a_letters_signing_switches(client_for, admin, open_letter):
    url = reverse("admin:letters_app_letter_change", args=[open_letter.pk])
    data = _change_form_data(open_letter, requires_approval="on", signing_paused="on")
    assert client_for(admin).post(url, data).status_code == 302
    open_letter.refresh_from_db()
    assert (open_letter.requires_approval, open_letter.signing_paused) == (True, True)
    assert AuditEvent.objects.get(action="letter.edited").detail["fields"] == [
        "requires_approval", "signing_paused",
    ]  # fmt: skip


@pytest.mark.usefixtures("eager_tasks")
def test_admin_change_of_text_with_signers_needs_the_box(
    client_for, admin, open_letter, django_capture_on_commit_callbacks
):
    signer(open_letter, email="one@example.org")
    url = reverse("admin:letters_app_letter_change", args=[open_letter.pk])
    client = client_for(admin)
    response = client.post(url, _change_form_data(open_letter, body="Amended."))
    assert response.status_code == 200
    assert "1 signer will be e-mailed" in response.content.decode()
    open_letter.refresh_from_db()
    assert open_letter.version == 1

    data = _change_form_data(open_letter, body="Amended.", confirm_new_version="on")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    open_letter.refresh_from_db()
    assert (open_letter.version, open_letter.body) == (2, "Amended.")
    assert [m.to for m in mail.outbox] == [["one@example.org"]]


def test_signatures_of_a_finalized_letter_are_read_only(client_for, admin, open_letter):
    signature = signer(open_letter, name="Ligue")
    Letter.objects.filter(pk=open_letter.pk).update(status=Letter.Status.FINALIZED)
    url = reverse("admin:letters_app_signature_change", args=[signature.pk])
    client = client_for(admin)
    assert 'name="name"' not in client.get(url).content.decode()
    client.post(url, {"name": "Renamed"})
    signature.refresh_from_db()
    assert signature.name == "Ligue"


def test_entries_stored_before_the_kinds_were_told_apart_stay_domains():
    migration = importlib.import_module("letters_app.migrations.0017_names_blocklist_kind")
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="spam.example")
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="bot@spam.example")
    Blocklist.objects.create(kind=Blocklist.Kind.DOMAIN, value="x@other.example")
    migration.domains_as_domains(django_apps, None)
    assert sorted(Blocklist.objects.values_list("kind", "value")) == [
        ("domain", "other.example"), ("domain", "spam.example"),
    ]  # fmt: skip
