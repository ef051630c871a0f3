"""Inviting partners end to end on the real parts: the coordinator's page, a Celery worker and
beat, an SMTP server; the partners follow the links in the mail they received."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from letters_app.models import Letter, Partner, Signature
from tests.partners import partners_add
from tests.waiting import wait_until
from tests.workers import smtp_env

pytestmark = pytest.mark.integration
P = Partner.Status
THREE = """\
Association TEP NIMITH (ATN), France, contact@tep.example.org, fr
សមាគមយុវជនខ្មែរ (SYK), Cambodia, office@khmer.example.org, km
Green Network, Australia, hello@green.example.org, en
"""


@pytest.fixture
def worker_env(smtp_server):
    return smtp_env(smtp_server)


def _first_link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.search(r"https?://\S+/invitations/\S+/", body).group(0)).path


def test_three_partners_invited_one_signs_one_declines(
    open_letter, coordinator, client_for, smtp_server, celery_worker_process, celery_beat_process
):
    partners_add(open_letter, coordinator, THREE)
    coordinator_client = client_for(coordinator)
    invite = reverse("author:letter-partners-invite", kwargs={"pk": open_letter.pk})
    coordinator_client.post(invite, {"everyone": "1"})

    assert smtp_server.inbox.wait(lambda: len(smtp_server.inbox.messages) == 3)
    by_address = {recipients[0]: message for recipients, message in smtp_server.inbox.messages}
    assert sorted(by_address) == [
        "contact@tep.example.org", "hello@green.example.org", "office@khmer.example.org"
    ]  # fmt: skip
    french, khmer = by_address["contact@tep.example.org"], by_address["office@khmer.example.org"]
    assert french["Content-Language"] == "fr"
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert wait_until(lambda: not Partner.objects.exclude(status=P.INVITED).exists())

    # The Khmer partner signs through its link, from a browser of its own.
    partner_client = Client()
    link = _first_link(khmer)
    assert partner_client.get(link).status_code == 200
    form = partner_client.post(link + "sign/", {"open": "1"}).context["form"]
    data = {**form.initial, "kind": "organization", "consent_public": "on"}
    assert data["email"] == "office@khmer.example.org"
    partner_client.post(link + "sign/", data)
    partner_client.post(link + "sign/", data)  # sent twice: listed once

    # The French partner cannot sign this time.
    Client().post(_first_link(french) + "decline/", {"reason": "Pas cette fois."})

    statuses = dict(Partner.objects.values_list("email", "status"))
    assert statuses == {
        "contact@tep.example.org": P.DECLINED,
        "office@khmer.example.org": P.SIGNED,
        "hello@green.example.org": P.INVITED,
    }
    assert Signature.objects.filter(letter=open_letter).count() == 1
    assert Letter.objects.get(pk=open_letter.pk).count_organizations == 1
    page = Client().get(open_letter.get_absolute_url()).text
    assert page.count("សមាគមយុវជនខ្មែរ (SYK)") == 1
    assert len(smtp_server.inbox.messages) == 3  # no confirmation mail for the invited address

    # The coordinator's funnel follows.
    funnel = coordinator_client.get(
        reverse("author:letter-partners", kwargs={"pk": open_letter.pk})
    ).context["funnel"]
    counts = {value: count for value, _label, count in funnel}
    assert (counts["invited"], counts["signed"], counts["declined"]) == (1, 1, 1)
    khmer_partner = Partner.objects.get(email="office@khmer.example.org")
    assert khmer_partner.opened_at <= khmer_partner.signed_at
