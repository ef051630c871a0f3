"""A reader of a finalized letter checks its SHA-256 with the command its page shows, in
Debian's Chromium: the French page, the How to verify section opened, the command copied as
shown and run in a shell against the live server."""

import subprocess

import pytest
from playwright.sync_api import expect

from letters_app.models import LetterSnapshot
from letters_app.services.deliveries import letter_finalize
from letters_app.services.letters import letter_close, letter_open
from letters_app.services.signatures import signature_confirm
from tests.factories import LetterFactory, RecipientFactory, SignatureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finalized_letter(coordinator, django_capture_on_commit_callbacks):
    letter = LetterFactory(created_by=coordinator, recipients=[RecipientFactory()])
    letter = letter_open(letter=letter, actor=coordinator)
    for name in ("សម្ព័ន្ធសង្គមស៊ីវិលកម្ពុជា", "Ligue des droits de l’Homme"):
        signature_confirm(signature=SignatureFactory(letter=letter, name=name, version=1))
    letter_close(letter=letter, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=False):  # the page needs no PDF or mail
        letter_finalize(letter=letter, actor=coordinator)
    return letter


def test_a_reader_runs_the_command_the_page_shows_and_gets_the_hash_it_shows(
    finalized_letter, live_server, settings, page, artifacts_dir
):
    settings.SITE_URL = live_server.url
    page.goto(f"{live_server.url}/fr/letters/{finalized_letter.slug}/")
    commands = page.locator("#verify pre")
    expect(commands.first).to_be_hidden()
    page.get_by_text("Comment vérifier cette lettre").click()
    expect(commands).to_have_count(2)
    expect(commands.first).to_be_visible()
    shown = page.locator("#verify small code").inner_text()
    assert shown == LetterSnapshot.objects.get(letter=finalized_letter).sha256
    page.screenshot(path=artifacts_dir / "verify-public-page.png", full_page=True)

    for command in commands.all_inner_texts():
        output = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True
        )
        assert output.returncode == 0, output.stderr
        assert output.stdout.split()[0] == shown
