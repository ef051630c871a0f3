"""An admin follows an alert's mail: the link opens the signatures of the burst, invalidating
them resolves the alert; an honest burst is marked resolved on the alert's page."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from letters_app.models import AuditAction, AuditEvent, Incident, Signature, UserLanguage
from letters_app.services import mails
from letters_app.services.incidents import IncidentMailOutbox, incidents_detect
from letters_app.services.signatures import name_normalize
from tests.clock import MIDDAY
from tests.factories import SignatureFactory, listed

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDDAY, tick=False)]

CHANGELIST = "admin:letters_app_signature_changelist"


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.INCIDENT_ADDRESS_THRESHOLD = 3
    settings.INCIDENT_NAME_THRESHOLD = 3


NAMES = ["Ligue des droits", "Licadho", "Adhoc Cambodia"]


def burst(letter, **fields):
    """Three signatures unlike one another but for `fields`."""
    return [
        listed(letter, email=f"bot{n}@org{n}.example", name=name, name_normalized=name.lower(),
               **fields)
        for n, name in enumerate(NAMES)
    ]  # fmt: skip


def alert_links(admin) -> tuple[str, str]:
    """Open the alert, send its mail; the paths of the mail's two links."""
    assert incidents_detect() == 1
    mails.mails_send_due(outboxes=[IncidentMailOutbox])
    (message,) = mail.outbox
    assert message.to == [admin.email]
    paths = [urlsplit(url) for url in re.findall(r"https?://\S+", message.body)]
    return tuple(f"{url.path}?{url.query}" if url.query else url.path for url in paths)


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_mails_link_opens_the_burst_and_invalidating_it_resolves_the_alert(
    client_for, admin, open_letter
):
    bots = burst(open_letter, ip_address="203.0.113.7")
    human = listed(
        open_letter, email="human@example.net", ip_address="198.51.100.1", name="Sok Dara",
        name_normalized="sok dara",
    )  # fmt: skip
    list_path, alert_path = alert_links(admin)
    incident = Incident.objects.get()
    assert list_path == reverse(CHANGELIST) + f"?incident={incident.pk}"
    assert alert_path == reverse("admin:letters_app_incident_change", args=[incident.pk])

    client = client_for(admin)
    page = client.get(list_path)
    assert page.status_code == 200
    assert set(page.context["cl"].result_list) == set(bots)

    selection = {"action": "invalidate", "select_across": "1", "_selected_action": [bots[0].pk]}
    confirm = client.post(list_path, selection)
    assert confirm.status_code == 200
    assert "3 signatures will be rejected" in confirm.text
    assert "is then resolved" in confirm.text
    assert Incident.objects.get().is_open

    response = client.post(list_path, {**selection, "reason": "one bot, one address"})
    assert response.status_code == 302
    assert flash(response) == ["3 signatures invalidated."]
    assert set(Signature.objects.filter(status=Signature.Status.REJECTED)) == set(bots)
    human.refresh_from_db()
    assert human.status == Signature.Status.CONFIRMED
    incident.refresh_from_db()
    assert (incident.resolution, incident.resolved_by) == (
        Incident.Resolution.INVALIDATED, admin,
    )  # fmt: skip
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_RESOLVED)
    assert (event.actor, event.detail["reason"]) == (admin, "one bot, one address")
    assert incidents_detect() == 0  # resolved: no second alert
    assert len(mail.outbox) == 1


def test_look_alike_names_are_listed_by_the_alert(client_for, admin, open_letter):
    names = ["Jean Dupont", "DUPONT Jean 2", "Jeann Dup0nt"]
    bots = [
        SignatureFactory(letter=open_letter, name=name, name_normalized=name_normalize(name))
        for name in names
    ]
    SignatureFactory(letter=open_letter, name="Jean Durand", name_normalized="jean durand")
    list_path, _alert = alert_links(admin)
    page = client_for(admin).get(list_path)
    assert set(page.context["cl"].result_list) == set(bots)


def test_an_honest_burst_is_marked_resolved_on_the_alerts_page(client_for, admin, open_letter):
    bots = burst(open_letter, ip_address="203.0.113.7")
    _list, alert_path = alert_links(admin)
    client = client_for(admin)
    page = client.get(alert_path)
    assert page.status_code == 200
    assert "Mark resolved" in page.text
    resolve = reverse("admin:letters_app_incident_resolve", args=[Incident.objects.get().pk])
    assert client.get(resolve).status_code == 405  # a button, not a link

    response = client.post(resolve)
    assert response.status_code == 302
    assert flash(response) == ["The alert is marked resolved."]
    incident = Incident.objects.get()
    assert incident.resolution == Incident.Resolution.DISMISSED
    assert AuditEvent.objects.get(action=AuditAction.INCIDENT_RESOLVED).actor == admin
    assert {s.status for s in Signature.objects.filter(pk__in=[b.pk for b in bots])} == {
        Signature.Status.CONFIRMED
    }
    assert "Mark resolved" not in client.get(alert_path).text

    response = client.post(resolve)
    assert flash(response) == ["This alert has already been resolved."]
    assert AuditEvent.objects.filter(action=AuditAction.INCIDENT_RESOLVED).count() == 1


@pytest.mark.parametrize("persona", ["coordinator", "stranger"])
def test_only_admins_see_or_resolve_alerts(client_for, request, admin, open_letter, persona):
    burst(open_letter, ip_address="203.0.113.7")
    list_path, alert_path = alert_links(admin)
    client = client_for(request.getfixturevalue(persona))
    incident = Incident.objects.get()
    for path in (list_path, alert_path, reverse("admin:letters_app_incident_changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client.post(reverse("admin:letters_app_incident_resolve", args=[incident.pk]))
    assert Incident.objects.get().is_open


def test_alert_pages_speak_french(client_for, admin, open_letter):
    burst(open_letter, ip_address="203.0.113.7")
    _list, alert_path = alert_links(admin)
    client = client_for(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Marquer comme résolue" in client.get(alert_path).text
    listing = client.get(reverse("admin:letters_app_incident_changelist"), {"open": "1"})
    assert "Une adresse ou un réseau" in listing.text
    unusual = client.get(reverse("admin:letters_app_signature_unusual"))
    assert "1 alerte ouverte de signatures inhabituelles" in unusual.text


def test_the_language_an_admin_chooses_is_kept_for_their_alerts(client_for, admin):
    client_for(admin).get(reverse("language", args=["km"]), {"next": "/"})
    assert UserLanguage.objects.get(user=admin).language == "km"
