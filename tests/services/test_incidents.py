"""Alerts on unusual signing: bursts from one address or network, one domain or look-alike names
open one incident each, mailed once to every admin; resolving closes it, and only a new burst
opens another."""

import datetime
import itertools

import pytest
from django.core import mail

from letters_app.models import AuditAction, AuditEvent, Incident, IncidentMail, Signature
from letters_app.services import mails
from letters_app.services.incidents import (
    IncidentMailOutbox,
    address_key,
    incident_invalidate,
    incident_resolve,
    incident_signatures,
    incidents_detect,
    name_key,
    user_language_set,
)
from letters_app.services.signatures import name_normalize, signature_invalidate
from tests.clock import MIDDAY
from tests.factories import LetterFactory, SignatureFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDDAY, tick=False)]


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.INCIDENT_WINDOW_MINUTES = 60
    settings.INCIDENT_ADDRESS_THRESHOLD = 5
    settings.INCIDENT_DOMAIN_THRESHOLD = 5
    settings.INCIDENT_NAME_THRESHOLD = 3


SEQUENCE = itertools.count()


def word(k: int) -> str:
    """A word of letters for `k`, unlike every other's even once folded ("11" is not "1")."""
    return "".join(chr(ord("a") + int(d) + 10 * (i % 2)) for i, d in enumerate(str(k)))


def sign(letter, n, *, ip=None, domain=None, names=None):
    """`n` signatures on `letter`, from `ip`, with addresses at `domain` (else each at its
    own), under `names` (else each its own)."""
    made = []
    for i in range(n):
        k = next(SEQUENCE)
        name = names[i % len(names)] if names else f"Association {word(k)}"
        email = f"signer{k}@{domain or f'org{k}.example'}"
        made.append(
            SignatureFactory(
                letter=letter,
                ip_address=ip,
                email=email,
                email_domain=email.partition("@")[2],
                email_normalized=email,
                name=name,
                name_normalized=name_normalize(name),
            )  # fmt: skip
        )
    return made


def send_alerts() -> int:
    return mails.mails_send_due(outboxes=[IncidentMailOutbox])


def test_a_burst_from_one_address_alerts_every_admin_once(open_letter, admin, coordinator):
    UserFactory(username="other-admin", is_staff=True)
    UserFactory(username="no-mail-admin", is_staff=True, email="")
    sign(open_letter, 5, ip="203.0.113.7")
    sign(open_letter, 2, ip="203.0.113.8")

    assert incidents_detect() == 1
    incident = Incident.objects.get()
    assert (incident.kind, incident.key, incident.count) == ("address", "203.0.113.7", 5)
    assert incident.letter == open_letter and incident.is_open
    assert send_alerts() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.org", "other-admin@example.org"]
    body = mail.outbox[0].body
    assert open_letter.title in mail.outbox[0].subject
    assert "5 signatures were made" in body and "203.0.113.7" in body
    assert f"http://localhost:8000/admin/letters_app/signature/?incident={incident.pk}" in body

    # Later runs see the same burst, and more of it: the same incident, no more mail.
    sign(open_letter, 3, ip="203.0.113.7")
    assert incidents_detect() == 0
    assert send_alerts() == 0
    assert len(mail.outbox) == 2
    assert Incident.objects.get().count == 8
    assert IncidentMail.objects.count() == 2


def test_below_the_threshold_or_spread_over_letters_nothing_opens(open_letter, admin):
    other = LetterFactory()
    sign(open_letter, 4, ip="203.0.113.7")
    sign(other, 4, ip="203.0.113.7")
    assert incidents_detect() == 0
    assert not Incident.objects.exists()


def test_signatures_older_than_the_window_are_not_a_burst(open_letter, admin, time_machine):
    sign(open_letter, 3, ip="203.0.113.7")
    time_machine.move_to(MIDDAY + datetime.timedelta(minutes=61), tick=False)
    sign(open_letter, 3, ip="203.0.113.7")
    assert incidents_detect() == 0


def test_ipv6_addresses_count_by_their_64(open_letter, admin):
    for n in range(5):
        sign(open_letter, 1, ip=f"2001:db8:1:2::{n + 1}")
    sign(open_letter, 4, ip="2001:db8:1:3::1")
    assert incidents_detect() == 1
    incident = Incident.objects.get()
    assert incident.key == "2001:db8:1:2::/64"
    assert incident_signatures(incident).count() == 5


def test_a_burst_from_one_domain_opens_but_not_from_a_public_provider(open_letter, admin):
    sign(open_letter, 5, domain="spam.example")
    sign(open_letter, 9, domain="gmail.com")
    assert incidents_detect() == 1
    assert Incident.objects.get().key == "spam.example"
    assert Incident.objects.get().kind == Incident.Kind.DOMAIN


def test_look_alike_names_open_an_incident(open_letter, admin):
    names = ["Jean Dupont", "jean  DUPONT 2", "Dupont, Jean", "Jeann Dup0nt"]
    sign(open_letter, 4, names=names)
    sign(open_letter, 2, names=["Marie Curie", "Pierre Curie"])
    assert incidents_detect() == 1
    incident = Incident.objects.get()
    assert (incident.kind, incident.count) == (Incident.Kind.NAME, 4)
    assert sorted(incident_signatures(incident).values_list("name", flat=True)) == sorted(names)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Jean Dupont", "JEAN DUPONT 12", True),
        ("Jean Dupont", "Dupont Jean", True),
        ("Jéan Dupont", "Jean Duupont", True),
        ("J3an Dup0nt", "Jean Dupont", True),
        ("សមាគម ខ្មែរ", "ខ្មែរ សមាគម", True),
        ("Jean Dupont", "Jean Durand", False),
    ],
)
def test_name_key(a, b, same):
    assert (name_key(name_normalize(a)) == name_key(name_normalize(b))) is same


def test_name_key_of_a_name_without_letters_is_empty():
    assert name_key(name_normalize("12 34")) == ""


def test_address_key():
    assert address_key("203.0.113.7") == "203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"


def test_marked_resolved_it_stays_closed_until_a_new_burst(open_letter, admin, time_machine):
    sign(open_letter, 5, ip="203.0.113.7")
    incidents_detect()
    incident = Incident.objects.get()

    time_machine.move_to(MIDDAY + datetime.timedelta(minutes=5), tick=False)
    assert incident_resolve(incident=incident, actor=admin, reason="an office")
    assert not incident_resolve(incident=incident, actor=admin)  # once
    incident.refresh_from_db()
    assert incident.resolution == Incident.Resolution.DISMISSED
    assert incident.resolved_by == admin
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_RESOLVED)
    assert (event.actor, event.letter) == (admin, open_letter)
    assert event.detail["incident"] == incident.pk

    # The burst is still within the window: resolved, it does not open again.
    time_machine.move_to(MIDDAY + datetime.timedelta(minutes=6), tick=False)
    sign(open_letter, 4, ip="203.0.113.7")
    assert incidents_detect() == 0

    # A fifth signature since it was closed is a new burst: a new incident, a new mail.
    sign(open_letter, 1, ip="203.0.113.7")
    assert incidents_detect() == 1
    new = Incident.objects.filter(closed_at__isnull=True).get()
    assert new.pk != incident.pk
    assert new.count == 5
    assert new.first_at == MIDDAY + datetime.timedelta(minutes=6)
    send_alerts()
    assert len(mail.outbox) == 2
    assert IncidentMail.objects.filter(incident=new).count() == 1


def test_invalidating_an_incident_rejects_its_signatures_and_resolves_it(open_letter, admin):
    burst = sign(open_letter, 5, ip="203.0.113.7")
    honest = sign(open_letter, 1, ip="203.0.113.9")
    incidents_detect()
    incident = Incident.objects.get()

    done = incident_invalidate(
        incident=incident, signatures=Signature.objects.all(), actor=admin, reason="one person"
    )
    assert done == 5
    assert {s.status for s in Signature.objects.filter(pk__in=[s.pk for s in burst])} == {
        Signature.Status.REJECTED
    }
    honest[0].refresh_from_db()
    assert honest[0].status == Signature.Status.PENDING  # not the incident's
    incident.refresh_from_db()
    assert incident.resolution == Incident.Resolution.INVALIDATED
    assert not incident.is_open
    assert AuditEvent.objects.filter(action=AuditAction.SIGNATURE_INVALIDATED).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.INCIDENT_RESOLVED).count() == 1
    # Rejected signatures count no more: nothing opens again.
    assert incidents_detect() == 0


def test_an_incident_whose_signatures_were_all_rejected_elsewhere_closes(open_letter, admin):
    sign(open_letter, 5, ip="203.0.113.7")
    incidents_detect()
    signature_invalidate(  # from the whole list, filtered by hand
        signatures=Signature.objects.filter(ip_address="203.0.113.7"), actor=admin, reason="spam"
    )
    incidents_detect()
    incident = Incident.objects.get()
    assert incident.resolution == Incident.Resolution.INVALIDATED
    assert AuditEvent.objects.get(action=AuditAction.INCIDENT_RESOLVED).actor is None


def test_the_alert_speaks_the_language_the_admin_chose(open_letter, admin):
    user_language_set(user=admin, language="fr")
    sign(open_letter, 5, ip="203.0.113.7")
    incidents_detect()
    send_alerts()
    (message,) = mail.outbox
    assert IncidentMail.objects.get().language == "fr"
    assert message.extra_headers["Content-Language"] == "fr"
    assert "Signatures inhabituelles" in message.subject
    assert "5 signatures ont été faites" in message.body


def test_a_mail_row_sent_twice_goes_out_once(open_letter, admin):
    sign(open_letter, 5, ip="203.0.113.7")
    incidents_detect()
    assert send_alerts() == 1
    assert send_alerts() == 0
    assert IncidentMail.objects.get().status == IncidentMail.Status.SENT
    assert len(mail.outbox) == 1


def test_names_in_the_alert_are_escaped_in_its_html(open_letter, admin):
    script = '<script>alert("pwned")</script>'
    sign(open_letter, 5, ip="203.0.113.7", names=[f"{script} {w}" for w in ("ab", "cd", "ef")])
    incidents_detect()
    send_alerts()
    html = mail.outbox[0].alternatives[0].content
    assert script not in html
    assert "&lt;script&gt;" in html
    assert script in mail.outbox[0].body  # plain text is shown as text
