"""Anyone can check a delivered letter's SHA-256: each of the five templates drafted, signed by
three organizations through the sign form, finalized and delivered by a real Celery worker
through a real SMTP server; then the commands its public page shows are run, over HTTP, against
the live server, and print the hash shown on the page, in the mail and in the PDF."""

import hashlib
import html
import json
import re
import subprocess
import urllib.request

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from letters_app.celery import app as celery_app
from letters_app.fixtures_data.letter_templates import LETTER_TEMPLATES
from letters_app.models import (
    TEXT_FIELDS,
    Delivery,
    Letter,
    LetterSnapshot,
    LetterTemplate,
    Signature,
    SignerNotice,
)
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import (
    PLACEHOLDER_RE,
    letter_add_new_recipient,
    letter_close,
    letter_create,
    letter_open,
    letter_update,
)
from tests.waiting import wait_until
from tests.workers import smtp_env, smtp_start, worker_env_for, worker_launch, worker_stop

pytestmark = pytest.mark.integration

# One organization signing from each interface language: (URL prefix, what it types).
SIGNERS = [
    ("/km", {"name": "សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា", "acronym": "សសក", "country": "KH",
             "email": "dara@example.org"}),
    ("/fr", {"name": "Rencontre africaine pour la défense des droits de l’homme",
             "acronym": "RADDHO", "country": "SN", "email": "contact@raddho.example.org"}),
    ("", {"name": "Human Rights Watch", "acronym": "HRW", "country": "US",
          "email": "hrw@example.org"}),
]  # fmt: skip
RECIPIENT_EMAIL = "hc@ohchr.example.org"
COMMAND = re.compile(r'<pre class="letter-verify-command"[^>]*><code>(.*?)</code></pre>', re.S)
SHOWN_HASH = re.compile(r"SHA-256 <code>([0-9a-f]{64})</code>")


@pytest.fixture(scope="module")
def smtp():
    controller = smtp_start()
    yield controller
    controller.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, live_server, smtp, tmp_path_factory):
    """One worker for every template: it mails through `smtp`, with links to the live server."""
    celery_app.control.purge()
    env = worker_env_for(smtp_env(smtp, SITE_URL=live_server.url))
    process = worker_launch(env, tmp_path_factory.mktemp("worker") / "worker.log", name="verify")
    yield process
    worker_stop(process)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the live server
        return response.read()


def _run(command: str) -> str:
    """The command as a recipient would paste it into a shell."""
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _draft(key: str, coordinator) -> Letter:
    """A letter from the template, every [placeholder] filled in, one recipient, published."""
    call_command("load_letter_templates", verbosity=0)
    letter = letter_create(template=LetterTemplate.objects.get(key=key), actor=coordinator)
    data = {name: PLACEHOLDER_RE.sub(r"\1", getattr(letter, name)) for name in TEXT_FIELDS}
    data["place"] = "Genève"
    data["accepts_organizations"] = True  # the head-of-government letter takes MPs only
    letter = letter_update(letter=letter, data=data, actor=coordinator)
    letter_add_new_recipient(
        letter=letter, actor=coordinator, honorific="M.", name="Volker Türk",
        title="Haut-Commissaire des Nations unies aux droits de l’homme",
        institution="Haut-Commissariat des Nations unies aux droits de l’homme",
        postal_address="Palais Wilson\n52 rue des Pâquis\nCH-1201 Genève", country="CH",
        email=RECIPIENT_EMAIL, salutation="Monsieur le Haut-Commissaire,",
    )  # fmt: skip
    return letter_open(letter=letter, actor=coordinator)


def _sign_and_confirm(letter: Letter, inbox) -> None:
    cache.clear()  # the sign form's rate limit, per client address
    client = Client()
    for prefix, typed in SIGNERS:
        response = client.post(f"{prefix}/letters/{letter.slug}/sign/", {
            "kind": "organization", "organization_type": "association",
            "contact_name": "Sok Dara", "consent_public": "on", **typed,
        })  # fmt: skip
        assert response.status_code == 302, response.content.decode()
    signatures = Signature.objects.filter(letter=letter)
    for signature in signatures:
        assert inbox.wait(lambda s=signature: _confirm_path(inbox, s) is not None)
        client.post(_confirm_path(inbox, signature))
    assert list(signatures.values_list("is_public", flat=True)) == [True] * 3


def _confirm_path(inbox, signature: Signature) -> str | None:
    for recipients, message in inbox.messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        found = re.search(rf"/signatures/{signature.pk}/[^/\s]+/confirm/", body)
        if recipients == [signature.email] and found:
            return found.group(0)
    return None


def _delivered(letter: Letter) -> bool:
    return (
        Letter.objects.get(pk=letter.pk).status == Letter.Status.SENT
        and not SignerNotice.objects.filter(signature__letter=letter)
        .exclude(status=SignerNotice.Status.SENT)
        .exists()
    )


@pytest.mark.parametrize("key", [t["key"] for t in LETTER_TEMPLATES])
def test_the_hash_of_a_delivered_letter_can_be_recomputed_from_its_public_json(
    key, transactional_db, worker, smtp, live_server, settings, coordinator
):
    settings.SITE_URL = live_server.url  # the page's commands name the address it is served at
    inbox = smtp.inbox
    letter = _draft(key, coordinator)
    _sign_and_confirm(letter, inbox)
    letter_close(letter=letter, actor=coordinator)
    letter_finalize(letter=letter, actor=coordinator)
    assert wait_until(lambda: _delivered(letter), timeout=90), Delivery.objects.values_list(
        "status", "last_error"
    )
    sha256 = LetterSnapshot.objects.get(letter=letter).sha256

    # The public page shows the hash and the commands, in every interface language the same.
    page = _get(f"{live_server.url}/letters/{letter.slug}/").decode()
    commands = [html.unescape(c) for c in COMMAND.findall(page)]
    assert len(commands) == 2
    assert SHOWN_HASH.findall(page) == [sha256]
    for prefix, heading in (("/fr", "Comment vérifier cette lettre"),
                            ("/km", "របៀបផ្ទៀងផ្ទាត់លិខិតនេះ")):  # fmt: skip
        translated = _get(f"{live_server.url}{prefix}/letters/{letter.slug}/").decode()
        assert heading in translated
        assert [html.unescape(c) for c in COMMAND.findall(translated)] == commands

    # Run as a recipient would: the served bytes, and the same content re-serialized.
    sha256sum, reserialized = commands
    assert sha256sum == f"curl -s {live_server.url}/letters/{letter.slug}/letter.json | sha256sum"
    assert _run(sha256sum) == f"{sha256}  -\n"
    assert _run(reserialized) == f"{sha256}\n"
    published = _get(f"{live_server.url}/letters/{letter.slug}/letter.json")
    assert hashlib.sha256(published).hexdigest() == sha256
    pretty = json.dumps(json.loads(published), indent=2).encode()  # escaped to ASCII, indented
    python = reserialized.split("| ", 1)[1]
    assert subprocess.run(["bash", "-c", python], input=pretty, capture_output=True).stdout == (
        f"{sha256}\n".encode()
    )

    # What the hash covers is what the letter lists, names byte for byte; no e-mail address.
    content = json.loads(published)
    lines = [s["line"] for s in content["signatories"]]
    assert [line.split(" (")[0] for line in lines] == [typed["name"] for _p, typed in SIGNERS]
    for _prefix, typed in SIGNERS:
        assert typed["name"].encode() in published
        assert typed["email"].encode() not in published
    assert RECIPIENT_EMAIL.encode() not in published
    assert content["letter"]["title"] == Letter.objects.get(pk=letter.pk).title
    assert content["recipients"][0]["salutation"] == "Monsieur le Haut-Commissaire,"

    # The recipient's mail names the same hash under the letter, and so does its PDF.
    ((_to, mail),) = [(to, m) for to, m in inbox.messages if to == [RECIPIENT_EMAIL]
                      and str(m["Message-ID"]).startswith(f"<letter-{letter.pk}-")]  # fmt: skip
    body = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert f"SHA-256 {sha256}\n" in body
    assert f"{live_server.url}/letters/{letter.slug}/#verify" in body
    (pdf,) = mail.iter_attachments()
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf.get_content(), capture_output=True, check=True
    ).stdout.decode()
    assert f"SHA-256 {sha256}" in text
    inbox.messages.clear()
